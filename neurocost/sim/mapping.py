"""Placing a traced network on the cores of an event-driven chip.

The trace lists layers in execution order. A *unit* is what one group of cores runs: a neuron
layer together with the synaptic layers that feed it just before it (``conv1`` + ``lif1``; the
synapses of a neuron live in its core), or a synaptic layer that no neuron layer follows (a
readout). Units form a chain: unit ``u`` receives the spikes of unit ``u - 1``; unit 0 receives
the input from off-chip.

A unit needs ``max(ceil(neurons / neurons_per_core), ceil(synapse bits / synapse_bits_per_core))``
cores. ``greedy_mapping`` places units in order on consecutive cores (so consecutive layers are
near on the mesh) and packs a unit that needs at most one core into the previous single-core
unit's core when both its neurons and its synapses still fit. A unit's neurons, ops and spikes are
shared evenly over its cores (``share``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from neurocost.errors import NeurocostError
from neurocost.provenance import Sourced
from neurocost.sim.architecture import Architecture
from neurocost.tracing.trace_record import Trace


class MappingError(NeurocostError):
    """A network that does not fit the chip, or a user mapping that is invalid."""


@dataclass(frozen=True)
class Unit:
    """Layers run by one group of cores; ``neurons`` and ``synapse_bits`` are per sample.

    ``quantised``: ``(layer, traced weight bits, stored weight bits)`` for each synaptic layer
    whose weights the chip stores at a lower precision than the trace declares.
    """

    name: str
    layers: tuple[str, ...]
    synaptic_layers: tuple[str, ...]
    neuron_layer: str | None
    neurons: int
    synapse_bits: int
    quantised: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class Placement:
    """The cores a unit runs on, in order."""

    unit: Unit
    cores: tuple[int, ...]


@dataclass(frozen=True)
class Mapping:
    """Units placed on cores; ``cores_available`` is the chip's core count."""

    placements: tuple[Placement, ...]
    cores_available: int

    @property
    def cores_used(self) -> list[int]:
        return sorted({c for p in self.placements for c in p.cores})

    @property
    def quantised(self) -> list[tuple[str, int, int]]:
        """``(layer, traced weight bits, stored weight bits)`` for every quantised layer."""
        return [q for p in self.placements for q in p.unit.quantised]

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: its layers, cores, neurons and synapse bits."""
        return pd.DataFrame(
            {
                "unit": [p.unit.name for p in self.placements],
                "layers": [",".join(p.unit.layers) for p in self.placements],
                "cores": [",".join(map(str, p.cores)) for p in self.placements],
                "neurons": [p.unit.neurons for p in self.placements],
                "synapse_bits": [p.unit.synapse_bits for p in self.placements],
            }
        )


def share(count: float, parts: int) -> np.ndarray:
    """Split ``count`` evenly over ``parts``: integers differing by at most one when ``count`` is
    a whole number (the first parts get the remainder), equal floats otherwise."""
    if float(count).is_integer():
        base, rest = divmod(int(count), parts)
        return np.array([base + (i < rest) for i in range(parts)], dtype=np.int64)
    return np.full(parts, count / parts)


def units_of(trace: Trace, architecture: Architecture) -> list[Unit]:
    """The trace's layers grouped into units, in execution order (see the module docstring)."""
    rows = trace.layers
    if rows.empty:
        raise MappingError(f"trace of {trace.model or 'model'!r} has no layer rows to place")
    first_step = rows[rows["step"] == rows["step"].min()]
    storage = (architecture.cores.synapse_storage, architecture.cores.weight_bits)
    units: list[Unit] = []
    pending: list[str] = []
    info = {layer: group for layer, group in rows.groupby("layer", sort=False)}
    for layer in first_step["layer"].drop_duplicates():
        group = info[layer]
        if group["op_class"].iloc[0] == "":
            neurons = int(group["neurons"].max()) // trace.batch_size
            units.append(_unit(layer, tuple(pending), layer, neurons, info, trace, storage))
            pending = []
        else:
            pending.append(layer)
    for layer in pending:
        neurons = int(info[layer]["out_elems"].max()) // trace.batch_size
        units.append(_unit(layer, (layer,), None, neurons, info, trace, storage))
    return units


def _unit(
    name: str,
    synaptic: tuple[str, ...],
    neuron_layer: str | None,
    neurons: int,
    info: dict[str, pd.DataFrame],
    trace: Trace,
    storage: tuple[str, Sourced | None],
) -> Unit:
    synapse_storage, chip_bits = storage
    bits = 0
    quantised = []
    for layer in synaptic:
        group = info[layer]
        traced = int(group["weight_bits"].iloc[0])
        stored = traced if chip_bits is None else min(traced, int(chip_bits.si))
        if stored < traced:
            quantised.append((layer, traced, stored))
        if synapse_storage == "per_connection":
            per_step = group["dense_ops"].max() * stored
        else:
            per_step = group["weight_bits_read"].max() * stored // traced
        bits += int(per_step) // trace.batch_size
    layers = (*synaptic, neuron_layer) if neuron_layer else synaptic
    return Unit(name, tuple(layers), synaptic, neuron_layer, neurons, bits, tuple(quantised))


def cores_needed(unit: Unit, architecture: Architecture) -> int:
    """Cores a unit needs for its neurons and for its synapse memory, whichever is more."""
    cores = architecture.cores
    by_neurons = math.ceil(unit.neurons / cores.neurons_per_core.value)
    by_synapses = math.ceil(unit.synapse_bits / cores.synapse_bits_per_core.si)
    return max(1, by_neurons, by_synapses)


