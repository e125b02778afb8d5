"""Trace overhead against a plain no_grad forward of the same model and input, in one run.

Compare the two rows of the ``trace-vs-forward`` group: the target is trace <= 1.2x forward.
Peak memory growth is measured in fresh processes by ``python -m benchmarks.trace_memory``.
"""

from __future__ import annotations

import pytest
import torch

import neurocost as nc
from benchmarks.models import frames, plain_forward, wide_scnn


@pytest.fixture(scope="module")
def workload():
    torch.set_num_threads(2)
    return wide_scnn(), frames()


@pytest.mark.benchmark(group="trace-vs-forward")
def test_plain_forward(benchmark, workload):
    net, x = workload
    benchmark.pedantic(plain_forward, args=(net, x), rounds=7, warmup_rounds=1)


@pytest.mark.benchmark(group="trace-vs-forward")
def test_trace(benchmark, workload):
    net, x = workload
    tr = benchmark.pedantic(nc.trace, args=(net, x), rounds=7, warmup_rounds=1)
    assert tr.totals()["effective_acs"].value > 0
