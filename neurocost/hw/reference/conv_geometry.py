"""Geometry of a 2-D convolution: output size and which kernel taps land inside the input.

Shared by the binary-convolution kernel's launcher, its NumPy references and the logical work
count, so all three agree on borders, stride and dilation. Padding is *absent* input: a tap
that falls outside the image contributes nothing (not a -1), which is what a zero-padded
convolution of +-1 activations means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ConvGeometry:
    """One spatial configuration: input ``in_h x in_w``, kernel ``kh x kw``, and the usual knobs.

    ``out_h = (in_h + 2*pad - dilation*(kh - 1) - 1) // stride + 1`` (same for width).
    Groups are not modelled: every output channel sees every input channel.
    """

    in_h: int
    in_w: int
    kh: int
    kw: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self) -> None:
        for name in ("in_h", "in_w", "kh", "kw", "stride", "dilation"):
            if getattr(self, name) < 1:
                raise ValueError(f"ConvGeometry.{name} must be >= 1, got {getattr(self, name)}")
        if self.padding < 0:
            raise ValueError(f"ConvGeometry.padding must be >= 0, got {self.padding}")
        if self.out_h < 1 or self.out_w < 1:
            raise ValueError(f"{self} produces an empty output ({self.out_h} x {self.out_w})")

    @property
    def out_h(self) -> int:
        return (self.in_h + 2 * self.padding - self.dilation * (self.kh - 1) - 1) // self.stride + 1

    @property
    def out_w(self) -> int:
        return (self.in_w + 2 * self.padding - self.dilation * (self.kw - 1) - 1) // self.stride + 1

    def input_rows(self, tap_r: int) -> np.ndarray:
        """Input row read by kernel row ``tap_r`` for each output row (may lie outside)."""
        return np.arange(self.out_h) * self.stride - self.padding + tap_r * self.dilation

    def input_cols(self, tap_s: int) -> np.ndarray:
        """Input column read by kernel column ``tap_s`` for each output column (may lie outside)."""
        return np.arange(self.out_w) * self.stride - self.padding + tap_s * self.dilation

    def valid_taps(self) -> int:
        """Sum over output pixels of the kernel taps that land inside the input."""
        rows = sum(_inside(self.input_rows(t), self.in_h) for t in range(self.kh))
        cols = sum(_inside(self.input_cols(t), self.in_w) for t in range(self.kw))
        return rows * cols


def _inside(positions: np.ndarray, size: int) -> int:
    return int(np.count_nonzero((positions >= 0) & (positions < size)))
