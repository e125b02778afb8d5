"""Kits: the interchangeable parts one layout is built from, so a spiking, a binary and an ANN
model of the same architecture come from the same code (that is what makes an ANN twin a twin).

A kit says which module makes a hidden convolution, a hidden linear layer, the non-linearity
after each stage, and the readout after the last layer. First and last layers stay fp32 in
every kit, as in the binary-network literature (XNOR-Net, Bi-Real, ReActNet) and as snnTorch
tutorials do (the first layer sees real-valued pixels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import snntorch as snn
from torch import nn

from neurocost.models.layers import BinaryConv2d, BinaryLinear


@dataclass(frozen=True)
class Kit:
    """Module factories for one family (spiking, binary or ANN)."""

    name: str
    conv: Callable[..., nn.Module]
    linear: Callable[[int, int], nn.Module]
    activation: Callable[[], nn.Module]
    readout: Callable[[], nn.Module] | None = None


def leaky(beta: float = 0.9, output: bool = False) -> snn.Leaky:
    """A snnTorch Leaky neuron that keeps its membrane between calls (stepwise use)."""
    return snn.Leaky(beta=beta, init_hidden=True, output=output)


def spiking_kit(beta: float = 0.9) -> Kit:
    """fp32 synapses, Leaky neurons as the non-linearity, a Leaky(output=True) readout."""
    return Kit(
        name="spiking",
        conv=nn.Conv2d,
        linear=nn.Linear,
        activation=lambda: leaky(beta),
        readout=lambda: leaky(beta, output=True),
    )


ANN_KIT = Kit(name="ann", conv=nn.Conv2d, linear=nn.Linear, activation=nn.ReLU)

# Hardtanh before a binary layer leaves sign(x) unchanged and clips the straight-through gradient.
BINARY_KIT = Kit(name="binary", conv=BinaryConv2d, linear=BinaryLinear, activation=nn.Hardtanh)


def pick(ann: bool, kit: Kit) -> Kit:
    """The kit a factory builds with: ``ANN_KIT`` for the twin, else the family's own."""
    return ANN_KIT if ann else kit
