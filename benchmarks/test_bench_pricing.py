"""Vectorised pricing: 10,000 profile variants of one 10-layer trace per call.

Target (issue 3): >= 10,000 variants per second on the 2-core reference machine, i.e. one call
below 1 s. Read the figure from ``extra_info['variants_per_s']`` (computed from the mean time).
"""

from __future__ import annotations

import numpy as np
import pytest

from neurocost.energy.pricing import price, price_variants
from neurocost.energy.registry import load_profile
from neurocost.sim.synthetic import chain_trace

# 100 SRAM capacities x 100 supply voltages = 10,000 variants of cmos45.
GRID = {
    "memory.sram_8k.capacity": [float(k) for k in range(1, 101)],  # KiB
    "operating_point.voltage_v": [float(v) for v in np.linspace(0.6, 1.0, 100)],
}
VARIANTS = 100 * 100


@pytest.fixture(scope="module")
def ten_layer_trace():
    trace = chain_trace([256, 256, 256, 256, 256, 10], steps=8, rate=0.1, seed=0)
    assert trace.layers["layer"].nunique() == 10
    return trace


@pytest.mark.benchmark(group="pricing")
def test_price_10k_variants(benchmark, ten_layer_trace):
    profile = load_profile("cmos45")
    rows = benchmark.pedantic(price_variants, args=(ten_layer_trace, profile, GRID), rounds=5,
                              warmup_rounds=1)
    assert len(rows) == VARIANTS
    assert rows["energy_j"].notna().all()
    benchmark.extra_info["variants_per_s"] = VARIANTS / benchmark.stats.stats.mean


@pytest.mark.benchmark(group="price-one-trace")
@pytest.mark.parametrize("profile_id", ["cmos45", "loihi"])
def test_price_one_trace(benchmark, ten_layer_trace, profile_id):
    """The fixed cost of ``nc.price``: one estimate of one 10-layer trace (issue 16 target:
    <= 2 ms). ``loihi`` includes the mapped analytic timing of an event-driven chip."""
    profile = load_profile(profile_id)
    estimate = benchmark.pedantic(price, args=(ten_layer_trace, profile), rounds=50,
                                  warmup_rounds=3)
    assert estimate.energy_j > 0
