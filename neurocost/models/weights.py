"""Weights on disk: ``torch.save`` of a state dict, read back with ``torch.load(weights_only=True)``
so that loading a file never executes pickled code.

``read_tensor_file`` is the one reader of ``.pt`` files (weights and ``--input`` tensors): a
truncated, garbage or pickled-object file is a ``TensorFileError`` naming the file, not a
traceback from inside torch's unpickler.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from neurocost.errors import NeurocostError


class TensorFileError(NeurocostError):
    """A ``.pt`` file that cannot be read as tensors (truncated, garbage, or not weights-only)."""


def read_tensor_file(path: str | Path, what: str = "weights file") -> Any:
    """``torch.load(path, weights_only=True)`` on the CPU; any failure names ``what`` and the
    file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 (zip, pickle and torch errors of many types)
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise TensorFileError(
            f"{path}: {what} is not a readable torch tensor file ({type(err).__name__}: "
            f"{first[:300]})"
        ) from None


def save_weights(model: nn.Module, path: str | Path) -> Path:
    """Write ``model.state_dict()`` to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path


def load_weights(model: nn.Module, path: str | Path) -> nn.Module:
    """Load a state dict saved by ``save_weights`` into ``model`` (strict key match)."""
    path = Path(path)
    state = read_tensor_file(path)
    if not isinstance(state, dict):
        raise TensorFileError(
            f"weights file {str(path)!r} holds {type(state).__name__}, not a state dict"
        )
    try:
        model.load_state_dict(state)
    except RuntimeError as err:  # missing/unexpected keys, shape mismatches
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        raise TensorFileError(
            f"{path}: weights do not fit {type(model).__name__}: {' '.join(lines)[:500]}"
        ) from None
    return model
