"""SANA-FE as a second simulation engine: the traced activity replayed on SANA-FE's chip model.

SANA-FE (Boyle et al., IEEE TCAD 2025; ``pip install neurocost[sanafe]``, GPL-3, so imported
only here and only when asked) prices and times spiking activity event by event on a mesh of
cores. A trace holds counts, not weights or membrane dynamics, so the export *replays* the
traced activity: every neuron of a unit is a SANA-FE ``input``-model soma whose per-step spike
train is fixed (as many spikes per step and per core as the trace and the mapping give), and
consecutive units are joined by dense connections, so every spike costs one synaptic event per
neuron of the next unit, as a linear layer does. SANA-FE then does its own accounting: synaptic
events, neuron accesses, spikes, one message per (spike, destination core), mesh hops, barrier
sync and its timing model. The chip is exported from the profile: the architecture's mesh,
cores, event times and barrier table, and the profile's event energies (read from its
``compute``, ``neuron`` and ``routing`` sections, never imported from the energy package).

Limits, checked with clear errors: linear (dense) synaptic layers only, each followed by a
neuron layer; effective ops must equal input events x fan-out (no zero weights). SANA-FE's input
soma updates only neurons that fire, so its neuron energy charges ``update`` per spike where
neurocost charges it per neuron with input; the comparison table says so.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from neurocost.errors import NeurocostError
from neurocost.sim.architecture import Architecture
from neurocost.sim.core_work import CoreWork
from neurocost.sim.mapping import Mapping, share
from neurocost.sim.timing import Timing
from neurocost.tracing.trace_record import Trace

_PER_SAMPLE_NOTE = ("SANA-FE replay of the traced activity (input-model somas with fixed spike "
                    "trains, dense connections); busy time per core is not reported")


class SanafeError(NeurocostError):
    """A trace or profile the SANA-FE export cannot represent (the message names why)."""


@dataclass(frozen=True)
class EventEnergies:
    """Joules per event SANA-FE charges: synaptic event, neuron access (every neuron every step),
    neuron update, spike emitted, message sent, hop east-west and north-south."""

    synapse: float
    access: float
    update: float
    spike_out: float
    message: float
    hop_ew: float
    hop_ns: float


def event_energies(profile: Any) -> EventEnergies:
    """The profile's event energies (SI) for the export; missing ones are an error naming them."""
    def si(getter, name: str) -> float:
        try:
            value = getter()
        except (AttributeError, KeyError, TypeError):
            value = None
        if value is None:
            raise SanafeError(f"profile {getattr(profile, 'id', '?')}: the SANA-FE export needs "
                              f"{name}, which the profile does not declare")
        return float(value.si)

    mesh = profile.architecture.mesh
    return EventEnergies(
        synapse=si(lambda: profile.compute.ac_by_connection["dense"]["any"],
                   "compute.ac_by_connection.dense.any"),
        access=si(lambda: profile.neuron.access["default"], "neuron.access.default"),
        update=si(lambda: profile.neuron.update["default"], "neuron.update.default"),
        spike_out=si(lambda: profile.neuron.spike_out, "neuron.spike_out"),
        message=si(lambda: profile.routing.per_packet, "routing.per_packet"),
        hop_ew=si(lambda: mesh.hop_energy_ew, "architecture.mesh.hop_energy_ew"),
        hop_ns=si(lambda: mesh.hop_energy_ns, "architecture.mesh.hop_energy_ns"),
    )


