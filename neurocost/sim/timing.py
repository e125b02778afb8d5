"""``Timing``: what the hardware simulation says about one sample's latency, cores and network.

All figures are per sample (one inference of ``steps`` time steps). ``mode`` says what produced
them: the simpy simulation (``aggregated``, ``exact``), its analytic list schedule (``mapped``)
or the roofline of a dense machine (``dense``).

* ``latency_s``: from the first input event to the end of the last time step (barriers included);
  ``latency_per_step_s = latency_s / steps``.
* ``throughput_inf_per_s``: ``1 / latency_s`` without pipelining; with pipelining, samples
  follow each other through the layers, so it is ``1 / interval`` where the interval is
  ``latency_s x steps / ticks`` with barriers (the next sample's steps fill the ticks this one
  spends draining) and the busiest core's busy time when free-running.
* ``cores``: one row per used core: ``core``, ``tile``, ``layers`` it runs, ``busy_s`` (time spent
  on synaptic ops, neuron updates and emitting packets), ``idle_s = latency_s - busy_s`` and
  ``utilisation = busy_s / latency_s``. A dense (GPU) timing has one row, the device.
* ``layers``: one row per unit (see ``mapping``): its cores and ``critical_s``, the slowest
  core's busy time summed over steps; ``critical_layer`` is the unit with the largest.
* ``packets`` spike packets between cores, ``input_packets`` from off-chip, ``hops`` packet hop
  traversals (``hops_ew + hops_ns``); ``hop_energy_j`` is ``hops_ew x e_ew + hops_ns x e_ns +
  local packets x e_local`` when the mesh declares those energies (``None`` otherwise).
* ``engine_energy_j`` and ``per_step``: an engine that prices events itself (SANA-FE) reports
  its energy by component (J per sample) and its energy and time per step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from neurocost.units import Quantity

_PER_SAMPLE = "per sample"


@dataclass(frozen=True)
class Timing:
    """Simulated timing of one sample; see the module docstring for every field."""

    mode: str
    steps: int
    latency_s: float
    throughput_inf_per_s: float
    cores: pd.DataFrame
    layers: pd.DataFrame
    critical_layer: str
    packets: float = 0.0
    input_packets: float = 0.0
    hops_ew: float = 0.0
    hops_ns: float = 0.0
    hop_energy_j: float | None = None
    synops: float = 0.0
    neuron_updates: float = 0.0
    barrier_s: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    engine_energy_j: dict[str, float] | None = None
    per_step: pd.DataFrame | None = None

    @property
    def latency_per_step_s(self) -> float:
        return self.latency_s / self.steps

    @property
    def hops(self) -> float:
        return self.hops_ew + self.hops_ns

    @property
    def mean_utilisation(self) -> float:
        """Mean utilisation over the used cores (0..1)."""
        return float(self.cores["utilisation"].mean()) if len(self.cores) else 0.0

    def quantities(self) -> dict[str, Quantity]:
        """Every scalar figure with its unit and scope."""
        per_step = "per time step (mean)"
        figures = {
            "latency_s": Quantity(self.latency_s, "s", _PER_SAMPLE),
            "latency_per_step_s": Quantity(self.latency_per_step_s, "s", per_step),
            "throughput_inf_per_s": Quantity(self.throughput_inf_per_s, "inferences/s", "steady"),
            "barrier_s": Quantity(self.barrier_s, "s", _PER_SAMPLE),
            "mean_utilisation": Quantity(self.mean_utilisation, "1", "over used cores"),
            "synops": Quantity(self.synops, "ops", _PER_SAMPLE),
            "neuron_updates": Quantity(self.neuron_updates, "updates", _PER_SAMPLE),
            "packets": Quantity(self.packets, "packets", _PER_SAMPLE),
            "input_packets": Quantity(self.input_packets, "packets", _PER_SAMPLE),
            "hops": Quantity(self.hops, "hops", _PER_SAMPLE),
            "hops_ew": Quantity(self.hops_ew, "hops", _PER_SAMPLE),
            "hops_ns": Quantity(self.hops_ns, "hops", _PER_SAMPLE),
        }
        if self.hop_energy_j is not None:
            figures["hop_energy_j"] = Quantity(self.hop_energy_j, "J", _PER_SAMPLE)
        return figures

    def to_dict(self) -> dict[str, Any]:
        """Figures with units, plus the per-core and per-layer tables as records."""
        return {
            "mode": self.mode,
            "steps": self.steps,
            "critical_layer": self.critical_layer,
            **{name: q.to_dict() for name, q in self.quantities().items()},
            "cores": self.cores.to_dict(orient="records"),
            "layers": self.layers.to_dict(orient="records"),
            "notes": list(self.notes),
            "engine_energy_j": self.engine_energy_j,
        }

    def summary_rows(self) -> list[tuple[str, str]]:
        """(label, value with unit) rows for a CLI or report section on simulated timing."""
        rows = [
            ("simulation", f"{self.mode}, {self.steps} steps, {len(self.cores)} core(s) used"),
            ("latency", f"{self.latency_s:.4g} s per sample"),
            ("latency per step", f"{self.latency_per_step_s:.4g} s"),
            ("throughput", f"{self.throughput_inf_per_s:.4g} inferences/s"),
            ("mean core utilisation", f"{100 * self.mean_utilisation:.1f} %"),
            ("critical layer", self.critical_layer),
        ]
        if self.mode != "dense":
            rows += [
                ("barrier time", f"{self.barrier_s:.4g} s per sample"),
                ("spike packets", f"{self.packets:,.0f} on chip, {self.input_packets:,.0f} input"),
                ("hops", f"{self.hops:,.0f} ({self.hops_ew:,.0f} E-W, {self.hops_ns:,.0f} N-S)"),
            ]
        if self.hop_energy_j is not None:
            rows.append(("network energy", f"{self.hop_energy_j:.4g} J per sample"))
        if self.engine_energy_j is not None:
            parts = ", ".join(f"{k} {v:.4g} J" for k, v in self.engine_energy_j.items())
            rows.append((f"{self.mode} energy", f"{parts} per sample"))
        rows += [("note", note) for note in self.notes]
        return rows
