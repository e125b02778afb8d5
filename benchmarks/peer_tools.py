"""Each peer counter run the way its own documentation shows, one function per tool.

Every function returns the tool's figures per sample (summed over time steps): ``macs``, ``acs``
and ``dense`` where the tool reports them. A tool's rules are its own (what counts as a MAC or an
AC, whether bias and pooling count): these functions convert units only, never rules. How each
tool counts is described in the project's peer survey and on ``docs/benchmarks.md``.
"""

from __future__ import annotations

import functools
import io
import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import torch
from torch import nn

import neurocost as nc
from neurocost.energy.conventions import get_convention
from neurocost.models.state import reset_state

Counts = dict[str, float]


class TimeLoop(nn.Module):
    """A stepwise network called once over a whole sequence, for tools that make one call.

    Resets the network's state, then calls it on each step of ``x`` along ``time_dim`` (0 for
    time-first ``[T, B, ...]``; 1 for ``[B, T, ...]``, what syops' batch counter reads).
    """

    def __init__(self, net: nn.Module, time_dim: int = 0) -> None:
        super().__init__()
        self.net, self.time_dim = net, time_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        reset_state(self.net)
        steps = [_spikes(self.net(x_t)) for x_t in x.unbind(self.time_dim)]
        return torch.stack(steps)


def _spikes(out: torch.Tensor | tuple[torch.Tensor, ...]) -> torch.Tensor:
    return out[0] if isinstance(out, tuple) else out


