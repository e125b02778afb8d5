"""The claims file format: one efficiency claim = one typed, validated record.

A claim says "this model, fed this seeded input, counted under this convention (and priced on this
profile), has this metric equal to this value within this tolerance, according to this source".
The value is either printed in a paper (``expected: 22.5e9``) or recorded from neurocost itself
(``expected: golden``, kept in the golden file next to the claims file).

Metrics and their units:

=================  ==========  ===============================================================
metric             unit        meaning
=================  ==========  ===============================================================
``ops``            ops         operations as the convention defines them (Bi-Real: BOPs/64+FLOPs)
``bops``           bops        XNOR-popcount bit-operations (1 per binary MAC)
``flops``          FLOPs       floating-point operations as the convention defines them
``macs``           macs        multiply-accumulates: the convention's, else the traced effective
``acs``            acs         accumulates: the convention's, else the traced effective (spikes)
``synops``         acs         synaptic events of spike-driven layers (effective ACs, exact)
``dense_ops``      ops         synaptic ops if every input were non-zero (trace's dense ops)
``effective_ops``  ops         (non-zero input x non-zero weight) pairs combined
``params``         parameters  parameter elements, each shared parameter once
``size_bytes``     B           model storage as a checkpoint holds it, at declared bit-widths
``bits_per_weight`` bit/weight  average storage bits of one weight
``energy_j``       J           energy per sample on the profile
``latency_s``      s           latency per sample on the profile
=================  ==========  ===============================================================

A ratio of two of them is written ``"baseline.flops / model.flops"`` (each side is
``[model.|baseline.]METRIC``; a bare metric means the claimed model). Ratios are unitless.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from neurocost.claims.formatting import format_value
from neurocost.tracing.workload import InputSpec, ModelRef
from neurocost.vocabulary import BIT, BYTE, FLOPS, JOULE, OPS, SECOND, op_unit

MetricName = Literal[
    "ops", "bops", "flops", "size_bytes", "bits_per_weight", "energy_j", "latency_s",
    "macs", "acs", "synops", "dense_ops", "effective_ops", "params",
]

METRIC_UNITS: dict[str, str] = {
    "ops": OPS,
    "bops": op_unit("bop"),
    "flops": FLOPS,
    "size_bytes": BYTE,
    "bits_per_weight": f"{BIT}/weight",
    "energy_j": JOULE,
    "latency_s": SECOND,
    "macs": op_unit("mac"),
    "acs": op_unit("ac"),
    "synops": op_unit("ac"),
    "dense_ops": OPS,
    "effective_ops": OPS,
    "params": "parameters",
}

# Counts of discrete things: compared exactly unless the claim states a tolerance.
COUNT_METRICS = frozenset({"ops", "bops", "flops", "size_bytes", "macs", "acs", "synops",
                           "dense_ops", "effective_ops", "params"})
# Metrics that only exist under a counting convention (FLOPs of a MAC are 1 or 2 by convention).
CONVENTION_METRICS = frozenset({"ops", "flops"})
# Metrics a named convention gives when the claim names one (else measured from the trace).
CONVENTION_OPTIONAL_METRICS = frozenset({"macs", "acs", "bops"})
# Metrics priced on a hardware profile.
PROFILE_METRICS = frozenset({"energy_j", "latency_s"})

# Goldens are neurocost's own earlier output: floats may differ only by summation order.
GOLDEN_FLOAT_REL_TOLERANCE = 1e-9

Subject = Literal["model", "baseline"]

_TERM = re.compile(r"^\s*(?:(model|baseline)\.)?([a-z_]+)\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    """One measured quantity: ``metric`` of the claimed model or of its baseline."""

    subject: Subject = "model"
    metric: MetricName

    def __str__(self) -> str:
        return f"{self.subject}.{self.metric}"


class MetricExpr(_Strict):
    """A metric, or the ratio ``numerator / denominator`` of two (``denominator`` set)."""

    numerator: Term
    denominator: Term | None = None

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def terms(self) -> tuple[Term, ...]:
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    @property
    def unit(self) -> str:
        return "1" if self.is_ratio else METRIC_UNITS[self.numerator.metric]

    @property
    def is_count(self) -> bool:
        return not self.is_ratio and self.numerator.metric in COUNT_METRICS

    def __str__(self) -> str:
        if self.denominator is None:
            return self.numerator.metric
        return f"{self.numerator} / {self.denominator}"


def parse_metric(text: str) -> MetricExpr:
    """Read ``"flops"`` or ``"baseline.flops / model.flops"`` into a ``MetricExpr``."""
    sides = text.split("/")
    if len(sides) > 2:
        raise ValueError(f"metric {text!r}: a ratio has exactly one '/'")
    terms = []
    for side in sides:
        match = _TERM.match(side)
        if match is None or match.group(2) not in METRIC_UNITS:
            raise ValueError(
                f"metric {text!r}: {side.strip()!r} is not [model.|baseline.]METRIC with METRIC "
                f"one of {', '.join(METRIC_UNITS)}"
            )
        terms.append(Term(subject=match.group(1) or "model", metric=match.group(2)))
    return MetricExpr(numerator=terms[0], denominator=terms[1] if len(terms) == 2 else None)


class ModelSpec(ModelRef):
    """Which model (``source``: ``zoo:NAME``, ``package.module:factory`` or ``file.py:factory``;
    ``variant``: keyword arguments of the factory, e.g. ``{layers: 12, d_model: 768}``) and the
    input it is counted on (the front door's ``InputSpec``: zoo models use their own seeded
    example input, other models need ``input.shape``). A bare string in YAML is the ``source``
    with defaults for the rest."""

    input: InputSpec = Field(default_factory=InputSpec)

    def key(self) -> dict[str, Any]:
        """What identifies this model's measurement (for caches and golden keys)."""
        return self.model_dump(mode="json")


