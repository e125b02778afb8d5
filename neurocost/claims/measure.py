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
from neurocost.errors import NeurocostError
from neurocost.tracing.trace_record import Trace


class ClaimSetupError(NeurocostError):
    """A claim whose model, input, convention or profile cannot be set up as written."""


@dataclass(frozen=True)
class _Input:
    """A seeded input; ``steps`` is None for a stepwise (snnTorch) model fed ``[T, B, ...]``,
    1 for a model called once on ``[B, ...]``."""

    x: torch.Tensor
    steps: int | None
    encoding: str | None


# metric -> (measurer, claim, model spec) -> (value, per-layer values, extra key entries)
_Result = tuple[float, dict[str, float], dict[str, Any]]


class ModelMeasurer:
    """Measures claim terms, sharing built models and counts between the claims of a run."""

    def __init__(self) -> None:
        self._models: dict[str, nn.Module] = {}
        self._counts: dict[tuple[str, str], Trace] = {}

    def measure(self, claim: Claim, term: Term) -> Measurement:
        spec = claim.model if term.subject == "model" else claim.baseline
        assert spec is not None  # the schema requires a baseline when a term names it
        value, per_layer, extra = _METRICS[term.metric](self, claim, spec)
        key = {"model": spec.key(), "counting": claim.counting, "metric": term.metric, **extra}
        return Measurement(value, METRIC_UNITS[term.metric], key, per_layer)

    def model(self, spec: ModelSpec) -> nn.Module:
        """The module ``spec`` names with its variant's keywords (built once per run)."""
        cache_key = json.dumps({"spec": spec.spec, "variant": spec.variant}, sort_keys=True)
        if cache_key not in self._models:
            from neurocost.interchange.loading import load_model

            self._models[cache_key] = load_model(spec.spec, **spec.variant).eval()
        return self._models[cache_key]

    def counts(self, spec: ModelSpec, counting: str) -> Trace:
        """Activity counts of ``spec``: traced on its input, or static (architecture only)."""
        cache_key = (json.dumps(spec.key(), sort_keys=True), counting)
        if cache_key not in self._counts:
            given = _input(spec)
            if counting == "trace":
                from neurocost.tracing.trace import trace

                counted = trace(
                    self.model(spec), given.x, steps=given.steps, input_encoding=given.encoding
                )
            else:
                from neurocost.interchange.loading import load_model
                from neurocost.tracing.static import count_static

                # built straight on the meta device: shapes only, no weights in memory
                counted = count_static(
                    lambda: load_model(spec.spec, **spec.variant),
                    given.x,
                    given.steps,
                    input_encoding=given.encoding,
                )
            self._counts[cache_key] = counted
        return self._counts[cache_key]


def _input(spec: ModelSpec) -> _Input:
    """The zoo's seeded example input for zoo models (sized by the variant's keywords);
    otherwise uniform [0, 1) of ``input.shape``, one frame repeated over ``input.steps``."""
    given = spec.input
    if spec.spec.startswith("zoo:"):
        from neurocost.models import zoo

        name = spec.spec[len("zoo:") :]
        entry = zoo.entry(name)
        x = zoo.example_input(
            name, batch=given.batch, steps=given.steps, seed=given.seed, **spec.variant
        )
        encoding = given.encoding or (str(entry.input_encoding) if entry.input_encoding else None)
        return _Input(x, None if entry.stepwise else 1, encoding)
    if given.shape is None:
        raise ClaimSetupError(
            f"model {spec.spec!r} is not a zoo model: give input.shape (one sample, one step)"
        )
    generator = torch.Generator().manual_seed(given.seed)
    frame = torch.rand((given.batch, *given.shape), generator=generator)
    if given.steps is None:
        return _Input(frame, 1, given.encoding)
    return _Input(frame.expand(given.steps, *frame.shape).clone(), None, given.encoding)


def _per_layer(trace: Trace, column: str, op_class: str) -> dict[str, float]:
    table = trace.per_layer()
    rows = table[table["op_class"] == op_class]
    summed = rows.groupby("layer", sort=False)[column].sum()
    return {str(layer): float(value) for layer, value in summed.items() if value}


