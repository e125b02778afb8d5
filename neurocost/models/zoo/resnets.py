"""Residual networks: a Bi-Real-style binary ResNet-18 and a SEW-style spiking ResNet.

``binary_resnet18`` (Bi-Real Net, Liu et al., ECCV 2018): ResNet-18 with every 3x3 conv of the
residual stages W1A1 and wrapped by its own real-valued shortcut, so real activations flow
around each binary conv; downsampling shortcuts are real (2x2 average pool, 1x1 conv, BN); the
7x7 stem and the classifier are real. At 224x224 its binary convs do 1.68e9 BOPs (Bi-Real paper).

``sew_resnet`` (SEW ResNet, Fang et al., NeurIPS 2021): spike-element-wise residual blocks,
out = g(SN(conv-BN-SN-conv-BN(s)), s) with g one of ADD, AND, IAND. The classifier reads the
flattened spike map (no average pool), so it is fed spikes.
"""

from __future__ import annotations

import torch
from torch import nn

from neurocost.models.encodings import SPIKE, Encoding, int_
from neurocost.models.zoo.inputs import image
from neurocost.models.zoo.kits import BINARY_KIT, Kit, pick, spiking_kit
from neurocost.models.zoo.registry import register_with_twin
from neurocost.models.zoo.seeding import build_seeded

RESNET18_WIDTHS = (64, 128, 256, 512)


class BiRealUnit(nn.Module):
    """activation -> 3x3 conv -> BN, plus a shortcut (identity, or pool + 1x1 conv + BN)."""

    def __init__(self, kit: Kit, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.activation = kit.activation()
        self.conv = kit.conv(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.norm = nn.BatchNorm2d(out_ch)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Sequential(
                nn.AvgPool2d(stride) if stride != 1 else nn.Identity(),
                nn.Conv2d(in_ch, out_ch, 1, bias=False),
                nn.BatchNorm2d(out_ch),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.conv(self.activation(x))) + self.shortcut(x)


def binary_resnet18(
    in_channels: int = 3, image_size: int = 224, classes: int = 1000, width: float = 1.0,
    seed: int = 0, ann: bool = False,
) -> nn.Sequential:
    """Bi-Real-style binary ResNet-18 (``image_size`` sets only the example input; ``width``
    scales every channel count, 1.0 being ResNet-18's 64-128-256-512)."""
    kit = pick(ann, BINARY_KIT)
    widths = [max(1, round(c * width)) for c in RESNET18_WIDTHS]

    def build() -> nn.Sequential:
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, widths[0], 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.MaxPool2d(3, stride=2, padding=1),
        ]
        width_in = widths[0]
        for stage, width in enumerate(widths):
            for unit in range(4):  # two basic blocks of two convs each
                stride = 2 if stage > 0 and unit == 0 else 1
                layers.append(BiRealUnit(kit, width_in, width, stride))
                width_in = width
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width_in, classes)]
        return nn.Sequential(*layers)

    return build_seeded(seed, build)


class SEWConnect(nn.Module):
    """g(block output a, shortcut s): ADD a + s, AND a * s, IAND (1 - a) * s.

    AND and IAND keep {0, 1} spikes; ADD of two spike maps is in {0, 1, 2}, declared a 3-bit
    integer (each stage begins with a spiking neuron, so sums never exceed 2 here).
    """

    def __init__(self, mode: str) -> None:
        super().__init__()
        if mode not in ("add", "and", "iand"):
            raise ValueError(f"SEW connect mode must be add, and or iand, got {mode!r}")
        self.mode = mode
        self.output_encoding: Encoding = int_(3) if mode == "add" else SPIKE

    def forward(self, block: torch.Tensor, shortcut: torch.Tensor) -> torch.Tensor:
        if self.mode == "add":
            return block + shortcut
        if self.mode == "and":
            return block * shortcut
        return (1 - block) * shortcut


class SEWBlock(nn.Module):
    """conv-BN-act-conv-BN-act, joined to the input by a SEW connect (plain ADD for the twin)."""

    def __init__(self, kit: Kit, channels: int, connect: str) -> None:
        super().__init__()
        self.body = nn.Sequential(
            kit.conv(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels),
            kit.activation(),
            kit.conv(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels),
            kit.activation(),
        )
        self.connect = SEWConnect(connect)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.connect(self.body(x), x)


def sew_resnet(
    in_channels: int = 3, image_size: int = 32, width: int = 16, classes: int = 10,
    connect: str = "add", beta: float = 0.9, seed: int = 0, ann: bool = False,
) -> nn.Sequential:
    """SEW ResNet: stem, SEW block, stride-2 conv, SEW block, flattened spike map, readout."""
    if image_size % 2:
        raise ValueError(f"sew_resnet needs an even image_size, got {image_size}")
    kit = pick(ann, spiking_kit(beta))
    join = "add" if ann else connect

    def build() -> nn.Sequential:
        side = image_size // 2
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
            kit.activation(),
            SEWBlock(kit, width, join),
            kit.conv(width, 2 * width, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * width), kit.activation(),
            SEWBlock(kit, 2 * width, join),
            nn.Flatten(), nn.Linear(2 * width * side * side, classes),
        ]
        if kit.readout is not None:
            layers.append(kit.readout())
        return nn.Sequential(*layers)

    return build_seeded(seed, build)


register_with_twin("binary_resnet18", binary_resnet18, image,
                   "Bi-Real-style binary ResNet-18, 3x224x224 -> 1000", stepwise=False)
register_with_twin("sew_resnet", sew_resnet, image,
                   "SEW spiking ResNet, 3x32x32 -> 10 (ADD connect)", stepwise=True,
                   default_steps=4)
