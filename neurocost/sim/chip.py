"""The simpy model of an event-driven chip running one sample, at two fidelities.

Both fidelities share the machine: cores are simpy processes that run *jobs*, one per (unit,
step, core). A job integrates the spike packets that reach its core (its synaptic ops), updates
its neurons, then emits one packet per output spike per core of the next unit; packets cross the
mesh (``MeshNetwork``). Time steps are *ticks* closed by a barrier: a tick ends when every job in
it is done and its packets have arrived, then the barrier takes ``sync.barrier_s(tiles)``.
Without pipelining, tick ``s`` holds every unit's step ``s`` and units wait for their producers
inside the tick; with pipelining, unit ``u`` runs step ``s`` in tick ``s + u + 1`` on the
packets delivered in the tick before (the off-chip input is "unit -1"). Free-running chips with
pipelining have no ticks at all: jobs start when their inputs are there.

* ``exact``: every packet is its own simpy event. It is injected when its core has spent
  ``spike_packet`` time on it, reserves the links on its route, and on arrival queues at the
  destination core, which integrates packets first come, first served (a packet carries an even
  share of the job's synaptic ops). A job's neuron updates start after its last packet.
* ``aggregated``: one simpy step per job. Packets from a core to a destination tile travel as
  one train; a job starts integrating when its first packet arrives and finishes at
  ``max(start + S, last arrival + S / n)`` (a single server fed ``n`` packets, total service
  ``S``), which equals the exact result when arrivals are evenly spread.

Every count (synaptic ops, neuron updates, packets, hops) is the same in both; only times differ.
"""

from __future__ import annotations

import gc
import math
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import simpy

from neurocost.sim.core_work import CoreWork
from neurocost.sim.mapping import share
from neurocost.sim.network import Fanout, MeshNetwork

Fidelity = Literal["aggregated", "exact"]
_SOURCE = -1


@dataclass
class RunResult:
    """What one simulated sample did; times in seconds, counts per sample."""

    latency_s: float
    ticks: int
    barrier_total_s: float
    core_busy_s: dict[int, float]
    unit_work_s: list[np.ndarray]
    synops: float = 0.0
    neuron_updates: float = 0.0
    packets: float = 0.0
    input_packets: float = 0.0
    local_packets: float = 0.0
    hops_ew: float = 0.0
    hops_ns: float = 0.0
    events: int = 0
    notes: list[str] = field(default_factory=list)


