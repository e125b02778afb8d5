"""The ``thop``, ``fvcore``, ``mmengine`` and ``ptflops`` conventions equal the real tools, to
the digit.

Oracles: thop 0.1.1, fvcore 0.1.5, mmengine 0.10, ptflops 0.7.5 (dev dependencies), each run on
the same model and input as the trace, on twelve architectures (``tests/energy/architectures.py``).
thop, fvcore and mmengine report per batch; conventions per sample, so the comparison multiplies
by the batch. ptflops divides its module hooks by the batch but not its patched functions, so
its figure is per sample only at batch 1, which is what it builds by default; it runs on the
first sample.
"""

from __future__ import annotations

import io
import logging
import warnings

import pytest
import torch

import neurocost as nc
from neurocost.energy.conventions import get_convention
from tests.energy.architectures import ARCHITECTURES

thop = pytest.importorskip("thop")
fvcore_nn = pytest.importorskip("fvcore.nn")
mmengine_analysis = pytest.importorskip("mmengine.analysis")
try:
    import ptflops
except (ImportError, RuntimeError):  # ptflops imports torchvision.ops when torchvision is there,
    ptflops = None  # and a torchvision built for another torch raises RuntimeError on import

def _tool(tool: str, model: torch.nn.Module, x: torch.Tensor) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            if tool == "thop":
                return float(thop.profile(model, inputs=(x,), verbose=False)[0])
            if tool == "ptflops":
                macs, _ = ptflops.get_model_complexity_info(
                    model, tuple(x.shape[1:]), input_constructor=lambda _: x,
                    as_strings=False, print_per_layer_stat=False, ost=io.StringIO())
                return float(macs)
            cls = fvcore_nn.FlopCountAnalysis if tool == "fvcore" else \
                mmengine_analysis.FlopAnalyzer
            analysis = cls(model, (x,))
            analysis.unsupported_ops_warnings(False)
            analysis.uncalled_modules_warnings(False)
            return float(analysis.total())
        finally:
            logging.disable(logging.NOTSET)


@pytest.mark.slow
@pytest.mark.parametrize("arch", list(ARCHITECTURES))
@pytest.mark.parametrize("tool", ["thop", "fvcore", "mmengine", "ptflops"])
def test_convention_equals_the_tool(arch: str, tool: str) -> None:
    torch.manual_seed(0)
    model, x = ARCHITECTURES[arch]()
    model.eval()
    if tool == "ptflops":
        if ptflops is None:
            pytest.skip("ptflops is not importable here")
        x = x[:1]
    tr = nc.trace(model, x, steps=1)
    ours = get_convention(tool).counts(tr)["ops"].value * tr.batch_size
    assert ours == _tool(tool, model, x)
    assert ours > 0


def test_the_tools_differ_where_their_rules_do() -> None:
    """Not one rule under three names: on a UNet with GroupNorm and bilinear upsampling thop
    counts no GroupNorm but 11 ops per upsampled element, fvcore 5 per GroupNorm element and 4
    per upsampled one."""
    model, x = ARCHITECTURES["unet_bilinear"]()
    tr = nc.trace(model.eval(), x, steps=1)
    thop_ops = get_convention("thop").counts(tr)["elementwise_ops"].value
    fvcore_ops = get_convention("fvcore").counts(tr)["elementwise_ops"].value
    ew = tr.elementwise
    up = float(ew.loc[ew["op"] == "upsample_bilinear2d", "out_elems"].sum()) / tr.batch_size
    gn = ew[ew["op"] == "group_norm"]
    gn_ops = float((gn["in_elems"] * gn["affine"].map({True: 5, False: 4})).sum()) / tr.batch_size
    assert thop_ops == 11 * up
    assert fvcore_ops == 4 * up + gn_ops


def test_exact_border_counts_fewer_than_nominal_on_padded_convs() -> None:
    model, x = ARCHITECTURES["cnn"]()
    tr = nc.trace(model.eval(), x, steps=1)
    nominal = get_convention("thop").counts(tr)["macs"].value
    exact = nc.energy.counters.Thop("thop", "2", "", border="exact").counts(tr)["macs"].value
    assert exact == float(tr.layers["dense_ops"].sum()) / tr.batch_size
    assert exact < nominal


class _SpelledAdd(torch.nn.Module):
    """A residual add written as ``torch.add``: ptflops patches that spelling, not ``x + y``."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(8, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.add(self.fc(x), x)


def test_ptflops_difference_on_a_spelling_the_trace_cannot_see() -> None:
    """ptflops counts ``torch.add`` (one op per element) but not ``+``; both are aten.add to the
    trace, and the convention assumes the operator spelling: the difference is the add's
    elements, asserted here and stated in ``neurocost.energy.counters``."""
    if ptflops is None:
        pytest.skip("ptflops is not importable here")
    model, x = _SpelledAdd().eval(), torch.randn(1, 8)
    tr = nc.trace(model, x, steps=1)
    ours = get_convention("ptflops").counts(tr)["ops"].value
    assert _tool("ptflops", model, x) - ours == x.numel()


def _snn_cnn(padding: int) -> torch.nn.Module:
    import snntorch as snn

    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=padding), snn.Leaky(0.9, init_hidden=True),
        torch.nn.Conv2d(4, 4, 3, padding=padding), snn.Leaky(0.9, init_hidden=True),
        torch.nn.Flatten(), torch.nn.LazyLinear(5), snn.Leaky(0.9, init_hidden=True))


@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("encoding", ["analog", "spike"])
def test_spikingjelly_counters_equal_the_convention(padding: int, encoding: str) -> None:
    """Oracle: SpikingJelly 2.0 ``SynOpCounter`` and ``MACCounter`` in its dispatch mode, stepping
    an snnTorch CNN four times on analog frames or Bernoulli spikes. SpikingJelly is not a dev
    dependency: its wheel requires torchvision, which does not install beside the pinned CPU
    torch; install it with ``pip install --no-deps spikingjelly==2.0.0`` to run this test."""
    oc = pytest.importorskip("spikingjelly.activation_based.op_counter")
    from neurocost.models.state import reset_state

    torch.manual_seed(0)
    model = _snn_cnn(padding)
    x = torch.rand(4, 2, 1, 8, 8)
    model(x[0])  # materialise the lazy layer
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(3)  # so that the neurons fire
    x = (x > 0.5).float() if encoding == "spike" else x
    tr = nc.trace(model, x, input_encoding="spike" if encoding == "spike" else None)
    counters = [oc.SynOpCounter(), oc.MACCounter()]
    reset_state(model)
    with torch.no_grad(), oc.DispatchCounterMode(counters, strict=False):
        for t in range(x.shape[0]):
            model(x[t])
    ours = get_convention("spikingjelly").counts(tr)
    assert ours["synops"].value * tr.batch_size == counters[0].get_total()
    assert ours["macs"].value * tr.batch_size == counters[1].get_total()
    assert ours["synops"].value > 0
