"""Seeded example-input makers shared by zoo entries (images in [0, 1), token ids)."""

from __future__ import annotations

import torch

from neurocost.models.zoo.registry import InputMaker


def image(*shape: int) -> InputMaker:
    """Uniform [0, 1) images of ``shape`` (C, H, W) or feature vectors (F,)."""

    def make(batch: int, generator: torch.Generator) -> torch.Tensor:
        return torch.rand((batch, *shape), generator=generator)

    return make


def tokens(vocab: int, seq: int) -> InputMaker:
    """Uniform token ids in [0, vocab) of length ``seq``."""

    def make(batch: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randint(0, vocab, (batch, seq), generator=generator)

    return make
