"""MNIST (torchvision layout, IDX files) and N-MNIST (40-bit event files) readers, on tiny
fixture files written here."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from neurocost.models.mnist import load_mnist, read_idx
from neurocost.models.nmnist import events_to_frames, load_nmnist, read_events


def _idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_mnist(root: Path, compress: bool) -> dict[str, np.ndarray]:
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (3, 28, 28)),
        "train-labels-idx1-ubyte": np.array([5, 0, 4]),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (2, 28, 28)),
        "t10k-labels-idx1-ubyte": np.array([7, 2]),
    }
    for name, array in arrays.items():
        data = _idx(array)
        if compress:
            (raw / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (raw / name).write_bytes(data)
    return arrays


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_reads_torchvision_layout(tmp_path: Path, compress: bool) -> None:
    arrays = _write_mnist(tmp_path, compress)
    data = load_mnist(tmp_path)
    assert data.train_x.shape == (3, 1, 28, 28) and data.test_x.shape == (2, 1, 28, 28)
    assert data.train_y.tolist() == [5, 0, 4] and data.test_y.tolist() == [7, 2]
    expected = torch.from_numpy(arrays["t10k-images-idx3-ubyte"][1] / 255.0).float()
    assert torch.allclose(data.test_x[1, 0], expected)


def test_idx_with_wrong_length_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(_idx(np.array([1, 2, 3]))[:-1])
    with pytest.raises(ValueError, match="header says"):
        read_idx(path)


def test_missing_mnist_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "MNIST" / "raw").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


def _event_bytes(x: int, y: int, polarity: int, time_us: int) -> bytes:
    """One 40-bit N-MNIST event: x, y, then polarity (bit 23) and timestamp (bits 22-0)."""
    word = (polarity << 23) | time_us
    return bytes([x, y, word >> 16, (word >> 8) & 0xFF, word & 0xFF])


def test_events_decode_fields_and_overflow(tmp_path: Path) -> None:
    path = tmp_path / "00001.bin"
    path.write_bytes(_event_bytes(3, 4, 1, 100) + _event_bytes(0, 240, 0, 0)
                     + _event_bytes(33, 0, 0, 8000))
    events = read_events(path)
    # the y = 240 marker is dropped and adds 2^13 = 8192 us to the events after it
    assert events.tolist() == [(3, 4, 100, 1), (33, 0, 8000 + 8192, 0)]


def test_events_decode_like_tonic(tmp_path: Path) -> None:
    tonic_io = pytest.importorskip("tonic.io")
    rng = np.random.default_rng(1)
    path = tmp_path / "00002.bin"
    path.write_bytes(b"".join(_event_bytes(int(rng.integers(34)), int(rng.integers(34)),
                                           int(rng.integers(2)), int(t))
                              for t in sorted(rng.integers(0, 300_000, 50))))
    ours = read_events(path)
    theirs = tonic_io.read_mnist_file(str(path), dtype=ours.dtype)
    assert ours.tolist() == theirs.tolist()


def test_frames_bin_events_by_time_and_polarity() -> None:
    events = np.array([(1, 2, 0, 1), (1, 2, 149_999, 1), (5, 6, 150_000, 0)],
                      dtype=[("x", "i8"), ("y", "i8"), ("t", "i8"), ("p", "i8")])
    frames = events_to_frames(events, steps=2, window_us=300_000)
    # bins of 150 ms: the two ON events at (y=2, x=1) fall in bin 0 (one spike), OFF in bin 1
    assert frames.shape == (2, 2, 34, 34) and frames.sum() == 2
    assert frames[0, 1, 2, 1] == 1 and frames[1, 0, 6, 5] == 1


def test_nmnist_reads_the_archive_layout(tmp_path: Path) -> None:
    for split, digit in (("Train", 3), ("Train", 8), ("Test", 1)):
        folder = tmp_path / "NMNIST" / split / str(digit)
        folder.mkdir(parents=True)
        (folder / "00001.bin").write_bytes(_event_bytes(digit, digit, 1, 10))
    data = load_nmnist(tmp_path, steps=3)
    assert data.has_time_axis and data.train_x.shape == (2, 3, 2, 34, 34)
    assert data.train_y.tolist() == [3, 8] and data.test_y.tolist() == [1]
    assert data.test_x[0, 0, 1, 1, 1] == 1
