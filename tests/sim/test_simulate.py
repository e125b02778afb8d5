"""simulate(): hand-derived latencies on the toy chip, counts, errors, the dense roofline, Timing.

Toy chip event times (tests/sim/toy_chip.py), in ns: synop 1, neuron update 2, packet emission 3,
within-tile delivery 5, east-west hop 7, north-south hop 11; barrier 100 (1 tile) .. 400 (16 tiles).
``chain_trace(sizes, rate=1.0)`` makes every input and every neuron spike, so its counts are
fixed: a layer of ``n`` inputs and ``m`` outputs gets ``n`` events and ``n x m`` synaptic ops.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import neurocost as nc
import neurocost.energy
from neurocost.sim.architecture import (
    Architecture,
    ArchitectureError,
    Sync,
    load_architecture,
)
from neurocost.sim.core_work import CoreWorkError
from neurocost.sim.simulate import simulate
from neurocost.sim.synthetic import chain_trace
from tests.sim.toy_chip import toy, toy_chip

NS = 1e-9
MODES = ("aggregated", "exact")


@pytest.mark.parametrize("mode", MODES)
def test_one_core_latency_by_hand(mode):
    # 2 input events reach core 0 over the tile-local path at 5 ns; 4 synops x 1 ns end at 9 ns;
    # 2 neuron updates x 2 ns end at 13 ns; the 1-tile barrier adds 100 ns.
    timing = simulate(chain_trace([2, 2], steps=1, rate=1.0), toy_chip(), mode=mode)
    assert timing.latency_s == pytest.approx(113 * NS)
    assert timing.barrier_s == pytest.approx(100 * NS)


@pytest.mark.parametrize("mode", MODES)
def test_two_tiles_latency_hops_and_link_contention_by_hand(mode):
    # lif1 on core 0 (tile 0 = column 0, row 0), lif2 on core 6 (column 2, row 1).
    # Layer 1 as above ends its updates at 13 ns, then emits 2 packets, 3 ns each (16, 19 ns).
    # Route: E, E, N (7 + 7 + 11 ns). Packet 1 arrives at 41; packet 2 waits for the first E link
    # (free at 23) and the N link (free at 41), arriving at 52. Core 6 integrates 2 synops per
    # packet (43, then 54 ns) and updates 2 neurons (58 ns). The 2-tile barrier is
    # 100 + (400 - 100) x (2 - 1) / (16 - 1) = 120 ns: 178 ns in all.
    timing = simulate(
        chain_trace([2, 2, 2], steps=1, rate=1.0), toy_chip(), {"lif1": 0, "lif2": 6}, mode
    )
    assert timing.latency_s == pytest.approx(178 * NS)
    assert (timing.packets, timing.input_packets) == (2, 2)
    assert (timing.hops_ew, timing.hops_ns) == (2 * 2, 2 * 1)


@pytest.mark.parametrize("mode", MODES)
def test_pipelined_barrier_runs_one_tick_per_step_plus_one_per_layer(mode):
    # Tick 0 carries the input (arrives at 5 ns, +100 barrier = 105); tick 1 runs the layer on it:
    # 4 synops + 2 updates = 8 ns (113), +100 = 213 ns. Two barriers in all.
    chip = toy_chip(pipeline=True)
    timing = simulate(chain_trace([2, 2], steps=1, rate=1.0), chip, mode=mode)
    assert timing.latency_s == pytest.approx(213 * NS)
    assert timing.barrier_s == pytest.approx(200 * NS)


@pytest.mark.parametrize("mode", MODES)
def test_counts_equal_the_trace(mode):
    trace = chain_trace([60, 150, 80, 10], steps=3, rate=0.3, seed=4)
    timing = simulate(trace, toy_chip(), mode=mode)
    totals = trace.totals()
    assert timing.synops == totals["effective_acs"].value
    assert timing.neuron_updates == totals["neuron_updates"].value
    # every input event is sent to each of fc1's cores: lif1 has 150 neurons -> 2 cores
    fc1_events = trace.layers.query("layer == 'fc1'")["in_nonzero"].sum()
    assert timing.input_packets == fc1_events * 2


def test_cores_table_accounts_busy_and_idle_time():
    timing = simulate(chain_trace([60, 150, 80, 10], steps=3, rate=0.3), toy_chip())
    cores = timing.cores
    assert list(cores.columns) == ["core", "tile", "layers", "busy_s", "idle_s", "utilisation"]
    assert ((cores["busy_s"] + cores["idle_s"]) - timing.latency_s).abs().max() < 1e-18
    assert cores["utilisation"].between(0, 1).all()


def test_hop_energy_uses_the_mesh_energies():
    # 4 E-W hops x 3 pJ + 2 N-S hops x 4 pJ = 20 pJ (same placement as the two-tile test)
    chip = toy_chip()
    mesh = chip.mesh.model_copy(
        update={"hop_energy_ew": toy(3, "pJ"), "hop_energy_ns": toy(4, "pJ")}
    )
    chip = chip.model_copy(update={"mesh": mesh})
    timing = simulate(chain_trace([2, 2, 2], steps=1, rate=1.0), chip, {"lif1": 0, "lif2": 6})
    assert timing.hop_energy_j == pytest.approx(20e-12)


def test_dense_roofline_by_hand():
    # fc1 (4 -> 3, 8-bit weights): 12 ops / 1e9 ops/s = 12 ns, but it moves 96 weight + 4 input
    # + 96 output bits = 196 bits / 1e9 bit/s = 196 ns; + 1 us launch.
    # lif1: 48 + 48 state bits + 96 input + 3 output bits = 195 ns; + 1 us launch. Sum 2391 ns.
    dense = Architecture(
        style="dense",
        dense={
            "peak_ops_per_s": {"ac": toy(1e9, "ops/s")},
            "memory_bandwidth": toy(1e9, "bit/s"),
            "launch_overhead": toy(1, "us"),
        },
    )
    timing = simulate(chain_trace([4, 3], steps=1, rate=1.0), dense)
    assert timing.mode == "dense"
    assert timing.latency_s == pytest.approx(2391 * NS)
    assert timing.critical_layer == "fc1"


def test_accepts_a_profile_with_an_architecture_attribute():
    profile = SimpleNamespace(id="toy", architecture=toy_chip())
    assert simulate(chain_trace([2, 2], steps=1, rate=1.0), profile).latency_s > 0


def test_profile_without_architecture_is_refused_by_name():
    with pytest.raises(ArchitectureError, match="profile 'cmos' has no architecture"):
        simulate(chain_trace([2, 2], steps=1), SimpleNamespace(id="cmos", architecture=None))


def test_op_class_the_chip_cannot_run_names_the_layer():
    trace = chain_trace([2, 2], steps=1)
    trace.layers.loc[trace.layers["layer"] == "fc1", "op_class"] = "mac"
    with pytest.raises(CoreWorkError, match="layer 'fc1' does 'mac'"):
        simulate(trace, toy_chip())


def test_exact_mode_needs_batch_one():
    with pytest.raises(ValueError, match="batch size 2"):
        simulate(chain_trace([2, 2], steps=1, batch=2), toy_chip(), mode="exact")


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        simulate(chain_trace([2, 2], steps=1), toy_chip(), mode="fast")


def test_event_times_in_cycles_need_a_clock():
    events = {"synop": {"ac": toy(2, "cycles")}, "neuron_update": toy(1, "ns"),
              "spike_packet": toy(1, "ns")}
    with pytest.raises(ValueError, match="events.synop.ac given in cycles but clock"):
        toy_chip(events=events)
    clocked = toy_chip(events=events, clock=toy(1, "GHz"))
    assert clocked.seconds(clocked.events.synop["ac"]) == pytest.approx(2 * NS)


def test_barrier_latency_is_interpolated_over_tiles():
    # 113 ns at 1 tile, 465 ns at 32 (Davies 2018 Table 2): 16 tiles -> 113 + 352 x 15 / 31
    barrier = Sync(mode="barrier", barrier_latency={1: toy(113, "ns"), 32: toy(465, "ns")})
    assert barrier.barrier_s(16) == pytest.approx((113 + 352 * 15 / 31) * NS)
    assert barrier.barrier_s(64) == pytest.approx(465 * NS)


def test_timing_to_dict_carries_units_and_summary_rows_read_well():
    timing = nc.simulate(chain_trace([20, 30, 10], steps=2, rate=0.5), toy_chip())
    as_dict = timing.to_dict()
    assert as_dict["latency_s"]["unit"] == "s"
    assert as_dict["hops"]["unit"] == "hops"
    assert as_dict["latency_s"]["value"] == timing.latency_s
    labels = [label for label, _ in timing.summary_rows()]
    assert {"latency", "throughput", "mean core utilisation", "critical layer"} <= set(labels)
    assert isinstance(timing, nc.Timing)


def test_event_driven_architecture_needs_its_blocks():
    with pytest.raises(ValueError, match="style 'event_driven' needs mesh, sync"):
        Architecture(style="event_driven", cores=toy_chip().cores, events=toy_chip().events)


def test_mesh_must_hold_every_core():
    # 16 cores on a 2 x 2 mesh of 1-core tiles: only 4 places
    with pytest.raises(ValueError, match="hold 4 cores, fewer than cores.count = 16"):
        toy_chip(columns=2, rows=2)


def test_architecture_block_of_a_profile_file_loads():
    path = Path(neurocost.energy.__file__).parent / "profiles" / "loihi.yaml"
    loihi = load_architecture(path)
    # Davies et al. 2018: 128 cores x 1,024 compartments; Table 2: 3.5 ns per synaptic op
    assert (loihi.cores.count.value, loihi.cores.neurons_per_core.value) == (128, 1024)
    assert loihi.seconds(loihi.events.synop["ac"]) == pytest.approx(3.5 * NS)