class Tolerance(_Strict):
    """How far the measured value may lie from the expected one: ``abs`` (in the metric's unit)
    or ``rel`` (a fraction of the expected value). Exactly one of the two."""

    abs: float | None = Field(default=None, ge=0)
    rel: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> Tolerance:
        if (self.abs is None) == (self.rel is None):
            raise ValueError("tolerance needs exactly one of 'abs' or 'rel'")
        return self

    def allows(self, expected: float, measured: float) -> bool:
        if self.abs is not None:
            return abs(measured - expected) <= self.abs
        return abs(measured - expected) <= self.rel * abs(expected)

    def describe(self, unit: str) -> str:
        if self.abs is not None:
            return f"± {format_value(self.abs, unit)}"
        return f"± {self.rel:.3g} relative"


EXACT = "exact"


class Claim(_Strict):
    """One efficiency claim (see the module docstring for metrics and units).

    ``counting`` says where counts come from: ``trace`` runs the model on its input and counts
    what it does (effective and dense ops); ``static`` counts from the architecture and declared
    bit-widths alone, as papers usually state their figures.

    ``known_gap`` explains why neurocost's measurement is known to differ from a published figure
    (a counting detail the paper does not state, say). Such a claim still runs and is reported
    as an expected failure; the day it holds, it fails, so the explanation gets removed.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    source: str
    model: ModelSpec
    baseline: ModelSpec | None = None
    counting: Literal["trace", "static"] = "trace"
    convention: str | None = None
    profile: str | None = None
    metric: MetricExpr
    expected: float | Literal["golden"]
    tolerance: Tolerance | None = None
    known_gap: str | None = None
    note: str | None = None
    # Logged per-layer input firing rates for ``convention: snn-rates``: a mapping layer -> rate,
    # or a YAML / CSV file of them (relative to the claims file).
    rates: dict[str, float] | str | None = None

    @field_validator("source")
    @classmethod
    def _has_source(cls, source: str) -> str:
        if not source.strip():
            raise ValueError("source must cite the paper (and table) or URL the claim comes from")
        return source

    @field_validator("metric", mode="before")
    @classmethod
    def _parse_metric(cls, metric: Any) -> Any:
        return parse_metric(metric) if isinstance(metric, str) else metric

    @field_validator("expected", mode="before")
    @classmethod
    def _number_or_golden(cls, expected: Any) -> float | str:
        # YAML 1.1 reads 22.5e9 (no exponent sign) as a string; accept it as the number it means.
        if expected == "golden":
            return expected
        try:
            value = float(expected) if not isinstance(expected, bool) else math.nan
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise ValueError("expected must be a finite number or 'golden'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Claim:
        metrics = {term.metric for term in self.metric.terms}
        uses_baseline = any(term.subject == "baseline" for term in self.metric.terms)
        if uses_baseline and self.baseline is None:
            raise ValueError(f"metric '{self.metric}' names the baseline but no baseline is given")
        if self.baseline is not None and not uses_baseline:
            raise ValueError(f"a baseline is given but metric '{self.metric}' does not use it")
        if metrics & CONVENTION_METRICS and self.convention is None:
            raise ValueError(
                f"metric '{self.metric}' depends on a counting convention; name one "
                "(e.g. convention: bert or bireal)"
            )
        if self.convention is not None:
            _check_convention(self.convention, metrics & (CONVENTION_METRICS |
                                                         CONVENTION_OPTIONAL_METRICS))
        if self.rates is not None:
            _check_rates(self.convention, self.rates)
        if self.known_gap is not None and (self.expected == "golden" or not self.known_gap.strip()):
            raise ValueError("known_gap explains a published figure: give a reason, not 'golden'")
        if metrics & PROFILE_METRICS and self.profile is None and not (
                metrics & PROFILE_METRICS == {"energy_j"} and _convention_energy(self.convention)):
            raise ValueError(f"metric '{self.metric}' is priced on a hardware profile; name one "
                             "(or a convention with its own energy rule, e.g. snn-rates)")
        if self.tolerance is None and self.expected != "golden" and not self.metric.is_count:
            raise ValueError(
                f"metric '{self.metric}' is not an exact count; give a tolerance "
                "(abs or rel) matching the precision the source prints"
            )
        return self

    @property
    def is_golden(self) -> bool:
        return self.expected == "golden"

    def effective_tolerance(self) -> Tolerance | None:
        """The tolerance the check applies; None means exact equality."""
        if self.tolerance is not None or self.metric.is_count:
            return self.tolerance
        return Tolerance(rel=GOLDEN_FLOAT_REL_TOLERANCE)

    def describe_tolerance(self) -> str:
        tolerance = self.effective_tolerance()
        return EXACT if tolerance is None else tolerance.describe(self.metric.unit)


def _check_convention(name: str, metrics: set[str]) -> None:
    """Refuse, when the file is read, a convention that is unknown or does not define a metric
    the claim takes from it (what ``claims check`` would otherwise report at run time)."""
    from neurocost.energy.conventions import UnknownConventionError, defined_metrics

    try:
        defined = defined_metrics(name)
    except UnknownConventionError as err:
        raise ValueError(str(err)) from None
    missing = sorted(metrics - defined)
    if missing:
        raise ValueError(f"convention {name!r} does not define {', '.join(missing)}; it gives "
                         f"{', '.join(sorted(defined))}")


def _convention_energy(convention: str | None) -> bool:
    """Whether ``convention`` states energy by its own rule (``snn-energy``, ``snn-rates``)."""
    from neurocost.energy.conventions import defined_metrics

    return convention is not None and "energy" in defined_metrics(convention)


def _check_rates(convention: str | None, rates: dict[str, float] | str) -> None:
    """Rates belong to a convention that takes them, and each lies in [0, 1]."""
    from neurocost.energy.conventions import get_convention

    if convention is None or not hasattr(get_convention(convention), "with_rates"):
        raise ValueError("rates are firing rates for a convention that takes them "
                         "(convention: snn-rates)")
    if isinstance(rates, dict):
        bad = {layer: rate for layer, rate in rates.items() if not 0.0 <= rate <= 1.0}
        if bad:
            raise ValueError(f"firing rates must lie in [0, 1]: {bad}")


class ClaimsDocument(_Strict):
    """The content of one ``*.claims.yaml`` file: its claims, and optionally where its golden
    values live (relative to the file; default ``<name>.golden.json`` beside it)."""

    claims: list[Claim] = Field(min_length=1)
    golden: str | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> ClaimsDocument:
        seen: set[str] = set()
        for claim in self.claims:
            if claim.id in seen:
                raise ValueError(f"claim id {claim.id!r} appears twice")
            seen.add(claim.id)
        return self