def _bops(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
    """XNOR-popcount bit-ops per sample. Under a convention, the convention's BOPs (dense, as
    papers print them); without one, the traced effective BOPs ((+-1 x +-1) pairs combined)."""
    if claim.convention is not None:
        return _convention_metric(measurer, claim, spec, "bops")
    layers = _per_layer(measurer.counts(spec, claim.counting), "effective_ops", "bop")
    return sum(layers.values()), layers, {}


def _convention_metric(
    measurer: ModelMeasurer, claim: Claim, spec: ModelSpec, metric: str
) -> _Result:
    """``metric`` as the claim's convention counts it; per layer, the convention applied to each
    layer's rows alone (conventions are sums over layers)."""
    from neurocost.energy.conventions import get_convention

    convention = get_convention(claim.convention or "")
    trace = measurer.counts(spec, claim.counting)
    figures = convention.counts(trace)
    if metric not in figures:
        raise ClaimSetupError(
            f"convention {convention.name!r} does not define {metric!r}; it gives "
            f"{', '.join(figures)}"
        )
    per_layer = {}
    for layer, rows in trace.layers.groupby("layer", sort=False):
        part = Trace(layers=rows, batch_size=trace.batch_size, steps=trace.steps)
        value = convention.counts(part)[metric].value
        if value:
            per_layer[str(layer)] = float(value)
    versions = {"convention": {"name": convention.name, "version": convention.version}}
    return float(figures[metric].value), per_layer, versions


def _priced(metric: str) -> Callable[[ModelMeasurer, Claim, ModelSpec], _Result]:
    def measure(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
        from neurocost.energy.pricing import price

        trace = measurer.counts(spec, claim.counting)
        estimate = price(trace, claim.profile or "", convention=claim.convention)
        versions: dict[str, Any] = {
            "profile": {"id": estimate.profile_id, "version": estimate.profile_version},
            "convention": estimate.convention,
        }
        if metric == "latency_s":
            return estimate.latency_s, {}, versions
        by_layer = estimate.breakdown.groupby("layer", sort=False)["energy_j"].sum()
        per_layer = {str(layer): float(j) for layer, j in by_layer.items() if j}
        return estimate.energy_j, per_layer, versions

    measure.__doc__ = f"{metric} per sample of the traced counts priced on the claim's profile."
    return measure


def _size_bytes(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
    """Bytes of all parameters at their declared widths (``neurocost.tracing.static.model_size``);
    per layer, the bytes of each module's own parameters."""
    from neurocost.tracing.static import model_size

    tensors = model_size(measurer.model(spec)).tensors
    modules = tensors["name"].str.rpartition(".")[0].replace("", "(model)")
    per_module = (tensors["bits"] / 8).groupby(modules, sort=False).sum()
    per_layer = {str(name): float(size) for name, size in per_module.items()}
    return float(tensors["bits"].sum()) / 8, per_layer, {}


def _bits_per_weight(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
    """Mean storage bits of one weight entry; biases, norms and buffers are not weights.

    A module that declares ``bits_per_weight`` (mixed-precision storage such as partial
    binarisation, which keeps its weight in two masked parts) counts as one weight of
    ``effective_weight()``'s entries at that width, its parts not again; any other module's
    ``weight`` counts at its ``weight_encoding`` width, or its dtype's when undeclared.
    """
    weight_bits, entries = 0.0, 0
    inside_declared: set[int] = set()
    for module in measurer.model(spec).modules():
        if id(module) in inside_declared:
            continue
        declared = getattr(module, "bits_per_weight", None)
        if declared is not None:
            count = module.effective_weight().numel()
            weight_bits, entries = weight_bits + float(declared) * count, entries + count
            inside_declared.update(id(part) for part in module.modules())
            continue
        weight = dict(module.named_parameters(recurse=False)).get("weight")
        if weight is not None:
            encoding = getattr(module, "weight_encoding", None)
            bits = encoding.bits if encoding is not None else weight.element_size() * 8
            weight_bits, entries = weight_bits + bits * weight.numel(), entries + weight.numel()
    if entries == 0:
        raise ClaimSetupError(f"model {spec.spec!r} has no weights to average bits over")
    return weight_bits / entries, {}, {}


_METRICS: dict[str, Callable[[ModelMeasurer, Claim, ModelSpec], _Result]] = {
    "bops": _bops,
    "ops": lambda measurer, claim, spec: _convention_metric(measurer, claim, spec, "ops"),
    "flops": lambda measurer, claim, spec: _convention_metric(measurer, claim, spec, "flops"),
    "size_bytes": _size_bytes,
    "bits_per_weight": _bits_per_weight,
    "energy_j": _priced("energy_j"),
    "latency_s": _priced("latency_s"),
}