@contextmanager
def _quiet() -> Iterator[None]:
    """Peers warn about every module they do not count; those warnings are not results."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(logging.NOTSET)


def neurocost_trace(net: nn.Module, x: torch.Tensor, encoding: str | None) -> Counts:
    """``nc.trace``: exact effective MACs and ACs; dense as padding-included MACs."""
    tr = nc.trace(net, x, input_encoding=encoding)
    totals = tr.totals()
    acs = totals["effective_acs"].value + totals["effective_signed_acs"].value
    dense = get_convention("op-counter").counts(tr)["macs"].value
    return {"macs": totals["effective_macs"].value, "acs": acs, "dense": dense}


def neurobench(net: nn.Module, x: torch.Tensor, encoding: str | None) -> Counts:
    """NeuroBench 2.x ``SynapticOperations`` through ``Benchmark.run`` (data as ``[B, T, ...]``)."""
    from neurobench.benchmarks import Benchmark
    from neurobench.metrics.workload import SynapticOperations
    from neurobench.models import SNNTorchModel

    batch = x.shape[1]
    data = torch.utils.data.TensorDataset(x.transpose(0, 1), torch.zeros(batch))
    loader = torch.utils.data.DataLoader(data, batch_size=batch)
    bench = Benchmark(SNNTorchModel(net), loader, [], [], [[], [SynapticOperations]])
    ops = bench.run(quiet=True)["SynapticOperations"]
    return {"macs": ops["Effective_MACs"], "acs": ops["Effective_ACs"], "dense": ops["Dense"]}


def spikingjelly(net: nn.Module, x: torch.Tensor, encoding: str | None) -> Counts:
    """SpikingJelly 2.x ``op_counter``: ``SynOpCounter`` and ``MACCounter`` in its dispatch mode
    (totals per batch, divided by the batch here)."""
    from spikingjelly.activation_based import op_counter

    synops, macs = op_counter.SynOpCounter(), op_counter.MACCounter()
    with torch.no_grad(), op_counter.DispatchCounterMode([synops, macs], strict=False):
        TimeLoop(net)(x)
    batch = x.shape[1]
    return {"macs": macs.get_total() / batch, "acs": synops.get_total() / batch}


@functools.cache
def _import_syops():
    """syops 0.0.5 imports three neuron classes that SpikingJelly 2.x folded into
    ``step_mode="m"``. Placeholders stand in for them during the import only; they are never
    instantiated, so syops matches no module against them (our models have no SpikingJelly
    neurons, and snnTorch neurons are zero-op to syops either way)."""
    from unittest import mock

    from spikingjelly.activation_based import neuron

    names = ("MultiStepIFNode", "MultiStepLIFNode", "MultiStepParametricLIFNode")
    with mock.patch.multiple(neuron, create=True,
                             **{n: type(n, (nn.Module,), {}) for n in names}):
        import syops
        import syops.engine
    return syops, syops.engine


def syops(net: nn.Module, x: torch.Tensor, encoding: str | None) -> Counts:
    """syops 0.0.5 ``get_model_complexity_info`` with a data loader of the real input.

    After each batch syops resets the model with SpikingJelly's ``functional.reset_net``, which
    calls ``reset()`` on every module that has one; snnTorch neurons hold a tensor there, so the
    engine's reset is swapped for ``reset_state`` for the call (the peer survey's shim)."""
    package, engine = _import_syops()
    batch = x.shape[1]
    data = torch.utils.data.TensorDataset(x.transpose(0, 1), torch.zeros(batch))
    loader = torch.utils.data.DataLoader(data, batch_size=batch)
    saved = engine.functional
    engine.functional = SimpleNamespace(reset_net=reset_state)
    try:
        ops, _ = package.get_model_complexity_info(
            TimeLoop(net, time_dim=1), tuple(x.shape[2:]), dataloader=loader, as_strings=False,
            print_per_layer_stat=False, ost=io.StringIO())
    finally:
        engine.functional = saved
    return {"macs": float(ops[2]), "acs": float(ops[1]), "dense": float(ops[0])}


def thop(model: nn.Module, x: torch.Tensor, batch: int) -> float:
    """thop ``profile``: MACs per call, divided by ``batch``."""
    import thop as thop_package

    with _quiet():
        macs, _ = thop_package.profile(model, inputs=(x,), verbose=False)
    return float(macs) / batch


def fvcore(model: nn.Module, x: torch.Tensor, batch: int) -> float:
    """fvcore ``FlopCountAnalysis(...).total()`` (one "flop" is one MAC), divided by ``batch``.

    Run under ``no_grad``: fvcore's TorchScript trace refuses a tensor that requires grad as a
    constant, which a stepwise model's state is after any forward with autograd on (the second
    count of the same snnTorch model would fail)."""
    from fvcore.nn import FlopCountAnalysis

    with _quiet(), torch.no_grad():
        analysis = FlopCountAnalysis(model, (x,))
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return float(analysis.total()) / batch


def _import_ptflops():
    """ptflops imports ``torchvision.ops`` only to count ``DeformConv2d`` and skips it on an
    ImportError; the torchvision that SpikingJelly pulls in is built for another torch and raises
    RuntimeError instead. So torchvision is hidden during the import, as if not installed (none
    of our models has a deformable convolution)."""
    hidden = ("torchvision", "torchvision.ops")
    saved = {name: sys.modules[name] for name in hidden if name in sys.modules}
    sys.modules.update(dict.fromkeys(hidden))
    try:
        from ptflops import get_model_complexity_info
    finally:
        for name in hidden:
            del sys.modules[name]
        sys.modules.update(saved)
    return get_model_complexity_info


def ptflops(model: nn.Module, x: torch.Tensor, batch: int) -> float:
    """ptflops ``get_model_complexity_info`` (pytorch backend) on ``x``; per sample at batch 1
    only, since its patched functions are not divided by the batch."""
    get_model_complexity_info = _import_ptflops()
    if batch != 1:
        raise ValueError(f"ptflops counts per sample only at batch 1, got batch {batch}")
    with _quiet():
        macs, _ = get_model_complexity_info(
            model, tuple(x.shape[1:]), input_constructor=lambda _: x, as_strings=False,
            print_per_layer_stat=False, ost=io.StringIO())
    return float(macs)


def neurocost_static(model: nn.Module, x: torch.Tensor) -> nc.Trace:
    """``nc.count_static``: dense counts from shapes alone; a tool's figure is then a view of
    the trace under that tool's convention (``static_view``)."""
    return nc.count_static(model, x.shape)


def static_view(tr: nc.Trace, convention: str) -> float:
    """Per-sample figure of ``tr`` under ``convention``: ``op-counter`` gives the synaptic MACs,
    ``thop``, ``fvcore`` or ``ptflops`` that tool's total by its own rules."""
    counts = get_convention(convention).counts(tr)
    return counts["macs" if convention == "op-counter" else "ops"].value
