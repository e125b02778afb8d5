"""The front door: one model reference, one input spec, one stepwise rule, one encoder registry."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest
import snntorch as snn
import torch
from torch import nn

import neurocost as nc
from neurocost.claims.schema import ModelSpec
from neurocost.cli.common import add_workload_arguments, resolve_workload
from neurocost.models import zoo
from neurocost.models.encoders import RateEncoder, make_encoder
from neurocost.models.encodings import SPIKE
from neurocost.models.state import DEFAULT_STEPS, is_stepwise
from neurocost.sweeps.spec import SweepInput
from neurocost.tracing.workload import InputError, InputSpec, ModelRef, prepare
from neurocost.vocabulary import ENCODER_NAMES


@pytest.mark.parametrize("name", zoo.names())
def test_the_zoo_flag_agrees_with_the_one_stepwise_rule(name: str) -> None:
    kw = {"layers": 1, "seq": 8} if name.endswith("_base") else {}
    assert zoo.entry(name).stepwise == is_stepwise(zoo.get(name, **kw))


def _cli(*argv: str):
    parser = argparse.ArgumentParser()
    add_workload_arguments(parser)
    return resolve_workload(parser.parse_args(list(argv)))


def test_cli_sweeps_and_claims_prepare_the_same_input() -> None:
    cli = _cli("zoo:scnn", "--samples", "2", "--encoder", "rate", "--steps", "3")
    sweep = prepare(ModelRef(source="zoo:scnn"),
                    SweepInput(samples=2, encoder="rate", steps=3))
    claim = ModelSpec.model_validate({"source": "zoo:scnn",
                                      "input": {"samples": 2, "encoder": "rate", "steps": 3}})
    from_claim = prepare(claim, claim.input)
    for work in (sweep, from_claim):
        assert torch.equal(work.x, cli.x)
        assert (work.call, work.steps, work.encoding) == (cli.call, cli.steps, cli.encoding)
    # the frames are the rate encoder's spikes over the zoo entry's first frame
    frame = zoo.example_input("scnn", batch=2, steps=1)[0]
    assert torch.equal(cli.x, RateEncoder(seed=0)(frame, 3))
    assert (cli.call, cli.steps, cli.encoding) == ("per_step", 3, SPIKE)


def test_old_field_names_still_read() -> None:
    claim = ModelSpec.model_validate({"spec": "zoo:scnn", "input": {"batch": 3}})
    assert (claim.source, claim.input.samples) == ("zoo:scnn", 3)


def _own_snn() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 3), snn.Leaky(beta=0.9, init_hidden=True))


def test_steps_default_to_the_zoo_entry_then_to_the_package_default() -> None:
    assert prepare(ModelRef(source="zoo:scnn"), InputSpec()).steps == \
        zoo.entry("scnn").default_steps
    own = prepare(ModelRef(source="own"), InputSpec(shape=(4,)), model=_own_snn())
    assert (own.call, own.steps, tuple(own.x.shape)) == ("per_step", DEFAULT_STEPS,
                                                         (DEFAULT_STEPS, 1, 4))


def test_a_stateless_model_given_steps_must_say_it_is_called_once() -> None:
    with pytest.raises(InputError, match="called once"):
        prepare(ModelRef(source="mlp"), InputSpec(shape=(4,), steps=4), model=nn.Linear(4, 2))
    work = prepare(ModelRef(source="mlp"), InputSpec(shape=(4,), steps=4, call="once"),
                   model=nn.Linear(4, 2))
    assert (work.call, work.trace_steps) == ("once", 4)


def test_a_model_outside_the_zoo_needs_an_input() -> None:
    with pytest.raises(InputError, match="shape"):
        prepare(ModelRef(source="mlp"), InputSpec(), model=nn.Linear(4, 2))


def test_one_encoder_registry() -> None:
    assert [type(make_encoder(n)).__name__ for n in ENCODER_NAMES] == [
        "DirectEncoder", "RateEncoder", "LatencyEncoder", "DeltaEncoder"]
    with pytest.raises(ValueError, match="unknown encoder"):
        make_encoder("poisson")


def test_trace_takes_the_call_explicitly() -> None:
    x = torch.rand(5, 2, 4, generator=torch.Generator().manual_seed(0))
    model = _own_snn()
    implicit = nc.trace(model, x).layers
    pd.testing.assert_frame_equal(nc.trace(model, x, call="per_step").layers, implicit)
    pd.testing.assert_frame_equal(nc.trace(model, x, 5, call="per_step").layers, implicit)
    with pytest.raises(ValueError, match="x.shape"):
        nc.trace(model, x, 4, call="per_step")
    once = nc.trace(nn.Linear(4, 3), x[0], call="once")
    assert (once.steps, once.batch_size) == (1, 2)
