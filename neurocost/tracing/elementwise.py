"""Element-wise work as rows: bias additions, norms, softmax, activations, adds, muls, pooling.

Synaptic layers and neurons are what a trace prices; the element-wise work around them is what
FLOP counters (thop, fvcore, ptflops ...) add or leave out, each by its own rules. To reproduce
any of them, the trace records that work as rows of its own, in ``Trace.elementwise``, kept apart
from ``Trace.layers`` so that pricing, simulation and every figure built on synaptic rows are
unchanged by it.

A row is seen at one of two levels, said by ``source``:

- ``module``: a call of a known element-wise module (``nn.BatchNorm2d``, ``nn.ReLU``,
  ``nn.Upsample`` ...), counted whole; its own aten ops are not seen again. Bias additions of
  ``Linear``/``Conv`` modules are ``module`` rows of op ``bias`` named after the layer.
- ``op``: an aten op outside such modules (``x + y``, ``F.gelu``, ``torch.softmax`` ...), named
  like other ops found below module level (``owner:op#k``).

``module_type`` is the exact class of the module (``torch.nn.modules.activation.ReLU``) for
``module`` rows, which module-hook counters dispatch on; empty for ``op`` rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import torch
import torch.nn as nn

# Columns of ``Trace.elementwise``: name -> meaning. Element counts are summed over the batch.
COLUMNS: dict[str, str] = {
    "layer": "qualified module name, or ``owner:op#k`` for an op below module level",
    "kind": "bias | norm | softmax | activation | add | mul | pool | upsample",
    "op": "the specific operation (batch_norm, layer_norm, group_norm, instance_norm, relu, "
          "gelu, ..., max_pool2d, avg_pool1d, adaptive_avg_pool2d, mean, upsample_nearest2d, "
          "upsample_bilinear2d, add, sub, mul, div, bias); pools and upsampling name their "
          "spatial dimensions as the aten ops do",
    "source": "module (a module call counted whole) | op (an aten op outside such modules)",
    "module_type": "exact class of the module for module rows, else empty",
    "step": "time step index, 0-based",
    "in_elems": "elements of the first input",
    "out_elems": "elements of the output",
    "reduce": "elements each output reduces over: softmax dim length, pooling window (kernel "
              "product; input/output ratio for adaptive pooling); 1 otherwise",
    "affine": "True when a norm applies a learned scale and shift (or a PReLU its slope)",
    "in_encoding": "encoding of the first input",
    "weight_encoding": "encoding of a weight operand (norm scale, bias), empty when none",
    "batch": "samples in the traced batch",
}

_NORMS: tuple[tuple[type[nn.Module], str], ...] = (
    (nn.modules.batchnorm._BatchNorm, "batch_norm"), (nn.LayerNorm, "layer_norm"),
    (nn.GroupNorm, "group_norm"), (nn.modules.instancenorm._InstanceNorm, "instance_norm"),
)
_ACTIVATIONS: tuple[type[nn.Module], ...] = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh,
    nn.Hardswish, nn.Hardsigmoid, nn.Mish, nn.Softplus,
)
_POOLS: tuple[tuple[type[nn.Module], str], ...] = (
    (nn.modules.pooling._MaxPoolNd, "max_pool"), (nn.modules.pooling._AvgPoolNd, "avg_pool"),
    (nn.modules.pooling._AdaptiveAvgPoolNd, "adaptive_avg_pool"),
    (nn.modules.pooling._AdaptiveMaxPoolNd, "adaptive_max_pool"),
)


def module_op(module: nn.Module) -> tuple[str, str] | None:
    """(kind, op) of a module counted whole as element-wise work, or None."""
    for cls, op in _NORMS:
        if isinstance(module, cls):
            return "norm", op
    if isinstance(module, _ACTIVATIONS):
        return "activation", type(module).__name__.lower()
    if isinstance(module, (nn.Softmax, nn.LogSoftmax)):
        return "softmax", "softmax"
    for cls, op in _POOLS:
        if isinstance(module, cls):
            return "pool", op
    if isinstance(module, nn.Upsample):
        return "upsample", f"upsample_{module.mode}"
    return None


# Modules whose output holds a selection of their input's values, so the input's encoding
# survives (max pooling keeps spikes spikes); the module-level twin of ``tags.PRESERVING``.
VALUE_KEEPING = frozenset({"max_pool", "adaptive_max_pool"})


def module_row(module: nn.Module, kind: str, op: str, x: torch.Tensor,
               out: torch.Tensor) -> dict[str, Any]:
    """The counts of one element-wise module call (without layer, step and batch)."""
    reduce = 1
    if kind == "softmax":
        reduce = int(x.shape[module.dim]) if module.dim is not None else int(x[0].numel())
    elif op in ("max_pool", "avg_pool"):
        reduce = _prod(_tuple(module.kernel_size, x.dim() - 2))
    elif op.startswith("adaptive_"):
        reduce = max(1, x.numel() // max(1, out.numel()))
    if kind in ("pool", "upsample"):  # named like the aten op: max_pool2d, upsample_nearest2d
        op = f"{op}{x.dim() - 2}d"
    weight = getattr(module, "weight", None)
    affine = isinstance(weight, torch.Tensor)
    return {"kind": kind, "op": op, "source": "module", "module_type": qualname(module),
            "in_elems": x.numel(), "out_elems": out.numel(), "reduce": reduce,
            "affine": affine, "weight_encoding": "fp32" if affine else ""}


def bias_row(module: nn.Module, out: torch.Tensor) -> dict[str, Any] | None:
    """A ``Linear``/``Conv`` module's bias addition: one add per output element."""
    bias = getattr(module, "bias", None)
    if not isinstance(bias, torch.Tensor):
        return None
    return {"kind": "bias", "op": "bias", "source": "module", "module_type": qualname(module),
            "in_elems": out.numel(), "out_elems": out.numel(), "reduce": 1, "affine": True,
            "weight_encoding": "fp32"}


