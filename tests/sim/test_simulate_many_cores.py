"""The simulation on a chip with many busy cores, against figures derived without the engine.

Counts and per-core busy time follow from the trace and the placement alone: the greedy mapper
puts unit ``u`` (``fc{u+1}`` + ``lif{u+1}``, 100 neurons at 10 per core) on cores
``10u .. 10u + 9`` and the 9-neuron readout on core 200; a unit's counts are shared over its
cores with the remainder going to the first ones; every spike goes to each core of the next
unit over X-then-Y routes; the input enters on tile 0. Toy chip times (tests/sim/toy_chip.py):
synop 1 ns, neuron update 2 ns, packet emission 3 ns.

The link model is checked on its own: ``MeshNetwork.send_trains`` against the train model of
``neurocost.sim.network`` written out plainly, per train and per link, on random fan-outs over
an 8 x 8 mesh whose links are already loaded.
"""

from __future__ import annotations

import random

import pytest

from neurocost.sim.network import MeshNetwork
from neurocost.sim.simulate import simulate
from neurocost.sim.synthetic import chain_trace
from tests.sim.toy_chip import toy_chip

NS = 1e-9
STAGES = 20
COLUMNS, CORES_PER_TILE = 8, 4


def _chip():
    return toy_chip(cores=256, neurons_per_core=10, columns=COLUMNS, rows=8,
                    cores_per_tile=CORES_PER_TILE)


def _cores(unit: int) -> list[int]:
    return [200] if unit == STAGES else list(range(10 * unit, 10 * unit + 10))


def _shares(count: int, parts: int) -> list[int]:
    base, rest = divmod(count, parts)
    return [base + (i < rest) for i in range(parts)]


def _hops(src_core: int | None, dst_core: int) -> tuple[int, int]:
    src_tile = 0 if src_core is None else src_core // CORES_PER_TILE
    dst_tile = dst_core // CORES_PER_TILE
    return (abs(src_tile % COLUMNS - dst_tile % COLUMNS),
            abs(src_tile // COLUMNS - dst_tile // COLUMNS))


@pytest.mark.parametrize("mode", ["aggregated", "exact"])
def test_many_cores_counts_and_busy_time_follow_from_the_placement(mode):
    trace = chain_trace([30] + [100] * STAGES + [9], steps=3, rate=0.3, seed=2)
    rows = trace.layers.set_index(["layer", "step"])
    timing = simulate(trace, _chip(), mode=mode)
    assert len(timing.cores) == 201

    packets = input_packets = hops_ew = hops_ns = 0
    busy = {core: 0.0 for unit in range(STAGES + 1) for core in _cores(unit)}
    for step in range(trace.steps):
        for unit in range(STAGES + 1):
            cores = _cores(unit)
            events_in = int(rows.loc[(f"fc{unit + 1}", step), "in_nonzero"])
            synops = _shares(int(rows.loc[(f"fc{unit + 1}", step), "effective_ops"]), len(cores))
            updates = _shares(int(rows.loc[(f"lif{unit + 1}", step), "neuron_updates"]),
                              len(cores))
            last = unit == STAGES
            out = 0 if last else int(rows.loc[(f"fc{unit + 2}", step), "in_nonzero"])
            spikes = _shares(out, len(cores))
            if unit == 0:
                input_packets += events_in * len(cores)
                for core in cores:
                    ew, ns = _hops(None, core)
                    hops_ew, hops_ns = hops_ew + events_in * ew, hops_ns + events_in * ns
            for i, core in enumerate(cores):
                receivers = [] if last else _cores(unit + 1)
                packets += spikes[i] * len(receivers)
                for receiver in receivers:
                    ew, ns = _hops(core, receiver)
                    hops_ew, hops_ns = hops_ew + spikes[i] * ew, hops_ns + spikes[i] * ns
                busy[core] += (synops[i] * 1 + updates[i] * 2
                               + spikes[i] * len(receivers) * 3) * NS

    assert (timing.packets, timing.input_packets) == (packets, input_packets)
    assert (timing.hops_ew, timing.hops_ns) == (hops_ew, hops_ns)
    assert timing.synops == trace.totals()["effective_acs"].value
    assert timing.neuron_updates == trace.totals()["neuron_updates"].value
    simulated = dict(zip(timing.cores["core"], timing.cores["busy_s"], strict=True))
    assert simulated == pytest.approx(busy, rel=1e-12)
    assert timing.latency_s >= max(busy.values())


def _route(network: MeshNetwork, src: int, dst: int) -> list[tuple[tuple, float]]:
    """X then Y, as ``[((x, y, direction), latency), ...]``."""
    (x, y), (tx, ty) = divmod(src, COLUMNS)[::-1], divmod(dst, COLUMNS)[::-1]
    links = []
    while x != tx:
        step = 1 if tx > x else -1
        links.append(((x, y, "ew", step), network.latency[0]))
        x += step
    while y != ty:
        step = 1 if ty > y else -1
        links.append(((x, y, "ns", step), network.latency[2]))
        y += step
    return links


def _plain_send(network, free, src, groups, t0, spikes, interval):
    """The module docstring's train model, one train and one link at a time."""
    dest = sum(cores for _, cores in groups)
    trains = []
    work, first_start = {}, {}
    for tile, cores in groups:
        spacing = interval * dest / cores
        packets, head, heads = spikes * cores, t0 + spacing, []
        for link, latency in _route(network, src, tile):
            start = max(head, free.get(link, 0.0))
            head = start + latency
            work[link] = work.get(link, 0.0) + packets * latency
            first_start[link] = min(first_start.get(link, start), start)
            heads.append((link, latency, head))
        trains.append((t0 + spacing, packets, spacing, heads))
    done = {link: first_start[link] + work[link] for link in work}
    arrivals = []
    for first, packets, spacing, heads in trains:
        body = max(packets - 1, 0)
        tail = first + body * spacing
        if not heads:
            local = network.local_latency_s
            arrivals.append((first + local, tail + local))
            continue
        for link, latency, head in heads:
            spacing = max(spacing, latency)
            tail = max(head + body * spacing, tail + latency, done[link])
        arrivals.append((heads[-1][2], tail))
    free.update(done)
    return arrivals


def test_send_trains_follows_the_train_model_on_loaded_links():
    network = MeshNetwork(_chip().mesh)
    free: dict = {}
    rng = random.Random(5)
    for call in range(300):
        src = rng.randrange(64)
        tiles = rng.sample(range(64), rng.randint(1, 12))
        groups = [(tile, rng.randint(1, CORES_PER_TILE)) for tile in tiles]
        t0, spikes = call * 40 * NS + rng.random() * NS, float(rng.randint(1, 9))
        interval = rng.choice([0.0, 3 * NS])
        fanout = network.fanout(src, groups, interval)
        heads, tails = network.send_trains(fanout, t0, spikes)
        expected = _plain_send(network, free, src, groups, t0, spikes, interval)
        assert list(zip(heads, tails, strict=True)) == expected, f"call {call}"
