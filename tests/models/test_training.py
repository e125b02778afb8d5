"""Training loop: digits split, reproducibility, stepwise detection and argument checks.

The >= 90% accuracy targets are measured in benchmarks/test_bench_training.py.
"""

from __future__ import annotations

import pytest
import torch

from neurocost.models import zoo
from neurocost.models.datasets import DIGITS_SIZES, LabelledData, load_digits
from neurocost.models.training import evaluate, is_stepwise, train


@pytest.fixture(scope="module")
def digits() -> LabelledData:
    return load_digits()


def test_digits_split_is_stratified_80_20_of_1797(digits: LabelledData) -> None:
    # scikit-learn ships 1797 digits; test_size=0.2 rounds up to 360 test samples
    assert (len(digits.train_x), len(digits.test_x)) == (1437, 360)
    assert digits.train_x.shape[1:] == (1, 8, 8)
    assert 0.0 <= float(digits.train_x.min()) and float(digits.train_x.max()) <= 1.0
    assert torch.bincount(digits.test_y).min() >= 35  # every class ~36 times


def _small(data: LabelledData, n: int) -> LabelledData:
    return LabelledData("digits-small", data.train_x[:n], data.train_y[:n], data.test_x[:n],
                        data.test_y[:n], data.classes)


def test_training_is_reproducible_and_records_each_epoch(digits: LabelledData) -> None:
    data = _small(digits, 128)
    runs = [train(zoo.get("bmlp", **DIGITS_SIZES["bmlp"]), data, epochs=2, progress=False)
            for _ in range(2)]
    assert runs[0].history == runs[1].history
    assert len(runs[0].history) == 2


def test_training_lowers_the_loss_of_a_spiking_model(digits: LabelledData) -> None:
    data = _small(digits, 256)
    model = zoo.get("smlp", **DIGITS_SIZES["smlp"])
    result = train(model, data, epochs=3, steps=2, progress=False)
    assert result.history[-1][0] < result.history[0][0]
    assert result.accuracy == evaluate(model, data, steps=2)


def test_stepwise_is_detected_from_snntorch_neurons() -> None:
    assert is_stepwise(zoo.get("scnn"))
    assert not is_stepwise(zoo.get("scnn_ann"))


def test_steps_for_a_model_called_once_is_an_error(digits: LabelledData) -> None:
    with pytest.raises(ValueError, match="no snnTorch neurons"):
        train(zoo.get("bcnn_ann", **DIGITS_SIZES["bcnn_ann"]), digits, epochs=1, steps=4)


def test_mismatched_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="train has 3 samples but 2 labels"):
        LabelledData("bad", torch.zeros(3, 1), torch.zeros(2), torch.zeros(1, 1), torch.zeros(1),
                     classes=2)


def test_event_data_bring_their_own_time_axis() -> None:
    generator = torch.Generator().manual_seed(0)
    frames = (torch.rand(8, 3, 2, 4, 4, generator=generator) > 0.7).float()  # [N, T, 2, 4, 4]
    labels = torch.arange(8) % 2
    data = LabelledData("events", frames, labels, frames, labels, classes=2, has_time_axis=True)
    model = zoo.get("smlp", in_features=32, hidden=(8,), classes=2)
    result = train(model, data, epochs=2, progress=False)  # would fail on a [T, ...] mix-up
    assert result.accuracy == evaluate(model, data, steps=3)
    assert result.history[1][0] < result.history[0][0]
