"""The simulator counts each kernel's logical work exactly as the references do.

Each test builds the torch layer that does the same job as a kernel, traces it with
``nc.trace`` and checks (a) the layer's output equals the kernel's NumPy reference, so the two
compute the same thing, and (b) the trace's counts equal the work the reference implies
(``neurocost.hw.reference.work``): bit-ops for binary GEMM/conv, synaptic events for spike
accumulation, neuron updates and spikes for LIF.
"""

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import neurocost as nc
from neurocost.hw.reference import work
from neurocost.hw.reference.bconv import bconv2d_im2col
from neurocost.hw.reference.bgemm import pm1_dot_unpacked
from neurocost.hw.reference.conv_geometry import ConvGeometry
from neurocost.hw.reference.layout import pack_bits, unpack_bits
from neurocost.hw.reference.spikes import lif_steps, spike_gather_csr
from neurocost.models.encodings import BINARY


def _sign(t: torch.Tensor) -> torch.Tensor:
    return torch.where(t >= 0, 1.0, -1.0)


class _BinaryLinear(nn.Linear):
    """+-1 activations x +-1 weights: the layer bgemm_popc / bgemm_bmma compute."""

    input_encoding = BINARY
    weight_encoding = BINARY

    def effective_weight(self) -> torch.Tensor:
        return _sign(self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(_sign(x), self.effective_weight())


class _BinaryConv2d(nn.Conv2d):
    """+-1 activations x +-1 weights, zero padding: the layer bconv2d_popc computes."""

    input_encoding = BINARY
    weight_encoding = BINARY

    def effective_weight(self) -> torch.Tensor:
        return _sign(self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(_sign(x), self.effective_weight(), None)


def _rows(trace, op_class):
    return trace.layers[trace.layers["op_class"] == op_class]


def test_binary_linear_bops_equal_bgemm_work():
    torch.manual_seed(0)
    batch, k, n = 5, 300, 70
    layer = _BinaryLinear(k, n, bias=False)
    x = _sign(torch.randn(batch, k))
    trace = nc.trace(layer, x, steps=1, input_encoding="binary")
    rows = _rows(trace, "bop")
    assert len(rows) == 1
    assert int(rows["effective_ops"].sum()) == work.bgemm_bops(batch, n, k)

    a01 = (x > 0).numpy()
    b01 = (layer.effective_weight() > 0).numpy()
    np.testing.assert_array_equal(layer(x).detach().numpy(), pm1_dot_unpacked(a01, b01))


def test_binary_conv_bops_equal_bconv_work_with_borders():
    torch.manual_seed(1)
    batch, c_in, c_out = 2, 40, 12
    geometry = ConvGeometry(in_h=9, in_w=7, kh=3, kw=3, stride=2, padding=1, dilation=1)
    layer = _BinaryConv2d(c_in, c_out, 3, stride=2, padding=1, bias=False)
    x = _sign(torch.randn(batch, c_in, 9, 7))
    trace = nc.trace(layer, x, steps=1, input_encoding="binary")
    rows = _rows(trace, "bop")
    assert int(rows["effective_ops"].sum()) == work.bconv2d_bops(batch, c_in, c_out, geometry)

    x_pm1 = x.numpy().astype(np.int64)
    w_pm1 = layer.effective_weight().detach().numpy().astype(np.int64)
    np.testing.assert_array_equal(
        layer(x).detach().numpy(), bconv2d_im2col(x_pm1, w_pm1, geometry)
    )


@pytest.mark.parametrize("density", [0.0, 0.02, 0.5, 1.0])
def test_spike_linear_acs_equal_gather_events(density):
    torch.manual_seed(2)
    steps, batch, k, n = 4, 3, 200, 30
    layer = nn.Linear(k, n, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(n, k).clamp(min=1e-3) * torch.sign(torch.randn(n, k)))
    spikes = (torch.rand(steps, batch, k) < density).float()
    trace = nc.trace(layer, spikes, input_encoding="spike")
    rows = _rows(trace, "ac")
    assert len(rows) == steps

    weights_t = layer.weight.detach().numpy().T
    for t in range(steps):
        words, _ = pack_bits(spikes[t].numpy())
        row = rows[rows["step"] == t]
        assert int(row["effective_ops"].sum()) == work.synaptic_events(words, fan_out=n)
        np.testing.assert_allclose(
            layer(spikes[t]).detach().numpy(), spike_gather_csr(words, weights_t), atol=1e-4
        )


def test_lif_updates_and_spikes_equal_reference():
    import snntorch as snn

    torch.manual_seed(3)
    steps, batch, k, n = 6, 2, 20, 48
    model = nn.Sequential(nn.Linear(k, n), snn.Leaky(beta=0.9, threshold=1.0, init_hidden=True))
    x = torch.rand(steps, batch, k) * 2
    trace = nc.trace(model, x)

    with torch.no_grad():
        currents = model[0](x).numpy()
    expected = lif_steps(currents, np.zeros((batch, n)), beta=0.9, threshold=1.0)
    neuron_rows = trace.layers[trace.layers["op_class"] == ""]
    assert int(neuron_rows["neuron_updates"].sum()) == work.neuron_updates(steps, batch, n)
    assert int(neuron_rows["spikes_out"].sum()) == int(expected.counts.sum())
    assert int(unpack_bits(expected.spike_words, n).sum()) == int(expected.counts.sum())
