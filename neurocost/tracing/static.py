"""Counts from the architecture alone: dense ops and model size from shapes and declared widths.

Paper claims ("22.5 G FLOPs", "4.82e9 BOPs", "417.6 MiB") are stated for an architecture, not for
data. ``count_static`` runs the traced model on the ``meta`` device, where tensors have shapes but
no values, so no arithmetic is done and no memory is spent on weights; every input element and
weight is taken as non-zero (effective = dense) and activity-dependent figures (spikes) are zero.
``model_size`` sums parameter storage at the declared widths.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import torch
import torch.nn as nn
from torch.overrides import TorchFunctionMode
from torch.utils._device import _device_constructors

from neurocost.models.contract import (
    WeightStorage,
    dtype_bits,
    storage_overheads,
    weight_storage,
)
from neurocost.models.encodings import Encoding
from neurocost.models.layers.quantized import (
    ActQuantizer,
    QuantConv1d,
    QuantConv2d,
    QuantLinear,
)
from neurocost.tracing import elementwise
from neurocost.tracing.trace import trace
from neurocost.tracing.trace_record import Trace


def count_static(
    model: nn.Module | Callable[[], nn.Module],
    x: torch.Tensor | Sequence[int],
    steps: int | None = 1,
    *,
    input_encoding: str | Encoding | None = None,
    dtype: torch.dtype = torch.float32,
    batch_dim: int | None = None,
) -> Trace:
    """Dense counts of ``model`` for an input of this shape, without running any arithmetic.

    Args:
        model: a module (copied to the meta device; the original is untouched) or a zero-argument
            factory, which is then built directly on the meta device (no weight memory at all).
        x: an example tensor or just the input shape; only its shape and dtype are used.
        steps, input_encoding, batch_dim: as for ``trace``.
        dtype: element type of the input when ``x`` is a shape (``torch.long`` for token ids).
    """
    if isinstance(model, nn.Module):
        meta_model = copy_to_meta(model)
    else:
        meta_model = build_on_meta(model)
    if isinstance(x, torch.Tensor):
        meta_x = torch.empty(x.shape, dtype=x.dtype, device="meta")
    else:
        meta_x = torch.empty(tuple(x), dtype=dtype, device="meta")
    _skip_shape_only_work(meta_model)
    result = trace(meta_model, meta_x, steps, input_encoding=input_encoding, batch_dim=batch_dim)
    result.model = f"{type(meta_model).__name__} (static: shapes only)"
    return result


def copy_to_meta(model: nn.Module) -> nn.Module:
    """A copy of ``model`` on the meta device; its weights are never copied (a copy of the model
    with its weights would cost what the weights weigh). Shared parameters stay shared."""
    memo: dict[int, object] = {}
    for param in model.parameters():
        memo[id(param)] = nn.Parameter(torch.empty_like(param, device="meta"),
                                       requires_grad=param.requires_grad)
    for buffer in model.buffers():
        memo[id(buffer)] = torch.empty_like(buffer, device="meta")
    return copy.deepcopy(model, memo).to("meta")


_SHAPE_KEEPING = frozenset({"norm", "activation", "softmax"})


def _skip_shape_only_work(meta_model: nn.Module) -> None:
    """Let modules of the (private) meta copy whose output shape needs no running return an
    empty output of that shape: norms, activations and softmax (their input's shape), plain
    ``nn.Linear`` and ``nn.Conv1d/2d`` layers and neurocost's quantised ones (their binarised
    weights and inputs included). Their rows are counted from shapes alone, and torch's meta
    kernels for them are Python decompositions that cost more than the rest of the count.
    An in-place module returns its input itself, as it does when it runs."""
    for module in meta_model.modules():
        if type(module) is nn.Linear or isinstance(module, QuantLinear):
            module.forward = _linear_output(module.out_features)
            continue
        if type(module) in (nn.Conv1d, nn.Conv2d) or isinstance(module, (QuantConv1d, QuantConv2d)):
            module.forward = _conv_output(module)
            continue
        if type(module) is ActQuantizer:
            module.forward = _returns_like_input
            continue
        op = elementwise.module_op(module)
        if op is not None and op[0] in _SHAPE_KEEPING:
            in_place = bool(getattr(module, "inplace", False))
            module.forward = _returns_input if in_place else _returns_like_input


def _linear_output(out_features: int) -> Callable[..., torch.Tensor]:
    def forward(input: torch.Tensor) -> torch.Tensor:  # noqa: A002  (nn.Linear's name)
        return input.new_empty((*input.shape[:-1], out_features))
    return forward


def _conv_output(conv: nn.Conv1d | nn.Conv2d) -> Callable[..., torch.Tensor]:
    """``conv``'s output shape from torch's formula, per spatial dimension:
    ``(L + 2 p - d (k - 1) - 1) // s + 1`` (``"same"`` keeps L, ``"valid"`` pads nothing)."""
    def forward(input: torch.Tensor) -> torch.Tensor:  # noqa: A002  (nn.Conv's name)
        spatial = input.shape[-len(conv.kernel_size):]
        sizes = []
        for i, length in enumerate(spatial):
            if conv.padding == "same":
                sizes.append(length)
                continue
            pad = 0 if conv.padding == "valid" else conv.padding[i]
            reach = conv.dilation[i] * (conv.kernel_size[i] - 1) + 1
            sizes.append((length + 2 * pad - reach) // conv.stride[i] + 1)
        leading = input.shape[:-len(spatial) - 1]
        return input.new_empty((*leading, conv.out_channels, *sizes))
    return forward


def _returns_input(input: torch.Tensor, *args: object,  # noqa: A002  (the modules' name)
                   **kwargs: object) -> torch.Tensor:
    return input


def _returns_like_input(input: torch.Tensor, *args: object,  # noqa: A002
                        **kwargs: object) -> torch.Tensor:
    return torch.empty_like(input)


_CONSTRUCTORS = _device_constructors()


class _MetaExceptConstants(TorchFunctionMode):
    """Like ``torch.device("meta")``, except for tensors made from Python values
    (``torch.tensor(0.9)``, ``torch.as_tensor(beta)``), which stay real.

    snnTorch neurons turn their constants into tensors and branch on them in ``__init__``
    (``if self.reset_mechanism_val == 0``), which a meta tensor cannot answer; their data come
    from Python anyway, so keeping them costs no weight memory.
    """

    _FROM_DATA = frozenset({torch.tensor, torch.as_tensor, torch.asarray, torch.scalar_tensor})

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        if func in _CONSTRUCTORS and func not in self._FROM_DATA and \
                kwargs.get("device") is None:
            kwargs["device"] = "meta"
        return func(*args, **kwargs)


def build_on_meta(factory: Callable[[], nn.Module]) -> nn.Module:
    """``factory()`` with its parameters and buffers on the meta device: no weight memory, and
    snnTorch neurons construct (their Python constants are made real, then moved to meta)."""
    with _MetaExceptConstants():
        model = factory()
    return model.to("meta")


@dataclass(frozen=True)
class ModelSize:
    """Storage as a checkpoint holds it, at declared widths.

    ``tensors``: one row per stored tensor or declared overhead (name, kind, elements,
    bits_per_element, bits, and whether it is a layer's ``weight``). ``kind`` is ``parameter``
    (each parameter once, however many modules share it: a tied embedding and LM head),
    ``buffer`` (persistent buffers: BatchNorm running statistics, snnTorch neuron constants;
    what ``state_dict`` saves) or ``overhead`` (masks, indices, scales a layer declares in
    ``storage_overheads``). ``bits``: their sum; ``parameters``: the parameter elements.
    """

    tensors: pd.DataFrame

    @property
    def bits(self) -> float:
        return float(self.tensors["bits"].sum())

    @property
    def parameters(self) -> int:
        params = self.tensors[self.tensors["kind"] == "parameter"]
        return int(params["elements"].sum())

    @property
    def bytes(self) -> float:
        return self.bits / 8

    @property
    def bits_per_weight(self) -> float:
        """Stored bits per weight entry, the overheads that decode the weights included (masks,
        indices, scales); biases, norms and buffers are not weights."""
        t = self.tensors
        weights = t[t["weight"]]
        if weights.empty:
            raise ValueError("the model has no weights to average bits over")
        overhead = float(t.loc[t["kind"] == "overhead", "bits"].sum())
        return (float(weights["bits"].sum()) + overhead) / int(weights["elements"].sum())


def model_size(model: nn.Module) -> ModelSize:
    """Storage of what a checkpoint holds: a layer's ``weight`` at its declared
    ``bits_per_weight`` or ``weight_encoding`` width, every other parameter (biases, scales,
    norms) and every persistent buffer at its dtype width, declared overheads as declared.

    A parameter shared by several modules is stored once (the first module that holds it
    declares its width). A layer that stores only part of its weight tensor (one part of a
    partially binarised weight) declares ``stored_weight_elements``; those are counted at its
    encoding's width.
    """
    rows = []
    seen: set[int] = set()
    for module_name, module in model.named_modules():
        prefix = f"{module_name}." if module_name else ""
        for param_name, param in module.named_parameters(recurse=False):
            if id(param) in seen:
                continue
            seen.add(id(param))
            storage = weight_storage(module) if param_name == "weight" else None
            if storage is None:
                storage = WeightStorage(param.numel(), float(dtype_bits(param)))
            rows.append((prefix + param_name, "parameter", storage.elements,
                         storage.bits_per_element, storage.bits, param_name == "weight"))
        skip = module._non_persistent_buffers_set
        for buffer_name, buffer in module.named_buffers(recurse=False):
            if buffer_name in skip or buffer is None or id(buffer) in seen:
                continue
            seen.add(id(buffer))
            bits = float(dtype_bits(buffer)) if buffer.dtype != torch.bool else 1.0
            rows.append((prefix + buffer_name, "buffer", buffer.numel(), bits,
                         buffer.numel() * bits, False))
        for overhead, bits in storage_overheads(module).items():
            rows.append((prefix + overhead, "overhead", 0, 0.0, bits, False))
    columns = ["name", "kind", "elements", "bits_per_element", "bits", "weight"]
    return ModelSize(pd.DataFrame(rows, columns=columns))