class _Engine:
    """State shared by both fidelities: ticks, done events, statistics."""

    def __init__(
        self, workload: CoreWork, network: MeshNetwork, pipeline: bool, barrier_s: float,
        free_running: bool,
    ) -> None:
        self.env = simpy.Environment()
        self.wl = workload
        self.net = network
        self.pipeline = pipeline
        self.barrier_s = barrier_s
        self.gated = not (free_running and pipeline)
        units = len(workload.units)
        self.n_ticks = workload.steps + units if pipeline else workload.steps
        self.gate = [self.env.event() for _ in range(self.n_ticks)]
        self.gate_time = [0.0] * self.n_ticks
        self.last_delivery = [0.0] * self.n_ticks
        # (unit, step) -> one event per core of the unit, made when first asked for and
        # forgotten (gated runs) once the next tick is over: a long run holds only a few ticks
        self._done: dict[tuple[int, int], list[simpy.Event]] = {}
        self.source_done = [self.env.event() for _ in range(workload.steps)]
        self._unit_done: dict[tuple[int, int], simpy.Event] = {}
        self.result = RunResult(
            latency_s=0.0,
            ticks=self.n_ticks if self.gated else 0,
            barrier_total_s=0.0,
            core_busy_s={c: 0.0 for w in workload.units for c in w.cores},
            unit_work_s=[],
        )
        # per unit, [step][core index] lists (reading NumPy scalars one by one is slower):
        # synaptic op time, neuron updates, spikes out, synaptic ops
        self.work = [
            (w.synop_s.tolist(), w.updates.tolist(), w.spikes_out.tolist(), w.synops.tolist())
            for w in workload.units
        ]
        # [unit][step][core index]: seconds of work, a NumPy array per unit once the run is over
        self.work_s = [
            [[0.0] * len(w.cores) for _ in range(workload.steps)] for w in workload.units
        ]

    def tick(self, unit: int, step: int) -> int:
        return step + unit + 1 if self.pipeline else step

    def done(self, unit: int, step: int) -> list[simpy.Event]:
        """The events that the jobs of ``unit`` at ``step`` succeed, one per core."""
        key = (unit, step)
        events = self._done.get(key)
        if events is None:
            cores = len(self.wl.units[unit].cores)
            events = self._done[key] = [self.env.event() for _ in range(cores)]
        return events

    def producers_done(self, unit: int, step: int) -> simpy.Event:
        if unit == 0:
            return self.source_done[step]
        key = (unit - 1, step)
        event = self._unit_done.get(key)
        if event is None:
            event = simpy.AllOf(self.env, self.done(unit - 1, step))
            self._unit_done[key] = event
        return event

    def tick_jobs(self, k: int) -> list[tuple[int, int]]:
        """``(unit, step)`` of the jobs in tick ``k`` (unit -1: the off-chip input), by step."""
        units, steps = len(self.wl.units), self.wl.steps
        if not self.pipeline:
            return [(unit, k) for unit in range(-1, units)]
        jobs = []
        for step in range(max(0, k - units), min(steps, k + 1)):
            unit = k - step - 1
            if -1 <= unit < units:
                jobs.append((unit, step))
        return jobs

    def run(self) -> RunResult:
        steps = self.wl.steps
        for step in range(steps):
            self.env.process(self.source(step))
        self.start_cores()
        if self.gated:
            finished = self.env.process(self.ticks())
        else:
            every_job = [
                e for unit in range(len(self.wl.units)) for step in range(steps)
                for e in self.done(unit, step)
            ]
            finished = simpy.AllOf(self.env, every_job + self.source_done)
        self.env.run(until=finished)
        self.result.latency_s = self.env.now
        self.result.unit_work_s = [
            np.array(work_s, dtype=float).reshape(self.wl.steps, len(unit.cores))
            for work_s, unit in zip(self.work_s, self.wl.units, strict=True)
        ]
        return self.result

    def ticks(self) -> Generator[simpy.Event, Any, None]:
        for k in range(self.n_ticks):
            self.gate_time[k] = self.env.now
            self.gate[k].succeed()
            jobs = [
                event
                for unit, step in self.tick_jobs(k)
                for event in ([self.source_done[step]] if unit < 0 else self.done(unit, step))
            ]
            yield simpy.AllOf(self.env, jobs)
            if self.last_delivery[k] > self.env.now:
                yield self.env.timeout(self.last_delivery[k] - self.env.now)
            if self.barrier_s > 0:
                yield self.env.timeout(self.barrier_s)
                self.result.barrier_total_s += self.barrier_s
            # jobs whose consumers have run: the previous tick's (pipelined) or this one's
            for unit, step in self.tick_jobs(k - 1 if self.pipeline else k):
                self._done.pop((unit, step), None)
                self._unit_done.pop((unit, step), None)

    def wait_gate(self, unit: int, step: int) -> Generator[simpy.Event, Any, float]:
        if not self.gated:
            return 0.0
        k = self.tick(unit, step)
        yield self.gate[k]
        return self.gate_time[k]

    def wait_source_turn(self, step: int) -> Generator[simpy.Event, Any, None]:
        """The off-chip input of a step waits for its tick and for the previous step's input."""
        yield from self.wait_gate(-1, step)
        if step > 0:
            yield self.source_done[step - 1]

    def dest_tiles(self, unit: int) -> list[tuple[int, list[int]]]:
        """Cores of ``unit`` grouped by tile, as ``[(tile, [core index, ...]), ...]``."""
        groups: dict[int, list[int]] = {}
        for index, core in enumerate(self.wl.units[unit].cores):
            groups.setdefault(self.net.tile_of(core), []).append(index)
        return list(groups.items())

    def source(self, step: int) -> Generator[simpy.Event, Any, None]:
        raise NotImplementedError

    def start_cores(self) -> None:
        raise NotImplementedError


