"""Torch implementations of the ONNX operators ``import_onnx`` understands, without weights.

Each entry maps an op type to ``fn(attributes, *inputs) -> output``. Weighted ops (Conv, Gemm,
MatMul against an initializer) become modules in ``onnx_import``; everything here is data
movement, element-wise arithmetic, normalisation or a reduction, plus MatMul between two
activations (attention), which the tracer counts at the aten level.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from neurocost.errors import NeurocostError

Attrs = dict[str, Any]

# Most elements an op may create from a shape the graph supplies (2^28 float32 = 1 GiB): a
# hostile ConstantOfShape([10^6, 10^6]) must fail with a message, not allocate until killed.
MAX_ELEMENTS = 2**28


class OnnxSizeError(NeurocostError):
    """A shape in an ONNX graph that is negative or asks for more than ``MAX_ELEMENTS``."""
OpFn = Callable[..., torch.Tensor]

_DTYPES = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 11: torch.float64}


def _ints(t: torch.Tensor) -> list[int]:
    return [int(v) for v in t.flatten().tolist()]


def checked_shape(op: str, dims: list[int]) -> list[int]:
    """``dims`` if every one is >= 0 and their product is at most ``MAX_ELEMENTS``."""
    if any(d < 0 for d in dims) or math.prod(dims) > MAX_ELEMENTS:
        raise OnnxSizeError(
            f"{op}: shape {dims} is negative or holds more than {MAX_ELEMENTS:,} elements"
        )
    return dims


def _range(a: Attrs, start: torch.Tensor, limit: torch.Tensor,
           delta: torch.Tensor) -> torch.Tensor:
    step = delta.item()
    if step == 0:
        raise OnnxSizeError("Range: delta is 0")
    count = max(math.ceil((limit.item() - start.item()) / step), 0)
    checked_shape("Range", [count])
    return torch.arange(start.item(), limit.item(), step)


def _reduce(fn: Callable[..., torch.Tensor]) -> OpFn:
    def run(a: Attrs, x: torch.Tensor, axes: torch.Tensor | None = None) -> torch.Tensor:
        dims = a.get("axes") if axes is None else _ints(axes)
        keep = bool(a.get("keepdims", 1))
        if not dims:
            return fn(x, dim=tuple(range(x.dim())), keepdim=keep)
        return fn(x, dim=tuple(dims), keepdim=keep)

    return run


def _amax(x: torch.Tensor, dim: tuple[int, ...], keepdim: bool) -> torch.Tensor:
    return torch.amax(x, dim=dim, keepdim=keepdim)


def _slice(a: Attrs, x: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor,
           axes: torch.Tensor | None = None, steps: torch.Tensor | None = None) -> torch.Tensor:
    axis_list = _ints(axes) if axes is not None else list(range(len(_ints(starts))))
    step_list = _ints(steps) if steps is not None else [1] * len(axis_list)
    index = [slice(None)] * x.dim()
    for axis, start, end, step in zip(axis_list, _ints(starts), _ints(ends), step_list,
                                      strict=True):
        size = x.shape[axis]
        index[axis] = slice(max(min(start, size), -size), max(min(end, size), -size - 1), step)
    return x[tuple(index)]


def _pool_padding(a: Attrs) -> list[int]:
    pads = a.get("pads", [0, 0, 0, 0])
    half = len(pads) // 2
    if pads[:half] != pads[half:]:
        raise ValueError(f"asymmetric pooling pads {pads} are not supported")
    return pads[:half]


def _gather(a: Attrs, data: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    axis = a.get("axis", 0) % data.dim()
    picked = torch.index_select(data, axis, index.flatten().long())
    return picked.reshape(*data.shape[:axis], *index.shape, *data.shape[axis + 1 :])


def _layer_norm(a: Attrs, x: torch.Tensor, scale: torch.Tensor,
                bias: torch.Tensor | None = None) -> torch.Tensor:
    axis = a.get("axis", -1) % x.dim()
    return F.layer_norm(x, x.shape[axis:], scale, bias, a.get("epsilon", 1e-5))


def _batch_norm(a: Attrs, x: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor,
                mean: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
    return F.batch_norm(x, mean, var, scale, bias, False, 0.0, a.get("epsilon", 1e-5))


def _prelu(a: Attrs, x: torch.Tensor, slope: torch.Tensor) -> torch.Tensor:
    return torch.where(x >= 0, x, x * slope)


def _clip(a: Attrs, x: torch.Tensor, low: torch.Tensor | None = None,
          high: torch.Tensor | None = None) -> torch.Tensor:
    return torch.clamp(x, None if low is None else float(low), None if high is None else
                       float(high))


OPS: dict[str, OpFn] = {
    "Identity": lambda a, x: x,
    "Add": lambda a, x, y: x + y,
    "Sub": lambda a, x, y: x - y,
    "Mul": lambda a, x, y: x * y,
    "Div": lambda a, x, y: x / y if x.is_floating_point() else torch.div(
        x, y, rounding_mode="floor"),
    "Pow": lambda a, x, y: torch.pow(x, y),
    "Sqrt": lambda a, x: torch.sqrt(x),
    "Erf": lambda a, x: torch.erf(x),
    "Tanh": lambda a, x: torch.tanh(x),
    "Sigmoid": lambda a, x: torch.sigmoid(x),
    "Relu": lambda a, x: torch.relu(x),
    "Neg": lambda a, x: -x,
    "Abs": lambda a, x: torch.abs(x),
    "Round": lambda a, x: torch.round(x),
    "Not": lambda a, x: torch.logical_not(x),
    "Equal": lambda a, x, y: torch.eq(x, y),
    "Greater": lambda a, x, y: torch.gt(x, y),
    "GreaterOrEqual": lambda a, x, y: torch.ge(x, y),
    "Less": lambda a, x, y: torch.lt(x, y),
    "Where": lambda a, c, x, y: torch.where(c, x, y),
    "Cast": lambda a, x: x.to(_DTYPES[a["to"]]),
    "Clip": _clip,
    "Softmax": lambda a, x: torch.softmax(x, dim=a.get("axis", -1)),
    "Transpose": lambda a, x: x.permute(*a["perm"]) if "perm" in a else x.permute(
        *reversed(range(x.dim()))),
    "Reshape": lambda a, x, s: x.reshape(
        [x.shape[i] if v == 0 else v for i, v in enumerate(_ints(s))]),
    "Flatten": lambda a, x: x.flatten(a.get("axis", 1)).reshape(
        int(torch.tensor(x.shape[: a.get("axis", 1)]).prod()), -1),
    "Concat": lambda a, *xs: torch.cat(xs, dim=a["axis"]),
    "Shape": lambda a, x: torch.tensor(x.shape, dtype=torch.int64),
    "Gather": _gather,
    "Slice": _slice,
    "Unsqueeze": lambda a, x, axes: x.reshape(_unsqueezed(x.shape, _ints(axes))),
    "Squeeze": lambda a, x, axes=None: x.squeeze() if axes is None else x.squeeze(
        tuple(_ints(axes))),
    "ReduceSum": _reduce(torch.sum),
    "ReduceMean": _reduce(torch.mean),
    "ReduceMax": _reduce(_amax),
    "MatMul": lambda a, x, y: torch.matmul(x, y),
    "MaxPool": lambda a, x: F.max_pool2d(x, a["kernel_shape"], a.get("strides", 1),
                                         _pool_padding(a)),
    "AveragePool": lambda a, x: F.avg_pool2d(x, a["kernel_shape"], a.get("strides", 1),
                                             _pool_padding(a),
                                             count_include_pad=bool(a.get("count_include_pad",
                                                                          0))),
    "GlobalAveragePool": lambda a, x: x.mean(dim=tuple(range(2, x.dim())), keepdim=True),
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "PRelu": _prelu,
    "Trilu": lambda a, x, k=None: torch.triu(x, int(k) if k is not None else 0) if a.get(
        "upper", 1) else torch.tril(x, int(k) if k is not None else 0),
    "Expand": lambda a, x, s: x * torch.ones(checked_shape("Expand", _ints(s)), dtype=x.dtype),
    "ConstantOfShape": lambda a, s: torch.full(checked_shape("ConstantOfShape", _ints(s)),
                                               a["value"].item() if "value" in a else 0.0),
    "Range": _range,
}


def _unsqueezed(shape: torch.Size, axes: list[int]) -> list[int]:
    out = list(shape)
    rank = len(shape) + len(axes)
    for axis in sorted(a % rank for a in axes):
        out.insert(axis, 1)
    return out
