"""``count_static`` against fvcore's FlopCountAnalysis, and on BERT-base at sequence 128.

Targets: no slower than fvcore on every zoo entry (``extra_info['ratio']`` = median per-round
count_static / fvcore time, target 1.0), and <= 1 s for BERT-base (Hugging Face
``BertModel(BertConfig())``, batch 1, 128 tokens; ``extra_info['target_s']``).

Both count the same work: one call of the model on the zoo entry's example input (one step of a
model called per step). fvcore traces the real model on real data with ``torch.jit.trace``;
count_static copies it to the meta device and runs it on shapes.
"""

from __future__ import annotations

import logging
import warnings

import pytest
import torch

from benchmarks.ratios import record_ratio
from neurocost.models import zoo
from neurocost.models.optional import import_transformers
from neurocost.models.state import reset_state
from neurocost.tracing.static import count_static
from neurocost.tracing.workload import InputSpec, ModelRef, prepare

fvcore_nn = pytest.importorskip("fvcore.nn")


@pytest.fixture(scope="module", autouse=True)
def quiet_one_thread():
    torch.set_num_threads(1)
    logging.disable(logging.WARNING)  # fvcore logs every op it does not count
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # and jit.trace warns on Python branches
        yield
    logging.disable(logging.NOTSET)


def _fvcore(model: torch.nn.Module, x: torch.Tensor) -> float:
    reset_state(model)
    with torch.no_grad():
        analysis = fvcore_nn.FlopCountAnalysis(model, (x,))
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return float(analysis.total())


@pytest.mark.benchmark(group="static-vs-fvcore")
@pytest.mark.parametrize("name", zoo.names())
def test_count_static_vs_fvcore(benchmark, name):
    work = prepare(ModelRef(source=f"zoo:{name}"), InputSpec(samples=1))
    if work.call == "per_step":  # one step: x[:1] for count_static, x[0] for fvcore
        x, steps, call_x = work.x[:1], None, work.x[0]
    else:
        x, steps, call_x = work.x, work.trace_steps, work.x
    tr = record_ratio(benchmark, lambda: count_static(work.model, x, steps,
                                                      input_encoding=work.encoding),
                      lambda: _fvcore(work.model, call_x), 1.0, rounds=5)
    assert tr.totals()["dense_ops"].value > 0


@pytest.mark.benchmark(group="static-bert-base")
@pytest.mark.parametrize("given", ["module", "factory"])
def test_count_static_bert_base(benchmark, given):
    transformers = import_transformers()
    config = transformers.BertConfig()

    def factory() -> torch.nn.Module:
        return transformers.BertModel(config).eval()

    model = factory() if given == "module" else factory
    tokens = torch.zeros(1, 128, dtype=torch.long)
    tr = benchmark.pedantic(count_static, args=(model, tokens), rounds=5, warmup_rounds=1)
    benchmark.extra_info.update(target_s=1.0, median_s=benchmark.stats.stats.median)
    assert tr.totals()["dense_macs"].value > 1e10
