"""Architectures written the way users write them, for the counter-oracle tests.

Each builder returns ``(model, input)``: CNNs with padding, bias and BN; a residual block; a
depthwise-separable net; ViT- and BERT-style attention (hand-written matmuls, nn.Softmax,
F.scaled_dot_product_attention); a UNet-like net with GroupNorm and upsampling; an MLP; a Conv1d
net; snnTorch SNNs traced for one step; a net mixing plain layers with subclasses of them.
"""

from __future__ import annotations

from collections.abc import Callable

import snntorch as snn
import torch
import torch.nn as nn
import torch.nn.functional as F


def cnn() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32, affine=False), nn.ReLU(),
        nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
    return model, torch.randn(2, 3, 16, 16)


class _Residual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + self.down(x))


def resnet() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(nn.Conv2d(3, 8, 7, 2, 3, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                          nn.MaxPool2d(3, 2, 1), _Residual(8, 16, 2), _Residual(16, 16, 1),
                          nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(16, 5))
    return model, torch.randn(2, 3, 32, 32)


def mobilenet() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6(),
        nn.Conv2d(8, 8, 3, 1, 1, groups=8, bias=False), nn.BatchNorm2d(8), nn.ReLU6(),
        nn.Conv2d(8, 16, 1, bias=False), nn.BatchNorm2d(16), nn.Hardswish(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(16, 4))
    return model, torch.randn(2, 3, 24, 24)


class _Attention(nn.Module):
    def __init__(self, dim: int, heads: int, fused: bool) -> None:
        super().__init__()
        self.heads, self.fused = heads, fused
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v)
        else:
            attn = self.softmax((q @ k.transpose(-2, -1)) * (c // self.heads) ** -0.5)
            y = attn @ v
        return self.proj(y.transpose(1, 2).reshape(b, n, c))


class _Block(nn.Module):
    def __init__(self, dim: int, heads: int, fused: bool) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = _Attention(dim, heads, fused)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class _ViT(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.patch = nn.Conv2d(3, 32, 4, 4)
        self.blocks = nn.Sequential(_Block(32, 4, False), _Block(32, 4, False))
        self.norm = nn.LayerNorm(32)
        self.head = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch(x).flatten(2).transpose(1, 2)
        return self.head(self.norm(self.blocks(x))[:, 0])


def vit() -> tuple[nn.Module, torch.Tensor]:
    return _ViT(), torch.randn(2, 3, 16, 16)


class _Bert(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(100, 32)
        self.norm = nn.LayerNorm(32)
        self.blocks = nn.Sequential(_Block(32, 4, True), _Block(32, 4, True))
        self.pool = nn.Linear(32, 32)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.norm(self.embed(ids)))
        return torch.tanh(self.pool(x[:, 0]))


def bert() -> tuple[nn.Module, torch.Tensor]:
    return _Bert(), torch.randint(0, 100, (2, 12))


class _UNet(nn.Module):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.GroupNorm(4, 16), nn.SiLU())
        self.down = nn.MaxPool2d(2)
        self.mid = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.GroupNorm(8, 32), nn.SiLU())
        self.up = nn.Upsample(scale_factor=2, mode=mode)
        self.dec = nn.Sequential(nn.Conv2d(48, 16, 3, padding=1), nn.GroupNorm(4, 16, affine=False),
                                 nn.SiLU(), nn.Conv2d(16, 2, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e = self.enc(x)
        return self.dec(torch.cat([self.up(self.mid(self.down(e))), e], dim=1))


def unet_nearest() -> tuple[nn.Module, torch.Tensor]:
    return _UNet("nearest"), torch.randn(2, 3, 16, 16)


def unet_bilinear() -> tuple[nn.Module, torch.Tensor]:
    return _UNet("bilinear"), torch.randn(2, 3, 16, 16)


def mlp() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.BatchNorm1d(32), nn.PReLU(),
                          nn.Linear(32, 10), nn.Softmax(dim=1))
    return model, torch.randn(4, 1, 8, 8)


def conv1d() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(nn.Conv1d(2, 8, 5, padding=2), nn.BatchNorm1d(8), nn.LeakyReLU(),
                          nn.Conv1d(8, 8, 3, stride=2, dilation=2), nn.InstanceNorm1d(8),
                          nn.AvgPool1d(2), nn.Flatten(), nn.Linear(8 * 7, 3))
    return model, torch.randn(2, 2, 32)


def scnn() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(
        nn.Conv2d(1, 8, 5, bias=False), nn.MaxPool2d(2), snn.Leaky(0.9, init_hidden=True),
        nn.Conv2d(8, 16, 5), nn.MaxPool2d(2), snn.Leaky(0.9, init_hidden=True), nn.Flatten(),
        nn.Linear(256, 10), snn.Leaky(0.9, init_hidden=True, output=False))
    return model, torch.rand(2, 1, 28, 28)


def smlp() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), snn.Leaky(0.8, init_hidden=True),
                          nn.Linear(32, 10), snn.Leaky(0.8, init_hidden=True))
    return model, torch.rand(3, 1, 8, 8)


class _MyConv(nn.Conv2d):
    """A user's own convolution (weight standardisation), a subclass of nn.Conv2d."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight - self.weight.mean(dim=(1, 2, 3), keepdim=True)
        return F.conv2d(x, w, self.bias, self.stride, self.padding)


def subclassed() -> tuple[nn.Module, torch.Tensor]:
    """Plain torch layers beside subclasses of them: tools that dispatch on the exact type
    (thop, ptflops) count only the plain ones."""
    from neurocost.models.layers import BinaryConv2d, BinaryLinear

    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        _MyConv(8, 8, 3, padding=1), BinaryConv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16),
        nn.MaxPool2d(2), nn.Flatten(), BinaryLinear(16 * 4 * 4, 32), nn.Linear(32, 10))
    return model, torch.randn(2, 1, 8, 8)


ARCHITECTURES: dict[str, Callable[[], tuple[nn.Module, torch.Tensor]]] = {
    f.__name__: f for f in (cnn, resnet, mobilenet, vit, bert, unet_nearest, unet_bilinear, mlp,
                            conv1d, scnn, smlp, subclassed)
}
