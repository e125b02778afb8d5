"""Spikformer-style vision transformer (Zhou et al., ICLR 2023), called once per time step.

Spiking patch splitting (two conv-BN-Leaky-maxpool stages, /4 resolution) turns the image into
tokens; encoder blocks use spiking self-attention (spike q, k, v, no softmax) and spike-fed
projections; the head averages tokens and classifies. Differences from the paper, for a small
readable model: LayerNorm (post-LN blocks) instead of BatchNorm inside the blocks, no relative
position conv. The ANN twin uses ReLU in the stem and softmax attention with GELU in the blocks.
"""

from __future__ import annotations

import torch
from torch import nn

from neurocost.models.zoo.inputs import image
from neurocost.models.zoo.kits import ANN_KIT, Kit, leaky, spiking_kit
from neurocost.models.zoo.registry import register_with_twin
from neurocost.models.zoo.seeding import build_seeded
from neurocost.models.zoo.transformer import FP_TRANSFORMER, EncoderBlock, spiking_transformer


class Spikformer(nn.Module):
    """Patch splitting, encoder blocks, token mean, linear head. Input ``[B, C, H, W]``."""

    def __init__(
        self, kit: Kit, blocks: list[EncoderBlock], in_channels: int, d_model: int, classes: int,
    ) -> None:
        super().__init__()
        half = d_model // 2
        self.patch_split = nn.Sequential(
            nn.Conv2d(in_channels, half, 3, padding=1, bias=False), nn.BatchNorm2d(half),
            kit.activation(), nn.MaxPool2d(2),
            kit.conv(half, d_model, 3, padding=1, bias=False), nn.BatchNorm2d(d_model),
            kit.activation(), nn.MaxPool2d(2),
        )
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(d_model, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.patch_split(x).flatten(2).transpose(1, 2)
        return self.head(self.blocks(tokens).mean(dim=1))


def spikformer(
    in_channels: int = 3, image_size: int = 32, d_model: int = 64, heads: int = 4,
    layers: int = 1, d_ff: int = 256, classes: int = 10, beta: float = 0.9, seed: int = 0,
    ann: bool = False,
) -> Spikformer:
    """Spikformer-style transformer; ``image_size`` (a multiple of 4) sets the example input."""
    if image_size % 4:
        raise ValueError(f"spikformer needs image_size divisible by 4, got {image_size}")
    kit = ANN_KIT if ann else spiking_kit(beta)
    block_kit = FP_TRANSFORMER if ann else spiking_transformer(lambda: leaky(beta))

    def build() -> Spikformer:
        blocks = [EncoderBlock(block_kit, d_model, heads, d_ff) for _ in range(layers)]
        return Spikformer(kit, blocks, in_channels, d_model, classes)

    return build_seeded(seed, build)


register_with_twin("spikformer", spikformer, image,
                   "Spikformer-style spiking vision transformer, 3x32x32 -> 10", stepwise=True,
                   default_steps=4)
