"""The front door on a user's own tensor file: layouts, labels and the errors that name it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import snntorch as snn
import torch
from pydantic import ValidationError
from torch import nn

from neurocost.models.encodings import parse_encoding
from neurocost.tracing.workload import InputError, InputSpec, ModelRef, prepare

OWN = ModelRef(source="own")


def _snn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), snn.Leaky(beta=0.9, init_hidden=True, output=True))


def _frames(*shape: int) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(1))


def _scores(model: nn.Module, time_first: torch.Tensor) -> torch.Tensor:
    """Class scores of a per-step model, averaged over steps (its membrane), written out."""
    for module in model.modules():
        if isinstance(module, snn.Leaky):
            module.reset_hidden()
    with torch.no_grad():
        return sum(model(frame)[1] for frame in time_first) / len(time_first)


def test_a_time_first_file_is_used_as_it_is(tmp_path: Path) -> None:
    x = _frames(5, 3, 4)  # [T, B, features]
    torch.save(x, tmp_path / "x.pt")
    work = prepare(OWN, InputSpec(file="x.pt", time_first=True), model=_snn(),
                   base_dir=tmp_path)
    assert torch.equal(work.x, x)
    assert (work.call, work.steps, work.accuracy) == ("per_step", 5, None)


def test_unset_time_first_follows_the_call(tmp_path: Path) -> None:
    x = _frames(5, 3, 4)
    np.save(tmp_path / "x.npy", x.numpy())
    per_step = prepare(OWN, InputSpec(file="x.npy"), model=_snn(), base_dir=tmp_path)
    assert torch.equal(per_step.x, x)  # per step, direct: time-first
    once = prepare(OWN, InputSpec(file="x.npy"), model=nn.Linear(4, 2), base_dir=tmp_path)
    assert (once.call, once.x.shape) == ("once", x.shape)  # called once: as it is


def test_static_frames_are_expanded_by_the_encoder(tmp_path: Path) -> None:
    frames = _frames(3, 4)  # [B, features]
    np.savez(tmp_path / "x.npz", x=frames.numpy())
    direct = prepare(OWN, InputSpec(file="x.npz", time_first=False, steps=6), model=_snn(),
                     base_dir=tmp_path)
    assert direct.x.shape == (6, 3, 4) and all(torch.equal(f, frames) for f in direct.x)
    rate = prepare(OWN, InputSpec(file="x.npz", encoder="rate", steps=6), model=_snn(),
                   base_dir=tmp_path)
    assert rate.x.shape == (6, 3, 4) and rate.encoding == parse_encoding("spike")


def test_labels_measure_accuracy_on_every_sample_of_the_file(tmp_path: Path) -> None:
    model = _snn()
    x = _frames(4, 6, 4)  # 6 samples, time-first
    predicted = _scores(model, x).argmax(dim=1)
    labels = predicted.clone()
    labels[:2] = (predicted[:2] + 1) % 3  # two of six wrong, by construction
    torch.save({"x": x, "y": labels}, tmp_path / "data.pt")
    work = prepare(OWN, InputSpec(file="data.pt", samples=2, seed=3), model=model,
                   base_dir=tmp_path)
    assert work.accuracy == pytest.approx(4 / 6)
    assert "6 labelled samples" in work.accuracy_source
    draw = torch.randperm(6, generator=torch.Generator().manual_seed(3))[:2]
    assert torch.equal(work.x, x[:, draw])  # a seeded draw of samples along B


def test_labels_of_static_frames_count_along_the_first_axis(tmp_path: Path) -> None:
    model = nn.Linear(4, 3)
    x = _frames(5, 4)
    labels = model(x).argmax(dim=1).detach()
    labels[0] = (labels[0] + 1) % 3
    np.savez(tmp_path / "data.npz", x=x.numpy(), y=labels.numpy())
    work = prepare(OWN, InputSpec(file="data.npz"), model=model, base_dir=tmp_path)
    assert work.accuracy == pytest.approx(4 / 5) and work.x.shape == (5, 4)


def test_a_missing_file_names_the_field_and_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"input\.file '.*nope\.pt': no such file") as err:
        prepare(OWN, InputSpec(file="nope.pt"), model=_snn(), base_dir=tmp_path)
    assert "\n" not in str(err.value)


def test_a_shape_the_model_does_not_take_hints_at_time_first(tmp_path: Path) -> None:
    torch.save(_frames(3, 4), tmp_path / "frames.pt")  # static frames, read as time-first
    with pytest.raises(InputError, match=r"time-first \[T, B, \.\.\.\]") as err:
        prepare(OWN, InputSpec(file="frames.pt"), model=_snn(), base_dir=tmp_path)
    message = str(err.value)
    assert "frames.pt" in message and "input.time_first" in message and "\n" not in message


def test_labels_that_do_not_match_the_samples_are_refused(tmp_path: Path) -> None:
    torch.save({"x": _frames(5, 3, 4), "y": torch.arange(5)}, tmp_path / "data.pt")
    with pytest.raises(InputError, match=r"5 labels for 3 samples \(counted along B"):
        prepare(OWN, InputSpec(file="data.pt"), model=_snn(), base_dir=tmp_path)


def test_steps_that_contradict_the_file_are_refused(tmp_path: Path) -> None:
    torch.save(_frames(5, 3, 4), tmp_path / "x.pt")
    with pytest.raises(InputError, match="input.steps=4, but .* holds 5 time-first frames"):
        prepare(OWN, InputSpec(file="x.pt", steps=4), model=_snn(), base_dir=tmp_path)


def test_more_samples_than_the_file_holds_are_refused(tmp_path: Path) -> None:
    torch.save(_frames(5, 3, 4), tmp_path / "x.pt")
    with pytest.raises(InputError, match="input.samples=4, but .* holds 3 samples"):
        prepare(OWN, InputSpec(file="x.pt", samples=4), model=_snn(), base_dir=tmp_path)


def test_a_file_with_other_keys_is_refused(tmp_path: Path) -> None:
    torch.save({"inputs": _frames(3, 4)}, tmp_path / "x.pt")
    with pytest.raises(InputError, match=r"must hold 'x' .* got keys \['inputs'\]"):
        prepare(OWN, InputSpec(file="x.pt"), model=_snn(), base_dir=tmp_path)


@pytest.mark.parametrize("fields, words", [
    ({"file": "x.pt", "shape": [4]}, "one of file or shape"),
    ({"time_first": True}, "give a file"),
    ({"file": "x.pt", "time_first": True, "encoder": "rate"}, "time_first: false"),
    ({"dataset": "nmnist"}, "give root"),
    ({"dataset": "digits", "root": "data"}, "root locates an event data set"),
    ({"dataset": "shd", "root": "data", "encoder": "rate"}, "already spikes"),
])
def test_contradictory_fields_are_refused_when_read(fields: dict, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        InputSpec.model_validate(fields)
