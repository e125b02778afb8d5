"""Event-camera and spiking-audio data sets a user already has, read with tonic, never
downloaded: N-MNIST, SHD (Spiking Heidelberg Digits) and DVS Gesture.

``root`` is the folder tonic's ``save_to`` names (the one holding ``NMNIST/``, ``SHD/`` or
``DVSGesture/``; the data set's own folder is taken too). The test split is read where tonic
keeps it:

==============  ==============================================  ====================
name            test split under ``root``                       frame per step
==============  ==============================================  ====================
``nmnist``      ``NMNIST/Test/<digit>/*.bin``                   ``[2, 34, 34]``
``shd``         ``SHD/shd_test.h5``                             ``[1, 700]``
``dvsgesture``  ``DVSGesture/ibmGestureTest/user*_*/<label>.npy``  ``[2, 128, 128]``
==============  ==============================================  ====================

Each sample's events become ``steps`` frames by tonic's ``ToFrame(n_time_bins=steps)`` with the
sensor size of tonic's data set class: the span from the sample's first to its last event is cut
into ``steps`` windows of ``(last - first) // steps`` microseconds each, starting at the first
event (events after the last whole window, the last event among them when the span divides
evenly, fall outside, as in tonic). An element is 1 when at least one event of that polarity hit
that sensor element in that window (the frames are spikes, declared as such to the tracer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from neurocost.errors import NeurocostError
from neurocost.models.datasets import LabelledData

if TYPE_CHECKING:
    from tonic.dataset import Dataset

# tonic's class, the test split's path below the class folder, and how tonic lays it out
_SPLITS = {
    "nmnist": ("NMNIST", "Test", "Test/<digit>/*.bin"),
    "shd": ("SHD", "shd_test.h5", "shd_test.h5 (spikes/times, spikes/units, labels)"),
    "dvsgesture": ("DVSGesture", "ibmGestureTest",
                   "ibmGestureTest/user<NN>_<lighting>/<label>.npy"),
}
EVENT_DATASETS = tuple(_SPLITS)


class EventDataError(NeurocostError):
    """An event data set that is not where its root says, or that tonic cannot read."""


def load_event_test_split(name: str, root: str | Path, steps: int,
                          what: str = "root") -> LabelledData:
    """The test split of data set ``name`` under ``root`` as spike frames
    ``[N, steps, *frame]`` (time axis at dimension 1) with its labels, in the test half of the
    record (the train half is left empty: only the test split is read); ``what`` names the field
    ``root`` came from in error messages."""
    if name not in _SPLITS:
        raise EventDataError(f"no event data set {name!r} (known: {', '.join(EVENT_DATASETS)})")
    if steps < 1:
        raise EventDataError(f"{name}: steps must be >= 1, got {steps}")
    dataset = _tonic_test_split(name, Path(root).expanduser(), what)
    from tonic.transforms import ToFrame

    to_frame = ToFrame(sensor_size=dataset.sensor_size, n_time_bins=steps)
    frame_shape = _frame_shape(dataset, steps)
    frames, labels = [], []
    try:
        for index in range(len(dataset)):
            events, label = dataset[index]
            # tonic's frames for a sample without events are laid out differently: zeros here
            counts = to_frame(events) if len(events) else np.zeros(frame_shape)
            frames.append(torch.from_numpy(np.asarray(counts) > 0).float())
            labels.append(int(label))
    except (OSError, KeyError, ValueError, IndexError) as err:
        raise EventDataError(f"{what} {str(root)!r}: tonic cannot read sample {len(frames)} of "
                             f"the {name} test split ({type(err).__name__}: {err})") from None
    if not frames:
        raise EventDataError(f"{what} {str(root)!r}: the {name} test split holds no samples")
    test_x = torch.stack(frames)
    test_y = torch.tensor(labels)
    classes = len(dataset.classes)
    return LabelledData(name, test_x[:0], test_y[:0], test_x, test_y, classes=classes,
                        has_time_axis=True)


def _frame_shape(dataset: Dataset, steps: int) -> tuple[int, ...]:
    """``[steps, polarities, height, width]``, or ``[steps, polarities, channels]`` for a
    sensor without a y axis (tonic's ``sensor_size`` is x, y, polarities)."""
    width, height, polarities = dataset.sensor_size
    if "y" in dataset.dtype.names:
        return steps, polarities, height, width
    return steps, polarities, width


def _tonic_test_split(name: str, root: Path, what: str) -> Dataset:
    """tonic's data set object for the test split, refusing to download anything."""
    folder, split, layout = _SPLITS[name]
    if root.name == folder and not (root / folder).exists():
        root = root.parent  # the data set's own folder was given
    expected = root / folder / split
    if not expected.exists():
        raise EventDataError(f"{what} {str(root)!r}: no {name} test split at {str(expected)!r} "
                             f"(tonic's layout: ROOT/{folder}/{layout}); neurocost reads the "
                             "files you have and downloads nothing")
    try:
        from tonic import datasets
    except ImportError:
        raise EventDataError(f"{name} is read with tonic: pip install 'neurocost[data]'") from None

    def refuse_download(self: Dataset) -> None:
        raise EventDataError(f"{what} {str(root)!r}: tonic wanted to download {name}")

    tonic_class = getattr(datasets, folder)
    # The same class name, so tonic keeps looking in ROOT/<class name>; tonic's own check wants
    # the full archive (e.g. 10,000 N-MNIST files and the zip), the path checked above is enough.
    offline = type(folder, (tonic_class,), {"_check_exists": lambda self: True,
                                            "download": refuse_download})
    try:
        return offline(str(root), train=False)
    except (OSError, KeyError, ValueError) as err:
        raise EventDataError(f"{what} {str(root)!r}: tonic cannot read the {name} test split "
                             f"({type(err).__name__}: {err})") from None
