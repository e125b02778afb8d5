"""Counts from shapes alone (meta device) and parameter storage at declared widths."""

from __future__ import annotations

import torch
import torch.nn as nn

import neurocost as nc
from neurocost.models.encodings import BINARY
from neurocost.tracing.static import copy_to_meta


class _Binary(nn.Linear):
    weight_encoding = BINARY
    input_encoding = BINARY


def _net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         _Binary(8 * 6 * 6, 10))


def test_static_counts_equal_a_trace_on_all_nonzero_data():
    torch.manual_seed(0)
    model = _net()
    with torch.no_grad():
        model[0].weight.copy_(model[0].weight.sign() + (model[0].weight == 0))
    x = torch.rand(2, 3, 6, 6) + 0.1
    static = nc.count_static(model, x).layers
    real = nc.trace(model, x, steps=1).layers
    for column in ("dense_ops", "effective_ops", "nominal_ops", "weight_bits_read"):
        assert static[column].tolist() == real[column].tolist()
    assert static.op_class.tolist() == ["mac", "bop"]


def test_static_leaves_the_model_untouched_and_accepts_a_factory():
    model = _net()
    from_module = nc.count_static(model, (1, 3, 6, 6))
    from_factory = nc.count_static(_net, (1, 3, 6, 6))
    assert next(model.parameters()).device.type == "cpu"
    assert from_module.layers.dense_ops.tolist() == from_factory.layers.dense_ops.tolist()


def test_the_meta_copy_keeps_shared_weights_shared_and_the_original_whole():
    """A tied embedding and head stay one parameter in the copy; the original keeps its values."""
    embed, head = nn.Embedding(5, 4), nn.Linear(4, 5, bias=False)
    head.weight = embed.weight
    model = nn.Sequential(embed, head)
    before = embed.weight.detach().clone()
    copy = copy_to_meta(model)
    assert copy[0].weight is copy[1].weight
    assert copy[0].weight.is_meta and copy[0].weight.shape == (5, 4)
    assert torch.equal(model[0].weight, before) and model[0].weight is model[1].weight


def test_norms_activations_and_softmax_are_counted_from_shapes_as_a_trace_counts_them():
    """On the meta copy they return their input's shape without running; every row, element-wise
    ones included, counts what a trace of the real model counts (ReLU zeros aside)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                          nn.Flatten(), nn.Linear(64, 8), nn.LayerNorm(8), nn.GELU(),
                          nn.Linear(8, 5), nn.Softmax(dim=-1)).eval()
    x = torch.rand(2, 3, 6, 6) + 0.1
    static = nc.count_static(model, x)
    real = nc.trace(model, x, steps=1)
    assert static.elementwise.equals(real.elementwise)
    for column in ("dense_ops", "nominal_ops", "in_elems", "out_elems", "in_encoding"):
        assert static.layers[column].tolist() == real.layers[column].tolist()


def test_nominal_count_includes_padding_positions():
    tr = nc.count_static(nn.Conv2d(1, 1, 3, padding=1), (1, 1, 4, 4))
    # textbook: 16 outputs x 9 taps; exact borders: each axis has 4*3 - 2 in-bounds taps
    assert tr.layers.nominal_ops[0] == 16 * 9
    assert tr.layers.dense_ops[0] == (4 * 3 - 2) ** 2


def test_model_size_uses_declared_widths():
    size = nc.model_size(_net())
    rows = size.tensors.set_index("name")
    assert rows.loc["3.weight", "bits"] == 10 * 288 * 1  # binary weights: 1 bit each
    assert rows.loc["3.bias", "bits"] == 10 * 32
    assert rows.loc["0.weight", "bits"] == 8 * 3 * 9 * 32
    assert size.parameters == 8 * 27 + 8 + 10 * 288 + 10


def test_partially_binarised_weights_store_1_7_bits_each():
    from neurocost.models.layers.partial import PartiallyBinarizedLinear

    size = nc.model_size(PartiallyBinarizedLinear(40, 25, bias=False))
    # PB-LLM: 10% of weights at 8 bits, 90% at 1 bit -> 0.1 * 8 + 0.9 * 1 = 1.70 bits/weight
    assert size.parameters == 40 * 25
    assert abs(size.bits_per_weight - 1.70) < 1e-9


def test_convolutions_and_quantised_layers_are_counted_from_shapes_as_a_trace_counts_them():
    """Convolutions (stride, dilation, "same", "valid", groups), neurocost's binary and
    quantised layers and activation quantisers return shapes by formula on the meta copy; the
    counts equal a trace of the real model, op classes and encodings included."""
    from neurocost.models.layers import BinaryConv2d, BinaryLinear
    from neurocost.models.layers.quantized import ActQuantizer, QuantConv1d

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.Conv2d(8, 8, 3, padding="same", groups=2),
        BinaryConv2d(8, 8, 3, dilation=2, padding="valid"), nn.Flatten(2), ActQuantizer(4),
        QuantConv1d(8, 6, 3, stride=2, weight_bits=4, act_bits=4), nn.Conv1d(6, 4, 1),
        nn.Flatten(), BinaryLinear(4 * 17, 10)).eval()
    with torch.no_grad():  # every weight non-zero, so dense and effective counts coincide
        for conv in (model[0], model[1], model[6]):
            conv.weight.copy_(conv.weight.sign() + (conv.weight == 0))
    x = torch.rand(2, 3, 19, 19) + 0.1
    static = nc.count_static(model, x).layers
    real = nc.trace(model, x, steps=1).layers
    for column in ("dense_ops", "nominal_ops", "in_elems", "out_elems", "op_class",
                   "in_encoding", "weight_encoding"):
        assert static[column].tolist() == real[column].tolist(), column
