"""Seeded example-input makers shared by zoo entries; shapes come from the model's parameters."""

from __future__ import annotations

from typing import Any

import torch


def image(batch: int, generator: torch.Generator, params: dict[str, Any]) -> torch.Tensor:
    """Uniform [0, 1) images ``[B, in_channels, image_size, image_size]``."""
    side = params["image_size"]
    return torch.rand((batch, params["in_channels"], side, side), generator=generator)


def features(batch: int, generator: torch.Generator, params: dict[str, Any]) -> torch.Tensor:
    """Uniform [0, 1) vectors ``[B, in_features]``."""
    return torch.rand((batch, params["in_features"]), generator=generator)


def tokens(batch: int, generator: torch.Generator, params: dict[str, Any]) -> torch.Tensor:
    """Token ids ``[B, seq]`` uniform in [0, vocab)."""
    return torch.randint(0, params["vocab"], (batch, params["seq"]), generator=generator)


def source_target_tokens(
    batch: int, generator: torch.Generator, params: dict[str, Any]
) -> torch.Tensor:
    """Token ids ``[B, 2, seq]`` for encoder-decoders: row 0 the source, row 1 the target."""
    return torch.randint(0, params["vocab"], (batch, 2, params["seq"]), generator=generator)
