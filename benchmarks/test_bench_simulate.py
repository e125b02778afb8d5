"""Hardware simulation speed (issue 4).

* Aggregated mode on the 128-core Loihi architecture, T = 100, a 10-layer network (ten
  fully connected + Leaky stages, 784 -> 9 x 1000 -> 10, spike rate 0.1): target <= 1 s per call.
* Exact mode: spike packets simulated per second (``extra_info['packets_per_s']``, from the mean
  time; every packet is emitted, routed and integrated as its own event); target >= 200k/s.
"""

from __future__ import annotations

import pytest

from neurocost.energy.registry import load_profile
from neurocost.sim.simulate import simulate
from neurocost.sim.synthetic import chain_trace


@pytest.fixture(scope="module")
def loihi():
    architecture = load_profile("loihi").architecture
    assert int(architecture.cores.count.value) == 128
    return architecture


@pytest.mark.benchmark(group="simulate")
def test_aggregated_128_cores_100_steps_10_layers(benchmark, loihi):
    trace = chain_trace([784] + [1000] * 9 + [10], steps=100, rate=0.1, seed=0)
    timing = benchmark.pedantic(simulate, args=(trace, loihi), rounds=3, warmup_rounds=1)
    assert len(timing.layers) == 10
    assert timing.synops == trace.totals()["effective_acs"].value
    benchmark.extra_info["cores_used"] = len(timing.cores)
    benchmark.extra_info["jobs"] = len(timing.cores) * trace.steps


@pytest.mark.benchmark(group="simulate")
def test_exact_packets_per_second(benchmark, loihi):
    trace = chain_trace([784, 500, 500, 10], steps=20, rate=0.2, seed=0)
    timing = benchmark.pedantic(
        simulate, args=(trace, loihi), kwargs={"mode": "exact"}, rounds=3, warmup_rounds=1
    )
    packets = timing.packets + timing.input_packets
    assert packets > 10_000
    benchmark.extra_info["packets"] = packets
    benchmark.extra_info["packets_per_s"] = packets / benchmark.stats.stats.mean
