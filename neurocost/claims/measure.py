"""Measuring one term of a claim: build the model and its seeded input, count, convert, price.

Trace once, price anywhere holds here too: a run builds each (model spec, input) once and counts
it once per counting mode, and every claim on that model (FLOPs under two conventions, energy on
three profiles) is arithmetic on the cached counts. This module is the only part of
``neurocost.claims`` that imports torch.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch import nn

from neurocost.claims.outcome import Measurement
from neurocost.claims.schema import METRIC_UNITS, Claim, ModelSpec, Term
from neurocost.energy.conventions import Convention
from neurocost.errors import NeurocostError
from neurocost.tracing.trace_record import Trace
from neurocost.tracing.workload import InputError
from neurocost.vocabulary import ACCUMULATES, OP_CLASSES


class ClaimSetupError(NeurocostError):
    """A claim whose model, input, convention or profile cannot be set up as written."""


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
        # the working directory is the claims file's folder: relative sources differ by folder
        cache_key = json.dumps({"source": spec.source, "variant": spec.variant,
                                "folder": str(Path.cwd())}, sort_keys=True)
        if cache_key not in self._models:
            self._models[cache_key] = spec.build()
        return self._models[cache_key]

    def counts(self, spec: ModelSpec, counting: str) -> Trace:
        """Activity counts of ``spec``: traced on its input, or static (architecture only)."""
        cache_key = (json.dumps(spec.key(), sort_keys=True), counting, str(Path.cwd()))
        if cache_key not in self._counts:
            try:
                self._counts[cache_key] = self._count(spec, counting)
            except InputError as err:
                raise ClaimSetupError(str(err)) from None
        return self._counts[cache_key]

    def _count(self, spec: ModelSpec, counting: str) -> Trace:
        from neurocost.tracing.workload import prepare

        if counting == "trace":
            return prepare(spec, spec.input, model=self.model(spec)).trace()
        from neurocost.tracing.static import build_on_meta, count_static

        model = build_on_meta(spec.build)  # shapes only: no weights in memory, no arithmetic
        work = prepare(spec, spec.input, model=model)
        return count_static(model, work.x, work.trace_steps, input_encoding=work.encoding)


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

    convention = with_claim_rates(get_convention(claim.convention or ""), claim)
    trace = measurer.counts(spec, claim.counting)
    figures = convention.counts(trace)
    if metric not in figures:
        raise ClaimSetupError(
            f"convention {convention.name!r} does not define {metric!r}; it gives "
            f"{', '.join(figures)}"
        )
    per_layer = {}
    for layer in trace.layers["layer"].unique():
        value = convention.counts(trace.only([layer]))[metric].value
        if value:
            per_layer[str(layer)] = float(value)
    versions: dict[str, Any] = {"convention": {"name": convention.name,
                                               "version": convention.version}}
    if claim.rates is not None:
        versions["rates"] = dict(convention.rates)  # type: ignore[attr-defined]
    return float(figures[metric].value), per_layer, versions


def with_claim_rates(convention: Convention, claim: Claim) -> Convention:
    """``convention`` with the claim's logged firing rates (a mapping, or a YAML / CSV file
    read relative to the claims file, the working directory while claims are measured)."""
    if claim.rates is None:
        return convention
    from neurocost.energy.counters import load_rates

    rates = claim.rates if isinstance(claim.rates, dict) else load_rates(claim.rates)
    return convention.with_rates(rates)  # type: ignore[attr-defined]


def _priced(metric: str) -> Callable[[ModelMeasurer, Claim, ModelSpec], _Result]:
    def measure(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
        from neurocost.energy.pricing import price

        if claim.profile is None:  # the schema allows it for a convention's own energy rule
            return _convention_metric(measurer, claim, spec, "energy")

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
    """Bytes a checkpoint holds (``neurocost.tracing.static.model_size``: shared parameters once,
    persistent buffers, declared overheads, all at their declared widths); per layer, the bytes
    of each module's own tensors."""
    from neurocost.tracing.static import model_size

    tensors = model_size(measurer.model(spec)).tensors
    modules = tensors["name"].str.rpartition(".")[0].replace("", "(model)")
    per_module = (tensors["bits"] / 8).groupby(modules, sort=False).sum()
    per_layer = {str(name): float(size) for name, size in per_module.items()}
    return float(tensors["bits"].sum()) / 8, per_layer, {}


def _bits_per_weight(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
    """Mean storage bits of one weight entry (``ModelSize.bits_per_weight``: every layer's
    ``weight`` as the layer contract declares it stored; biases, norms and buffers are not
    weights)."""
    from neurocost.tracing.static import model_size

    try:
        return model_size(measurer.model(spec)).bits_per_weight, {}, {}
    except ValueError as err:
        raise ClaimSetupError(f"model {spec.source!r}: {err}") from None


def _traced(column: str, classes: tuple[str, ...], convention_metric: str | None = None) \
        -> Callable[[ModelMeasurer, Claim, ModelSpec], _Result]:
    """A count summed over synaptic rows of ``classes``: the convention's ``convention_metric``
    when the claim names a convention and the metric takes one, else the trace's ``column``."""

    def measure(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
        if convention_metric is not None and claim.convention is not None:
            return _convention_metric(measurer, claim, spec, convention_metric)
        trace = measurer.counts(spec, claim.counting)
        layers: dict[str, float] = {}
        for op_class in classes:
            for layer, value in _per_layer(trace, column, op_class).items():
                layers[layer] = layers.get(layer, 0.0) + value
        return sum(layers.values()), layers, {}

    measure.__doc__ = f"{column} per sample over {', '.join(classes)} rows."
    return measure


def _params(measurer: ModelMeasurer, claim: Claim, spec: ModelSpec) -> _Result:
    """Parameter elements, each shared parameter once (``ModelSize.parameters``)."""
    from neurocost.tracing.static import model_size

    return float(model_size(measurer.model(spec)).parameters), {}, {}


_METRICS: dict[str, Callable[[ModelMeasurer, Claim, ModelSpec], _Result]] = {
    "bops": _bops,
    "ops": lambda measurer, claim, spec: _convention_metric(measurer, claim, spec, "ops"),
    "flops": lambda measurer, claim, spec: _convention_metric(measurer, claim, spec, "flops"),
    "size_bytes": _size_bytes,
    "bits_per_weight": _bits_per_weight,
    "energy_j": _priced("energy_j"),
    "latency_s": _priced("latency_s"),
    "macs": _traced("effective_ops", ("mac",), "macs"),
    "acs": _traced("effective_ops", ACCUMULATES, "acs"),
    "synops": _traced("effective_ops", ACCUMULATES),
    "dense_ops": _traced("dense_ops", OP_CLASSES),
    "effective_ops": _traced("effective_ops", OP_CLASSES),
    "params": _params,
}
