"""``price``: the energy equations on hand-built traces, each expected value worked out by hand.

Toy profile (tests/energy/builders.py): MAC 4 pJ, AC 1 pJ, Leaky update 3 pJ, spike 5 pJ,
memory ``small`` (4000 bits; read 1, write 2 pJ/bit) then ``big`` (10 pJ/bit), static 1 mW,
1 ns per op / update, 10 ns barrier per step. Two steps; per-sample counts over both steps:
fc1 dense 200 / effective 160 MACs; fc2 dense 100 / effective 30 ACs; lif1 20 updates, 6 spikes.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from neurocost.energy.pricing import price
from neurocost.energy.registry import load_profile
from neurocost.energy.resolve import PricingError
from tests.energy.builders import (
    fixture_constant,
    spiking_trace,
    toy,
    toy_dict,
    two_layer_trace,
)

PJ = 1e-12


def _layer(estimate, layer: str) -> pd.Series:
    return estimate.breakdown.set_index("layer").loc[layer]


def test_dense_machine_prices_every_term():
    est = price(two_layer_trace(), toy())
    # compute: fc1 200 x 4 + fc2 100 x 1 = 900 pJ (dense: zeros are multiplied too)
    assert est.components()["compute"] == pytest.approx(900 * PJ)
    # neuron: 20 updates x 3 pJ
    assert est.components()["neuron"] == pytest.approx(60 * PJ)
    # routing: 6 spikes x 5 pJ (hops need a simulation)
    assert est.components()["routing"] == pytest.approx(30 * PJ)
    # placement (footprints, near to far, weights then state then activations):
    #   fc1 W 3200 -> small (800 left); fc2 W 1600 -> big; lif1 state 320 -> small (480 left);
    #   act fc1 640 -> big; act lif1 10 -> small; act fc2 170 -> small.
    # memory: fc1 W 6400 x 1 + fc2 W 3200 x 10 + state 640 x 1 + 640 x 2
    #   + act fc1 (640 + 640) x 10 + act lif1 20 x 2 + act fc2 (20 x 1 + 320 x 2) = 53820 pJ
    assert est.components()["memory"] == pytest.approx(53820 * PJ)
    # latency: (200 + 100) ops + 20 updates at 1 ns, + 2 steps x 10 ns = 340 ns; static 1 mW x it
    assert est.latency_s == pytest.approx(340e-9)
    assert est.components()["static"] == pytest.approx(1e-3 * 340e-9)
    assert est.energy_j == pytest.approx((900 + 60 + 30 + 53820 + 340) * PJ)
    assert est.regime == "compute+memory+static"
    assert est.latency_source == "analytic"


def test_breakdown_rows_are_layers_plus_chip_static():
    est = price(two_layer_trace(), toy())
    assert list(est.breakdown["layer"]) == ["fc1", "lif1", "fc2", "(chip)"]
    # fc1: compute 800, memory 6400 (weights) + 12800 (activations) pJ
    assert _layer(est, "fc1")["compute_j"] == pytest.approx(800 * PJ)
    assert _layer(est, "fc1")["memory_j"] == pytest.approx(19200 * PJ)
    assert _layer(est, "(chip)")["static_j"] == pytest.approx(340 * PJ)
    assert est.breakdown["energy_j"].sum() == pytest.approx(est.energy_j)


def test_event_driven_prices_effective_ops_and_one_weight_read_per_op():
    est = price(two_layer_trace(), toy(execution={"style": "event_driven"}))
    # compute: fc1 160 x 4 + fc2 30 x 1 = 670 pJ
    assert est.components()["compute"] == pytest.approx(670 * PJ)
    # memory: event weight reads fc1 5120 @small x 1 + fc2 960 @big x 10, state 640 x 1 + 640 x 2;
    # spikes travel as packets, so no activation traffic: 5120 + 9600 + 1920 = 16640 pJ
    assert est.components()["memory"] == pytest.approx(16640 * PJ)
    # latency: (160 + 30 + 20) ns + 20 ns barriers = 230 ns
    assert est.latency_s == pytest.approx(230e-9)


def test_zero_skipping_dense_machine_skips_ops_but_reads_all_weights():
    est = price(two_layer_trace(), toy(execution={"style": "dense", "zero_skipping": True}))
    assert est.components()["compute"] == pytest.approx(670 * PJ)  # effective ops, as above
    assert est.components()["memory"] == pytest.approx(53820 * PJ)  # dense traffic, as dense


def test_on_event_neuron_updates_count_neurons_with_input():
    est = price(two_layer_trace(), toy(execution={"style": "dense",
                                                  "neuron_update": "on_event"}))
    # 8 neurons with input per step x 2 steps = 16 updates x 3 pJ
    assert est.components()["neuron"] == pytest.approx(48 * PJ)
    # state traffic scales by 16/20: (640 x 1 + 640 x 2) x 0.8 = 1536 pJ instead of 1920
    assert est.components()["memory"] == pytest.approx((53820 - 1920 + 1536) * PJ)


def test_included_weight_read_is_not_priced_again():
    data = toy_dict()
    data["compute"] = {"mac": {"fp32": fixture_constant(4, "pJ")},
                       "ac": {"fp32": fixture_constant(1, "pJ", includes=["weight_read"])}}
    est = price(two_layer_trace(), toy(compute=data["compute"]))
    # fc2's weight reads (3200 bits at big, 10 pJ/bit) are inside its AC energy
    assert _layer(est, "fc2")["memory_j"] == pytest.approx((20 * 1 + 320 * 2) * PJ)


def test_memory_spills_when_capacity_shrinks():
    data = toy_dict()
    data["memory"]["small"]["capacity"] = fixture_constant(3000, "bit")
    est = price(two_layer_trace(), toy(memory=data["memory"]))
    # fc1 W 3200 no longer fits -> big; fc2 W 1600 -> small (1400 left); state 320 -> small
    # (1080 left); act fc1 640 now fits -> small. fc1: 6400 x 10 + 640 x 1 + 640 x 2 pJ
    assert _layer(est, "fc1")["memory_j"] == pytest.approx((64000 + 640 + 1280) * PJ)
    # fc2: weights 3200 x 1 at small; act 170 -> small (440 left): 20 x 1 + 320 x 2
    assert _layer(est, "fc2")["memory_j"] == pytest.approx((3200 + 20 + 640) * PJ)


def test_timing_replaces_latency_prices_hops_and_splits_static_over_cores():
    class FakeTiming:  # the fields price() reads from neurocost.sim.timing.Timing
        latency_s = 1e-6
        hops = 12
        packets, input_packets = 8, 2
        cores = pd.DataFrame({"core": [0, 1], "layers": ["fc1", "fc2"], "busy_s": [0.0, 0.0],
                              "idle_s": [0.0, 0.0], "utilisation": [0.0, 0.0]})

    est = price(two_layer_trace(), toy(), timing=FakeTiming())
    assert est.latency_s == 1e-6
    assert est.latency_source == "simulation"
    # routing: 6 spikes x 5 pJ + 12 hops x 7 pJ
    assert est.components()["routing"] == pytest.approx((30 + 84) * PJ)
    # static 1 mW x 1 us = 1 nJ, half per core
    assert _layer(est, "core:0")["static_j"] == pytest.approx(0.5e-9)
    assert _layer(est, "core:1")["static_j"] == pytest.approx(0.5e-9)


def test_compute_only_convention_profile():
    est = price(two_layer_trace(), "snn-45nm-ac-mac")
    prof = load_profile("snn-45nm-ac-mac")
    # event-driven: 160 effective MACs x E_MAC + 30 ACs x E_AC, nothing else
    expected = 160 * prof.compute.mac["any"].si + 30 * prof.compute.ac["any"].si
    assert est.energy_j == pytest.approx(expected)
    assert est.regime == "compute-only"
    assert math.isnan(est.latency_s)  # the convention declares no throughput
    assert json.loads(est.to_json())["latency"]["value"] is None


def test_loihi_prices_every_silicon_term():
    prof = load_profile("loihi")
    est = price(spiking_trace(), prof)  # lif1 -> fc2 (dense), 2 steps
    syn = prof.compute.ac_by_connection["dense"]["any"].si
    neuron = prof.neuron
    assert est.components()["compute"] == pytest.approx(30 * syn)
    # every neuron accessed (20), active ones updated (16 with input), 6 spikes emitted
    assert est.components()["neuron"] == pytest.approx(
        20 * neuron.access["default"].si + 16 * neuron.update["default"].si
        + 6 * neuron.spike_out.si)
    # timed by the mapped model: lif1 and fc2 share core 0, so 6 spikes are 6 local packets
    assert est.latency_source == "mapped"
    assert (est.timing.packets, est.timing.hops) == (6, 0)
    assert est.components()["routing"] == pytest.approx(6 * prof.routing.per_packet.si)
    assert est.components()["memory"] == 0  # weight reads inside the synop, state in the access
    assert est.components()["step"] == pytest.approx(2 * prof.per_step.energy.si)
    latency = est.timing.latency_s + 2 * prof.per_step.time.si
    assert est.latency_s == pytest.approx(latency)
    configured = prof.static_states.configured.si
    assert est.components()["static"] == pytest.approx(configured * latency)
    assert est.regime == "compute+memory+static"


def test_loihi_refuses_a_real_valued_layer_naming_it():
    with pytest.raises(PricingError, match=r"loihi.*'fc1'.*mac \(fp32 x fp32\).*compute\.mac"):
        price(two_layer_trace(), "loihi")


def test_truenorth_marginal_plus_baseline_over_real_time_ticks():
    prof = load_profile("truenorth")
    est = price(spiking_trace(steps=3), prof)
    # 3 steps x 15 effective ACs; latency 3 ticks; baseline power over it; nothing else
    assert est.latency_s == pytest.approx(3 * prof.throughput.tick.si)
    assert est.latency_source == "tick"
    assert est.components()["compute"] == pytest.approx(45 * prof.compute.ac["any"].si)
    assert est.components()["static"] == pytest.approx(prof.static_power.si * 3e-3)
    assert est.components()["neuron"] == est.components()["routing"] == 0


def test_all_in_constant_suppresses_every_other_term():
    est = price(spiking_trace(steps=3), "truenorth-allin")
    prof = load_profile("truenorth-allin")
    assert est.energy_j == pytest.approx(45 * prof.compute.ac["any"].si)
    assert est.regime == "all-in compute+memory+static"


def test_cmos45_int8_mac_is_mult_plus_int32_add():
    from tests.energy.builders import FC1, build_trace

    int8 = dict(FC1, in_encoding="int8", weight_encoding="int8", in_bits=8, weight_bits=8)
    est = price(build_trace([int8], steps=1, batch=1), "cmos45")
    prof = load_profile("cmos45")
    # Horowitz: int8 mult 0.2 + int32 add 0.1 = 0.3 pJ per MAC (reference notes B1, [D])
    per_mac = prof.compute.mult["int8"].si + prof.compute.add["int32"].si
    assert per_mac == pytest.approx(0.3e-12)
    assert est.components()["compute"] == pytest.approx(100 * per_mac)


def test_cmos45_width_rule_scales_the_multiplier_by_operand_bits():
    from tests.energy.builders import FC1, build_trace

    int4 = dict(FC1, in_encoding="int4", weight_encoding="int4", in_bits=4, weight_bits=4)
    est = price(build_trace([int4], steps=1, batch=1), "cmos45")
    prof = load_profile("cmos45")
    # nearest declared multiplier is int8: x (4 x 4) / (8 x 8) = 0.25, plus the int32 add
    per_mac = 0.25 * prof.compute.mult["int8"].si + prof.compute.add["int32"].si
    assert est.components()["compute"] == pytest.approx(100 * per_mac)


def test_binary_ops_need_a_declared_bop_price():
    from tests.energy.builders import FC1, build_trace

    xnor = dict(FC1, op_class="bop", in_encoding="binary", weight_encoding="binary", in_bits=1,
                weight_bits=1)
    with pytest.raises(PricingError, match=r"toy.*bop.*compute\.bop"):
        price(build_trace([xnor]), toy())


def test_static_power_without_throughput_is_refused():
    with pytest.raises(PricingError, match="static_power needs a latency"):
        price(two_layer_trace(), toy(throughput={}))


def test_estimate_serialises_with_units_profile_and_sources():
    est = price(two_layer_trace(), toy())
    data = json.loads(est.to_json())
    assert data["energy"]["unit"] == "J"
    assert data["energy"]["value"] == pytest.approx(est.energy_j)
    assert data["latency"]["unit"] == "s"
    assert data["profile"] == {"id": "toy", "version": "1", "status": "derived"}
    assert data["regime"] == "compute+memory+static"
    assert data["sources"]["compute.mac.fp32"] == "test fixture"
    assert data["energy_per_step"]["value"] == pytest.approx(est.energy_j / 2)


def test_price_with_a_simulated_timing_from_the_profile_architecture():
    from neurocost.sim.simulate import simulate
    from neurocost.sim.synthetic import chain_trace
    from tests.sim.toy_chip import toy_chip

    profile = toy(architecture=toy_chip().model_dump(), compute={
        "ac": {"any": fixture_constant(1, "pJ")}})
    trace = chain_trace([64, 32, 10], steps=3, rate=0.2, seed=0)
    # two cores five tiles apart, so spike packets cross the mesh
    timing = simulate(trace, profile, mapping={"fc1": 0, "lif1": 0, "fc2": 5, "lif2": 5})
    assert timing.hops > 0 and len(timing.cores) == 2
    est = price(trace, profile, timing=timing)
    assert est.latency_s == timing.latency_s
    assert est.components()["static"] == pytest.approx(1e-3 * timing.latency_s)
    # routing: 5 pJ per spike emitted + 7 pJ per hop the simulation counted
    spikes = trace.totals()["spikes"].value
    assert est.components()["routing"] == pytest.approx((5 * spikes + 7 * timing.hops) * PJ)
    assert len(est.breakdown[est.breakdown["layer"].str.startswith("core:")]) == len(timing.cores)


def test_the_price_table_shows_every_constant_and_formula_behind_an_estimate():
    trace = two_layer_trace()
    est = price(trace, "cmos45")
    constants = est.prices.constants.set_index("path")
    # every constant the estimate cites is in the table, as the profile states it
    assert set(est.sources) == set(constants.index)
    stated = load_profile("cmos45").compute.add["fp32"]
    assert (constants.loc["compute.add.fp32", "value"], constants.loc["compute.add.fp32", "unit"]
            ) == (stated.value, stated.unit)
    rows = est.prices.rows
    assert list(rows["layer"]) == list(trace.by_layer()["layer"])
    assert all(rows.loc[rows["op_class"] != "", "op_energy"] != "")
    assert est.energy_j == est.breakdown["energy_j"].sum()
    assert est.to_dict()["constants"][0]["source"]
