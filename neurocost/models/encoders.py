"""Input encoders: turn a static input ``[B, ...]`` into ``steps`` frames ``[T, B, ...]`` for a
stepwise spiking model, and declare what the frames are (``output_encoding``), so the first
layer's ops are classified right: pass ``input_encoding=encoder.output_encoding`` to ``trace``.

    direct   the analog frame at every step (fp32: the first layer multiplies)
    rate     Bernoulli spikes with probability = clamp(gain * x, 0, 1) per step (spike)
    latency  one spike per element, earlier for larger values (time-to-first-spike; spike)
    delta    +1 / -1 events when the signal moved by a threshold since the last event
             (signed spike); for sequences, ``encode_sequence``
Each encoder is a callable ``(x, steps) -> frames``, the form ``train(encoder=...)`` takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import torch

from neurocost.models.encodings import FP32, SIGNED_SPIKE, SPIKE, Encoding
from neurocost.vocabulary import ENCODER_NAMES


class Encoder(Protocol):
    """``(x [B, ...], steps) -> frames [T, B, ...]``, declaring what the frames are."""

    output_encoding: Encoding

    def __call__(self, x: torch.Tensor, steps: int) -> torch.Tensor: ...


class DirectEncoder:
    """The same analog frame at every step."""

    output_encoding: Encoding = FP32

    def __call__(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        _check_steps(steps)
        return x.unsqueeze(0).expand(steps, *x.shape)


class RateEncoder:
    """Poisson-like rate code: spike with probability ``clamp(gain * x, 0, 1)`` at each step."""

    output_encoding: Encoding = SPIKE

    def __init__(self, gain: float = 1.0, seed: int = 0) -> None:
        self.gain = gain
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        _check_steps(steps)
        probability = (self.gain * x).clamp(0.0, 1.0).detach()
        draws = torch.rand((steps, *x.shape), generator=self.generator)
        return (draws < probability).to(x.dtype)


class LatencyEncoder:
    """Time-to-first-spike: an element with value v in (threshold, 1] fires once, at step
    round((1 - v) * (steps - 1)), so 1 fires at step 0; values <= threshold never fire.
    Inputs are expected in [0, 1] (values above 1 fire at step 0)."""

    output_encoding: Encoding = SPIKE

    def __init__(self, threshold: float = 0.0) -> None:
        self.threshold = threshold

    def __call__(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        _check_steps(steps)
        fire_at = torch.round((1.0 - x.clamp(max=1.0)) * (steps - 1)).long()
        times = torch.arange(steps).view(steps, *([1] * x.dim()))
        return ((times == fire_at) & (x > self.threshold)).to(x.dtype)


class DeltaEncoder:
    """Delta modulation: +1 when the signal rose by ``threshold`` above the tracked level, -1
    when it fell by as much; the tracked level moves by one threshold per event (it starts
    at 0). A static input repeated over steps yields events only while the level catches up."""

    output_encoding: Encoding = SIGNED_SPIKE

    def __init__(self, threshold: float = 0.1) -> None:
        if threshold <= 0:
            raise ValueError(f"delta threshold must be > 0, got {threshold}")
        self.threshold = threshold

    def __call__(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        _check_steps(steps)
        return self.encode_sequence(x.unsqueeze(0).expand(steps, *x.shape))

    def encode_sequence(self, frames: torch.Tensor) -> torch.Tensor:
        """Events of a time-first sequence ``[T, B, ...]``."""
        level = torch.zeros_like(frames[0])
        events = []
        for frame in frames:
            change = frame - level
            event = (change >= self.threshold).to(frame.dtype) - (
                change <= -self.threshold
            ).to(frame.dtype)
            level = level + event * self.threshold
            events.append(event)
        return torch.stack(events)


_FACTORIES: dict[str, Callable[[int], Encoder]] = {
    "direct": lambda seed: DirectEncoder(),
    "rate": lambda seed: RateEncoder(seed=seed),
    "latency": lambda seed: LatencyEncoder(),
    "delta": lambda seed: DeltaEncoder(),
}
if set(_FACTORIES) != set(ENCODER_NAMES):  # the vocabulary names every encoder exactly once
    raise ImportError(f"encoders {sorted(_FACTORIES)} differ from {ENCODER_NAMES}")


def make_encoder(name: str, seed: int = 0) -> Encoder:
    """The encoder called ``name`` (one of ``neurocost.vocabulary.ENCODER_NAMES``), seeded where
    it draws random numbers."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ValueError(f"unknown encoder {name!r}: use one of {', '.join(ENCODER_NAMES)}")
    return factory(seed)


def _check_steps(steps: int) -> None:
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
