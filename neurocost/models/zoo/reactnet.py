"""ReActNet-A (Liu et al., ECCV 2020): a binary network on the MobileNetV1 layout.

Every MobileNetV1 depthwise-separable pair becomes a 3x3 conv and a 1x1 conv, both W1A1 and each
wrapped by a real-valued shortcut. Where the channel count doubles, the 1x1 part is two 1x1 convs
whose outputs are concatenated (each with the input as shortcut); a stride-2 block average-pools
its shortcut. Before each binary conv a learnable per-channel shift moves the sign threshold
(RSign); after each BatchNorm and shortcut, RPReLU (shift, PReLU, shift). The stem conv (3x3,
stride 2) and the final classifier are real-valued.

With ``image_size=224`` and 1000 classes this is the paper's ImageNet model: its binary convs do
4.82e9 BOPs and its real layers 0.12e8 FLOPs (paper's comparison table), which the tests check.
The ANN twin (``ann=True``) uses fp32 convs on real inputs in the same places.
"""

from __future__ import annotations

import torch
from torch import nn

from neurocost.models.layers import BinaryConv2d
from neurocost.models.zoo.inputs import image
from neurocost.models.zoo.registry import register_with_twin
from neurocost.models.zoo.seeding import build_seeded

# MobileNetV1 channel widths: stem, then one entry per depthwise-separable block.
STAGE_CHANNELS = (32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024)


class LearnableShift(nn.Module):
    """Adds a learned per-channel bias (the threshold shift of RSign and RPReLU)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.shift = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.shift


class RPReLU(nn.Module):
    """Shift, per-channel PReLU, shift: ReAct's reshaped activation."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.shift_in = LearnableShift(channels)
        self.prelu = nn.PReLU(channels)
        self.shift_out = LearnableShift(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shift_out(self.prelu(self.shift_in(x)))


class _ShortcutConv(nn.Module):
    """shift -> (binary) conv -> BatchNorm, plus the given shortcut."""

    def __init__(self, conv_type: type[nn.Conv2d], in_ch: int, out_ch: int, kernel: int,
                 stride: int) -> None:
        super().__init__()
        self.shift = LearnableShift(in_ch)
        self.conv = conv_type(in_ch, out_ch, kernel, stride=stride, padding=kernel // 2,
                              bias=False)
        self.norm = nn.BatchNorm2d(out_ch)

    def forward(self, x: torch.Tensor, shortcut: torch.Tensor) -> torch.Tensor:
        return self.norm(self.conv(self.shift(x))) + shortcut


class ReActBlock(nn.Module):
    """One MobileNetV1 block, binarised: 3x3 part then 1x1 part (doubled by concatenation)."""

    def __init__(self, conv_type: type[nn.Conv2d], in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        if out_ch not in (in_ch, 2 * in_ch):
            raise ValueError(f"ReActBlock: out_ch must be in_ch or 2*in_ch, got {in_ch}->{out_ch}")
        self.spatial = _ShortcutConv(conv_type, in_ch, in_ch, 3, stride)
        self.pool = nn.AvgPool2d(2, 2) if stride == 2 else nn.Identity()
        self.act_spatial = RPReLU(in_ch)
        self.pointwise = nn.ModuleList(
            _ShortcutConv(conv_type, in_ch, in_ch, 1, 1) for _ in range(out_ch // in_ch)
        )
        self.act_pointwise = RPReLU(out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act_spatial(self.spatial(x, self.pool(x)))
        return self.act_pointwise(torch.cat([part(x, x) for part in self.pointwise], dim=1))


def _stride(index: int) -> int:
    """Stride 2 where MobileNetV1 halves the resolution (every width increase except to 64)."""
    before, after = STAGE_CHANNELS[index - 1], STAGE_CHANNELS[index]
    return 2 if after != before and after != 64 else 1


def reactnet_a(
    in_channels: int = 3, image_size: int = 224, classes: int = 1000, width: float = 1.0,
    seed: int = 0, ann: bool = False,
) -> nn.Sequential:
    """ReActNet-A; ``image_size`` sets only the example input (the net is fully convolutional);
    ``width`` scales every channel count (MobileNet's width multiplier; 1.0 is the paper's)."""
    conv_type = nn.Conv2d if ann else BinaryConv2d
    channels = [max(1, round(c * width)) for c in STAGE_CHANNELS]

    def build() -> nn.Sequential:
        stem = nn.Sequential(
            nn.Conv2d(in_channels, channels[0], 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(channels[0]),
        )
        blocks = [
            ReActBlock(conv_type, channels[i - 1], channels[i], _stride(i))
            for i in range(1, len(channels))
        ]
        head = [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels[-1], classes)]
        return nn.Sequential(stem, *blocks, *head)

    return build_seeded(seed, build)


register_with_twin("reactnet_a", reactnet_a, image,
                   "ReActNet-A, binary MobileNetV1 layout, 3x224x224 -> 1000", stepwise=False)