_aten = torch.ops.aten
# aten op -> (kind, op): element-wise work seen below module level.
ATEN_OPS: dict[Any, tuple[str, str]] = {}
for _names, _kind in (
    (("add", "sub"), "add"), (("mul", "div"), "mul"),
    (("relu", "gelu", "silu", "sigmoid", "tanh", "hardswish", "leaky_relu", "elu", "hardtanh",
      "_prelu_kernel"), "activation"),
    (("_softmax", "_log_softmax"), "softmax"),
    (("native_batch_norm", "_native_batch_norm_legit_no_training", "native_layer_norm",
      "native_group_norm"), "norm"),
    (("max_pool2d_with_indices", "max_pool1d", "avg_pool2d", "avg_pool1d",
      "_adaptive_avg_pool2d", "adaptive_max_pool2d", "mean"), "pool"),
    (("upsample_nearest2d", "upsample_bilinear2d", "upsample_nearest1d", "upsample_linear1d"),
     "upsample"),
):
    for _name in _names:
        if hasattr(_aten, _name):
            ATEN_OPS[getattr(_aten, _name)] = (_kind, _name)

_ATEN_NAMES = {
    "native_batch_norm": "batch_norm", "_native_batch_norm_legit_no_training": "batch_norm",
    "native_layer_norm": "layer_norm", "native_group_norm": "group_norm",
    "_softmax": "softmax", "_log_softmax": "softmax", "_prelu_kernel": "prelu",
    "max_pool2d_with_indices": "max_pool2d", "_adaptive_avg_pool2d": "adaptive_avg_pool2d",
}


def op_row(packet: Any, args: tuple, out: Any) -> dict[str, Any] | None:
    """The counts of one element-wise aten op, or None when it does no arithmetic here (an
    in-place add on a scalar counter, a tensor that is not floating point)."""
    kind, name = ATEN_OPS[packet]
    first = out[0] if isinstance(out, (tuple, list)) else out
    x = args[0] if args and isinstance(args[0], torch.Tensor) else None
    if x is None or not isinstance(first, torch.Tensor):
        return None
    op = _ATEN_NAMES.get(name, name)
    reduce, affine = 1, False
    if kind == "softmax":
        reduce = int(x.shape[args[1]]) if x.dim() else 1
    elif kind == "pool":
        reduce = _prod(_tuple(args[1], x.dim() - 2)) if op[:4] in ("max_", "avg_") else \
            max(1, x.numel() // max(1, first.numel()))
    elif kind == "norm":
        weight_at = 2 if op == "layer_norm" else 1  # native_layer_norm(x, shape, weight, ..)
        affine = len(args) > weight_at and isinstance(args[weight_at], torch.Tensor)
    elif name == "_prelu_kernel":
        affine = True
    return {"kind": kind, "op": op, "source": "op", "module_type": "", "in_elems": x.numel(),
            "out_elems": first.numel(), "reduce": reduce, "affine": affine,
            "weight_encoding": "fp32" if affine else ""}


def hidden_contraction(packet: Any, args: tuple, out: Any,
                       is_weight: Callable[[torch.Tensor], bool]) -> bool:
    """Whether a multiply applies a weight by broadcasting the activation against it.

    ``(x.unsqueeze(-1) * w).sum(1)`` is a matrix product written element-wise: the product is
    larger than the activation, and the reduction that follows is where the synaptic work lies.
    A per-channel scale (``x * gamma``) keeps the activation's size and is an element-wise row.
    """
    if ATEN_OPS[packet][0] != "mul" or not isinstance(out, torch.Tensor):
        return False
    tensors = [a for a in args[:2] if isinstance(a, torch.Tensor)]
    weights = [t for t in tensors if is_weight(t)]
    others = [t for t in tensors if not is_weight(t)]
    return bool(weights) and bool(others) and out.numel() > max(t.numel() for t in others)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``Trace.elementwise`` from the recorder's rows (an empty frame with the columns if none:
    a copy of one made once, since most traces have no element-wise row outside modules)."""
    if not rows:
        return _EMPTY.copy()
    return pd.DataFrame(rows, columns=list(COLUMNS))


_EMPTY = pd.DataFrame(columns=list(COLUMNS))


def qualname(module: nn.Module) -> str:
    """The module's exact class as ``package.module.Class``."""
    cls = type(module)
    return f"{cls.__module__}.{cls.__qualname__}"


def _tuple(value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value) if len(value) == n else (int(value[0]),) * n
    return (int(value),) * n


def _prod(values: tuple[int, ...]) -> int:
    result = 1
    for v in values:
        result *= v
    return result
