"""Binary, k-bit, ternary, partially binarised layers and signed spikes: values and declarations."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from neurocost.models.encodings import BINARY, int_
from neurocost.models.layers import (
    ActQuantizer,
    BinaryConv2d,
    BinaryEmbedding,
    BinaryLinear,
    PartiallyBinarizedLinear,
    QuantConv2d,
    QuantLinear,
    TernaryLeaky,
    parse_precision,
)
from neurocost.models.layers.quantizers import quantize_weight


def test_binary_linear_applies_sign_times_row_mean_of_abs_weight() -> None:
    layer = BinaryLinear(3, 2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[0.5, -1.0, 1.5], [-0.2, 0.2, -0.8]]))
    # XNOR-Net scaling: alpha = mean |w| per output row -> 1.0 and 0.4
    expected = torch.tensor([[1.0, -1.0, 1.0], [-0.4, 0.4, -0.4]])
    assert torch.allclose(layer.effective_weight(), expected)
    x = torch.tensor([[0.3, -2.0, 0.0]])  # binarised to [+1, -1, +1] (0 maps to +1)
    assert torch.allclose(layer(x), F.linear(torch.tensor([[1.0, -1.0, 1.0]]), expected))


def test_sign_straight_through_gradient_is_clipped_at_one() -> None:
    layer = BinaryLinear(3, 1, bias=False)
    x = torch.tensor([[0.5, -1.5, 1.0]], requires_grad=True)
    layer(x).sum().backward()
    assert x.grad is not None
    assert x.grad[0, 1] == 0 and x.grad[0, 0] != 0 and x.grad[0, 2] != 0


def test_binary_layers_declare_their_operands() -> None:
    assert BinaryLinear(4, 4).input_encoding == BINARY
    assert BinaryLinear(4, 4).weight_encoding == BINARY
    weights_only = BinaryConv2d(2, 2, 3, binary_activations=False)
    assert weights_only.input_encoding is None and weights_only.weight_encoding == BINARY
    w4a4 = QuantLinear(4, 4, precision="W4A4")
    assert (w4a4.input_encoding, w4a4.weight_encoding) == (int_(4), int_(4))
    assert BinaryEmbedding(10, 4).weight_encoding == BINARY


@pytest.mark.parametrize(("preset", "bits"), [("W1A1", (1, 1)), ("w1a4", (1, 4)),
                                              ("W2A2", (2, 2)), ("W4A32", (4, 32))])
def test_parse_precision(preset: str, bits: tuple[int, int]) -> None:
    assert parse_precision(preset) == bits


@pytest.mark.parametrize("preset", ["W1", "A1W1", "W0A1", "W33A1"])
def test_parse_precision_rejects_malformed(preset: str) -> None:
    with pytest.raises(ValueError, match="precision|bits"):
        parse_precision(preset)


def test_ternary_weights_use_the_twn_threshold() -> None:
    w = torch.tensor([[1.0, -0.1, -2.0, 0.5]])
    # mean|w| = 0.9 -> threshold 0.7 * 0.9 = 0.63 keeps 1.0 and -2.0; scale = mean(1, 2) = 1.5
    assert torch.allclose(quantize_weight(w, 2), torch.tensor([[1.5, 0.0, -1.5, 0.0]]))


def test_k_bit_weights_take_at_most_2_to_the_k_minus_1_levels_per_row() -> None:
    torch.manual_seed(0)
    w = quantize_weight(torch.randn(3, 200), 4)
    for row in w:  # symmetric 4-bit: integers -7..7 times the row's scale -> <= 15 values
        assert 2 < row.unique().numel() <= 15


def test_quantised_conv_matches_float_conv_on_quantised_operands() -> None:
    torch.manual_seed(0)
    conv = QuantConv2d(2, 3, 3, padding=1, precision="W2A2")
    x = torch.randn(1, 2, 5, 5)
    expected = F.conv2d(conv.quantize_input(x), conv.effective_weight(), conv.bias, padding=1)
    assert torch.allclose(conv(x), expected)


def test_act_quantizer_tags_binary_and_emits_plus_minus_one() -> None:
    quantizer = ActQuantizer(1)
    assert quantizer.output_encoding == BINARY
    assert set(quantizer(torch.randn(100)).tolist()) == {-1.0, 1.0}


def test_partial_binarisation_of_pb_llm_gives_1_7_bits_per_weight() -> None:
    torch.manual_seed(0)
    layer = PartiallyBinarizedLinear(100, 50, salient_fraction=0.1, salient_bits=8)
    # PB-LLM (Shang et al., ICLR 2024): 10% salient at 8 bits, 90% at 1 bit -> 0.1*8 + 0.9*1
    assert layer.bits_per_weight == pytest.approx(1.7)
    assert int((layer.salient.effective_weight() != 0).sum()) <= 500
    overlap = (layer.salient.mask * layer.binary.mask).sum()
    assert overlap == 0 and (layer.salient.mask + layer.binary.mask).min() == 1
    x = torch.randn(4, 100)
    expected = F.linear(x, layer.effective_weight(), layer.binary.bias)
    assert torch.allclose(layer(x), expected, atol=1e-5)


def test_partial_binarisation_keeps_the_largest_weights() -> None:
    linear = torch.nn.Linear(4, 1, bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.1, -3.0, 0.2, 0.3]]))
    layer = PartiallyBinarizedLinear.from_linear(linear, salient_fraction=0.25, salient_bits=8)
    assert layer.salient.mask.tolist() == [[0.0, 1.0, 0.0, 0.0]]
    # the non-salient entries binarise to sign x mean(0.1, 0.2, 0.3) = 0.2
    assert torch.allclose(layer.binary.effective_weight(), torch.tensor([[0.2, 0.0, 0.2, 0.2]]))


def test_ternary_leaky_fires_both_ways_and_resets_towards_zero() -> None:
    neuron = TernaryLeaky(beta=0.5, init_hidden=True)
    outputs = [float(neuron(torch.tensor([v])).detach()) for v in (1.5, -2.5, 0.2)]
    # snnTorch Leaky with reset by subtraction, threshold 1, reset applied one step late:
    # m1 = 1.5 -> +1; m2 = 0.5*1.5 - 2.5 - 1 = -2.75 -> -1; m3 = 0.5*-2.75 + 0.2 + 1 = -0.175 -> 0
    assert outputs == [1.0, -1.0, 0.0]
    assert float(neuron.mem) == pytest.approx(-0.175)