def architecture_yaml(architecture: Architecture, energies: EventEnergies) -> dict[str, Any]:
    """A SANA-FE architecture description of the chip, plus one zero-cost core that injects the
    off-chip input. neurocost injects through an I/O port on tile 0, outside the cores; SANA-FE
    needs a core, and one sharing a tile with busy cores slows them (784-500-10 at rate 0.05:
    28.7 us per step with the injector on tile 0, 20.1 us with it elsewhere), so it sits on the
    last tile, and its packets cross the mesh (hops neurocost's I/O port does not have)."""
    mesh, events = architecture.mesh, architecture.events
    width, height = int(mesh.columns.value), int(mesh.rows.value)
    per_tile = int(mesh.cores_per_tile.value)
    neurons = int(architecture.cores.neurons_per_core.value)
    ac = events.synop.get("ac")
    if ac is None:
        raise SanafeError("the SANA-FE export needs architecture.events.synop.ac")
    seconds = architecture.seconds

    def core(name: str, costs: bool) -> dict[str, Any]:
        scale = 1.0 if costs else 0.0
        return {
            "name": name,
            "attributes": {"buffer_position": "soma", "buffer_inside_unit": False,
                           "max_neurons_supported": neurons},
            "axon_in": [{"name": "in", "attributes": {"energy_message_in": 0.0,
                                                      "latency_message_in": 0.0}}],
            "synapse": [{"name": "dense", "attributes": {
                "model": "current_based", "energy_process_spike": energies.synapse,
                "latency_process_spike": seconds(ac)}}],
            "dendrite": [{"name": "sum", "attributes": {"model": "accumulator",
                                                        "energy_update": 0.0,
                                                        "latency_update": 0.0}}],
            "soma": [{"name": f"replay[0..{neurons - 1}]", "attributes": {
                "model": "input", "energy_access_neuron": scale * energies.access,
                "latency_access_neuron": scale * seconds(events.neuron_update),
                "energy_update_neuron": scale * energies.update, "latency_update_neuron": 0.0,
                "energy_spike_out": scale * energies.spike_out, "latency_spike_out": 0.0}}],
            "axon_out": [{"name": "out", "attributes": {
                "energy_message_out": scale * energies.message,
                "latency_message_out": scale * seconds(events.spike_packet)}}],
        }

    hops = {"energy_north_hop": energies.hop_ns, "energy_south_hop": energies.hop_ns,
            "energy_east_hop": energies.hop_ew, "energy_west_hop": energies.hop_ew,
            "latency_north_hop": mesh.hop_latency_ns.si,
            "latency_south_hop": mesh.hop_latency_ns.si,
            "latency_east_hop": mesh.hop_latency_ew.si,
            "latency_west_hop": mesh.hop_latency_ew.si}
    sync = architecture.sync
    attributes: dict[str, Any] = {"topology": "mesh", "width": width, "height": height,
                                  "link_buffer_size": 16}
    if sync.mode == "barrier":
        attributes |= {"sync_model": "table",
                       "latency_sync": {k: v.si for k, v in sync.barrier_latency.items()}}
    else:
        attributes |= {"sync_model": "fixed", "latency_sync": 0.0}
    cores = f"core[0..{per_tile - 1}]"
    last = width * height - 1
    tiles = [{"name": f"tile[{last}]", "attributes": hops,
              "core": [core(cores, True), core("io", False)]}]
    if last:
        tiles.insert(0, {"name": f"tile[0..{last - 1}]", "attributes": dict(hops),
                         "core": [core(cores, True)]})
    return {"architecture": {"name": "neurocost_export", "attributes": attributes,
                             "tile": tiles}}