def greedy_mapping(units: Sequence[Unit], architecture: Architecture) -> Mapping:
    """Place ``units`` in order on consecutive cores, packing small units (module docstring).

    Raises ``MappingError`` naming the cores needed, the cores available and the largest unit.
    """
    neurons_cap = architecture.cores.neurons_per_core.value
    bits_cap = architecture.cores.synapse_bits_per_core.si
    available = int(architecture.cores.count.value)
    placements: list[Placement] = []
    next_core = 0
    open_core: int | None = None
    neurons_left = bits_left = 0.0
    for unit in units:
        need = cores_needed(unit, architecture)
        if need == 1 and open_core is not None and (
            unit.neurons <= neurons_left and unit.synapse_bits <= bits_left
        ):
            placements.append(Placement(unit, (open_core,)))
            neurons_left -= unit.neurons
            bits_left -= unit.synapse_bits
            continue
        placements.append(Placement(unit, tuple(range(next_core, next_core + need))))
        next_core += need
        open_core = next_core - 1 if need == 1 else None
        neurons_left = neurons_cap - unit.neurons
        bits_left = bits_cap - unit.synapse_bits
    if next_core > available:
        raise MappingError(_does_not_fit(units, next_core, architecture))
    return Mapping(tuple(placements), available)


def _does_not_fit(units: Sequence[Unit], needed: int, architecture: Architecture) -> str:
    cores = architecture.cores
    largest = max(units, key=lambda u: cores_needed(u, architecture))
    return (
        f"the network needs {needed} cores, the profile has {int(cores.count.value)}; "
        f"largest layer {largest.name!r} ({'+'.join(largest.layers)}) needs "
        f"{cores_needed(largest, architecture)} cores "
        f"({largest.neurons:,} neurons at {int(cores.neurons_per_core.value):,} per core; "
        f"{largest.synapse_bits:,} synapse bits at {int(cores.synapse_bits_per_core.si):,} "
        "per core)"
    )


CoreRef = int | str


def core_index(ref: CoreRef, architecture: Architecture) -> int:
    """A core number, or a SANA-FE core address ``"tile.core"`` (``"1.2"``: core 2 of tile 1)
    turned into one (``tile x cores_per_tile + core``)."""
    if isinstance(ref, int):
        return ref
    tile, dot, core = str(ref).partition(".")
    per_tile = int(architecture.mesh.cores_per_tile.value)
    if not (dot and tile.isdigit() and core.isdigit()) or int(core) >= per_tile:
        raise MappingError(f"core address {ref!r}: give a core number or 'tile.core' with core "
                           f"below {per_tile} (SANA-FE's form)")
    return int(tile) * per_tile + int(core)


def user_mapping(
    units: Sequence[Unit],
    assignment: MappingABC[str, CoreRef | Sequence[CoreRef]],
    architecture: Architecture,
) -> Mapping:
    """A mapping from ``{layer: core or [cores]}``; any layer of a unit may name the unit; a
    core is a number or a SANA-FE address ``"tile.core"`` (``core_index``).

    Every unit must be placed, cores must exist, and no core may hold more neurons or synapse
    bits than ``architecture.cores`` allows (``MappingError`` names the layer or core otherwise).
    """
    available = int(architecture.cores.count.value)
    owner = {layer: unit for unit in units for layer in unit.layers}
    unknown = sorted(set(assignment) - set(owner))
    if unknown:
        raise MappingError(
            f"mapping names unknown layers {unknown}; layers in the trace: {sorted(owner)}"
        )
    chosen: dict[str, tuple[int, ...]] = {}
    for layer, cores in assignment.items():
        refs = (cores,) if isinstance(cores, int | str) else tuple(cores)
        cores_tuple = tuple(core_index(ref, architecture) for ref in refs)
        unit = owner[layer]
        if not cores_tuple or any(not 0 <= c < available for c in cores_tuple):
            raise MappingError(
                f"mapping of layer {layer!r}: cores {list(cores_tuple)} must be a non-empty list "
                f"of core indices in [0, {available})"
            )
        if chosen.setdefault(unit.name, cores_tuple) != cores_tuple:
            raise MappingError(
                f"mapping gives layers of unit {unit.name!r} ({', '.join(unit.layers)}) "
                f"different cores: {list(chosen[unit.name])} and {list(cores_tuple)}"
            )
    missing = [u.name for u in units if u.name not in chosen]
    if missing:
        raise MappingError(f"mapping leaves layers without cores: {missing}")
    mapping = Mapping(tuple(Placement(u, chosen[u.name]) for u in units), available)
    _check_capacity(mapping, architecture)
    return mapping


def _check_capacity(mapping: Mapping, architecture: Architecture) -> None:
    neurons_cap = architecture.cores.neurons_per_core.value
    bits_cap = architecture.cores.synapse_bits_per_core.si
    load: dict[int, list[float]] = {}
    for placement in mapping.placements:
        parts = len(placement.cores)
        neurons = share(placement.unit.neurons, parts)
        bits = share(placement.unit.synapse_bits, parts)
        for core, n, b in zip(placement.cores, neurons, bits, strict=True):
            used = load.setdefault(core, [0.0, 0.0])
            used[0] += n
            used[1] += b
    for core, (neurons, bits) in sorted(load.items()):
        if neurons > neurons_cap or bits > bits_cap:
            layers = [p.unit.name for p in mapping.placements if core in p.cores]
            raise MappingError(
                f"core {core} (layers {layers}) holds {int(neurons):,} neurons and {int(bits):,} "
                f"synapse bits; a core holds {int(neurons_cap):,} neurons and "
                f"{int(bits_cap):,} bits"
            )
