"""The energy and latency equations, written once over arrays (one profile or many variants).

Per layer l (counts per sample, summed over steps; e_* from the profile, s = node/voltage factor):

    compute_l = ops_l x e_op(l) x s          ops = effective ops if event-driven or zero-skipping,
                                                   else dense ops
    neuron_l  = (U_l x e_update(kind) + N_l x e_access(kind) + spikes_l x e_spike_out) x s
                                              U = updates every step, or neurons with input;
                                              N = every neuron every step
    memory_l  = sum over tensor kinds of (bits read x e_read + bits written x e_write) at the
                level the kind was placed on (near to far, by capacity: weights, then state,
                then activations; spilling to the next level)
    routing_l = spikes_l x e_spike + packets_l x e_packet + hops_l x e_hop
                (packets and hops from a simulation or mapping, shared over layers by spikes)
    step      = steps x e_step                 fixed energy every time step pays
    io        = (input bits + output bits) x e_io_bit   off-chip input and output
    static    = P_static x latency             P_static = static_power, or static_states:
                                               configured, else boot + cores used x per_core
    latency   = max(compute time, memory time) + steps x (barrier + t_step) + calls x launch
                overhead + io bits / io bandwidth, at least steps x tick on real-time chips
                (or the simulated latency + steps x t_step)

A term that an op or neuron energy ``includes`` is never added. Undeclared profile sections are
not priced (the regime says so); a declared section that lacks the figure a row needs is an error.
Every parameter is a scalar or an ``(n, 1)`` array over variants; per-layer arrays are ``(L,)``,
so each term broadcasts to ``(n, L)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neurocost.energy.params import Params
from neurocost.energy.resolve import (
    Formula,
    PricingError,
    neuron_energy,
    op_energy,
    op_time_path,
)
from neurocost.energy.scaling import energy_factor
from neurocost.energy.schema import TENSOR_KINDS
from neurocost.provenance import UNITS

_ROW_FIELDS = ("layer", "kind", "op_class", "in_encoding", "weight_encoding", "synaptic")


@dataclass
class Costs:
    """Result of the equations: per-layer joules ``(n, L)``; chip-level joules (``step``, ``io``,
    ``static``) and latency ``(n,)``."""

    per_layer: dict[str, np.ndarray]
    chip: dict[str, np.ndarray]
    latency_s: np.ndarray
    latency_source: str
    regime: str
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    memory_bits: dict[str, np.ndarray] = field(default_factory=dict)  # level -> bits moved (n,)
    formulas: pd.DataFrame = field(default_factory=pd.DataFrame)  # per row, see price_rows


def _is(value, expected: str):
    if isinstance(value, np.ndarray):
        return (value == expected).astype(bool)
    return value == expected


def _full(values: list, n: int) -> np.ndarray:
    """Stack per-row scalars or ``(n, 1)`` arrays into an ``(n, L)`` array."""
    if not values:
        return np.zeros((n, 0))
    return np.concatenate([np.broadcast_to(np.asarray(v, dtype=float), (n, 1)) for v in values],
                          axis=1)


def _times(bits: np.ndarray, energy: np.ndarray) -> np.ndarray:
    """bits x energy per bit, where no traffic costs nothing even at an undeclared (NaN) price."""
    return np.where(bits > 0, bits * energy, 0.0)


class _Equations:
    def __init__(self, table: pd.DataFrame, params: Params, steps: int) -> None:
        self.table, self.params, self.profile = table, params, params.profile
        self._columns: dict[str, np.ndarray] = {}  # table columns as floats, read once each
        self.n, self.steps = params.n, steps
        self.syn = table["synaptic"].to_numpy()
        self.reads_weights = self.syn | table["lookup"].to_numpy()
        self.neuron_rows = ~self.reads_weights
        self.rows = list(zip(*(table[c].tolist() for c in _ROW_FIELDS), strict=True))
        self.included = self.profile.included_terms()
        p = params.get
        self.event = _is(p("execution.style"), "event_driven")
        self.skip = self.event | np.asarray(p("execution.zero_skipping"), dtype=bool)
        self.on_event = _is(p("execution.neuron_update"), "on_event")
        self.scale = self._scale()
        self.op_formulas = self._op_formulas()
        self.neuron_formulas = self._neuron_formulas()
        self.access_formulas = self._access_formulas()

    def _scale(self):
        """Node/voltage factor on dynamic energy (1 when the profile may not be rescaled)."""
        tech = self.profile.technology
        if tech is None or tech.scaling == "none":
            return 1.0
        p = self.params.get
        node, voltage = p("operating_point.node_nm"), p("operating_point.voltage_v")
        if node is None and voltage is None:  # priced where the constants were measured
            return 1.0
        return energy_factor(tech.scaling, p("technology.node") * 1e9, p("technology.voltage"),
                             node, voltage)

    def col(self, name: str) -> np.ndarray:
        column = self._columns.get(name)
        if column is None:
            column = self._columns[name] = self.table[name].to_numpy(dtype=float)
        return column

    def value(self, formula: Formula | None):
        if formula is None:
            return 0.0
        return formula.evaluate(self.params)

    def _op_formulas(self) -> list[Formula | None]:
        return [op_energy(self.profile, layer, op, a, w, kind) if synaptic else None
                for layer, kind, op, a, w, synaptic in self.rows]

    def _neuron_formulas(self) -> list[Formula | None]:
        if "neuron" in self.included:
            return [None] * len(self.table)
        return [neuron_energy(self.profile, layer, kind) if neuron else None
                for (layer, kind, *_), neuron in zip(self.rows, self.neuron_rows, strict=True)]

    def _access_formulas(self) -> list[Formula | None]:
        if "neuron" in self.included:
            return [None] * len(self.table)
        return [None if synaptic else neuron_energy(self.profile, layer, kind, "access")
                for layer, kind, _, _, _, synaptic in self.rows]

    def row_includes(self, term: str) -> np.ndarray:
        """Per row: is ``term`` inside that row's own op or neuron energy, or profile-wide?"""
        own = [any(f is not None and term in f.includes for f in formulas)
               for formulas in zip(self.op_formulas, self.neuron_formulas,
                                   self.access_formulas, strict=True)]
        return np.array(own, dtype=bool) | (term in self.included)

    # --- terms -------------------------------------------------------------------------------
    def ops(self) -> np.ndarray:
        return np.where(self.skip, self.col("effective_ops"), self.col("dense_ops"))

    def updates(self) -> np.ndarray:
        updates = np.where(self.on_event, self.col("in_nonzero"), self.col("neuron_updates"))
        return updates * self.neuron_rows

    def compute(self) -> np.ndarray:
        energy = _full([self.value(f) for f in self.op_formulas], self.n)
        return self.ops() * energy * self.scale

    def neuron(self) -> np.ndarray:
        energy = _full([self.value(f) for f in self.neuron_formulas], self.n)
        access = _full([self.value(f) for f in self.access_formulas], self.n)
        every_neuron = self.col("neuron_updates") * ~self.syn
        joules = self.updates() * energy + every_neuron * access
        spike_out = self.profile.neuron.spike_out
        if spike_out is not None and "neuron" not in self.included:
            spikes = self.col("spikes_out") * ~self.syn
            joules = joules + spikes * self.params.get("neuron.spike_out")
        return joules * self.scale

    def traffic(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per tensor kind: (bits read, bits written, footprint), each broadcast to ``(n, L)``."""
        zero = np.zeros(len(self.table))
        weights_read = np.where(self.event, self.col("weight_bits_read_event"),
                                self.col("weight_bits_read")) * self.reads_weights
        updates_every_step = self.col("neuron_updates")
        share = np.divide(self.col("in_nonzero"), updates_every_step,
                          out=np.zeros_like(updates_every_step), where=updates_every_step > 0)
        state_share = np.where(self.on_event, np.minimum(share, 1.0), 1.0)
        dense = ~np.asarray(self.event, dtype=bool)
        kinds = {
            "weights": (weights_read, zero, self.col("weight_footprint") * self.reads_weights),
            "state": (self.col("state_bits_read") * state_share,
                      self.col("state_bits_written") * state_share,
                      self.col("state_footprint")),
            "activations": (self.col("act_bits_in") * dense, self.col("act_bits_out") * dense,
                            self.col("act_footprint") * dense),
        }
        shape = (self.n, len(self.table))
        return {k: tuple(np.broadcast_to(a, shape) for a in v) for k, v in kinds.items()}

    def memory(self, traffic) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Memory joules ``(n, L)``, memory time ``(n,)`` and bits moved per level ``(n,)``,
        placing ``traffic`` by capacity."""
        levels = list(self.profile.memory)
        n, length = self.n, len(self.table)
        if not levels:
            return np.zeros((n, length)), np.zeros(n), {}
        capacity = _full([self._level_param(m, "capacity", np.inf) for m in levels], n)
        e_read = _full([self._level_energy(m, "read") for m in levels], n)
        e_write = _full([self._level_energy(m, "write") for m in levels], n)
        holds = {k: np.array([k in self.profile.memory[m].holds for m in levels])
                 for k in TENSOR_KINDS}
        excluded = {"weights": self.row_includes("weight_read"),
                    "state": self.row_includes("state_rw"),
                    "activations": self.row_includes("activation_rw")}
        remaining = capacity.copy()
        joules = np.zeros((n, length))
        level_bits = np.zeros((n, len(levels)))
        rows = np.arange(n)
        for kind in TENSOR_KINDS:
            reads, writes, footprint = traffic[kind]
            for layer in range(length):
                size = footprint[:, layer]
                moved = reads[:, layer] + writes[:, layer]
                if not np.any(moved > 0):
                    continue
                fits = (remaining >= size[:, None]) & holds[kind]
                level = np.where(fits.any(axis=1), fits.argmax(axis=1), -1)
                self._check_placed(level, moved, kind, layer, size)
                placed = level >= 0
                remaining[rows[placed], level[placed]] -= size[placed]
                level_bits[rows[placed], level[placed]] += moved[placed]
                if excluded[kind][layer]:
                    continue
                cost = (_times(reads[:, layer], e_read[rows, level])
                        + _times(writes[:, layer], e_write[rows, level]))
                self._check_priced(cost, kind, layer, levels, level)
                joules[:, layer] += cost
        moved_by_level = {m: level_bits[:, i] for i, m in enumerate(levels)}
        return joules, self._memory_time(levels, level_bits), moved_by_level

    def _level_param(self, level: str, name: str, undeclared: float):
        path = f"memory.{level}.{name}"
        if not self.params.declared(path):
            return undeclared
        return self.params.get(path)

    def _level_energy(self, level: str, name: str):
        spec = getattr(self.profile.memory[level], name)
        energy = self._level_param(level, name, np.nan)
        if spec is not None and spec.dimension == "energy":
            energy = energy / self.params.get(f"memory.{level}.access_bits")
        scale = 1.0 if self.params.get(f"memory.{level}.off_chip") else self.scale
        return energy * scale

    def _check_placed(self, level, moved, kind, layer, size) -> None:
        lost = (level < 0) & (moved > 0)
        if lost.any():
            v = int(np.argmax(lost))
            raise PricingError(
                f"profile {self.profile.id}: {kind} of layer {self.table['layer'].iat[layer]!r} "
                f"({size[v]:.0f} bits) fit on no memory level (variant {v}); the levels "
                f"{', '.join(self.profile.memory)} are full or do not hold {kind}"
            )

    def _check_priced(self, cost, kind, layer, levels, level) -> None:
        if np.isnan(cost).any():
            v = int(np.argmax(np.isnan(cost)))
            raise PricingError(
                f"profile {self.profile.id}: {kind} of layer {self.table['layer'].iat[layer]!r} "
                f"sit on memory level {levels[level[v]]!r}, whose read/write energy is not "
                "declared"
            )

    def _memory_time(self, levels: list[str], level_bits: np.ndarray) -> np.ndarray:
        times = [level_bits[:, i] / np.ravel(self._level_param(m, "bandwidth", np.inf))
                 for i, m in enumerate(levels)]
        return np.max(np.stack(times, axis=1), axis=1)

    def routing(self, network: Network) -> np.ndarray:
        n, length = self.n, len(self.table)
        routing = self.profile.routing
        if routing is None or "routing" in self.included:
            return np.zeros((n, length))
        spikes = self.col("spikes_out") * ~self.syn
        joules = np.zeros((n, length))
        if routing.per_spike is not None:
            joules = joules + spikes * self.params.get("routing.per_spike") * self.scale
        if routing.per_packet is not None:
            packets = float(spikes.sum()) if network.packets is None else network.packets
            joules = joules + self._spread(packets, spikes, "routing.per_packet")
        if routing.per_hop is not None and network.hops is not None:
            joules = joules + self._spread(network.hops, spikes, "routing.per_hop")
        return joules

    def _spread(self, events: float, spikes: np.ndarray, path: str) -> np.ndarray:
        """``events`` (packets, hops) priced at ``path``, shared over layers by their spikes."""
        if spikes.sum() <= 0:
            return np.zeros((self.n, len(self.table)))
        return events * spikes / spikes.sum() * self.params.get(path) * self.scale

    def io_bits(self) -> float:
        """Bits crossing the chip edge per sample: the first synaptic layer's input events and
        the last neuron layer's spikes, ``off_chip.event_bits`` each (0 when undeclared)."""
        if not self.params.declared("off_chip.event_bits") or not self.syn.any():
            return 0.0
        inputs = float(self.table["in_nonzero"].iat[int(np.argmax(self.syn))])
        neuron_rows = np.flatnonzero(~self.syn)
        outputs = float(self.table["spikes_out"].iat[neuron_rows[-1]]) if neuron_rows.size else 0.0
        return (inputs + outputs) * self.params.get("off_chip.event_bits")

    def latency(self, memory_time: np.ndarray) -> np.ndarray:
        """Analytic latency per variant (NaN when the throughput does not cover every row)."""
        p = self.params
        tick = self._optional("throughput.tick")
        per_op = [self._seconds(op_time_path(self.profile, op, a, w)) if synaptic
                  else self._seconds_or_nan("throughput.neuron_update")
                  for _, _, op, a, w, synaptic in self.rows]
        work = np.where(self.syn, self.ops(), self.updates())
        times = work * _full(per_op, self.n)
        compute_time = np.where(work > 0, times, 0.0).sum(axis=1)
        busy = np.maximum(compute_time, memory_time)
        busy = busy + self.steps * self._optional("throughput.barrier")
        calls = float(self.table["calls"].sum())
        busy = busy + calls * self._optional("throughput.launch_overhead")
        busy = busy + self.steps * self._optional("per_step.time") + self.io_time()
        if p.declared("throughput.tick"):
            return np.fmax(np.ravel(busy), np.ravel(self.steps * tick))
        return np.ravel(busy)

    def io_time(self):
        """Seconds the off-chip link needs for this sample's input and output (0: undeclared)."""
        if not self.params.declared("off_chip.bandwidth"):
            return 0.0
        return self.io_bits() / self._optional("off_chip.bandwidth")

    def _optional(self, path: str):
        if not self.params.declared(path):
            return 0.0
        return np.ravel(self.params.get(path))

    def _seconds_or_nan(self, path: str):
        return self._seconds(path if self.params.declared(path) else None)

    def _seconds(self, path: str | None):
        if path is None:
            return np.nan
        value = self.params.get(path)
        dimension = UNITS[self.params.units[path]][0]
        if dimension == "rate":
            return 1.0 / value
        if dimension == "count":
            return value / self.params.get("clock")
        return value


@dataclass(frozen=True)
class Network:
    """What a mapping or simulation says about the chip one sample ran on (None: not known).

    packets: spike packets sent between cores (and from off-chip); hops: mesh hops they cross;
    cores_used: cores the mapping occupies (prices per-core static power).
    """

    packets: float | None = None
    hops: float | None = None
    cores_used: int | None = None


def compute_costs(table: pd.DataFrame, params: Params, steps: int, *,
                  network: Network = Network(), latency_s: float | None = None,
                  latency_source: str = "simulation", formulas: bool = True) -> Costs:
    """Price the per-layer ``table`` (``counts.layer_counts``) on every variant in ``params``.

    latency_s: the chip's latency from a simulation or the mapped analytic model
    (``latency_source`` names which); the profile's fixed time per step is added to it.
    Without it, latency is the profile's throughput model. ``formulas``: also write each row's
    formula (``price_rows``); a grid of variants has no use for them.
    """
    eq = _Equations(table, params, steps)
    traffic = eq.traffic()
    memory, memory_time, memory_bits = eq.memory(traffic)
    per_layer = {"compute": eq.compute(), "memory": memory, "neuron": eq.neuron(),
                 "routing": eq.routing(network)}
    if latency_s is not None:
        step_time = steps * eq._optional("per_step.time")
        latency = np.full(params.n, float(latency_s)) + step_time
        source = latency_source
    else:
        latency = eq.latency(memory_time)
        source = "tick" if params.declared("throughput.tick") else "analytic"
    chip = {"step": _per_step_energy(eq), "io": _io_energy(eq),
            "static": _static(eq, latency, network.cores_used)}
    regime = _regime(eq)
    # every profile path the terms read, with its source: the constants this estimate rests on
    sources = {path: params.sources[path] for path in sorted(params.read) if path in params.sources}
    return Costs(per_layer, chip, latency, source, regime, _notes(eq, network), sources,
                 memory_bits, price_rows(eq) if formulas else pd.DataFrame())


def _notes(eq: _Equations, network: Network) -> list[str]:
    """What the profile declares but this estimate could not price, and why, in words."""
    notes = []
    profile = eq.profile
    if "neuron" not in eq.included and not profile.neuron.update and eq.neuron_rows.any():
        notes.append("neuron updates are not priced: the profile declares no neuron.update "
                     "energy")
    routing = profile.routing
    if routing is not None and "routing" not in eq.included:
        if routing.per_packet is not None and network.packets is None:
            notes.append("packet energy priced at one packet per spike: packet counts per "
                         "destination core come from a mapping or simulation")
        if routing.per_hop is not None and network.hops is None:
            notes.append("hop energy is not priced: hop counts come from the simulation "
                         "(simulate=True)")
    return notes


def price_rows(eq: _Equations) -> pd.DataFrame:
    """Per trace row, the formulas that price it (resolved once, before any term is computed)
    and the terms its constants already include."""
    def label(formula: Formula | None) -> str:
        return "" if formula is None else formula.label

    def includes(*formulas: Formula | None) -> str:
        return ", ".join(sorted(set().union(*(f.includes for f in formulas if f is not None))))

    return pd.DataFrame({
        "layer": [row[0] for row in eq.rows],
        "kind": [row[1] for row in eq.rows],
        "op_class": [row[2] for row in eq.rows],
        "op_energy": [label(f) for f in eq.op_formulas],
        "neuron_update_energy": [label(f) for f in eq.neuron_formulas],
        "neuron_access_energy": [label(f) for f in eq.access_formulas],
        "includes": [includes(*fs) for fs in zip(eq.op_formulas, eq.neuron_formulas,
                                                   eq.access_formulas, strict=True)],
    })


def _per_step_energy(eq: _Equations) -> np.ndarray:
    """Fixed energy every time step pays: steps x ``per_step.energy`` (0 when undeclared)."""
    return _per_variant(eq.steps * eq._optional("per_step.energy") * np.ravel(eq.scale), eq.n)


def _io_energy(eq: _Equations) -> np.ndarray:
    """Off-chip input and output: bits x ``off_chip.energy_per_bit`` (0 when undeclared)."""
    if not eq.params.declared("off_chip.energy_per_bit"):
        return np.zeros(eq.n)
    return _per_variant(eq.io_bits() * eq._optional("off_chip.energy_per_bit"), eq.n)


def _per_variant(value, n: int) -> np.ndarray:
    """A scalar or per-variant value as an ``(n,)`` array."""
    return np.broadcast_to(np.ravel(np.asarray(value, dtype=float)), (n,))


def static_power_w(eq: _Equations, cores_used: int | None):
    """Chip static power in the configured state, W: ``static_power``, else
    ``static_states.configured``, else ``static_states.boot + cores used x per_core``; None
    when the profile declares none of them."""
    profile, declared = eq.profile, eq.params.declared
    if profile.static_power is not None:
        return eq._optional("static_power")
    if declared("static_states.configured"):
        return eq._optional("static_states.configured")
    if declared("static_states.boot") and declared("static_states.per_core"):
        if cores_used is None:
            raise PricingError(
                f"profile {profile.id}: static power is per core (static_states.per_core) but "
                "the cores used are unknown: price with a simulated or mapped timing"
            )
        return eq._optional("static_states.boot") + cores_used * eq._optional(
            "static_states.per_core")
    return None


def _static(eq: _Equations, latency: np.ndarray, cores_used: int | None) -> np.ndarray:
    profile = eq.profile
    if "static" in eq.included:
        return np.zeros(eq.n)
    power = static_power_w(eq, cores_used)
    if power is None:
        return np.zeros(eq.n)
    if np.isnan(latency).any():
        raise PricingError(
            f"profile {profile.id}: static_power needs a latency, but the profile's throughput "
            "does not cover every layer of this trace; declare the missing throughput.* rates "
            "or price with a simulated timing"
        )
    return np.ravel(power * latency)


def _regime(eq: _Equations) -> str:
    """``compute-only``, or ``compute`` plus the terms compute-only estimates leave out, led by
    ``all-in`` when those terms sit inside all-in op energies (chip power / op rate) rather than
    in memory, static or neuron figures of their own: the breakdown then shows them as 0 J."""
    profile = eq.profile
    memory_priced = any(level.read is not None or level.write is not None
                        for level in profile.memory.values())
    memory = memory_priced or bool(eq.included & {"weight_read", "state_rw"})
    static = (profile.static_power is not None or profile.static_states is not None
              or "static" in eq.included)
    if not (memory or static):
        return "compute-only"
    terms = "compute" + ("+memory" if memory else "") + ("+static" if static else "")
    return f"all-in {terms}" if profile.all_in else terms
