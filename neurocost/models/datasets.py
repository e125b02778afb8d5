"""Labelled data sets as tensors, split into train and test: the digits shipped with
scikit-learn (no download), and readers for MNIST and N-MNIST files a user already has.

Image data sets are ``[N, C, H, W]`` floats in [0, 1]; event data sets are ``[N, T, 2, H, W]``
spike frames (``time_first=False`` in the record: the time axis is dimension 1 of each tensor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

DIGITS_PIXEL_MAX = 16.0  # scikit-learn's 8x8 digits are counts 0..16 of a 4x4 block


@dataclass(frozen=True)
class LabelledData:
    """Train and test tensors of one data set.

    ``has_time_axis``: samples carry their own time axis at dimension 1 (event data); otherwise a
    spiking model is fed the same frame at every step unless an encoder is given.
    """

    name: str
    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    classes: int
    has_time_axis: bool = False

    def __post_init__(self) -> None:
        for split, x, y in (("train", self.train_x, self.train_y),
                            ("test", self.test_x, self.test_y)):
            if len(x) != len(y):
                raise ValueError(f"{self.name}: {split} has {len(x)} samples but {len(y)} labels")


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> LabelledData:
    """scikit-learn's 1797 handwritten 8x8 digits, ``[N, 1, 8, 8]`` in [0, 1], stratified split."""
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    bunch = sklearn_digits()
    images = (bunch.images / DIGITS_PIXEL_MAX).astype(np.float32)[:, None]
    train_x, test_x, train_y, test_y = train_test_split(
        images, bunch.target, test_size=test_fraction, random_state=seed, stratify=bunch.target
    )
    return LabelledData(
        "digits", torch.from_numpy(train_x), torch.from_numpy(train_y).long(),
        torch.from_numpy(test_x), torch.from_numpy(test_y).long(), classes=10,
    )


# Zoo keywords that size each entry for the 1x8x8 digits (3x3 convs with padding keep 8 -> 4 -> 2).
DIGITS_SIZES: dict[str, dict[str, object]] = {
    "scnn": {"image_size": 8, "kernel": 3, "padding": 1, "channels": (8, 16)},
    "bcnn": {"image_size": 8, "kernel": 3, "padding": 1, "channels": (16, 32)},
    "smlp": {"in_features": 64},
    "bmlp": {"in_features": 64},
}
for _name in list(DIGITS_SIZES):
    DIGITS_SIZES[f"{_name}_ann"] = DIGITS_SIZES[_name]
