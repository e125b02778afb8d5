"""Spiking zoo entries (snnTorch ``Leaky`` neurons), each called once per time step with ``x[t]``.

Every neuron uses ``init_hidden=True`` so a network is a plain ``nn.Sequential`` that keeps its
membrane state between calls; reset it between samples with ``snntorch.utils.reset``. The last
neuron has ``output=True`` and returns ``(spikes, membrane)``.
"""

from __future__ import annotations

import snntorch as snn
from torch import nn

from neurocost.models.zoo.inputs import image
from neurocost.models.zoo.registry import ZooEntry, register
from neurocost.models.zoo.seeding import build_seeded


def _leaky(beta: float, output: bool = False) -> snn.Leaky:
    return snn.Leaky(beta=beta, init_hidden=True, output=output)


def scnn(beta: float = 0.9, classes: int = 10, seed: int = 0) -> nn.Sequential:
    """Spiking CNN for 1x28x28 images: two (5x5 conv, 2x2 max-pool, Leaky) stages, 256->10 readout.

    Shapes: 28 -conv5-> 24 -pool-> 12 -conv5-> 8 -pool-> 4, so the flattened map is 16*4*4 = 256.
    """

    def build() -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(1, 8, 5),
            nn.MaxPool2d(2),
            _leaky(beta),
            nn.Conv2d(8, 16, 5),
            nn.MaxPool2d(2),
            _leaky(beta),
            nn.Flatten(),
            nn.Linear(16 * 4 * 4, classes),
            _leaky(beta, output=True),
        )

    return build_seeded(seed, build)


register(
    ZooEntry(
        name="scnn",
        factory=scnn,
        make_input=image(1, 28, 28),
        stepwise=True,
        default_steps=4,
        summary="spiking CNN, 1x28x28 -> 10 (conv8-conv16-fc, snnTorch Leaky)",
    )
)
