"""Training-time benchmarks on scikit-learn's digits (2 CPU cores): a spiking CNN and a binary
CNN each trained to >= 90% test accuracy. pytest-benchmark records the wall time; the accuracy
reached is asserted and stored in ``extra_info``.

Run: ``pytest benchmarks/test_bench_training.py --benchmark-only --benchmark-enable``
"""

from __future__ import annotations

import pytest
import torch

from neurocost.models import zoo
from neurocost.models.datasets import DIGITS_SIZES, load_digits
from neurocost.models.training import TrainResult, train

TARGET_ACCURACY = 0.90  # issue 5: each must reach >= 90% test accuracy in under 3 minutes


@pytest.mark.parametrize(("name", "epochs"), [("scnn", 4), ("bcnn", 3)])
def test_train_to_ninety_percent_on_digits(benchmark, name: str, epochs: int) -> None:
    torch.set_num_threads(2)
    data = load_digits()

    def run() -> TrainResult:
        model = zoo.get(name, **DIGITS_SIZES[name])
        return train(model, data, epochs=epochs, progress=False)

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(accuracy=result.accuracy, epochs=epochs, seconds=result.seconds)
    assert result.accuracy >= TARGET_ACCURACY