class AggregatedEngine(_Engine):
    """One simpy step per job; packet trains per (source core, destination tile).

    A job reads Python lists (``work``), not NumPy scalars, and the routes from a tile to a
    unit are built once (``fanout``): a job's work is set by its fan-out (destination tiles x
    route lengths), not by the number of cores on the chip.
    """

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        groups = [self.dest_tiles(unit) for unit in range(len(self.wl.units))]
        self.tile_groups = [[(tile, len(indices)) for tile, indices in g] for g in groups]
        # [unit][core index]: index of the core's tile among the unit's tiles
        self.group_of = [[0] * len(w.cores) for w in self.wl.units]
        for unit, unit_groups in enumerate(groups):
            for g, (_, indices) in enumerate(unit_groups):
                for index in indices:
                    self.group_of[unit][index] = g
        # [unit][step]: [packets per core, [first arrival], [last arrival] per destination tile]
        self.inbound: list[list[list[Any] | None]] = [
            [None] * self.wl.steps for _ in self.wl.units
        ]
        self._fanouts: dict[tuple[int, int, float], Fanout] = {}

    def fanout(self, src_tile: int, unit: int, interval_s: float) -> Fanout | None:
        """Routes from ``src_tile`` to ``unit`` (``None`` past the last unit)."""
        if unit >= len(self.wl.units):
            return None
        key = (src_tile, unit, interval_s)
        cached = self._fanouts.get(key)
        if cached is None:
            groups = self.tile_groups[unit]
            cached = self._fanouts[key] = self.net.fanout(src_tile, groups, interval_s)
        return cached

    def emit(
        self, fanout: Fanout | None, t0: float, spikes: float, unit: int, step: int, tick: int
    ) -> float:
        """Send ``spikes`` events to every core of ``unit`` from ``t0``; returns the packets."""
        if fanout is None or spikes == 0:
            return 0.0
        heads, tails = self.net.send_trains(fanout, t0, spikes)
        inbound = self.inbound[unit][step]
        if inbound is None:
            groups = len(fanout.dst_tiles)
            inbound = self.inbound[unit][step] = [0.0, [math.inf] * groups, [-math.inf] * groups]
        inbound[0] += spikes  # every core of the unit gets each spike
        first, last = inbound[1], inbound[2]
        result = self.result
        hops_ew, hops_ns, local = result.hops_ew, result.hops_ns, result.local_packets
        delivered = self.last_delivery[tick]
        for g, cores, ew, ns, head, tail in zip(
            range(len(heads)), fanout.cores_in_tile, fanout.hops_ew, fanout.hops_ns, heads, tails,
            strict=True,
        ):
            n = spikes * cores
            hops_ew += n * ew
            hops_ns += n * ns
            if ew + ns == 0:
                local += n
            if tail > delivered:
                delivered = tail
            if head < first[g]:
                first[g] = head
            if tail > last[g]:
                last[g] = tail
        result.hops_ew, result.hops_ns, result.local_packets = hops_ew, hops_ns, local
        self.last_delivery[tick] = delivered
        return spikes * fanout.dest_cores

    def source(self, step: int) -> Generator[simpy.Event, Any, None]:
        yield from self.wait_source_turn(step)
        events = self.wl.units[0].events_in[step]
        fanout = self.fanout(0, 0, self.wl.input_interval_s)
        packets = self.emit(fanout, self.env.now, events, 0, step, self.tick(-1, step))
        self.result.input_packets += packets
        if packets and self.wl.input_interval_s:
            yield self.env.timeout(packets * self.wl.input_interval_s)
        self.source_done[step].succeed()

    def start_cores(self) -> None:
        hosted: dict[int, list[tuple[int, int]]] = {}
        for unit, work in enumerate(self.wl.units):
            for index, core in enumerate(work.cores):
                hosted.setdefault(core, []).append((unit, index))
        for core, units in hosted.items():
            self.env.process(self.core(core, units))

    def jobs(self, units: list[tuple[int, int]]) -> Iterator[tuple[int, int, int, int]]:
        """``(tick, unit, step, core index)`` of one core's jobs, in the order it runs them
        (by tick, then unit), for the ``(unit, core index)`` pairs it holds."""
        steps = self.wl.steps
        for tick in range(self.n_ticks):
            for unit, index in units:
                step = tick - unit - 1 if self.pipeline else tick
                if 0 <= step < steps:
                    yield tick, unit, step, index

    def core(self, core: int, units: list[tuple[int, int]]) -> Generator:
        """Run the jobs of ``units`` (``(unit, core index)`` pairs) on ``core``, in order.

        An event already processed is not yielded: simpy would resume the process at once,
        so skipping it keeps the schedule.
        """
        free = 0.0
        tile = self.net.tile_of(core)
        result, env, work_s, inbound = self.result, self.env, self.work_s, self.inbound
        update_time, packet_s = self.wl.update_s, self.wl.packet_s
        fanouts = {unit: self.fanout(tile, unit + 1, packet_s) for unit, _ in units}
        for tick, unit, step, index in self.jobs(units):
            gate_time = 0.0
            if self.gated:
                gate = self.gate[tick]
                if gate.callbacks is not None:
                    yield gate
                gate_time = self.gate_time[tick]
            producers = self.producers_done(unit, step)
            if producers.callbacks is not None:
                yield producers
            synop_s, updates, spikes_out, synops = self.work[unit]
            arrived = inbound[unit][step]
            if arrived:
                g = self.group_of[unit][index]
                packets, head, tail = arrived[0], arrived[1][g], arrived[2][g]
            else:
                packets = head = tail = 0.0
            synop_s = synop_s[step][index]
            begin = max(free, gate_time)
            if packets > 0:
                start = max(begin, head)
                synops_end = max(start + synop_s, tail + synop_s / packets)
            else:
                start = max(begin, env.now)
                synops_end = start + synop_s
            update_s = updates[step][index] * update_time
            emit_start = synops_end + update_s
            packets = self.emit(
                fanouts[unit], emit_start, spikes_out[step][index], unit + 1, step, tick
            )
            emit_s = packets * packet_s
            end = max(emit_start + emit_s, env.now)
            yield env.timeout(end - env.now)
            busy = synop_s + update_s + emit_s
            result.core_busy_s[core] += busy
            work_s[unit][step][index] += busy
            result.synops += synops[step][index]
            result.neuron_updates += updates[step][index]
            result.packets += packets
            result.events += 1
            free = end
            self.done(unit, step)[index].succeed()


