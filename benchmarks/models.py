"""The benchmark workload the trace budget is stated for (issue: trace <= 1.2x a plain forward).

A snnTorch CNN (conv 1->32->64, 5x5, Leaky), B=32, T=25, 28x28 frames, direct-encoded; the same
model and input for the plain forward and the trace.
"""

from __future__ import annotations

import snntorch as snn
import torch
import torch.nn as nn
from snntorch import utils

T, B = 25, 32


def wide_scnn() -> nn.Module:
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 5), nn.MaxPool2d(2), snn.Leaky(beta=0.9, init_hidden=True),
        nn.Conv2d(32, 64, 5), nn.MaxPool2d(2), snn.Leaky(beta=0.9, init_hidden=True),
        nn.Flatten(), nn.Linear(64 * 4 * 4, 10), snn.Leaky(beta=0.9, init_hidden=True, output=True))
    with torch.no_grad():  # default init barely fires; scale so the trace sees real spikes
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.mul_(3)
    return net.eval()


def frames(batch: int = B, steps: int = T) -> torch.Tensor:
    image = torch.rand(batch, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    return image.unsqueeze(0).repeat(steps, 1, 1, 1, 1)


def plain_forward(net: nn.Module, x: torch.Tensor) -> None:
    """What a user runs without neurocost: reset state, then one call per step, no autograd."""
    with torch.no_grad():
        utils.reset(net)
        for t in range(x.shape[0]):
            net(x[t])
