"""Input tensors a user already has on disk, with optional labels.

One reader for every caller (``--input`` on the command line, ``input.file`` in sweep specs and
claims): ``.pt`` files written by ``torch.save`` (read weights-only, so no pickled code runs),
``.npy`` arrays and ``.npz`` archives. A file holds the input alone, or the input ``x`` with its
labels ``y`` (a ``.pt`` dict ``{"x": ..., "y": ...}`` or an ``.npz`` with arrays ``x`` and ``y``),
so accuracy can be measured on the same samples that are traced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from neurocost.errors import NeurocostError

_KEYS = ("x", "y")


class InputFileError(NeurocostError):
    """An input file that is missing, unreadable, or does not hold ``x`` (and ``y``) tensors."""


def read_input_file(path: str | Path, what: str = "input file") -> tuple[torch.Tensor,
                                                                        torch.Tensor | None]:
    """The input ``x`` and its labels ``y`` (None when the file has none) from ``path``;
    ``what`` names the field or option the path came from in every error message."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{what} {str(path)!r}: no such file")
    if path.suffix in (".npy", ".npz"):
        loaded = _read_numpy(path, what)
    else:
        from neurocost.models.weights import read_tensor_file

        loaded = read_tensor_file(path, what)
    if isinstance(loaded, dict):
        return _split(loaded, path, what)
    return _tensor(loaded, path, what, "the file"), None


def _read_numpy(path: Path, what: str) -> Any:
    try:
        if path.suffix == ".npy":
            return np.load(path, allow_pickle=False)
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError) as err:  # truncated, garbage or pickled arrays
        raise InputFileError(f"{what} {str(path)!r}: not a readable NumPy file ({err})") from None


def _split(loaded: dict[Any, Any], path: Path, what: str) -> tuple[torch.Tensor,
                                                                   torch.Tensor | None]:
    unknown = sorted(str(k) for k in loaded if k not in _KEYS)
    if "x" not in loaded or unknown:
        raise InputFileError(f"{what} {str(path)!r}: a mapping must hold 'x' (the input) and "
                             f"optionally 'y' (labels), got keys {sorted(map(str, loaded))}")
    x = _tensor(loaded["x"], path, what, "'x'")
    if "y" not in loaded:
        return x, None
    y = _tensor(loaded["y"], path, what, "'y'")
    if y.dim() != 1 or y.dtype.is_floating_point or y.dtype == torch.bool:
        raise InputFileError(f"{what} {str(path)!r}: labels 'y' must be one integer class per "
                             f"sample, got {y.dtype} of shape {list(y.shape)}")
    return x, y.long()


def _tensor(value: Any, path: Path, what: str, part: str) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise InputFileError(f"{what} {str(path)!r}: {part} is an object array, not numbers")
        value = torch.from_numpy(value)
    if not isinstance(value, torch.Tensor):
        raise InputFileError(f"{what} {str(path)!r}: {part} holds {type(value).__name__}, "
                             "not a tensor")
    return value
