"""Hardware simulation speed (issues 4 and 16).

* Aggregated mode on the 128-core Loihi architecture, T = 100, a 10-layer network (ten
  fully connected + Leaky stages, 784 -> 9 x 1000 -> 10, spike rate 0.1): target <= 1 s per call.
* Aggregated mode linear in busy cores x steps: the same 1000-wide stages, as many as fill
  128 cores (Loihi) or 1,024 cores (Loihi's mesh grown to 32 rows of tiles), T = 1,000.
  ``extra_info['us_per_core_step']`` must stay flat from 128 to 1,024 busy cores; target
  <= 20 s for the 1,024-core run.
* Exact mode: spike packets simulated per second (``extra_info['packets_per_s']``, from the mean
  time; every packet is emitted, routed and integrated as its own event); target >= 200k/s.
"""

from __future__ import annotations

import pytest

from neurocost.energy.registry import load_profile
from neurocost.provenance import Sourced
from neurocost.sim.architecture import Architecture
from neurocost.sim.simulate import simulate
from neurocost.sim.synthetic import chain_trace


@pytest.fixture(scope="module")
def loihi():
    architecture = load_profile("loihi").architecture
    assert int(architecture.cores.count.value) == 128
    return architecture


def grown(architecture: Architecture, rows: int) -> Architecture:
    """``architecture`` with its mesh grown to ``rows`` rows of the same tiles (all cores)."""
    mesh = architecture.mesh
    cores = rows * int(mesh.columns.value) * int(mesh.cores_per_tile.value)
    note = f"the chip's mesh grown to {rows} rows of its tiles, to time the simulator at scale"
    count = Sourced(value=cores, unit="count", source=note, basis="assumption")
    return architecture.model_copy(update={
        "cores": architecture.cores.model_copy(update={"count": count}),
        "mesh": mesh.model_copy(update={"rows": Sourced(value=rows, unit="count", source=note,
                                                         basis="assumption")}),
    })


@pytest.mark.benchmark(group="simulate")
def test_aggregated_128_cores_100_steps_10_layers(benchmark, loihi):
    trace = chain_trace([784] + [1000] * 9 + [10], steps=100, rate=0.1, seed=0)
    timing = benchmark.pedantic(simulate, args=(trace, loihi), rounds=3, warmup_rounds=1)
    assert len(timing.layers) == 10
    assert timing.synops == trace.totals()["effective_acs"].value
    benchmark.extra_info["cores_used"] = len(timing.cores)
    benchmark.extra_info["jobs"] = len(timing.cores) * trace.steps


# (chip cores, 1000-wide stages): the stages fill 119 of 128 and 1,015 of 1,024 cores
@pytest.mark.parametrize(("cores", "stages"), [(128, 15), (1024, 127)])
@pytest.mark.benchmark(group="simulate-scaling")
def test_aggregated_busy_cores_x_1000_steps(benchmark, loihi, cores, stages):
    chip = loihi if cores == 128 else grown(loihi, rows=cores // 32)
    trace = chain_trace([784] + [1000] * stages + [10], steps=1000, rate=0.1, seed=0)
    timing = benchmark.pedantic(simulate, args=(trace, chip), rounds=1, iterations=1)
    busy_cores = len(timing.cores)
    assert busy_cores > 0.9 * cores
    assert timing.synops == trace.totals()["effective_acs"].value
    benchmark.extra_info["busy_cores"] = busy_cores
    benchmark.extra_info["us_per_core_step"] = (
        benchmark.stats.stats.mean / (busy_cores * trace.steps) * 1e6
    )


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
