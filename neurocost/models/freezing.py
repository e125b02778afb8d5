"""Freeze quantised layers into plain torch layers for export: each quantised Linear / Conv
becomes (its input quantiser, then a plain layer holding ``effective_weight()``), so an exported
graph holds the weights actually applied and only standard ops.

The 1-bit activation quantiser is written as ``where(x >= 0, 1, -1)``, the pattern the ONNX
importer recognises as a binary activation. ``frozen_encodings`` lists the declared encodings of
every frozen weight by its parameter name, for the export annotation.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from neurocost.models.contract import declared_bits_per_weight, declared_encoding
from neurocost.models.layers import ActQuantizer, BinaryEmbedding
from neurocost.models.layers.quantizers import quantize_activation


class SignActivation(nn.Module):
    """+1 where x >= 0, else -1 (export form of the 1-bit activation quantiser)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)


class KBitActivation(nn.Module):
    """Symmetric k-bit activation quantiser (export form; max-abs scale per tensor)."""

    def __init__(self, bits: int) -> None:
        super().__init__()
        self.bits = bits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return quantize_activation(x, self.bits)


def activation_quantizer(bits: int) -> nn.Module:
    """The export form of a ``bits``-bit activation quantiser."""
    return SignActivation() if bits == 1 else KBitActivation(bits)


def _plain_copy(layer: nn.Module) -> nn.Module:
    """A plain Linear / ConvNd with the layer's geometry, effective weight and bias."""
    if isinstance(layer, nn.Linear):
        plain: nn.Module = nn.Linear(layer.in_features, layer.out_features, layer.bias is not None)
    else:
        conv_type = nn.Conv1d if isinstance(layer, nn.Conv1d) else nn.Conv2d
        plain = conv_type(
            layer.in_channels, layer.out_channels, layer.kernel_size, stride=layer.stride,
            padding=layer.padding, dilation=layer.dilation, groups=layer.groups,
            bias=layer.bias is not None, padding_mode=layer.padding_mode,
        )
    with torch.no_grad():
        plain.weight.copy_(layer.effective_weight())
        if layer.bias is not None:
            plain.bias.copy_(layer.bias)
    return plain


def _frozen(module: nn.Module) -> nn.Module | None:
    """The export replacement of ``module``, or None when it stays as it is."""
    if isinstance(module, ActQuantizer):
        return activation_quantizer(module.bits)
    if isinstance(module, BinaryEmbedding):
        plain = nn.Embedding(module.num_embeddings, module.embedding_dim, module.padding_idx)
        with torch.no_grad():
            plain.weight.copy_(module.effective_weight())
        return plain
    if hasattr(module, "effective_weight") and isinstance(module, (nn.Linear, nn.Conv1d,
                                                                    nn.Conv2d)):
        plain = _plain_copy(module)
        act_bits = getattr(module, "act_bits", 32)
        return plain if act_bits == 32 else nn.Sequential(activation_quantizer(act_bits), plain)
    return None


def freeze(model: nn.Module) -> tuple[nn.Module, dict[str, dict[str, object]]]:
    """A frozen copy of ``model`` (eval mode) and the encodings of its frozen weights:
    ``{parameter name: {"weight_encoding": "binary", "bits_per_weight": 1.0}}``."""
    frozen = copy.deepcopy(model).eval()
    encodings: dict[str, dict[str, object]] = {}
    for name, module in list(frozen.named_modules()):
        replacement = _frozen(module)
        if replacement is None or not name:
            continue
        parent_name, _, child = name.rpartition(".")
        setattr(frozen.get_submodule(parent_name), child, replacement)
        weight_encoding = declared_encoding(module, "weight")
        if weight_encoding is not None:
            suffix = "1.weight" if isinstance(replacement, nn.Sequential) else "weight"
            encodings[f"{name}.{suffix}"] = {
                "weight_encoding": str(weight_encoding),
                "bits_per_weight": declared_bits_per_weight(module) or float(weight_encoding.bits),
            }
    return frozen, encodings
