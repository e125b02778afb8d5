"""The cost terms silicon needs beyond ops: fixed per step, static by state, neuron access vs
active update, spike emission, packets, connection type, off-chip I/O. Each expected value is
worked out by hand from the toy profile (tests/energy/builders.py) and the two-layer trace:
2 steps; per sample over both steps fc1 20 input events, 160 effective MACs; lif1 20 neurons x
steps, 16 with input, 6 spikes; fc2 30 effective ACs.
"""

from __future__ import annotations

import pandas as pd
import pytest

from neurocost.energy.pricing import price, price_variants
from neurocost.energy.resolve import PricingError
from neurocost.energy.schema import Profile
from tests.energy.builders import (
    FC2,
    LIF1,
    build_trace,
    fixture_constant,
    toy,
    toy_dict,
    two_layer_trace,
)

PJ, NS = 1e-12, 1e-9


def _timing(cores: int, packets: float = 0.0, hops: float = 0.0, latency_s: float = 1e-6):
    class FakeTiming:  # the fields price() reads from neurocost.sim.timing.Timing
        pass

    timing = FakeTiming()
    timing.latency_s, timing.hops, timing.packets, timing.input_packets = (
        latency_s, hops, packets, 0.0)
    timing.cores = pd.DataFrame({"core": list(range(cores))})
    return timing


def test_fixed_energy_and_time_per_step():
    prof = toy(per_step={"energy": fixture_constant(100, "pJ"),
                         "time": fixture_constant(50, "ns")})
    base, est = price(two_layer_trace(), toy()), price(two_layer_trace(), prof)
    assert est.components()["step"] == pytest.approx(2 * 100 * PJ)
    # the step time is paid on top of the work: 2 steps x 50 ns, and static follows (1 mW)
    assert est.latency_s == pytest.approx(base.latency_s + 100 * NS)
    assert est.components()["static"] == pytest.approx(1e-3 * est.latency_s)


def test_fixed_step_time_is_added_to_a_simulated_latency():
    prof = toy(per_step={"time": fixture_constant(50, "ns")})
    est = price(two_layer_trace(), prof, timing=_timing(cores=1))
    assert est.latency_s == pytest.approx(1e-6 + 2 * 50 * NS)


def test_static_power_in_the_configured_state():
    prof = toy(static_power=None, static_states={
        "boot": fixture_constant(2, "mW"), "configured": fixture_constant(3, "mW")})
    est = price(two_layer_trace(), prof)
    assert est.components()["static"] == pytest.approx(3e-3 * est.latency_s)
    assert est.regime.endswith("+static")


def test_per_core_static_power_counts_the_cores_the_mapping_uses():
    prof = toy(static_power=None, static_states={
        "boot": fixture_constant(2, "mW"), "per_core": fixture_constant(0.5, "mW")})
    est = price(two_layer_trace(), prof, timing=_timing(cores=4))
    # (2 mW + 4 cores x 0.5 mW) x 1 us
    assert est.components()["static"] == pytest.approx(4e-3 * 1e-6)
    with pytest.raises(PricingError, match="static_states.per_core.*cores used are unknown"):
        price(two_layer_trace(), prof)


def test_one_static_model_per_profile():
    with pytest.raises(ValueError, match="static_power and static_states are both declared"):
        toy(static_states={"boot": fixture_constant(2, "mW")})


def test_neuron_access_every_step_update_only_when_active_and_spike_out():
    data = toy_dict()
    data["execution"] = {"style": "dense", "neuron_update": "on_event"}
    data["neuron"] = {"update": {"Leaky": fixture_constant(3, "pJ")},
                      "access": {"default": fixture_constant(2, "pJ")},
                      "spike_out": fixture_constant(4, "pJ")}
    est = price(two_layer_trace(), Profile.model_validate(data))
    # 16 active updates x 3 + 20 accesses x 2 + 6 spikes x 4 = 48 + 40 + 24 pJ
    assert est.components()["neuron"] == pytest.approx(112 * PJ)


def test_packet_energy_uses_mapped_packets_else_one_per_spike():
    routing = {"per_packet": fixture_constant(10, "pJ")}
    prof = toy(routing=routing)
    alone = price(two_layer_trace(), prof)
    assert alone.components()["routing"] == pytest.approx(6 * 10 * PJ)
    assert any("one packet per spike" in note for note in alone.notes)
    mapped = price(two_layer_trace(), prof, timing=_timing(cores=2, packets=9))
    assert mapped.components()["routing"] == pytest.approx(9 * 10 * PJ)


def test_accumulate_priced_by_connection_type():
    data = toy_dict()
    data["compute"] = {"ac": {"any": fixture_constant(1, "pJ")}, "ac_by_connection": {
        "conv": {"any": fixture_constant(24, "pJ")}, "dense": {"any": fixture_constant(35, "pJ")}}}
    prof = Profile.model_validate(data | {"execution": {"style": "event_driven"}})
    conv = dict(FC2, layer="conv2", kind="conv2d")
    est = price(build_trace([LIF1, FC2, conv]), prof)
    # 30 effective ACs in each layer: dense 35 pJ, conv 24 pJ
    rows = est.breakdown.set_index("layer")
    assert rows.loc["fc2", "compute_j"] == pytest.approx(30 * 35 * PJ)
    assert rows.loc["conv2", "compute_j"] == pytest.approx(30 * 24 * PJ)
    assert "compute.ac_by_connection.conv.any" in est.sources


def test_off_chip_input_and_output_in_energy_and_time():
    prof = toy(off_chip={"event_bits": fixture_constant(32, "bit"),
                         "energy_per_bit": fixture_constant(1, "pJ/bit"),
                         "bandwidth": fixture_constant(32e9, "bit/s")})
    base, est = price(two_layer_trace(), toy()), price(two_layer_trace(), prof)
    # 20 input events of fc1 + 6 output spikes of lif1 = 26 events x 32 bits = 832 bits
    assert est.components()["io"] == pytest.approx(832 * PJ)
    assert est.latency_s == pytest.approx(base.latency_s + 832 / 32e9)


def test_new_terms_sweep_as_columns():
    prof = toy(per_step={"energy": fixture_constant(100, "pJ")})
    rows = price_variants(two_layer_trace(), prof, {"per_step.energy": [100, 200]})
    assert rows["step_j"].tolist() == pytest.approx([200 * PJ, 400 * PJ])
