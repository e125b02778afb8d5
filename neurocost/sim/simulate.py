"""``simulate(trace, profile)``: latency, core utilisation and network traffic of one sample.

Event-driven architectures are simulated with simpy (``engine``): the trace's layers are placed
on cores (``mapping``), each core works through its per-step share of the counts
(``workload``), spike packets cross the mesh (``network``) and barriers close the time steps.
Dense architectures get the roofline model of ``dense_timing``. The result is a ``Timing``.

The simulator reads only the ``architecture`` of a profile, so it never imports the energy
package: data flows models -> sim -> energy.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from typing import Any

import pandas as pd

from neurocost.sim.architecture import Architecture, ArchitectureError
from neurocost.sim.chip import Fidelity, RunResult, run_engine
from neurocost.sim.core_work import build_core_work
from neurocost.sim.dense_timing import dense_timing
from neurocost.sim.mapped import schedule
from neurocost.sim.mapping import CoreRef, Mapping, greedy_mapping, units_of, user_mapping
from neurocost.sim.network import MeshNetwork
from neurocost.sim.timing import Timing
from neurocost.tracing.trace_record import Trace

MODES: tuple[str, ...] = ("aggregated", "exact")
ENGINES: tuple[str, ...] = ("simpy", "sanafe")

UserMapping = Mapping | MappingABC[str, CoreRef | Sequence[CoreRef]]


def simulate(
    trace: Trace,
    profile_or_architecture: Any,
    mapping: UserMapping | None = None,
    mode: Fidelity = "aggregated",
    engine: str = "simpy",
) -> Timing:
    """Simulate one sample of ``trace`` on a chip; per-sample figures (counts / batch size).

    engine: ``simpy`` (neurocost's model, the default) or ``sanafe`` (the traced activity
        replayed on SANA-FE, ``neurocost.sim.sanafe_engine``; needs ``neurocost[sanafe]`` and a
        profile, whose event energies SANA-FE charges).

    profile_or_architecture: an ``Architecture`` or any object with an ``.architecture``
        attribute holding one (a hardware profile).
    mapping: ``None`` for the greedy placer, a ``Mapping``, or ``{layer: core or [cores]}``
        (a core by number or by SANA-FE address ``"tile.core"``).
    mode: ``aggregated`` (default, one simpy step per core and step) or ``exact`` (every spike
        packet simulated; needs a batch-1 trace so per-sample counts are whole numbers).
    """
    architecture = architecture_of(profile_or_architecture)
    if mode not in MODES:
        raise ValueError(f"simulate: mode must be one of {MODES}, got {mode!r}")
    if engine not in ENGINES:
        raise ValueError(f"simulate: engine must be one of {ENGINES}, got {engine!r}")
    if engine == "sanafe":
        return _sanafe(trace, profile_or_architecture, architecture, mapping)
    if architecture.style == "dense":
        if mapping is not None:
            raise ValueError("simulate: a dense architecture takes no layer-to-core mapping")
        return dense_timing(trace, architecture)
    if mode == "exact" and trace.batch_size != 1:
        raise ValueError(
            f"simulate(mode='exact') simulates whole packets of one sample; the trace of "
            f"{trace.model or 'this model'!r} has batch size {trace.batch_size}: trace it with "
            "batch 1, or use mode='aggregated'"
        )
    placed, workload, network, barrier_s = _place(trace, architecture, mapping)
    result = run_engine(
        mode,
        workload,
        network,
        architecture.pipeline,
        barrier_s,
        architecture.sync.mode == "free_running",
    )
    return _timing(mode, trace, placed, architecture, network, result)


def _sanafe(trace: Trace, profile: Any, architecture: Architecture,
            mapping: UserMapping | None) -> Timing:
    from neurocost.sim.sanafe_engine import SanafeError, event_energies, run_sanafe

    if architecture.style != "event_driven" or isinstance(profile, Architecture):
        raise SanafeError("engine='sanafe' needs a profile with an event-driven architecture "
                          "and event energies (compute, neuron, routing)")
    placed, workload, _, _ = _place(trace, architecture, mapping)
    return run_sanafe(trace, architecture, event_energies(profile), placed, workload)


def mapped_timing(trace: Trace, profile_or_architecture: Any,
                  mapping: UserMapping | None = None) -> Timing:
    """The simulation's latency model without the discrete-event run (``neurocost.sim.mapped``):
    same mapping, per-core work, mesh routes and barriers, scheduled analytically. A Timing
    with ``mode="mapped"``; dense architectures get their roofline timing as in ``simulate``."""
    architecture = architecture_of(profile_or_architecture)
    if architecture.style == "dense":
        return simulate(trace, architecture, mapping)
    placed, workload, network, barrier_s = _place(trace, architecture, mapping)
    result = schedule(workload, network, architecture.pipeline, barrier_s,
                      architecture.sync.mode == "free_running")
    return _timing("mapped", trace, placed, architecture, network, result)


def _place(trace: Trace, architecture: Architecture, mapping: UserMapping | None):
    """Mapping, per-core workload, a fresh mesh and the barrier latency of the used tiles."""
    units = units_of(trace, architecture)
    if mapping is None:
        placed = greedy_mapping(units, architecture)
    elif isinstance(mapping, Mapping):
        placed = mapping
    else:
        placed = user_mapping(units, mapping, architecture)
    workload = build_core_work(trace, placed, architecture)
    network = MeshNetwork(architecture.mesh)
    tiles = len({network.tile_of(c) for c in placed.cores_used})
    return placed, workload, network, architecture.sync.barrier_s(tiles)


def architecture_of(profile_or_architecture: Any) -> Architecture:
    """The ``Architecture`` itself, or the ``.architecture`` of a profile (error if absent)."""
    if isinstance(profile_or_architecture, Architecture):
        return profile_or_architecture
    architecture = getattr(profile_or_architecture, "architecture", None)
    if isinstance(architecture, Architecture):
        return architecture
    name = getattr(profile_or_architecture, "id", type(profile_or_architecture).__name__)
    raise ArchitectureError(
        f"profile {name!r} has no architecture block to simulate; add an 'architecture:' "
        "section (see neurocost.sim.architecture) or price without simulate"
    )


def _timing(
    mode: str, trace: Trace, mapping: Mapping, architecture: Architecture,
    network: MeshNetwork, result: RunResult,
) -> Timing:
    latency = result.latency_s
    used = mapping.cores_used
    runs = {c: [p.unit.name for p in mapping.placements if c in p.cores] for c in used}
    busy = [result.core_busy_s[c] for c in used]
    cores = pd.DataFrame(
        {
            "core": used,
            "tile": [network.tile_of(c) for c in used],
            "layers": [",".join(runs[c]) for c in used],
            "busy_s": busy,
            "idle_s": [latency - b for b in busy],
            "utilisation": [b / latency if latency else 0.0 for b in busy],
        }
    )
    layers = pd.DataFrame(
        {
            "unit": [p.unit.name for p in mapping.placements],
            "layers": [",".join(p.unit.layers) for p in mapping.placements],
            "cores": [len(p.cores) for p in mapping.placements],
            "critical_s": [float(w.max(axis=1).sum()) for w in result.unit_work_s],
        }
    )
    return Timing(
        mode=mode,
        steps=trace.steps,
        latency_s=latency,
        throughput_inf_per_s=_throughput(architecture, result, max(busy), trace.steps),
        cores=cores,
        layers=layers,
        critical_layer=str(layers.loc[layers["critical_s"].idxmax(), "unit"]),
        packets=result.packets,
        input_packets=result.input_packets,
        hops_ew=result.hops_ew,
        hops_ns=result.hops_ns,
        hop_energy_j=_hop_energy(architecture, result),
        synops=result.synops,
        neuron_updates=result.neuron_updates,
        barrier_s=result.barrier_total_s,
        notes=tuple(_notes(architecture, mapping)),
    )


def _throughput(
    architecture: Architecture, result: RunResult, busiest_core_s: float, steps: int
) -> float:
    if not architecture.pipeline:
        interval = result.latency_s
    elif result.ticks:
        interval = result.latency_s * steps / result.ticks
    else:
        interval = busiest_core_s
    return 1.0 / interval if interval > 0 else float("inf")


def _hop_energy(architecture: Architecture, result: RunResult) -> float | None:
    mesh = architecture.mesh
    if mesh.hop_energy_ew is None or mesh.hop_energy_ns is None:
        return None
    energy = result.hops_ew * mesh.hop_energy_ew.si + result.hops_ns * mesh.hop_energy_ns.si
    if mesh.local_energy is not None:
        energy += result.local_packets * mesh.local_energy.si
    return energy


def _notes(architecture: Architecture, mapping: Mapping) -> list[str]:
    notes = [
        f"weights of {layer!r} stored at {stored} bits (the chip's weight precision), quantised "
        f"from the traced {traced} bits"
        for layer, traced, stored in mapping.quantised
    ]
    notes += [
        "each spike is sent to every core of the next layer (exact for fully connected layers, "
        "an upper bound for convolutions); the last layer's outputs leave the chip untimed",
    ]
    if architecture.off_chip_bandwidth is None or architecture.mesh.packet_bits is None:
        notes.append(
            "input transfer not timed: the architecture lacks off_chip_bandwidth or "
            "mesh.packet_bits"
        )
    return notes
