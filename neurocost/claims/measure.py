"""Measuring one term of a claim: build the model and its seeded input, count, convert, price.

Trace once, price anywhere holds here too: a run builds each (model spec, input) once and counts
it once per counting mode, and every claim on that model (FLOPs under two conventions, energy on
three profiles) is arithmetic on the cached counts. This module is the only part of
``neurocost.claims`` that imports torch.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from neurocost.claims.outcome import Measurement
from neurocost.claims.schema import METRIC_UNITS, Claim, ModelSpec, Term
from neurocost.sim.trace_record import Trace


class ClaimSetupError(ValueError):
    """A claim whose model, input, convention or profile cannot be set up as written."""


@dataclass(frozen=True)
class _Subject:
    """A built model with its seeded input; ``steps`` is None for a stepwise (snnTorch) model
    fed ``[T, B, ...]``, 1 for a model called once on ``[B, ...]``."""

    model: nn.Module
    x: torch.Tensor
    steps: int | None
    input_encoding: str | None


# metric -> (measurer, claim, model spec) -> (value, per-layer values, extra key entries)
_Result = tuple[float, dict[str, float], dict[str, Any]]


class ModelMeasurer:
    """Measures claim terms, sharing built models and counts between the claims of a run."""

    def __init__(self) -> None:
        self._subjects: dict[str, _Subject] = {}
        self._counts: dict[tuple[str, str], Trace] = {}

    def measure(self, claim: Claim, term: Term) -> Measurement:
        spec = claim.model if term.subject == "model" else claim.baseline
        assert spec is not None  # the schema requires a baseline when a term names it
        value, per_layer, extra = _METRICS[term.metric](self, claim, spec)
        key = {"model": spec.key(), "counting": claim.counting, "metric": term.metric, **extra}
        return Measurement(value, METRIC_UNITS[term.metric], key, per_layer)

    def subject(self, spec: ModelSpec) -> _Subject:
        """The model and seeded input ``spec`` names (built once per run)."""
        cache_key = json.dumps(spec.key(), sort_keys=True)
        if cache_key not in self._subjects:
            self._subjects[cache_key] = _build(spec)
        return self._subjects[cache_key]

    def counts(self, spec: ModelSpec, counting: str) -> Trace:
        """Activity counts of ``spec``: traced on its input, or static (architecture only)."""
        cache_key = (json.dumps(spec.key(), sort_keys=True), counting)
        if cache_key not in self._counts:
            subject = self.subject(spec)
            if counting == "trace":
                from neurocost.sim.trace import trace

                counted = trace(subject.model, subject.x, steps=subject.steps,
                                input_encoding=subject.input_encoding)
            else:
                from neurocost.sim.static import count_static

                counted = count_static(subject.model, subject.x)
            self._counts[cache_key] = counted
        return self._counts[cache_key]


def _build(spec: ModelSpec) -> _Subject:
    from neurocost.models.loading import load_model

    model = load_model(spec.spec, **spec.variant).eval()
    given = spec.input
    if spec.spec.startswith("zoo:"):
        from neurocost.models import zoo

        name = spec.spec[len("zoo:") :]
        entry = zoo.entry(name)
        x = zoo.example_input(name, batch=given.batch, steps=given.steps, seed=given.seed,
                              **spec.variant)
        encoding = given.encoding or (str(entry.input_encoding) if entry.input_encoding else None)
        return _Subject(model, x, None if entry.stepwise else 1, encoding)
    if given.shape is None:
        raise ClaimSetupError(
            f"model {spec.spec!r} is not a zoo model: give input.shape (one sample, one step)"
        )
    generator = torch.Generator().manual_seed(given.seed)
    frames = given.steps or 1
    x = torch.rand((frames, given.batch, *given.shape), generator=generator)
    if given.steps is None:
        return _Subject(model, x[0], 1, given.encoding)
    return _Subject(model, x, None, given.encoding)


def _per_layer(trace: Trace, column: str, op_class: str) -> dict[str, float]:
    table = trace.per_layer()
    rows = table[table["op_class"] == op_class]
    summed = rows.groupby("layer", sort=False)[column].sum()
    return {str(layer): float(value) for layer, value in summed.items() if value}


def _bops(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
    """XNOR-popcount bit-ops per sample: (+-1 input x +-1 weight) pairs combined."""
    layers = _per_layer(measurer.counts(spec, claim.counting), "effective_ops", "bop")
    return sum(layers.values()), layers, {}


_METRICS: dict[str, Callable[[ModelMeasurer, Claim, ModelSpec], _Result]] = {
    "bops": _bops,
}
