"""MNIST from files a user already has, in torchvision's layout, without torchvision:
``ROOT/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` (optionally ``.gz``), where ROOT
is what was passed to ``torchvision.datasets.MNIST(root=...)``.

The IDX format (LeCun's MNIST page): two zero bytes, a type code (0x08 = unsigned byte), the
number of dimensions, each dimension as a big-endian int32, then the data in C order.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch

from neurocost.models.datasets import LabelledData

_UBYTE = 0x08
_PIXEL_MAX = 255.0


def read_idx(path: str | Path) -> np.ndarray:
    """The unsigned-byte array stored in an IDX file (plain or gzip)."""
    path = Path(path)
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic {raw[:4].hex()})")
    if raw[2] != _UBYTE:
        raise ValueError(f"{path}: IDX type code 0x{raw[2]:02x} is not unsigned byte (0x08)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(raw[4:header], dtype=">i4"))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise ValueError(f"{path}: header says {shape} ({expected} bytes) but "
                         f"{len(raw) - header} bytes follow")
    return np.frombuffer(raw[header:], dtype=np.uint8).reshape(shape)


def _find(raw_dir: Path, stem: str) -> Path:
    for candidate in (raw_dir / stem, raw_dir / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"MNIST file {stem!r} (or .gz) not found in {str(raw_dir)!r}")


def load_mnist(root: str | Path) -> LabelledData:
    """MNIST as ``[N, 1, 28, 28]`` floats in [0, 1] with the official train/test split."""
    raw_dir = Path(root) / "MNIST" / "raw"
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"{str(raw_dir)!r} does not exist (torchvision layout expected)")
    splits = []
    for prefix in ("train", "t10k"):
        images = read_idx(_find(raw_dir, f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(_find(raw_dir, f"{prefix}-labels-idx1-ubyte"))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{raw_dir}: {prefix} images {images.shape} and labels "
                             f"{labels.shape} do not match")
        splits.append((torch.from_numpy(images.astype(np.float32) / _PIXEL_MAX)[:, None],
                       torch.from_numpy(labels.astype(np.int64))))
    (train_x, train_y), (test_x, test_y) = splits
    return LabelledData("mnist", train_x, train_y, test_x, test_y, classes=10)
