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


def test_snn_rates_energy_uses_the_logged_rates_of_the_claim(tmp_path, scnn_trace):
    """energy_j under snn-rates, without a profile: the convention's own rule, with the rates
    the claim gives (a mapping here, a CSV beside the claims file in the next test)."""
    layer = next(iter(scnn_trace.layers.loc[scnn_trace.layers["op_class"] == "ac", "layer"]))
    claim = _claim(metric="energy_j", convention="snn-rates", rates={layer: 0.25},
                   tolerance={"rel": 0.01}, expected=1.0)
    expected = get_convention("snn-rates").with_rates({layer: 0.25}).counts(scnn_trace)
    assert _measure(claim) == expected["energy"].value
    assert _measure(claim) != get_convention("snn-rates").counts(scnn_trace)["energy"].value


def test_rates_from_a_file_beside_the_claims_file(tmp_path, scnn_trace, monkeypatch):
    layer = next(iter(scnn_trace.layers.loc[scnn_trace.layers["op_class"] == "ac", "layer"]))
    (tmp_path / "rates.csv").write_text(f"layer,rate\n{layer},0.25\n")
    monkeypatch.chdir(tmp_path)  # what ClaimsRun.check does with the claims file's folder
    claim = _claim(metric="acs", convention="snn-rates", rates="rates.csv")
    expected = get_convention("snn-rates").with_rates({layer: 0.25}).counts(scnn_trace)
    assert _measure(claim) == expected["acs"].value


@pytest.mark.parametrize(("fields", "message"), [
    ({"convention": "thop", "metric": "ops"}, "convention that takes them"),
    ({"convention": "snn-rates", "metric": "acs"}, "must lie in"),
])
def test_rates_are_checked_when_the_file_is_read(fields, message):
    rates = {"fc": 1.5} if fields["convention"] == "snn-rates" else {"fc": 0.5}
    with pytest.raises(ValidationError, match=message):
        _claim(rates=rates, **fields)


def test_energy_without_a_profile_needs_a_convention_energy_rule():
    with pytest.raises(ValidationError, match="priced on a hardware profile"):
        _claim(metric="energy_j", convention="thop", tolerance={"rel": 0.1}, expected=1.0)
