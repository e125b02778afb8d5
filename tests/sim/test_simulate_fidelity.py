"""The aggregated simulation against the exact per-packet one, on small networks.

Both fidelities must count the same synaptic ops, neuron updates, packets and hops, and the
aggregated latency must stay within 5 % of the exact one. Measured on this grid (2 chips x 4
networks x {barrier, free-running} x {pipelined or not}, seed 1): the largest difference is
0.12 % (toy chip, [100, 300, 120, 10], pipelined barrier); reproduce with
``pytest tests/sim/test_simulate_fidelity.py -q -rA`` (each case prints its difference).
"""

from __future__ import annotations

import itertools

import pytest

from neurocost.energy.registry import load_profile
from neurocost.sim.simulate import simulate
from neurocost.sim.synthetic import chain_trace
from tests.sim.toy_chip import toy_chip

NETWORKS = [([64, 48, 32, 10], 0.2), ([100, 300, 120, 10], 0.1), ([200, 250, 250, 10], 0.3),
            ([784, 500, 10], 0.05)]
SYNC = list(itertools.product((False, True), ("barrier", "free_running")))


def _chip(name: str, pipeline: bool, sync: str):
    chip = toy_chip() if name == "toy" else load_profile("loihi").architecture
    return chip.model_copy(
        update={"pipeline": pipeline, "sync": chip.sync.model_copy(update={"mode": sync})}
    )


@pytest.mark.parametrize(("pipeline", "sync"), SYNC)
@pytest.mark.parametrize(("sizes", "rate"), NETWORKS)
@pytest.mark.parametrize("chip_name", ["toy", "loihi"])
def test_aggregated_matches_exact(chip_name, sizes, rate, pipeline, sync):
    chip = _chip(chip_name, pipeline, sync)
    trace = chain_trace(sizes, steps=4, rate=rate, seed=1)
    aggregated = simulate(trace, chip, mode="aggregated")
    exact = simulate(trace, chip, mode="exact")
    counts = ("synops", "neuron_updates", "packets", "input_packets", "hops_ew", "hops_ns")
    assert [getattr(aggregated, c) for c in counts] == [getattr(exact, c) for c in counts]
    difference = aggregated.latency_s / exact.latency_s - 1
    print(f"{chip_name} {sizes} rate={rate} pipeline={pipeline} {sync}: {difference:+.4%}")
    assert abs(difference) <= 0.05
