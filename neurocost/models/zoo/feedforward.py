"""Plain feed-forward layouts (MLP, CNN) in spiking, binary and ANN form.

``scnn`` defaults to the layout the CLI's ``neurocost trace zoo:scnn`` uses: 1x28x28 input,
Conv2d 1->8 5x5, MaxPool 2, Leaky, Conv2d 8->16 5x5, MaxPool 2, Leaky, Flatten, Linear 256->10,
Leaky(output=True). Every size is a keyword, so the same layouts fit 8x8 digits.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from neurocost.models.zoo.inputs import features, image
from neurocost.models.zoo.kits import BINARY_KIT, Kit, pick, spiking_kit
from neurocost.models.zoo.registry import register_with_twin
from neurocost.models.zoo.seeding import build_seeded


def _mlp_layers(kit: Kit, in_features: int, hidden: Sequence[int], classes: int) -> nn.Sequential:
    widths = [in_features, *hidden]
    layers: list[nn.Module] = [nn.Flatten()]
    for index, (width_in, width_out) in enumerate(zip(widths, widths[1:], strict=False)):
        linear = nn.Linear if index == 0 else kit.linear
        layers += [linear(width_in, width_out), kit.activation()]
    layers.append(nn.Linear(widths[-1], classes))
    if kit.readout is not None:
        layers.append(kit.readout())
    return nn.Sequential(*layers)


_POOLS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


def _cnn_layers(
    kit: Kit, in_channels: int, image_size: int, channels: Sequence[int], kernel: int,
    padding: int, batch_norm: bool, classes: int, pool: str,
) -> nn.Sequential:
    if pool not in _POOLS:
        raise ValueError(f"pool must be 'max' or 'avg', got {pool!r}")
    layers: list[nn.Module] = []
    side, width_in = image_size, in_channels
    for index, width_out in enumerate(channels):
        conv = nn.Conv2d if index == 0 else kit.conv
        layers += [conv(width_in, width_out, kernel, padding=padding), _POOLS[pool](2)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(width_out))
        layers.append(kit.activation())
        side = (side + 2 * padding - kernel + 1) // 2
        width_in = width_out
    if side < 1:
        raise ValueError(f"image_size={image_size} is too small for {len(channels)} conv stages")
    layers += [nn.Flatten(), nn.Linear(width_in * side * side, classes)]
    if kit.readout is not None:
        layers.append(kit.readout())
    return nn.Sequential(*layers)


def smlp(
    in_features: int = 784, hidden: Sequence[int] = (128,), classes: int = 10,
    beta: float = 0.9, seed: int = 0, ann: bool = False,
) -> nn.Sequential:
    """Spiking MLP: Flatten, (Linear, Leaky) per hidden width, Linear, Leaky(output=True)."""
    kit = pick(ann, spiking_kit(beta))
    return build_seeded(seed, lambda: _mlp_layers(kit, in_features, hidden, classes))


def bmlp(
    in_features: int = 784, hidden: Sequence[int] = (256, 256), classes: int = 10,
    seed: int = 0, ann: bool = False,
) -> nn.Sequential:
    """Binary MLP: fp32 first and last Linear, W1A1 BinaryLinear in between (Hardtanh before)."""
    kit = pick(ann, BINARY_KIT)
    return build_seeded(seed, lambda: _mlp_layers(kit, in_features, hidden, classes))


def scnn(
    in_channels: int = 1, image_size: int = 28, channels: Sequence[int] = (8, 16),
    kernel: int = 5, padding: int = 0, classes: int = 10, beta: float = 0.9, pool: str = "max",
    seed: int = 0, ann: bool = False,
) -> nn.Sequential:
    """Spiking CNN: (Conv, 2x2 pool, Leaky) per stage, Flatten, Linear, Leaky(output=True).

    ``pool="avg"`` makes the network expressible in NIR, which has no max-pooling node."""
    kit = pick(ann, spiking_kit(beta))
    return build_seeded(
        seed,
        lambda: _cnn_layers(kit, in_channels, image_size, channels, kernel, padding, False,
                            classes, pool),
    )


def bcnn(
    in_channels: int = 1, image_size: int = 28, channels: Sequence[int] = (32, 64),
    kernel: int = 3, padding: int = 1, classes: int = 10, pool: str = "max", seed: int = 0,
    ann: bool = False,
) -> nn.Sequential:
    """Binary CNN: fp32 first conv, W1A1 BinaryConv2d after it, BatchNorm, fp32 classifier."""
    kit = pick(ann, BINARY_KIT)
    return build_seeded(
        seed,
        lambda: _cnn_layers(kit, in_channels, image_size, channels, kernel, padding, True,
                            classes, pool),
    )


register_with_twin("smlp", smlp, features, "spiking MLP 784-128-10 (snnTorch Leaky)",
                   stepwise=True, default_steps=4)
register_with_twin("scnn", scnn, image, "spiking CNN 1x28x28: conv8-conv16-fc10 (Leaky)",
                   stepwise=True, default_steps=4)
register_with_twin("bmlp", bmlp, features, "binary MLP 784-256-256-10 (W1A1 hidden layer)",
                   stepwise=False)
register_with_twin("bcnn", bcnn, image, "binary CNN 1x28x28: conv32 (fp) - W1A1 conv64 - fc10",
                   stepwise=False)
