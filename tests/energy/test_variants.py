"""``price_variants``: many profile variants of one trace, as arrays, agreeing with ``price``."""

from __future__ import annotations

import pytest

from neurocost.energy.params import OverrideError, with_override
from neurocost.energy.pricing import price, price_variants
from neurocost.energy.registry import ProfileError
from neurocost.energy.scaling import ScalingError
from tests.energy.builders import toy, two_layer_trace

PJ = 1e-12
GRID = {
    "memory.small.capacity": [3000, 4000, 100000],  # bits: spills fc1 weights / fits / fits all
    "execution.style": ["dense", "event_driven"],
    "static_power": [1.0, 2.5],  # mW
}


def test_every_variant_agrees_with_price_on_the_overridden_profile():
    trace, profile = two_layer_trace(), toy()
    rows = price_variants(trace, profile, GRID)
    assert len(rows) == 3 * 2 * 2
    for row in rows.itertuples(index=False):
        overrides = {"memory.small.capacity": row[0], "execution.style": row[1],
                     "static_power": row[2]}
        single = price(trace, with_override(profile, overrides))
        assert row.energy_j == pytest.approx(single.energy_j)
        assert row.latency_s == pytest.approx(single.latency_s)
        for component, joules in single.components().items():
            assert getattr(row, f"{component}_j") == pytest.approx(joules)


def test_rows_carry_overrides_profile_and_regime():
    rows = price_variants(two_layer_trace(), toy(), GRID)
    assert list(rows.columns) == [*GRID, "energy_j", "latency_s", "compute_j", "memory_j",
                                  "neuron_j", "routing_j", "step_j", "io_j", "static_j",
                                  "profile_id", "profile_version", "regime", "memory_bits.small",
                                  "memory_bits.big"]
    assert set(rows["profile_id"]) == {"toy"}
    assert set(rows["regime"]) == {"compute+memory+static"}


def test_capacity_moves_traffic_between_levels_and_keeps_its_total():
    rows = price_variants(two_layer_trace(), toy(), {"memory.small.capacity": [0, 4000, 1e9]})
    small, big = rows["memory_bits.small"], rows["memory_bits.big"]
    assert list(small) == sorted(small) and small.iloc[0] == 0 and big.iloc[-1] == 0
    assert (small + big).nunique() == 1 and (small + big).iloc[0] > 0


def test_list_of_override_dicts():
    variants = [{"static_power": 1.0}, {"static_power": 3.0}]
    rows = price_variants(two_layer_trace(), toy(), variants)
    # static = P x 340 ns (test_pricing: dense latency)
    assert list(rows["static_j"]) == pytest.approx([340 * PJ, 3 * 340 * PJ])


def test_voltage_scales_dynamic_on_chip_energy_by_v_squared():
    rows = price_variants(two_layer_trace(), toy(), {"operating_point.voltage_v": [0.9, 0.45]})
    base, half = rows.iloc[0], rows.iloc[1]
    # cv2 rule: (0.45 / 0.9)^2 = 0.25 on compute and neuron energy
    assert half.compute_j == pytest.approx(0.25 * base.compute_j)
    assert half.neuron_j == pytest.approx(0.25 * base.neuron_j)
    # memory: the on-chip level scales, the off-chip one does not. On-chip ('small') traffic of
    # the dense run: fc1 W 6400 + state 640 + 1280 + act lif1 40 + act fc2 660 = 9020 pJ of 53820
    assert half.memory_j == pytest.approx(base.memory_j - 0.75 * 9020 * PJ)
    assert half.static_j == base.static_j


def test_unknown_path_is_refused_with_a_hint():
    with pytest.raises(OverrideError, match=r"'memory.sram.capacity'.*memory.small.capacity"):
        price_variants(two_layer_trace(), toy(), {"memory.sram.capacity": [1]})


def test_undeclared_constant_cannot_be_swept():
    with pytest.raises(OverrideError, match=r"compute.bop.*undeclared"):
        price_variants(two_layer_trace(), toy(), {"compute.bop": [0.01]})


def test_invalid_plain_value_is_refused_before_pricing():
    with pytest.raises(ProfileError, match=r"execution.style"):
        price_variants(two_layer_trace(), toy(), {"execution.style": ["dense", "sparse"]})


def test_sourced_values_must_be_numbers():
    with pytest.raises(OverrideError, match=r"static_power: values must be numbers"):
        price_variants(two_layer_trace(), toy(), [{"static_power": "high"}])


def test_profiles_that_forbid_scaling_refuse_an_operating_point():
    with pytest.raises(ProfileError, match=r"technology.scaling is 'none'"):
        price_variants(two_layer_trace(), "loihi", {"operating_point.voltage_v": [0.6]})


def test_node_outside_the_scaling_table_is_refused():
    with pytest.raises(ScalingError, match=r"node 5 nm is outside"):
        price_variants(two_layer_trace(), "cmos45", {"operating_point.node_nm": [7.0, 5.0]})


@pytest.mark.parametrize("path", ["compute.width_rule", "technology.scaling",
                                  "memory.small.holds", "id"])
def test_structural_fields_cannot_be_swept(path):
    with pytest.raises(OverrideError, match=rf"'{path}' cannot be swept"):
        price_variants(two_layer_trace(), toy(), {path: [True]})


def test_an_override_the_pricing_never_reads_is_refused():
    # cmos45 prices at its reference technology unless an operating point is set, so moving the
    # reference voltage alone changes no figure (the README once swept exactly this key)
    trace = two_layer_trace()
    with pytest.raises(OverrideError, match="technology.voltage.*changes nothing.*operating_point"):
        price_variants(trace, "cmos45", {"technology.voltage": [0.7, 0.8, 0.9]})
    rows = price_variants(trace, "cmos45", {"operating_point.voltage_v": [0.7, 0.8, 0.9]})
    assert rows["energy_j"].is_monotonic_increasing and rows["energy_j"].nunique() == 3


def test_every_key_profiles_show_lists_can_be_swept():
    from neurocost.energy.params import Params, override_paths, sweepable
    from neurocost.energy.registry import load_profile

    keys = {path: (value, unit) for path, value, unit in sweepable(load_profile("cmos45"))}
    assert keys["memory.sram_8k.capacity"] == (8.0, "KiB")
    assert "operating_point.voltage_v" in keys and "technology.scaling" not in keys
    profile = load_profile("cmos45")
    assert override_paths(Params(profile), list(keys)) == list(keys)  # each accepted as a path
