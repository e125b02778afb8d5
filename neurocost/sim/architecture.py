"""What the hardware simulator needs to know of a chip: cores, event times, mesh, sync, dense peaks.

An ``Architecture`` is data, embedded in a hardware profile under ``architecture:`` (the energy
profile schema holds it as a sub-model) or validated on its own. Every number is a
``neurocost.provenance.Sourced`` value, so a simulated latency can always be traced back to the
paper and table its event times come from; stated guesses carry ``basis: assumption``.

Two execution styles share the schema:

* ``event_driven`` (Loihi-like): layers are mapped onto ``cores``; each core spends
  ``events.synop`` per synaptic op, ``events.neuron_update`` per neuron update and
  ``events.spike_packet`` per spike packet it emits; packets cross a 2-D ``mesh`` of tiles
  (dimension-order routing, per-hop latency); ``sync`` closes each time step with a barrier or
  lets cores run free.
* ``dense`` (GPU-like): each layer call takes ``max(ops / peak, bytes / bandwidth) + launch``.

Event times may be given in seconds or in ``cycles`` (then ``clock`` is required). This module
holds no energy model: the per-hop energies are carried so ``Timing`` can report network energy
next to the hop counts that the energy pricer multiplies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from neurocost.errors import NeurocostError
from neurocost.provenance import Sourced
from neurocost.strict_yaml import field_problems, read_yaml_file
from neurocost.vocabulary import OP_CLASSES


class ArchitectureError(NeurocostError):
    """An architecture that is incomplete or inconsistent (the message names the field)."""


def _check_dimension(value: Sourced | None, field: str, allowed: tuple[str, ...]) -> None:
    if value is not None and value.dimension not in allowed:
        raise ValueError(
            f"{field}: unit {value.unit!r} is a {value.dimension}; "
            f"expected a {' or '.join(allowed)}"
        )


def _check_positive(value: Sourced | None, field: str) -> None:
    if value is not None and not value.value > 0:
        raise ValueError(f"{field}: must be > 0, got {value.value} {value.unit}")


def _check_not_negative(value: Sourced | None, field: str) -> None:
    """A time that may be zero (a free barrier, no launch cost) but never runs backwards."""
    if value is not None and not value.value >= 0:
        raise ValueError(f"{field}: must be >= 0, got {value.value} {value.unit}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cores(_Strict):
    """How many cores the chip has and what one core can hold.

    A layer's neurons need ``ceil(neurons / neurons_per_core)`` cores and its weights
    ``ceil(weight bits / synapse_bits_per_core)``; the mapper takes the larger of the two.
    ``synapse_storage`` says what the weight bits are: ``per_connection`` (one stored synapse per
    connection, so a convolution costs its dense ops x weight bits: each core stores the fan-in of
    its own neurons) or ``per_weight`` (the weight tensor once, shared by the cores that use it).
    ``weight_bits`` is the precision the chip stores a weight at: a wider (or floating-point)
    trace weight is quantised to it on mapping, and the mapping reports every layer it
    quantised; undeclared, weights are stored at the trace's width.
    """

    count: Sourced
    neurons_per_core: Sourced
    synapse_bits_per_core: Sourced
    synapse_storage: Literal["per_connection", "per_weight"] = "per_connection"
    weight_bits: Sourced | None = None

    @model_validator(mode="after")
    def _units(self) -> Cores:
        dimensions = {"count": "count", "neurons_per_core": "count",
                      "synapse_bits_per_core": "information", "weight_bits": "information"}
        for name, dimension in dimensions.items():
            _check_dimension(getattr(self, name), f"cores.{name}", (dimension,))
            _check_positive(getattr(self, name), f"cores.{name}")
        return self


class EventTimes(_Strict):
    """Core time per event, in seconds or in clock ``cycles``.

    synop: per synaptic op, keyed by the trace's op class (``ac``, ``signed_ac``, ``bop``,
        ``mac``); a trace with a class missing here is refused with the layer named.
    neuron_update: per neuron state update.
    spike_packet: per spike packet a core emits (one per destination core of a spike).
    """

    synop: dict[str, Sourced]
    neuron_update: Sourced
    spike_packet: Sourced

    @model_validator(mode="after")
    def _units(self) -> EventTimes:
        for op_class, value in self.synop.items():
            if op_class not in OP_CLASSES:
                raise ValueError(
                    f"events.synop: unknown op class {op_class!r}; known: {', '.join(OP_CLASSES)}"
                )
            _check_dimension(value, f"events.synop.{op_class}", ("time", "count"))
            _check_positive(value, f"events.synop.{op_class}")
        for name in ("neuron_update", "spike_packet"):
            _check_dimension(getattr(self, name), f"events.{name}", ("time", "count"))
            _check_positive(getattr(self, name), f"events.{name}")
        return self


class Mesh(_Strict):
    """A 2-D mesh network-on-chip of ``columns x rows`` tiles, ``cores_per_tile`` cores each.

    Core ``c`` sits on tile ``c // cores_per_tile``, tile ``t`` at column ``t % columns``, row
    ``t // columns``. Packets follow dimension-order (X then Y) routes: ``|dx|`` east-west hops
    then ``|dy|`` north-south hops. A link carries one packet per hop latency (its occupancy), which
    is how contention arises; a packet between cores of one tile takes ``local_latency``.
    """

    columns: Sourced
    rows: Sourced
    cores_per_tile: Sourced
    hop_latency_ew: Sourced
    hop_latency_ns: Sourced
    local_latency: Sourced
    packet_bits: Sourced | None = None
    hop_energy_ew: Sourced | None = None
    hop_energy_ns: Sourced | None = None
    local_energy: Sourced | None = None

    @model_validator(mode="after")
    def _units(self) -> Mesh:
        for name in ("columns", "rows", "cores_per_tile"):
            _check_dimension(getattr(self, name), f"mesh.{name}", ("count",))
            _check_positive(getattr(self, name), f"mesh.{name}")
        for name in ("hop_latency_ew", "hop_latency_ns", "local_latency"):
            _check_dimension(getattr(self, name), f"mesh.{name}", ("time",))
            _check_positive(getattr(self, name), f"mesh.{name}")
        _check_dimension(self.packet_bits, "mesh.packet_bits", ("information",))
        _check_positive(self.packet_bits, "mesh.packet_bits")
        for name in ("hop_energy_ew", "hop_energy_ns", "local_energy"):
            _check_dimension(getattr(self, name), f"mesh.{name}", ("energy",))
            _check_positive(getattr(self, name), f"mesh.{name}")
        return self

    @property
    def tiles(self) -> int:
        return int(self.columns.value) * int(self.rows.value)


class Sync(_Strict):
    """How time steps are closed.

    ``barrier``: a mesh-wide barrier ends every time step (Loihi); its latency grows with the
    number of tiles it spans and is read from ``barrier_latency`` ({tiles: latency}), linearly
    interpolated between the listed tile counts and held constant outside them.
    ``free_running``: no barrier; cores start a step as soon as its inputs are there.
    """

    mode: Literal["barrier", "free_running"]
    barrier_latency: dict[int, Sourced] = {}

    @model_validator(mode="after")
    def _table(self) -> Sync:
        if self.mode == "barrier" and not self.barrier_latency:
            raise ValueError("sync.barrier_latency: required when sync.mode is 'barrier'")
        for tiles, value in self.barrier_latency.items():
            if tiles < 1:
                raise ValueError(f"sync.barrier_latency: tile count {tiles} must be >= 1")
            _check_dimension(value, f"sync.barrier_latency.{tiles}", ("time",))
            _check_not_negative(value, f"sync.barrier_latency.{tiles}")
        return self

    def barrier_s(self, tiles: int) -> float:
        """Latency in seconds of a barrier spanning ``tiles`` tiles (0 when free-running)."""
        if self.mode == "free_running":
            return 0.0
        points = sorted((k, v.si) for k, v in self.barrier_latency.items())
        if tiles <= points[0][0]:
            return points[0][1]
        for (t0, s0), (t1, s1) in zip(points, points[1:], strict=False):
            if tiles <= t1:
                return s0 + (s1 - s0) * (tiles - t0) / (t1 - t0)
        return points[-1][1]


class Dense(_Strict):
    """A GPU-like machine: per layer call, ``max(ops / peak, bytes / bandwidth) + launch_overhead``.

    peak_ops_per_s: dense peak per op class (``mac`` counts one MAC as one op); a class missing
        here is refused with the layer named.
    memory_bandwidth: off-chip (HBM/DRAM) bandwidth the layer's weights and activations cross.
    launch_overhead: fixed time per layer call (kernel launch).
    """

    peak_ops_per_s: dict[str, Sourced]
    memory_bandwidth: Sourced
    launch_overhead: Sourced

    @model_validator(mode="after")
    def _units(self) -> Dense:
        for op_class, value in self.peak_ops_per_s.items():
            if op_class not in OP_CLASSES:
                raise ValueError(
                    f"dense.peak_ops_per_s: unknown op class {op_class!r}; "
                    f"known: {', '.join(OP_CLASSES)}"
                )
            _check_dimension(value, f"dense.peak_ops_per_s.{op_class}", ("rate",))
            _check_positive(value, f"dense.peak_ops_per_s.{op_class}")
        _check_dimension(self.memory_bandwidth, "dense.memory_bandwidth", ("bandwidth",))
        _check_positive(self.memory_bandwidth, "dense.memory_bandwidth")
        _check_dimension(self.launch_overhead, "dense.launch_overhead", ("time",))
        _check_not_negative(self.launch_overhead, "dense.launch_overhead")
        return self


class Architecture(_Strict):
    """The timing-relevant structure of one chip (see the module docstring for the model).

    style: ``event_driven`` needs ``cores``, ``events``, ``mesh`` and ``sync``; ``dense`` needs
        ``dense``.
    clock: required when any event time is given in ``cycles``.
    off_chip_bandwidth: rate at which input events enter the chip (one ``mesh.packet_bits``
        packet each, through an I/O port on tile 0); ``None`` leaves input transfer out of the
        latency (``Timing.notes`` says so).
    pipeline: whether layers work on different time steps at once (layer ``l`` on step ``s``
        while layer ``l-1`` is on step ``s+1``), as Loihi's one-step-per-layer delay allows.
    """

    style: Literal["event_driven", "dense"]
    clock: Sourced | None = None
    cores: Cores | None = None
    events: EventTimes | None = None
    mesh: Mesh | None = None
    sync: Sync | None = None
    off_chip_bandwidth: Sourced | None = None
    pipeline: bool = False
    dense: Dense | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Architecture:
        if self.style == "event_driven":
            missing = [n for n in ("cores", "events", "mesh", "sync") if getattr(self, n) is None]
            if missing:
                raise ValueError(f"style 'event_driven' needs {', '.join(missing)}")
            tiles_cores = self.mesh.tiles * int(self.mesh.cores_per_tile.value)
            if tiles_cores < int(self.cores.count.value):
                raise ValueError(
                    f"mesh: {self.mesh.tiles} tiles x {int(self.mesh.cores_per_tile.value)} cores "
                    f"per tile hold {tiles_cores} cores, fewer than cores.count = "
                    f"{int(self.cores.count.value)}"
                )
            self._check_cycles()
        elif self.dense is None:
            raise ValueError("style 'dense' needs dense")
        _check_dimension(self.clock, "clock", ("frequency",))
        _check_positive(self.clock, "clock")
        _check_dimension(self.off_chip_bandwidth, "off_chip_bandwidth", ("bandwidth",))
        _check_positive(self.off_chip_bandwidth, "off_chip_bandwidth")
        return self

    def _check_cycles(self) -> None:
        events = self.events
        named = {f"events.synop.{k}": v for k, v in events.synop.items()}
        named["events.neuron_update"] = events.neuron_update
        named["events.spike_packet"] = events.spike_packet
        in_cycles = [name for name, v in named.items() if v.unit == "cycles"]
        if in_cycles and self.clock is None:
            raise ValueError(f"{', '.join(in_cycles)} given in cycles but clock is not declared")

    def seconds(self, value: Sourced) -> float:
        """An event time in seconds (cycles divided by the clock)."""
        if value.unit == "cycles":
            return value.value / self.clock.si
        return value.si


def load_architecture(path: str | Path) -> Architecture:
    """Read an ``Architecture`` from a YAML file: the whole file, or its ``architecture:`` block."""
    path = Path(path)
    data = read_yaml_file(path, "architecture", ArchitectureError)
    if isinstance(data, dict) and "architecture" in data:
        data = data["architecture"]
    try:
        return Architecture.model_validate(data)
    except ValidationError as err:
        raise ArchitectureError(
            f"{path}: invalid architecture: {field_problems(err, top='(architecture)')}"
        ) from None
