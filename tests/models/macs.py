"""A forward-hook MAC counter, independent of ``neurocost.trace``, for paper-figure checks.

Counts dense multiply-accumulates of every Linear / Conv2d per sample, grouped by whether the
layer is binary (declares BINARY input and weight encodings) or real-valued.
"""

from __future__ import annotations

import torch
from torch import nn

from neurocost.models.encodings import BINARY


def dense_macs_by_kind(model: nn.Module, x: torch.Tensor) -> dict[str, int]:
    """``{"binary": ..., "real": ...}`` dense MACs per sample for one call of ``model`` on ``x``."""
    totals = {"binary": 0, "real": 0}

    def hook(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        per_output = module.weight[0].numel()  # in_channels/groups x kernel, or in_features
        binary = (getattr(module, "input_encoding", None) == BINARY
                  and getattr(module, "weight_encoding", None) == BINARY)
        totals["binary" if binary else "real"] += out[0].numel() * per_output

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Linear, nn.Conv2d))]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return totals
