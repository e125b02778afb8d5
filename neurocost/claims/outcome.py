"""The result of checking one claim, and the explanation a failing claim prints.

An explanation answers three questions in order: what was expected and from where, what was
measured and how far off it is, and *which layers* carry the difference (for a golden value, the
per-layer change against the recording; for a published figure, the layers that make up the
measured total), so a reader can tell a counting change from a model change at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from neurocost.claims.formatting import format_number, format_value
from neurocost.claims.schema import Claim, Term

Status = Literal[
    "passed", "recorded", "known-gap", "failed", "gap-closed", "stale", "no-golden", "error"
]
PASSING: frozenset[str] = frozenset({"passed", "recorded", "known-gap"})

# Rows of a per-layer table in a failure message; the rest are summarised in one line.
MAX_LAYER_ROWS = 12


@dataclass(frozen=True)
class Measurement:
    """``value`` in ``unit`` with the conditions it was measured under (``key``: model spec,
    input, counting mode, convention and profile versions) and, when the metric is a sum over
    layers, each layer's share in ``per_layer`` (same unit)."""

    value: float
    unit: str
    key: dict[str, Any]
    per_layer: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """One checked claim.

    status: ``passed``; ``recorded`` (golden rewritten by ``--claims-update``); ``known-gap``
        (outside tolerance, as the claim's ``known_gap`` explains); ``failed`` (outside
        tolerance); ``gap-closed`` (a claim with a ``known_gap`` now holds); ``stale`` (golden
        recorded under another convention/profile version or model spec); ``no-golden``;
        ``error`` (the measurement raised).
    expected: the value compared against (published, or the golden value), None if there is none.
    terms: each measured term (one, or numerator and denominator of a ratio).
    reference_per_layer: the golden per-layer values, when the expected value is a golden one.
    """

    claim: Claim
    file: Path
    status: Status
    message: str
    expected: float | None = None
    measured: float | None = None
    terms: tuple[tuple[Term, Measurement], ...] = ()
    reference_per_layer: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status in PASSING

    @property
    def unit(self) -> str:
        return self.claim.metric.unit

    def explain(self) -> str:
        """The multi-line text a failing claim shows (pytest ``repr_failure``, CLI output)."""
        claim = self.claim
        lines = [
            f"claim {claim.id!r} ({self.file}): {self.status.upper()}: {self.message}",
            f"  metric:    {claim.metric} [{self.unit}]"
            + (f", convention {claim.convention}" if claim.convention else "")
            + (f", profile {claim.profile}" if claim.profile else ""),
            f"  model:     {claim.model.source} {claim.model.variant or ''}".rstrip(),
            f"  source:    {claim.source}",
        ]
        if claim.known_gap:
            lines.append(f"  known gap: {claim.known_gap}")
        if self.expected is not None:
            lines.append(
                f"  expected:  {format_value(self.expected, self.unit)}"
                f" ({'golden value' if claim.is_golden else 'as published'},"
                f" tolerance {claim.describe_tolerance()})"
            )
        if self.measured is not None:
            lines.append(f"  measured:  {format_value(self.measured, self.unit)}")
        if self.expected is not None and self.measured is not None:
            lines.append(f"  deviation: {_deviation(self.expected, self.measured, self.unit)}")
        for term, measurement in self.terms:
            lines += _layer_table(term, measurement, self.reference_per_layer)
        return "\n".join(lines)


def _deviation(expected: float, measured: float, unit: str) -> str:
    delta = measured - expected
    relative = f" ({delta / expected:+.3%})" if expected else ""
    return f"{'+' if delta >= 0 else ''}{format_value(delta, unit)}{relative}"


def _layer_table(term: Term, measurement: Measurement, reference: dict[str, float]) -> list[str]:
    """Per-layer lines of one measured term: changes against the golden values when there are
    any, otherwise the largest contributions to the measured value."""
    head = f"  {term} = {format_value(measurement.value, measurement.unit)}"
    layers = measurement.per_layer
    if not layers:
        return [head + " (not a sum over layers; no per-layer breakdown)"]
    if reference:
        names = set(layers) | set(reference)
        deltas = {n: layers.get(n, 0.0) - reference.get(n, 0.0) for n in names}
        changed = sorted((n for n in names if deltas[n] != 0), key=lambda n: -abs(deltas[n]))
        header = (
            f"{head}; layers that changed against the golden values ({len(changed)}), "
            f"in {measurement.unit}:"
        )
        rows = [
            f"    {name:<32} {format_number(reference.get(name, 0.0)):>18} -> "
            f"{format_number(layers.get(name, 0.0)):>18}  "
            f"({'+' if deltas[name] > 0 else ''}{format_number(deltas[name])})"
            for name in changed[:MAX_LAYER_ROWS]
        ]
        rest = len(changed) - MAX_LAYER_ROWS
        return [header, *rows] + ([f"    ... {rest} more changed layers"] if rest > 0 else [])
    total = sum(layers.values()) or 1.0
    largest = sorted(layers, key=lambda n: -abs(layers[n]))
    rows = [
        f"    {name:<32} {format_number(layers[name]):>18} {layers[name] / total:7.1%}"
        for name in largest[:MAX_LAYER_ROWS]
    ]
    rest = len(largest) - MAX_LAYER_ROWS
    tail = [f"    ... {rest} more layers"] if rest > 0 else []
    return [f"{head}; per layer in {measurement.unit} (largest first):", *rows, *tail]
