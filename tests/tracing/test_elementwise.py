"""Element-wise rows (``Trace.elementwise``) against brute force: each op run alone, its input
and output elements counted directly, and the strict refusal of weights hidden in a multiply."""

from __future__ import annotations

import pytest
import snntorch as snn
import torch
import torch.nn as nn
import torch.nn.functional as F

import neurocost as nc
from neurocost.tracing.recorder import UnsupportedOperation
from neurocost.tracing.trace_record import Trace

X = torch.randn(3, 4, 6, 6)

# module, its (kind, op), expected reduce (softmax row length / window), affine
MODULES = [
    (nn.BatchNorm2d(4), "norm", "batch_norm", 1, True),
    (nn.BatchNorm2d(4, affine=False), "norm", "batch_norm", 1, False),
    (nn.GroupNorm(2, 4), "norm", "group_norm", 1, True),
    (nn.LayerNorm([6]), "norm", "layer_norm", 1, True),
    (nn.InstanceNorm2d(4), "norm", "instance_norm", 1, False),
    (nn.ReLU(), "activation", "relu", 1, False),
    (nn.GELU(), "activation", "gelu", 1, False),
    (nn.PReLU(), "activation", "prelu", 1, True),
    (nn.Softmax(dim=1), "softmax", "softmax", 4, False),
    (nn.MaxPool2d(3), "pool", "max_pool2d", 9, False),
    (nn.AvgPool2d(2), "pool", "avg_pool2d", 4, False),
    (nn.AdaptiveAvgPool2d(2), "pool", "adaptive_avg_pool2d", 9, False),
    (nn.Upsample(scale_factor=2), "upsample", "upsample_nearest2d", 1, False),
]


@pytest.mark.parametrize(("module", "kind", "op", "reduce", "affine"), MODULES,
                         ids=[m[2] + ("" if m[4] else "-plain") for m in MODULES])
def test_a_module_call_is_one_row_with_its_element_counts(module, kind, op, reduce, affine):
    tr = nc.trace(nn.Sequential(module), X, steps=1)
    with torch.no_grad():
        out = module.eval()(X)
    rows = tr.elementwise
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row.kind, row.op, row.source, row.layer) == (kind, op, "module", "0")
    assert row.module_type == f"{type(module).__module__}.{type(module).__qualname__}"
    assert (row.in_elems, row.out_elems) == (X.numel(), out.numel())
    assert (row.reduce, bool(row.affine)) == (reduce, affine)
    assert tr.layers.empty  # element-wise work never enters the priced rows


class _Functional(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.gelu(x) + x  # activation, add
        y = y * 0.5  # mul by a scalar
        return torch.softmax(F.avg_pool2d(y, 2), dim=-1)


def test_functional_ops_are_op_rows_named_below_their_module():
    tr = nc.trace(_Functional(), X, steps=1)
    rows = tr.elementwise
    assert list(rows["op"]) == ["gelu", "add", "mul", "avg_pool2d", "softmax"]
    assert set(rows["source"]) == {"op"} and set(rows["module_type"]) == {""}
    assert list(rows["layer"]) == ["model:gelu#0", "model:add#0", "model:mul#0",
                                   "model:avg_pool2d#0", "model:softmax#0"]
    pooled = 3 * 4 * 3 * 3
    assert list(rows["out_elems"]) == [X.numel()] * 3 + [pooled, pooled]
    assert list(rows["reduce"]) == [1, 1, 1, 4, 3]  # avg window 2x2; softmax over width 3


@pytest.mark.parametrize("bias", [True, False])
def test_a_layer_bias_is_one_add_per_output_element(bias):
    model = nn.Sequential(nn.Conv2d(4, 5, 3, padding=1, bias=bias), nn.Flatten(),
                          nn.Linear(5 * 36, 7, bias=bias))
    tr = nc.trace(model, X, steps=1)
    rows = tr.elementwise
    if not bias:
        assert rows.empty
        return
    assert list(rows["layer"]) == ["0", "2"] and set(rows["kind"]) == {"bias"}
    assert list(rows["out_elems"]) == [3 * 5 * 36, 3 * 7]


def test_bias_rows_take_the_step_of_their_layer_call():
    model = nn.Sequential(nn.Linear(6, 4), snn.Leaky(0.9, init_hidden=True))
    x = (torch.rand(5, 2, 6) > 0.5).float()
    tr = nc.trace(model, x, input_encoding="spike")
    assert list(tr.elementwise["step"]) == list(range(5))
    assert list(tr.layers.loc[tr.layers["layer"] == "0", "step"]) == list(range(5))


def test_elementwise_rows_survive_a_round_trip():
    tr = nc.trace(nn.Sequential(nn.Linear(6, 4), nn.ReLU()), torch.randn(2, 6), steps=1)
    back = Trace.from_json(tr.to_json())
    assert back.elementwise.to_dict("records") == tr.elementwise.to_dict("records")
    assert list(tr.only(["1"]).elementwise["op"]) == ["relu"]


class _Hidden(nn.Module):
    """A weight applied by a broadcast multiply: a matrix product the tracer cannot see."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.randn(6, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.unsqueeze(-1) * self.w).sum(1)


class _LayerScale(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.full((6,), 0.1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma


def test_strict_mode_refuses_a_weight_hidden_in_a_broadcast_multiply():
    x = torch.randn(2, 6)
    with pytest.raises(UnsupportedOperation, match="broadcast aten.mul"):
        nc.trace(_Hidden(), x, steps=1)
    loose = nc.trace(_Hidden(), x, steps=1, strict=False)
    assert loose.coverage == 0.0
    assert loose.gaps[0].dense_ops == 2 * 6 * 3  # the broadcast product's elements


def test_a_per_channel_scale_is_an_elementwise_row_not_a_gap():
    tr = nc.trace(_LayerScale(), torch.randn(2, 6), steps=1)
    assert tr.coverage == 1.0 and list(tr.elementwise["op"]) == ["mul"]


def test_spikes_keep_their_encoding_through_a_pooling_module():
    """Leaky -> nn.MaxPool2d -> Conv2d: max pooling selects spikes, so the conv accumulates
    (``ac``) whether pooling is a module (one element-wise row) or a function."""
    model = nn.Sequential(snn.Leaky(0.5, init_hidden=True), nn.MaxPool2d(2),
                          nn.Conv2d(4, 2, 3))
    x = torch.rand(3, 2, 4, 8, 8) * 3
    tr = nc.trace(model, x)
    assert set(tr.layers.loc[tr.layers["layer"] == "2", "op_class"]) == {"ac"}
    pool = tr.elementwise[tr.elementwise["op"] == "max_pool2d"]
    assert len(pool) == 3 and set(pool["in_encoding"]) == {"spike"}