class ExactEngine(_Engine):
    """Every spike packet is a simpy event, routed and integrated on its own."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.inbox: dict[int, deque[tuple[int, int, int, bool]]] = {}
        self.wake: dict[int, simpy.Event | None] = {}
        self.pending: list[list[tuple[int, tuple[int, int, int, bool]]]] = [
            [] for _ in range(self.n_ticks)
        ]
        self.received: dict[tuple[int, int, int], int] = {}
        self.packet_ops: dict[tuple[int, int, int], list[float]] = {}
        self.expected = [[int(e) for e in w.events_in] for w in self.wl.units]
        self._destinations: dict[tuple[int, int], list[tuple[int, int, Any, int, int]]] = {}

    def destinations(self, src_tile: int, unit: int) -> list[tuple[int, int, Any, int, int]]:
        """``(core index, core, route, east-west hops, north-south hops)`` for each core of
        ``unit`` seen from ``src_tile``, built once."""
        key = (src_tile, unit)
        cached = self._destinations.get(key)
        if cached is None:
            cached = self._destinations[key] = []
            for index, core in enumerate(self.wl.units[unit].cores):
                tile = self.net.tile_of(core)
                route = self.net.route(src_tile, tile)
                cached.append((index, core, route, *self.net.hops(src_tile, tile)))
        return cached

    def arrive(self, timer: simpy.Event) -> None:
        """A packet's arrival timer fired: deliver the packet it carries."""
        core, item = timer.value
        self.deliver(core, item)

    def deliver(self, core: int, item: tuple[int, int, int, bool]) -> None:
        if self.gated:
            tick = item[1] + item[0] + 1 if self.pipeline else item[1]
            if self.gate[tick].callbacks is not None:
                self.pending[tick].append((core, item))
                return
        self.inbox[core].append(item)
        wake = self.wake[core]
        if wake is not None and not wake.triggered:
            wake.succeed()

    def send_packets(
        self, spikes: int, interval_s: float, src_tile: int, unit: int, step: int, tick: int,
        busy: list[float] | None,
    ) -> Generator[simpy.Event, Any, None]:
        """Emit ``spikes`` x (cores of ``unit``) packets, one ``interval_s`` apart.

        ``busy`` (a one-element list) accumulates the emitting core's time; ``None`` marks the
        off-chip input, whose packets count as ``input_packets``.
        """
        if unit >= len(self.wl.units):
            return
        env, net, result = self.env, self.net, self.result
        last_delivery, arrive = self.last_delivery, self.arrive
        destinations = self.destinations(src_tile, unit)
        for _ in range(spikes):
            for index, core, route, ew, ns in destinations:
                if interval_s > 0:
                    yield env.timeout(interval_s)
                    if busy is not None:
                        busy[0] += interval_s
                now = env.now
                arrival = net.send_packet(now, route)
                result.hops_ew += ew
                result.hops_ns += ns
                if ew + ns == 0:
                    result.local_packets += 1
                if arrival > last_delivery[tick]:
                    last_delivery[tick] = arrival
                timer = env.timeout(arrival - now, (core, (unit, step, index, False)))
                timer.callbacks.append(arrive)
                result.events += 1
                if busy is not None:
                    result.packets += 1

    def source(self, step: int) -> Generator[simpy.Event, Any, None]:
        yield from self.wait_source_turn(step)
        events = self.wl.units[0].events_in[step]
        self.result.input_packets += events * len(self.wl.units[0].cores)
        yield from self.send_packets(
            int(events), self.wl.input_interval_s, 0, 0, step, self.tick(-1, step), None
        )
        self.source_done[step].succeed()

    def start_cores(self) -> None:
        for unit, work in enumerate(self.wl.units):
            synops = self.work[unit][3]
            for index, core in enumerate(work.cores):
                self.inbox.setdefault(core, deque())
                self.wake.setdefault(core, None)
                for step in range(self.wl.steps):
                    expected = self.expected[unit][step]
                    if expected:
                        self.packet_ops[(unit, step, index)] = share(
                            synops[step][index], expected
                        ).tolist()
                    else:
                        close = (unit, step, index, True)
                        self.producers_done(unit, step).callbacks.append(
                            lambda _e, c=core, i=close: self.deliver(c, i)
                        )
        for core in self.inbox:
            self.env.process(self.core(core))

    def open_tick(self, k: int) -> None:
        for core, item in self.pending[k]:
            self.deliver(core, item)
        self.pending[k].clear()

    def ticks(self) -> Generator[simpy.Event, Any, None]:
        for k, gate in enumerate(self.gate):
            gate.callbacks.append(lambda _e, k=k: self.open_tick(k))
        yield from super().ticks()

    def core(self, core: int) -> Generator[simpy.Event, Any, None]:
        """Integrate queued packets first come, first served; close a job after its last one.

        Packets already queued are integrated under one timeout up to (and including) one that
        completes its job: the core is not interrupted, so this is the same schedule as one
        timeout per packet, with fewer simpy events.
        """
        inbox = self.inbox[core]
        env = self.env
        while True:
            if not inbox:
                self.wake[core] = env.event()
                yield self.wake[core]
            if inbox[0][3]:
                unit, step, index, _ = inbox.popleft()
                leftover_s = self.work[unit][0][step][index]
                yield from self.close(core, unit, step, index, leftover_s)
                continue
            service = 0.0
            completed = None
            while inbox and not inbox[0][3] and completed is None:
                unit, step, index, _ = inbox.popleft()
                service += self.integrate(core, unit, step, index)
                if self.received[(unit, step, index)] == self.expected[unit][step]:
                    completed = (unit, step, index)
            if service > 0:
                yield env.timeout(service)
            if completed is not None:
                yield from self.close(core, *completed, 0.0)

    def integrate(self, core: int, unit: int, step: int, index: int) -> float:
        """Account one packet's synaptic ops on ``core``; returns their time."""
        synop_s, _, _, synops = self.work[unit]
        key = (unit, step, index)
        received = self.received.get(key, 0)
        ops = self.packet_ops[key][received]
        total = synops[step][index]
        service = synop_s[step][index] * ops / total if total else 0.0
        self.result.core_busy_s[core] += service
        self.work_s[unit][step][index] += service
        self.result.synops += ops
        self.received[key] = received + 1
        return service

    def close(
        self, core: int, unit: int, step: int, index: int, leftover_synop_s: float
    ) -> Generator[simpy.Event, Any, None]:
        """Finish a job: synaptic ops no packet carried, neuron updates, then its packets."""
        _, updates, spikes_out, synops = self.work[unit]
        if leftover_synop_s:
            self.result.synops += synops[step][index]
        update_s = updates[step][index] * self.wl.update_s
        if leftover_synop_s + update_s > 0:
            yield self.env.timeout(leftover_synop_s + update_s)
        busy = [leftover_synop_s + update_s]
        yield from self.send_packets(
            int(spikes_out[step][index]), self.wl.packet_s, self.net.tile_of(core),
            unit + 1, step, self.tick(unit, step), busy,
        )
        self.result.core_busy_s[core] += busy[0]
        self.work_s[unit][step][index] += busy[0]
        self.result.neuron_updates += updates[step][index]
        self.done(unit, step)[index].succeed()


def run_engine(
    fidelity: Fidelity, workload: CoreWork, network: MeshNetwork, pipeline: bool,
    barrier_s: float, free_running: bool,
) -> RunResult:
    """Simulate one sample at ``fidelity`` and return what it did.

    The cyclic garbage collector is paused meanwhile: a run keeps a few simpy objects per job
    alive to its end and frees few cycles on the way, so the collector's passes would rescan
    them all, a share of the run that grows with the chip.
    """
    engine_type = ExactEngine if fidelity == "exact" else AggregatedEngine
    collecting = gc.isenabled()
    gc.disable()
    try:
        return engine_type(workload, network, pipeline, barrier_s, free_running).run()
    finally:
        if collecting:
            gc.enable()
