"""Small event data sets written in tonic's own on-disk formats, and the frames their events
must become, computed here from the events written (not by tonic).

Formats, as tonic 1.7 reads them (``tonic/io.py``, ``tonic/datasets``):
- N-MNIST: ``NMNIST/Test/<digit>/<n>.bin``, 5 bytes per event: x, y, then bit 7 of byte 2 the
  polarity and the remaining 23 bits the timestamp in microseconds (big-endian).
- SHD: ``SHD/shd_test.h5`` with ragged ``spikes/times`` (seconds), ``spikes/units``, ``labels``
  and ``extra/keys``, ``extra/speaker``; tonic turns seconds into whole microseconds
  (``int(seconds * 1e6)``, truncated) and gives every event polarity 0 of one.
- DVS Gesture: ``DVSGesture/ibmGestureTest/user<NN>_<lighting>/<label>.npy``, rows of
  x, y, polarity, time in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

# (x, y, polarity, time in microseconds) per event, sorted by time
Events = list[tuple[int, int, int, int]]


def write_nmnist(root: Path, samples: list[tuple[int, Events]]) -> None:
    """One ``.bin`` file per (digit, events) sample in the test split."""
    for index, (digit, events) in enumerate(samples):
        folder = root / "NMNIST" / "Test" / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        raw = bytearray()
        for x, y, p, t in events:
            raw += bytes([x, y, (p << 7) | (t >> 16), (t >> 8) & 0xFF, t & 0xFF])
        (folder / f"{index:05d}.bin").write_bytes(bytes(raw))


def write_shd(root: Path, samples: list[tuple[int, list[tuple[int, float]]]]) -> None:
    """``shd_test.h5`` with (label, [(unit, seconds), ...]) samples."""
    folder = root / "SHD"
    folder.mkdir(parents=True, exist_ok=True)
    with h5py.File(folder / "shd_test.h5", "w") as file:
        times = file.create_dataset("spikes/times", (len(samples),),
                                    dtype=h5py.vlen_dtype(np.float32))
        units = file.create_dataset("spikes/units", (len(samples),),
                                    dtype=h5py.vlen_dtype(np.uint16))
        for index, (_, spikes) in enumerate(samples):
            times[index] = np.array([s for _, s in spikes], dtype=np.float32)
            units[index] = np.array([u for u, _ in spikes], dtype=np.uint16)
        file["labels"] = np.array([label for label, _ in samples], dtype=np.uint16)
        file["extra/keys"] = np.array([f"word{k}".encode() for k in range(20)])
        file["extra/speaker"] = np.zeros(len(samples), dtype=np.uint16)


def shd_microseconds(seconds: float) -> int:
    """The whole microseconds tonic makes of a float32 time in seconds."""
    return int(np.float64(np.float32(seconds)) * 1e6)


def write_dvsgesture(root: Path, samples: list[tuple[int, Events]]) -> None:
    """One ``<label>.npy`` per sample, each in a user folder of its own; times in whole ms."""
    for index, (label, events) in enumerate(samples):
        folder = root / "DVSGesture" / "ibmGestureTest" / f"user{index + 1:02d}_led"
        folder.mkdir(parents=True, exist_ok=True)
        rows = np.array([(x, y, p, t // 1000) for x, y, p, t in events], dtype=np.int64)
        np.save(folder / f"{label}.npy", rows)


def expected_frames(events: Events, steps: int, frame_shape: tuple[int, ...]) -> np.ndarray:
    """Spike frames ``[steps, *frame_shape]`` of one sample under tonic's n_time_bins rule: the
    span from the first to the last event in ``steps`` windows of (last - first) // steps
    microseconds from the first event; an event past the last whole window is left out. A frame
    shape of two sizes is (polarities, channels) and takes x only."""
    frames = np.zeros((steps, *frame_shape), dtype=np.float32)
    first, last = events[0][3], events[-1][3]
    window = (last - first) // steps
    for x, y, p, t in events:
        if window == 0 or t >= first + steps * window:
            continue
        where = (x,) if len(frame_shape) == 2 else (y, x)
        frames[((t - first) // window, p, *where)] = 1.0
    return frames
