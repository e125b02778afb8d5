"""``Estimate``: what a trace costs on one profile, with every figure's unit and provenance."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from neurocost.units import PER_SAMPLE, Quantity
from neurocost.vocabulary import COMPONENTS, component_column

# How each latency source times an inference, in words (every one adds the profile's fixed
# time per step): what a reader needs to know to choose which figure to quote.
LATENCY_SOURCES: dict[str, str] = {
    "analytic": "the profile's throughput rates, the trace's work done on one core",
    "tick": "a real-time chip: steps x the profile's tick",
    "mapped": "the simulation's mapping and per-core parallelism, evaluated analytically",
    "simulation": "the simpy simulation of the mapped chip",
    "sanafe": "SANA-FE's simulation of the mapped chip",
}


@dataclass(frozen=True)
class PriceTable:
    """Every constant an estimate rests on, and how each trace row is priced.

    ``rows``: per trace row (layer, kind, op class), the formula of its op energy, neuron update
    energy and neuron access energy over profile fields (``0.25 x compute.mult.int8 + 1 x
    compute.add.int32``), and the terms those constants already include (never added again).
    ``constants``: every sourced profile field the estimate read, with its value in the unit
    the profile states, the unit, the source and the basis (measured, datasheet, ...).
    """

    rows: pd.DataFrame
    constants: pd.DataFrame


@dataclass(frozen=True)
class Estimate:
    """Energy and latency of one inference (per sample, summed over time steps).

    energy_j = compute + memory + neuron + routing + step + io + static (joules), where
    ``step`` is the fixed energy every time step pays and ``io`` the off-chip input and output.
    ``breakdown`` has one row per layer, a ``(chip)`` row for the chip-level terms (step, io,
    and static unless split) and, when priced with a simulated timing, one ``core:<k>`` row per
    core holding an equal share of static energy; columns ``compute_j, memory_j, neuron_j,
    routing_j, step_j, io_j, static_j, energy_j``. ``regime`` says which terms are in:
    ``compute-only`` or ``compute`` plus ``memory`` and/or ``static``, led by ``all-in`` when
    those terms are inside all-in op energies (then ``memory_j`` and ``static_j`` read 0 J
    because the compute column holds them). ``latency_source`` is
    ``analytic`` (profile throughput), ``tick`` (real-time chip), ``simulation`` (simpy),
    ``sanafe`` (SANA-FE) or ``mapped`` (the simulation's mapping and per-core parallelism,
    evaluated analytically); each includes the profile's fixed time per step.
    ``sources`` maps each profile field used to its source, and ``prices`` shows every constant
    and formula (``PriceTable``); ``convention`` is ``name@version`` of the counting convention,
    whose figures are in ``counts``. ``timing`` is the simulated ``Timing`` (latency,
    throughput, utilisation, hops) when the estimate was priced with one. ``energy_j`` is the
    breakdown's sum, computed from it, so the two cannot disagree.
    """

    latency_s: float
    breakdown: pd.DataFrame
    regime: str
    profile_id: str
    profile_version: str
    profile_status: str
    steps: int
    latency_source: str
    convention: str | None = None
    counts: dict[str, Quantity] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    timing: Any = None  # neurocost.sim.timing.Timing when priced with a simulated timing
    prices: PriceTable | None = None

    @property
    def energy_j(self) -> float:
        """Joules per sample, summed over steps: the sum of every breakdown row."""
        return float(self.breakdown["energy_j"].sum())

    def components(self) -> dict[str, float]:
        """Joules per component (compute, memory, neuron, routing, static)."""
        return {c: float(self.breakdown[component_column(c)].sum()) for c in COMPONENTS}

    @property
    def energy_per_step_j(self) -> float:
        return self.energy_j / self.steps

    @property
    def power_w(self) -> float:
        """Average power over the latency (NaN when the latency is unknown or zero)."""
        if not self.latency_s or math.isnan(self.latency_s):
            return math.nan
        return self.energy_j / self.latency_s

    def to_dict(self) -> dict[str, Any]:
        energy = {
            "energy": Quantity(self.energy_j, "J"),
            "energy_per_step": Quantity(self.energy_per_step_j, "J", "per sample, per step"),
            "latency": Quantity(self.latency_s, "s", "per sample"),
            "power": Quantity(self.power_w, "W", "average over the latency"),
        }
        return {
            **{k: q.to_dict() for k, q in energy.items()},
            "components": {c: Quantity(j, "J").to_dict() for c, j in self.components().items()},
            "regime": self.regime,
            "profile": {"id": self.profile_id, "version": self.profile_version,
                        "status": self.profile_status},
            "convention": self.convention,
            "counts": {k: q.to_dict() for k, q in self.counts.items()},
            "steps": self.steps,
            "latency_source": self.latency_source,
            "scope": PER_SAMPLE,
            "breakdown": {"unit": "J", "rows": self.breakdown.to_dict(orient="records")},
            "notes": list(self.notes),
            "sources": dict(self.sources),
            "constants": [] if self.prices is None
            else self.prices.constants.to_dict(orient="records"),
            "timing": None if self.timing is None else self.timing.to_dict(),
        }

    def to_json(self, indent: int | None = None) -> str:
        """Strict JSON: unknown figures (NaN, e.g. a latency no throughput defines) are null."""
        return json.dumps(_nan_to_none(self.to_dict()), indent=indent, allow_nan=False)


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
