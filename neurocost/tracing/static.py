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

from neurocost.models.contract import WeightStorage, dtype_bits, weight_storage
from neurocost.models.encodings import Encoding
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
        meta_model = copy.deepcopy(model).to("meta")
    else:
        with torch.device("meta"):
            meta_model = model()
    if isinstance(x, torch.Tensor):
        meta_x = torch.empty(x.shape, dtype=x.dtype, device="meta")
    else:
        meta_x = torch.empty(tuple(x), dtype=dtype, device="meta")
    result = trace(meta_model, meta_x, steps, input_encoding=input_encoding, batch_dim=batch_dim)
    result.model = f"{type(meta_model).__name__} (static: shapes only)"
    return result


@dataclass(frozen=True)
class ModelSize:
    """Parameter storage at declared widths.

    ``tensors``: one row per parameter (name, elements, bits_per_element, bits, and whether it
    is a layer's ``weight``); ``bits``: their sum; ``parameters``: the number of parameter
    elements.
    """

    tensors: pd.DataFrame

    @property
    def bits(self) -> float:
        return float(self.tensors["bits"].sum())

    @property
    def parameters(self) -> int:
        return int(self.tensors["elements"].sum())

    @property
    def bytes(self) -> float:
        return self.bits / 8

    @property
    def bits_per_weight(self) -> float:
        """Mean storage bits per stored weight entry; biases, norms and scales are not weights."""
        weights = self.tensors[self.tensors["weight"]]
        if weights.empty:
            raise ValueError("the model has no weights to average bits over")
        return float(weights["bits"].sum()) / int(weights["elements"].sum())


def model_size(model: nn.Module) -> ModelSize:
    """Storage of every parameter: a layer's ``weight`` at its declared ``bits_per_weight`` or
    ``weight_encoding`` width, every other parameter (biases, scales, norms) at its dtype width.

    A layer that stores only part of its weight tensor (one part of a partially binarised
    weight) declares ``stored_weight_elements``; those are counted at its encoding's width.
    """
    rows = []
    for module_name, module in model.named_modules():
        for param_name, param in module.named_parameters(recurse=False):
            storage = weight_storage(module) if param_name == "weight" else None
            if storage is None:
                storage = WeightStorage(param.numel(), float(dtype_bits(param)))
            name = f"{module_name}.{param_name}" if module_name else param_name
            rows.append((name, storage.elements, storage.bits_per_element, storage.bits,
                         param_name == "weight"))
    columns = ["name", "elements", "bits_per_element", "bits", "weight"]
    return ModelSize(pd.DataFrame(rows, columns=columns))
