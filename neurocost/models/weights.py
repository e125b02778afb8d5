"""Weights on disk: ``torch.save`` of a state dict, read back with ``torch.load(weights_only=True)``
so that loading a file never executes pickled code."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


def save_weights(model: nn.Module, path: str | Path) -> Path:
    """Write ``model.state_dict()`` to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path


def load_weights(model: nn.Module, path: str | Path) -> nn.Module:
    """Load a state dict saved by ``save_weights`` into ``model`` (strict key match)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"weights file {str(path)!r} does not exist")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise ValueError(
            f"weights file {str(path)!r} holds {type(state).__name__}, not a state dict"
        )
    model.load_state_dict(state)
    return model
