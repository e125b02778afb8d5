"""Claim metrics SNN and op-counter papers state (macs, acs, synops, dense_ops, effective_ops,
params), and conventions checked when the file is read, not when the claim runs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from neurocost.claims.measure import ModelMeasurer
from neurocost.claims.schema import Claim
from neurocost.energy.conventions import get_convention
from neurocost.tracing.workload import prepare


def _claim(**fields: object) -> Claim:
    base: dict[str, object] = {"id": "c", "source": "Some et al., Venue 2024, Table 1",
                               "model": "zoo:scnn", "metric": "synops", "expected": "golden"}
    return Claim.model_validate(base | fields)


def _measure(claim: Claim) -> float:
    return ModelMeasurer().measure(claim, claim.metric.numerator).value


@pytest.fixture(scope="module")
def scnn_trace():
    claim = _claim()
    return prepare(claim.model, claim.model.input).trace()


@pytest.mark.parametrize(("metric", "total"), [
    ("synops", "effective_acs"), ("acs", "effective_acs"), ("macs", "effective_macs"),
    ("dense_ops", "dense_ops"), ("effective_ops", "effective_ops"),
])
def test_traced_metrics_are_the_trace_totals(metric, total, scnn_trace):
    assert _measure(_claim(metric=metric)) == scnn_trace.totals()[total].value


def test_macs_under_a_convention_are_the_convention_macs(scnn_trace):
    claim = _claim(metric="macs", convention="thop")
    assert _measure(claim) == get_convention("thop").counts(scnn_trace)["macs"].value


def test_params_count_each_parameter_once():
    claim = _claim(metric="params")
    model = ModelMeasurer().model(claim.model)
    assert _measure(claim) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(("convention", "metric", "message"), [
    ("snn-energy", "ops", "does not define ops"),
    ("bireal", "macs", "does not define macs"),
    ("no-such", "flops", "unknown convention"),
])
def test_validate_refuses_what_check_would(convention, metric, message):
    with pytest.raises(ValidationError, match=message):
        _claim(metric=metric, convention=convention)


def test_a_convention_that_defines_the_metric_is_accepted():
    assert _claim(metric="ops", convention="fvcore").convention == "fvcore"
    assert _claim(metric="acs", convention="snn-energy").convention == "snn-energy"
