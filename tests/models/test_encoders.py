"""Input encoders: frame shapes, declared encodings and hand-worked spike trains."""

from __future__ import annotations

import pytest
import torch

from neurocost.models.encoders import DeltaEncoder, DirectEncoder, LatencyEncoder, RateEncoder
from neurocost.models.encodings import FP32, SIGNED_SPIKE, SPIKE


def test_declared_encodings() -> None:
    assert DirectEncoder.output_encoding == FP32
    assert RateEncoder.output_encoding == SPIKE
    assert LatencyEncoder.output_encoding == SPIKE
    assert DeltaEncoder.output_encoding == SIGNED_SPIKE


def test_direct_repeats_the_frame() -> None:
    x = torch.rand(2, 3)
    frames = DirectEncoder()(x, 4)
    assert frames.shape == (4, 2, 3) and all(torch.equal(f, x) for f in frames)


def test_rate_code_fires_never_at_zero_always_at_one_and_is_seeded() -> None:
    x = torch.tensor([0.0, 1.0, 0.5])
    frames = RateEncoder(seed=1)(x, 200)
    assert frames[:, 0].sum() == 0 and frames[:, 1].sum() == 200
    assert set(frames.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(frames, RateEncoder(seed=1)(x, 200))


def test_latency_code_fires_once_earlier_for_larger_values() -> None:
    x = torch.tensor([1.0, 0.5, 0.0])
    frames = LatencyEncoder()(x, 5)
    # step = round((1 - v) * 4): 1.0 -> 0, 0.5 -> 2; 0.0 is at the threshold and never fires
    assert frames.T.tolist() == [[1, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]]


def test_delta_code_tracks_the_signal_by_one_threshold_per_event() -> None:
    signal = torch.tensor([[0.25], [0.25], [0.0], [0.3]])
    events = DeltaEncoder(threshold=0.1).encode_sequence(signal)
    # level 0 -> 0.1 (+1), 0.1 -> 0.2 (+1), change -0.2 -> 0.1 (-1), change 0.2 -> 0.2 (+1)
    assert events.flatten().tolist() == [1.0, 1.0, -1.0, 1.0]


@pytest.mark.parametrize("encoder", [DirectEncoder(), RateEncoder(), LatencyEncoder(),
                                     DeltaEncoder()])
def test_zero_steps_is_refused(encoder) -> None:
    with pytest.raises(ValueError, match="steps"):
        encoder(torch.rand(2), 0)