def run_sanafe(trace: Trace, architecture: Architecture, energies: EventEnergies,
               mapping: Mapping, workload: CoreWork) -> Timing:
    """Replay ``trace`` placed by ``mapping`` on SANA-FE; a Timing with mode ``sanafe`` whose
    ``engine_energy_j`` holds SANA-FE's own energy by component (J per sample)."""
    try:
        import sanafe
    except ImportError as err:
        raise SanafeError("engine='sanafe' needs SANA-FE: pip install 'neurocost[sanafe]' "
                          "(GPL-3, an optional extra)") from err
    _check_replayable(trace, mapping, workload)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "arch.yaml"
        path.write_text(yaml.safe_dump(architecture_yaml(architecture, energies), sort_keys=False))
        arch = sanafe.load_arch(str(path))
    per_tile = int(architecture.mesh.cores_per_tile.value)
    net = sanafe.Network()
    steps = workload.steps
    first = workload.units[0]
    slots: dict[int, int] = {}
    inputs = _replay_group(net, "input", int(_fan_in(trace, first.unit)), steps,
                           [first.events_in], [(-1, arch.tiles[-1].cores[per_tile])], slots)
    groups = [inputs]
    for work in workload.units:
        cores = [(c, arch.tiles[c // per_tile].cores[c % per_tile]) for c in work.cores]
        spikes = _spikes_per_step(trace, work.unit.neuron_layer, steps)
        fires = np.stack([share(value, len(cores)) for value in spikes], axis=1)
        groups.append(_replay_group(net, work.unit.name, work.unit.neurons, steps, fires, cores,
                                    slots))
    for src, dst in zip(groups[:-1], groups[1:], strict=True):
        src.connect_neurons_dense(dst, {"weight": [0.0] * (len(src) * len(dst))})
    with _progress_to_stderr():
        chip = sanafe.SpikingChip(arch)
        chip.load(net)
        result = chip.sim(steps + 1, perf_trace=True)  # one more step delivers the last spikes
    return _timing(trace, mapping, workload, result)


@contextmanager
def _progress_to_stderr() -> Iterator[None]:
    """SANA-FE prints progress on stdout (Python's, and file descriptor 1 from C++); send both
    to stderr, so stdout stays the caller's (``neurocost estimate --json`` prints JSON there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with redirect_stdout(sys.stderr):
            yield
    finally:
        ctypes.CDLL(None).fflush(None)  # C's buffered stdout, before fd 1 is given back
        os.dup2(saved, 1)
        os.close(saved)


def _spikes_per_step(trace: Trace, layer: str, steps: int) -> np.ndarray:
    rows = trace.layers[trace.layers["layer"] == layer]
    spikes = np.zeros(steps)
    np.add.at(spikes, rows["step"].to_numpy(dtype=int), rows["spikes_out"].to_numpy(dtype=float))
    return spikes / trace.batch_size


def _fan_in(trace: Trace, unit: Any) -> float:
    """Input neurons of a unit's first synaptic layer (its ``in_elems`` per sample)."""
    rows = trace.layers[trace.layers["layer"] == unit.synaptic_layers[0]]
    return rows["in_elems"].max() / trace.batch_size


def _check_replayable(trace: Trace, mapping: Mapping, workload: CoreWork) -> None:
    rows = trace.layers
    if trace.batch_size != 1:
        raise SanafeError(f"engine='sanafe' replays whole spikes of one sample; the trace of "
                          f"{trace.model or 'this model'!r} has batch size {trace.batch_size}: "
                          "trace it with batch 1 (--batch 1 on the command line)")
    for placement, work in zip(mapping.placements, workload.units, strict=True):
        unit = placement.unit
        if unit.neuron_layer is None or len(unit.synaptic_layers) != 1:
            raise SanafeError(f"unit {unit.name!r} ({'+'.join(unit.layers)}): the SANA-FE export "
                              "replays one linear layer followed by a neuron layer per unit")
        layer = rows[rows["layer"] == unit.synaptic_layers[0]]
        if not set(layer["kind"]) <= {"linear"}:
            raise SanafeError(f"layer {unit.synaptic_layers[0]!r} is {set(layer['kind'])}: the "
                              "SANA-FE export supports linear (dense) layers only")
        dense_out = unit.neurons
        if not np.allclose(work.synops.sum(axis=1), work.events_in * dense_out):
            raise SanafeError(f"layer {unit.synaptic_layers[0]!r} has zero weights (effective "
                              "ops < input events x fan-out): a dense replay would overcount")


def _replay_group(net: Any, name: str, neurons: int, steps: int, fires: Any,
                  cores: list[tuple[int, Any]], slots: dict[int, int]) -> Any:
    """``neurons`` replay somas split over ``cores`` as the mapping shares them; core ``i``'s
    first ``fires[i][s]`` neurons (rotating) fire at step ``s``. A replay soma holds one spike
    train, so each neuron takes the next free soma slot of its core (``cores``: (core number,
    SANA-FE core) pairs; ``slots``: core number -> next free slot)."""
    group = net.create_neuron_group(name, neurons)
    sizes = share(neurons, len(cores))
    trains = np.zeros((neurons, steps + 1), dtype=bool)
    start = 0
    for i, size in enumerate(sizes):
        for step in range(steps):
            count = int(round(float(fires[i][step]))) if size else 0
            picked = (np.arange(count) + step * count) % size if count else []
            trains[start + np.asarray(picked, dtype=int), step] = True
        start += size
    index = 0
    for i, size in enumerate(sizes):
        for _ in range(int(size)):
            neuron = group.neurons[index]
            number, core = cores[i]
            slot = slots.get(number, 0)
            slots[number] = slot + 1
            neuron.set_attributes(soma_hw_name=f"replay[{slot}]",
                                  model_attributes={"spikes": trains[index].tolist()})
            neuron.map_to_core(core)
            index += 1
    return group


def _timing(trace: Trace, mapping: Mapping, workload: CoreWork, result: dict) -> Timing:
    perf = result["perf_trace"]
    energy = result["energy"]
    input_packets = float(sum(w * len(workload.units[0].cores)
                              for w in workload.units[0].events_in))
    used = mapping.cores_used
    cores = pd.DataFrame({"core": used, "tile": [np.nan] * len(used),
                          "layers": [",".join(p.unit.name for p in mapping.placements
                                              if c in p.cores) for c in used],
                          "busy_s": np.nan, "idle_s": np.nan, "utilisation": np.nan})
    layers = pd.DataFrame({"unit": [p.unit.name for p in mapping.placements],
                           "layers": [",".join(p.unit.layers) for p in mapping.placements],
                           "cores": [len(p.cores) for p in mapping.placements],
                           "critical_s": np.nan})
    return Timing(
        mode="sanafe", steps=trace.steps, latency_s=float(result["sim_time"]),
        throughput_inf_per_s=1.0 / float(result["sim_time"]), cores=cores, layers=layers,
        critical_layer="", packets=float(result["packets_sent"]) - input_packets,
        input_packets=input_packets, hops_ew=float(sum(perf["hops"])),
        synops=float(sum(perf["spikes"])), neuron_updates=float(result["neurons_updated"]),
        engine_energy_j={"synapse": energy["synapse"], "soma": energy["soma"],
                         "dendrite": energy["dendrite"], "network": energy["network"],
                         "total": energy["total"]},
        per_step=pd.DataFrame({"step": perf["timestep"], "energy_j": perf["total_energy"],
                               "time_s": perf["sim_time"]}),
        notes=(_PER_SAMPLE_NOTE, "SANA-FE reports hops without their direction: all are "
               "counted as hops_ew"),
    )
