"""Event data sets a user has (N-MNIST, SHD, DVS Gesture in tonic's layout) as a model's input:
frames binned to the model's steps, events where they were written, accuracy on the split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import snntorch as snn
import torch
from torch import nn

from neurocost.models.encodings import SPIKE
from neurocost.models.event_datasets import load_event_test_split
from neurocost.tracing.workload import InputError, InputSpec, ModelRef, prepare
from tests.tracing.event_files import (
    Events,
    expected_frames,
    shd_microseconds,
    write_dvsgesture,
    write_nmnist,
    write_shd,
)

OWN = ModelRef(source="own")
NMNIST_FRAME = (2, 34, 34)


def _random_events(seed: int, count: int = 40, size: int = 34, span_us: int = 300_000) -> Events:
    rng = np.random.default_rng(seed)
    times = np.sort(rng.integers(0, span_us, count))
    return [(int(rng.integers(size)), int(rng.integers(size)), int(rng.integers(2)), int(t))
            for t in times]


def _classifier(features: int, classes: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(features, classes),
                         snn.Leaky(beta=0.9, init_hidden=True, output=True))


def _predict(model: nn.Module, frames: np.ndarray) -> int:
    """The class a per-step model picks for one sample's frames [T, ...] (mean membrane)."""
    model[2].reset_hidden()
    with torch.no_grad():
        scores = sum(model(torch.from_numpy(f)[None])[1] for f in frames) / len(frames)
    return int(scores.argmax())


def test_nmnist_events_land_where_written(tmp_path: Path) -> None:
    events = [(0, 0, 1, 0), (33, 2, 0, 40_000), (5, 33, 1, 150_000), (7, 7, 0, 299_999),
              (9, 9, 1, 300_000)]
    write_nmnist(tmp_path, [(3, events)])
    data = load_event_test_split("nmnist", tmp_path, 4)
    assert data.test_x.shape == (1, 4, *NMNIST_FRAME) and data.test_y.tolist() == [3]
    np.testing.assert_array_equal(data.test_x[0].numpy(), expected_frames(events, 4, NMNIST_FRAME))
    # window 75,000 us: (0,0) ON in bin 0, (33,2) OFF in bin 0, (5,33) ON in bin 2, (7,7) in 3
    assert data.test_x[0, 2, 1, 33, 5] == 1 and data.test_x[0].sum() == 4


def test_shd_spikes_land_on_their_channel(tmp_path: Path) -> None:
    spikes = [(0, 0.0), (699, 0.25), (350, 0.5), (12, 0.75), (5, 1.0)]
    write_shd(tmp_path, [(7, spikes)])
    data = load_event_test_split("shd", tmp_path, 2)
    assert data.test_x.shape == (1, 2, 1, 700) and data.test_y.tolist() == [7]
    events = [(unit, 0, 0, shd_microseconds(s)) for unit, s in spikes]
    np.testing.assert_array_equal(data.test_x[0].numpy(), expected_frames(events, 2, (1, 700)))
    assert data.test_x[0, 0, 0, 699] == 1 and data.test_x[0, 1, 0, 350] == 1


def test_dvsgesture_events_land_where_written(tmp_path: Path) -> None:
    samples = [(4, _random_events(1, size=128, span_us=90_000)),
               (9, _random_events(2, size=128, span_us=90_000))]
    samples = [(label, [(x, y, p, t // 1000 * 1000) for x, y, p, t in events])  # whole ms
               for label, events in samples]
    write_dvsgesture(tmp_path, samples)
    data = load_event_test_split("dvsgesture", tmp_path, 3)
    assert data.test_x.shape == (2, 3, 2, 128, 128) and data.test_y.tolist() == [4, 9]
    for frames, (_, events) in zip(data.test_x, samples, strict=True):
        np.testing.assert_array_equal(frames.numpy(), expected_frames(events, 3, (2, 128, 128)))


def test_nmnist_accuracy_is_measured_on_the_test_split(tmp_path: Path) -> None:
    steps = 5
    model = _classifier(2 * 34 * 34, 10)
    events = [_random_events(seed) for seed in range(4)]
    frames = [expected_frames(e, steps, NMNIST_FRAME) for e in events]
    predicted = [_predict(model, f) for f in frames]
    labels = [(predicted[0] + 1) % 10, *predicted[1:]]  # one of four wrong, by construction
    write_nmnist(tmp_path / "data", list(zip(labels, events, strict=True)))
    work = prepare(OWN, InputSpec(dataset="nmnist", root="data", steps=steps, samples=2),
                   model=model, base_dir=tmp_path)
    assert work.accuracy == pytest.approx(3 / 4)
    assert "nmnist test split" in work.accuracy_source and "4 samples" in work.accuracy_source
    assert (work.call, work.steps, work.encoding) == ("per_step", steps, SPIKE)
    # tonic lists samples by digit folder, then file; the traced pair is a seeded draw of them
    order = sorted(range(4), key=lambda i: (labels[i], i))
    draw = torch.randperm(4, generator=torch.Generator().manual_seed(0))[:2]
    expected = np.stack([frames[order[i]] for i in draw], axis=1)
    np.testing.assert_array_equal(work.x.numpy(), expected)
    assert work.trace().steps == steps


def test_a_model_called_once_gets_one_frame_of_the_recording(tmp_path: Path) -> None:
    events = _random_events(5)
    write_nmnist(tmp_path, [(1, events)])
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 34 * 34, 10))
    work = prepare(OWN, InputSpec(dataset="nmnist", root=str(tmp_path)), model=model)
    assert (work.call, work.steps, work.encoding) == ("once", 1, SPIKE)
    np.testing.assert_array_equal(work.x[0].numpy(), expected_frames(events, 1, NMNIST_FRAME)[0])


@pytest.mark.parametrize("name, where", [("nmnist", "NMNIST/Test"), ("shd", "SHD/shd_test.h5"),
                                         ("dvsgesture", "DVSGesture/ibmGestureTest")])
def test_a_missing_root_names_the_path(tmp_path: Path, name: str, where: str) -> None:
    with pytest.raises(InputError, match=rf"input\.root '.*nope': no {name} test split at "
                                         rf"'.*nope/{where}'") as err:
        prepare(OWN, InputSpec(dataset=name, root="nope", steps=2),
                model=_classifier(4, 2), base_dir=tmp_path)
    assert "\n" not in str(err.value) and "downloads nothing" in str(err.value)


def test_frames_the_model_does_not_take_are_an_input_error(tmp_path: Path) -> None:
    write_nmnist(tmp_path, [(1, _random_events(3))])
    with pytest.raises(InputError, match=r"does not take nmnist read as time-first"):
        prepare(OWN, InputSpec(dataset="nmnist", root=str(tmp_path), steps=2),
                model=_classifier(700, 10))
