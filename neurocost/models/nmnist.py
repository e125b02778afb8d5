"""N-MNIST (Orchard et al., Front. Neurosci. 2015) from files a user already has, read with
NumPy: ``ROOT/Train/<digit>/*.bin`` and ``ROOT/Test/<digit>/*.bin`` (the official archive's
layout; ``ROOT/NMNIST/...``, where tonic puts it, works too).

Each event is 40 bits (the dataset's documented format): byte 0 x, byte 1 y, then bit 23 the
polarity (1 = ON) and bits 22-0 the timestamp in microseconds. An event with y = 240 is a
timestamp-overflow marker (adds 2^13 us to every later timestamp), as in the authors' reader.
Samples become spike frames ``[T, 2, 34, 34]``: an element is 1 when at least one event of that
polarity hit that pixel during that time bin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from neurocost.models.datasets import LabelledData

SENSOR = (34, 34)
_OVERFLOW_Y = 240
_OVERFLOW_US = 2**13
SACCADES_US = 300_000  # three 100 ms saccades per sample


def read_events(path: str | Path) -> np.ndarray:
    """Events of one N-MNIST file as a structured array with fields x, y, t (us), p."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 5:
        raise ValueError(f"{path}: {raw.size} bytes is not a whole number of 5-byte events")
    raw = raw.reshape(-1, 5).astype(np.int64)
    x, y = raw[:, 0], raw[:, 1]
    polarity = raw[:, 2] >> 7
    time_us = ((raw[:, 2] & 0x7F) << 16) | (raw[:, 3] << 8) | raw[:, 4]
    overflow = y == _OVERFLOW_Y
    time_us = time_us + _OVERFLOW_US * np.cumsum(overflow)
    keep = ~overflow
    events = np.zeros(int(keep.sum()), dtype=[("x", "i8"), ("y", "i8"), ("t", "i8"), ("p", "i8")])
    events["x"], events["y"], events["t"], events["p"] = x[keep], y[keep], time_us[keep], \
        polarity[keep]
    return events


def events_to_frames(events: np.ndarray, steps: int, window_us: int = SACCADES_US) -> torch.Tensor:
    """Spike frames ``[steps, 2, 34, 34]``: time bin = t * steps // window_us (later events
    fall in the last bin)."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if events.size and (events["x"].max() >= SENSOR[1] or events["y"].max() >= SENSOR[0]):
        raise ValueError(f"event outside the {SENSOR[0]}x{SENSOR[1]} N-MNIST sensor")
    frames = np.zeros((steps, 2, *SENSOR), dtype=np.float32)
    bins = np.minimum(events["t"] * steps // window_us, steps - 1)
    frames[bins, events["p"], events["y"], events["x"]] = 1.0
    return torch.from_numpy(frames)


def _split(folder: Path, steps: int, window_us: int) -> tuple[torch.Tensor, torch.Tensor]:
    files = sorted(folder.glob("[0-9]/*.bin"))
    if not files:
        raise FileNotFoundError(f"no N-MNIST .bin files under {str(folder)!r}/<digit>/")
    frames = torch.stack([events_to_frames(read_events(f), steps, window_us) for f in files])
    labels = torch.tensor([int(f.parent.name) for f in files])
    return frames, labels


def load_nmnist(root: str | Path, steps: int = 10, window_us: int = SACCADES_US) -> LabelledData:
    """N-MNIST as spike frames ``[N, steps, 2, 34, 34]`` (time axis at dimension 1)."""
    root = Path(root)
    if not (root / "Train").is_dir() and (root / "NMNIST" / "Train").is_dir():
        root = root / "NMNIST"
    train_x, train_y = _split(root / "Train", steps, window_us)
    test_x, test_y = _split(root / "Test", steps, window_us)
    return LabelledData("nmnist", train_x, train_y, test_x, test_y, classes=10,
                        has_time_axis=True)
