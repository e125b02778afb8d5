"""The analytic latency of a mapped network: the simulation's mapping and per-core parallelism,
evaluated as a list schedule instead of a discrete-event run.

Why: pricing without ``simulate`` used to serialise all work on one core, 5-14x off the
simulated latency, so static energy (power x latency) depended on a flag. This model places the
trace with the same mapper (``mapping``) and per-core work (``workload``) as the simpy engine and
schedules the same jobs (one per unit, step and core) in the engine's order:

* a job takes ``synop_s + updates x t_update + packets x t_packet`` on its core, after the
  core's previous job and after its tick opens (barrier sync); where producer and consumer
  share a tick (no pipelining, or free-running) it starts with the first packet and integrates
  as packets come, ending no earlier than ``last arrival + synop_s / packets``;
* spikes travel as one train per (source core, destination tile): the head arrives after the
  route's hop latencies (``local_latency`` inside a tile), the tail ``n - 1`` spacings later,
  a spacing being the emission interval or the slowest link on the route, whichever is longer;
* a tick ends when its jobs are done and their trains have arrived, then the barrier runs.

What it leaves out: contention between trains of different sources on a shared link; the tests
bound the difference against the simulation (``tests/sim/test_mapped.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurocost.sim.chip import RunResult
from neurocost.sim.core_work import CoreWork
from neurocost.sim.network import MeshNetwork


@dataclass(frozen=True)
class _Flow:
    """Spike trains from one unit's cores to the next unit's tiles: arrival offsets, hops."""

    head_s: np.ndarray       # [cores] latest head arrival after emission starts
    spacing_s: np.ndarray    # [cores] tail spacing per packet of the longest train
    hops_ew: np.ndarray      # [cores] east-west hops per spike (summed over destination cores)
    hops_ns: np.ndarray      # [cores] north-south hops per spike
    local: np.ndarray        # [cores] destination cores on the source's own tile


def _flow(network: MeshNetwork, src_cores: tuple[int, ...], dst_cores: tuple[int, ...],
          interval_s: float) -> _Flow:
    """How spikes of each source core reach every core of the destination unit."""
    tiles: dict[int, int] = {}
    for core in dst_cores:
        tiles[network.tile_of(core)] = tiles.get(network.tile_of(core), 0) + 1
    n = len(src_cores)
    head, spacing = np.zeros(n), np.zeros(n)
    ew, ns, local = np.zeros(n), np.zeros(n), np.zeros(n)
    for i, core in enumerate(src_cores):
        src = network.tile_of(core)
        for tile, cores_in_tile in tiles.items():
            links = network.route(src, tile)
            gap = interval_s * len(dst_cores) / cores_in_tile
            latency = sum(lat for _, lat in links) if links else network.local_latency_s
            slowest = max([gap, *(lat for _, lat in links)])
            head[i] = max(head[i], gap + latency)
            spacing[i] = max(spacing[i], slowest * cores_in_tile)
            hop_ew, hop_ns = network.hops(src, tile)
            ew[i] += hop_ew * cores_in_tile
            ns[i] += hop_ns * cores_in_tile
            local[i] += cores_in_tile if not links else 0
    return _Flow(head, spacing, ew, ns, local)


def _arrival(flow: _Flow, core: int, emit_start: float, spikes: float) -> float:
    """When the last packet of ``spikes`` spikes emitted by source core ``core`` arrives."""
    if spikes <= 0:
        return emit_start
    return emit_start + flow.head_s[core] + (spikes - 1) * flow.spacing_s[core]


def schedule(workload: CoreWork, network: MeshNetwork, pipeline: bool, barrier_s: float,
             free_running: bool, input_cores: tuple[int, ...] = (0,)) -> RunResult:
    """Latency, busy time and network counts of one sample, as the module docstring says."""
    units, steps = workload.units, workload.steps
    gated = not (free_running and pipeline)
    flows = [_flow(network, w.cores, units[u + 1].cores, workload.packet_s)
             for u, w in enumerate(units[:-1])]
    source = _flow(network, input_cores, units[0].cores, workload.input_interval_s)

    def tick(unit: int, step: int) -> int:
        return step + unit + 1 if pipeline else step

    jobs = sorted([(tick(-1, s), -1, s) for s in range(steps)]
                  + [(tick(u, s), u, s) for u in range(len(units)) for s in range(steps)])
    result = RunResult(latency_s=0.0, ticks=0, barrier_total_s=0.0,
                       core_busy_s={c: 0.0 for w in units for c in w.cores},
                       unit_work_s=[np.zeros((steps, len(w.cores))) for w in units])
    core_free: dict[int, float] = {}
    source_free = 0.0  # the off-chip input sends one step after another
    # [unit + 1, step]: when the producer's first and last packets reach the unit
    first = np.full((len(units) + 1, steps), np.inf)
    ready = np.zeros((len(units) + 1, steps))
    gate, tick_end, current = 0.0, 0.0, None
    for k, unit, step in jobs:
        if gated and k != current:
            if current is not None:
                gate = tick_end + barrier_s
                result.barrier_total_s += barrier_s
                result.ticks += 1
            current, tick_end = k, gate
        shared_tick = not gated or not pipeline
        if unit < 0:
            start = max(gate, source_free)
            events = units[0].events_in[step]
            packets = events * len(units[0].cores)
            end = source_free = start + packets * workload.input_interval_s
            ready[0, step] = _arrival(source, 0, start, events)
            first[0, step] = start + source.head_s[0] if events else np.inf
            result.input_packets += packets
            result.hops_ew += events * source.hops_ew[0]
            result.hops_ns += events * source.hops_ns[0]
            result.local_packets += events * source.local[0]
            tick_end = max(tick_end, end, ready[0, step])
            continue
        work = units[unit]
        received = work.events_in[step]
        # a job integrates packets as they come (a single server fed `received` packets)
        head, tail = (first[unit, step], ready[unit, step]) if shared_tick and received else (
            gate, gate)
        emits = unit + 1 < len(units)
        dest = len(units[unit + 1].cores) if emits else 0
        for i, core in enumerate(work.cores):
            update_s = work.updates[step, i] * workload.update_s
            spikes = work.spikes_out[step, i] if emits else 0.0
            emit_s = spikes * dest * workload.packet_s
            synop_s = work.synop_s[step, i]
            busy = synop_s + update_s + emit_s
            start = max(core_free.get(core, 0.0), gate, head)
            integrated = max(start + synop_s, tail + synop_s / received if received else start)
            end = integrated + update_s + emit_s
            core_free[core] = end
            result.core_busy_s[core] += busy
            result.unit_work_s[unit][step, i] += busy
            result.synops += work.synops[step, i]
            result.neuron_updates += work.updates[step, i]
            arrival = end
            if emits and spikes > 0:
                flow = flows[unit]
                arrival = _arrival(flow, i, end - emit_s, spikes)
                result.packets += spikes * dest
                result.hops_ew += spikes * flow.hops_ew[i]
                result.hops_ns += spikes * flow.hops_ns[i]
                result.local_packets += spikes * flow.local[i]
            ready[unit + 1, step] = max(ready[unit + 1, step], arrival)
            if emits and spikes > 0:
                first[unit + 1, step] = min(first[unit + 1, step],
                                            end - emit_s + flows[unit].head_s[i])
            tick_end = max(tick_end, end, arrival)
    if gated:
        result.barrier_total_s += barrier_s
        result.ticks += 1
        result.latency_s = tick_end + barrier_s
    else:
        result.latency_s = max([*core_free.values(), float(ready.max())])
    return result
