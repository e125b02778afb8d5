"""The convolutional spiking network of snnTorch's tutorial 6, as a user's own model file.

12C5-MP2-64C5-MP2-1024FC10 on 28x28 MNIST frames, Leaky neurons (beta 0.5) holding their state
between calls, driven one time step per call for 25 steps. ``pool`` picks max pooling (the
tutorial's) or average pooling, which NIR can express.
"""

from __future__ import annotations

import snntorch as snn
from snntorch import surrogate
from torch import nn


def build(beta: float = 0.5, pool: str = "max") -> nn.Sequential:
    """The tutorial network; ``beta`` is every neuron's membrane decay per step."""
    grad = surrogate.fast_sigmoid(slope=25)
    pooling = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}[pool]
    return nn.Sequential(
        nn.Conv2d(1, 12, 5), pooling(2),
        snn.Leaky(beta=beta, spike_grad=grad, init_hidden=True),
        nn.Conv2d(12, 64, 5), pooling(2),
        snn.Leaky(beta=beta, spike_grad=grad, init_hidden=True),
        nn.Flatten(), nn.Linear(64 * 4 * 4, 10),
        snn.Leaky(beta=beta, spike_grad=grad, init_hidden=True, output=True),
    )
