"""Paper counting conventions on hand-built traces (per sample, summed over steps)."""

from __future__ import annotations

import pytest

from neurocost.energy.conventions import (
    SnnEnergy,
    UnknownConventionError,
    get_convention,
    names,
)
from neurocost.energy.pricing import price
from neurocost.energy.registry import load_profile
from tests.energy.builders import FC1, FC2, build_trace, two_layer_trace

# A binary conv (6400 BOPs per step as papers count them) between real-valued first/last layers
BINARY = dict(FC1, layer="bconv", kind="conv2d", op_class="bop", in_encoding="binary",
              weight_encoding="binary", in_bits=1, weight_bits=1, dense_ops=6400,
              effective_ops=6400, nominal_ops=6400)


def _counts(convention, trace):
    return {k: q.value for k, q in get_convention(convention).counts(trace).items()}


def test_registered_names():
    assert names() == ["bireal", "bert", "op-counter", "snn-energy", "thop", "fvcore",
                       "mmengine"]


def test_bireal_ops_are_bops_over_64_plus_flops():
    counts = _counts("bireal", build_trace([FC1, BINARY], steps=1))
    # BOPs 6400; FLOPs = fc1's 100 MACs (1 MAC = 1 FLOP); OPs = 6400 / 64 + 100 = 200
    assert counts == {"bops": 6400, "flops": 100, "ops": 200}


def test_bert_flops_are_twice_the_macs_with_binary_ops_over_64():
    counts = _counts("bert", build_trace([FC1, BINARY], steps=1))
    # FLOPs = 2 x (100 MACs + 6400 / 64) = 400
    assert counts == {"macs": 100, "bops": 6400, "flops": 400}


def test_op_counter_counts_every_synaptic_op_as_a_mac():
    counts = _counts("op-counter", build_trace([FC1, BINARY, FC2], steps=1))
    # 100 + 6400 + 50 nominal ops, whatever the operand types
    assert counts == {"macs": 6550, "flops": 13100}


def test_snn_energy_uses_the_convention_profile_constants():
    prof = load_profile("snn-45nm-ac-mac")
    e_mac, e_ac = prof.compute.mac["any"].si, prof.compute.ac["any"].si
    counts = _counts("snn-energy", two_layer_trace(steps=2))
    # MACs: fc1's 100 nominal ops at each of 2 steps; ACs: fc2's 15 effective ops x 2 steps
    assert counts["macs"] == 200 and counts["acs"] == 30
    assert counts["energy"] == pytest.approx(200 * e_mac + 30 * e_ac)


def test_snn_energy_can_count_the_encoding_layer_once():
    once = SnnEnergy("snn-energy", "1", "", encoding_times_steps=False)
    counts = {k: q.value for k, q in once.counts(two_layer_trace(steps=2)).items()}
    assert counts["macs"] == 100
    assert once.label == "snn-energy@1[encoding once]"


def test_a_convention_that_changes_counts_changes_the_priced_compute():
    once = SnnEnergy("snn-energy", "1", "", encoding_times_steps=False)
    trace = two_layer_trace(steps=2)
    every_step = price(trace, "snn-45nm-ac-mac")
    counted_once = price(trace, "snn-45nm-ac-mac", convention=once)
    e_mac = load_profile("snn-45nm-ac-mac").compute.mac["any"].si
    # fc1's 160 effective MACs over two steps become 80
    assert every_step.energy_j - counted_once.energy_j == pytest.approx(80 * e_mac)


def test_estimates_carry_the_convention_label_and_figures():
    est = price(two_layer_trace(steps=2), "snn-45nm-ac-mac", convention="op-counter")
    assert est.convention == "op-counter@1"
    # fc1 100 + fc2 50 nominal ops per step, 2 steps
    assert est.counts["macs"].value == 300
    assert est.to_dict()["convention"] == "op-counter@1"


def test_unknown_convention_lists_the_known_ones():
    with pytest.raises(UnknownConventionError, match=r"unknown convention 'bop64'.*bireal"):
        get_convention("bop64")
