"""The claims schema: what a claim must state, and what it may leave to defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from neurocost.claims.schema import Claim, ClaimsDocument, Tolerance, parse_metric


def _claim(**fields: object) -> Claim:
    base: dict[str, object] = {
        "id": "c",
        "source": "Some et al., Venue 2024, Table 1",
        "model": "zoo:scnn",
        "metric": "bops",
        "expected": 10,
    }
    return Claim.model_validate(base | fields)


def test_bare_metric_is_of_the_claimed_model() -> None:
    expr = parse_metric("flops")
    assert (expr.numerator.subject, expr.numerator.metric, expr.denominator) == (
        "model",
        "flops",
        None,
    )
    assert expr.unit == "FLOPs" and expr.is_count


def test_ratio_names_both_sides() -> None:
    expr = parse_metric("baseline.flops / model.flops")
    assert str(expr) == "baseline.flops / model.flops"
    assert expr.unit == "1" and not expr.is_count


@pytest.mark.parametrize("text", ["watts", "flops / ops / bops", "teacher.flops / flops", ""])
def test_unknown_metric_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="metric"):
        parse_metric(text)


def test_yaml_exponent_without_sign_is_read_as_a_number() -> None:
    # PyYAML (YAML 1.1) yields the string '22.5e9' for 22.5e9; the schema must read it as 2.25e10.
    assert _claim(expected="22.5e9", tolerance={"rel": 0.01}).expected == 22.5e9


@pytest.mark.parametrize("value", ["nan", "inf", "many", True, [1]])
def test_expected_must_be_finite_number_or_golden(value: object) -> None:
    with pytest.raises(ValidationError, match="finite number or 'golden'"):
        _claim(expected=value)


def test_counts_are_exact_by_default() -> None:
    claim = _claim()
    assert claim.effective_tolerance() is None and claim.describe_tolerance() == "exact"


def test_published_float_metric_needs_a_tolerance() -> None:
    with pytest.raises(ValidationError, match="give a tolerance"):
        _claim(metric="energy_j", profile="loihi", expected=1e-6)


def test_golden_float_metric_defaults_to_a_summation_order_tolerance() -> None:
    claim = _claim(metric="energy_j", profile="loihi", expected="golden")
    assert claim.effective_tolerance() == Tolerance(rel=1e-9)


def test_ratio_needs_a_baseline() -> None:
    with pytest.raises(ValidationError, match="no baseline is given"):
        _claim(metric="baseline.bops / model.bops", tolerance={"rel": 0.01})


def test_unused_baseline_is_rejected() -> None:
    with pytest.raises(ValidationError, match="does not use it"):
        _claim(baseline="zoo:scnn")


def test_flops_need_a_convention() -> None:
    with pytest.raises(ValidationError, match="counting convention"):
        _claim(metric="flops")


def test_energy_needs_a_profile() -> None:
    with pytest.raises(ValidationError, match="hardware profile"):
        _claim(metric="energy_j", expected="golden")


def test_tolerance_takes_exactly_one_of_abs_and_rel() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Tolerance(abs=1.0, rel=0.1)
    with pytest.raises(ValidationError, match="exactly one"):
        Tolerance()


def test_tolerance_bounds() -> None:
    assert Tolerance(abs=0.05e9).allows(22.5e9, 22.54e9)
    assert not Tolerance(abs=0.05e9).allows(22.5e9, 22.56e9)
    assert Tolerance(rel=0.01).allows(100.0, 101.0)
    assert not Tolerance(rel=0.01).allows(100.0, 101.5)


def test_model_given_as_a_string_takes_default_input() -> None:
    model = _claim().model
    assert (model.source, model.variant, model.input.seed, model.input.samples) == (
        "zoo:scnn",
        {},
        0,
        1,
    )


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        _claim(tolerence={"rel": 0.1})


def test_unknown_input_encoding_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown encoding"):
        _claim(model={"spec": "zoo:scnn", "input": {"encoding": "spiky"}})


def test_claim_ids_are_unique_within_a_file() -> None:
    claim = _claim().model_dump()
    with pytest.raises(ValidationError, match="appears twice"):
        ClaimsDocument.model_validate({"claims": [claim, claim]})
