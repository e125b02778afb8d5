"""Trace overhead against a plain no_grad forward of the same model and input, in one run.

Each benchmark times the trace and, in the same rounds, the plain forward; ``extra_info['ratio']``
is the median per-round ratio trace / forward, read against ``extra_info['target']``:
<= 1.2 at B=1 over 50 steps and <= 1.1 at B=32 (the snnTorch CNN of ``benchmarks.models``), and
<= 1.5 on the zoo's spiking models at B=1, T=4, everything the trace sets up per call (hooks,
fan-out maps, tables) included. Peak memory growth is measured in fresh processes by
``python -m benchmarks.trace_memory``.
"""

from __future__ import annotations

import pytest
import torch

import neurocost as nc
from benchmarks.models import frames, plain_forward, wide_scnn
from benchmarks.ratios import record_ratio
from neurocost.models.state import reset_state
from neurocost.tracing.workload import InputSpec, ModelRef, prepare

ZOO_SPIKING = ["scnn", "sew_resnet", "smlp", "spikformer", "spiking_bert"]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.mark.benchmark(group="trace-vs-forward")
@pytest.mark.parametrize(("batch", "steps", "target"), [(1, 50, 1.2), (32, 25, 1.1)])
def test_trace_vs_forward(benchmark, batch, steps, target):
    net, x = wide_scnn(), frames(batch, steps)
    tr = record_ratio(benchmark, lambda: nc.trace(net, x), lambda: plain_forward(net, x),
                      target, rounds=9 if batch > 1 else 21)
    assert tr.totals()["effective_acs"].value > 0


def _zoo_forward(model: torch.nn.Module, x: torch.Tensor) -> None:
    """The zoo model as a user runs it: state reset, one call per step, no autograd."""
    with torch.no_grad():
        reset_state(model)
        for t in range(x.shape[0]):
            model(x[t])


@pytest.mark.benchmark(group="zoo-trace-vs-forward")
@pytest.mark.parametrize("name", ZOO_SPIKING)
def test_zoo_trace_vs_forward(benchmark, name):
    work = prepare(ModelRef(source=f"zoo:{name}"), InputSpec(samples=1, steps=4))
    assert work.call == "per_step"
    record_ratio(benchmark, work.trace, lambda: _zoo_forward(work.model, work.x), 1.5,
                 rounds=21)
