"""Partial binarisation (PB-LLM style): a salient fraction of weights kept at higher precision.

The layer is the sum of two Linear layers over the same input, splitting one weight matrix by a
fixed mask: the salient weights (largest |w|) are quantised to ``salient_bits`` bits, all others
binarised (sign x per-row mean |w| of the non-salient entries). Each part keeps the full weight
shape with zeros outside its mask, so the tracer counts each part's ops exactly with its own op
class, and each part declares ``bits_per_weight`` = (its share of the entries) x (its bits), so
the two parts' storage adds up to the layer's mean bits per weight:
    bits_per_weight = f * salient_bits + (1 - f) * 1       (f = 0.1, 8 bits -> 1.70, as in PB-LLM)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from neurocost.models.encodings import BINARY, Encoding, int_
from neurocost.models.layers.quantizers import quantize_weight
from neurocost.models.layers.ste import sign_ste


class _MaskedPart(nn.Linear):
    """One part of a partially binarised weight: the entries where ``mask`` is 1."""

    input_encoding: Encoding | None = None

    def __init__(self, weight: torch.Tensor, mask: torch.Tensor, bias: torch.Tensor | None) -> None:
        out_features, in_features = weight.shape
        super().__init__(in_features, out_features, bias=bias is not None)
        with torch.no_grad():
            self.weight.copy_(weight)
            if bias is not None:
                self.bias.copy_(bias)
        self.register_buffer("mask", mask.to(weight.dtype))
        self.bits_per_weight = float(mask.float().mean()) * self.weight_encoding.bits
        self.stored_weight_elements = int(mask.sum())  # only this part's entries are stored

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.effective_weight(), self.bias)


class _BinaryPart(_MaskedPart):
    weight_encoding: Encoding = BINARY

    def effective_weight(self) -> torch.Tensor:
        """sign(w) x mean |w| over this row's non-salient entries, zero on salient entries."""
        kept = self.mask.sum(dim=1, keepdim=True).clamp_min(1)
        scale = ((self.weight.abs() * self.mask).sum(dim=1, keepdim=True) / kept).detach()
        return sign_ste(self.weight) * scale * self.mask


class _SalientPart(_MaskedPart):
    def __init__(self, weight: torch.Tensor, mask: torch.Tensor, bits: int) -> None:
        self.weight_encoding = int_(bits)
        super().__init__(weight, mask, bias=None)

    def effective_weight(self) -> torch.Tensor:
        """Salient entries on a symmetric ``bits``-bit grid (max-abs per row), zero elsewhere."""
        return quantize_weight(self.weight * self.mask, self.weight_encoding.bits)


class PartiallyBinarizedLinear(nn.Module):
    """A Linear whose largest-|w| ``salient_fraction`` of weights keeps ``salient_bits`` bits."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True,
        salient_fraction: float = 0.1, salient_bits: int = 8,
    ) -> None:
        super().__init__()
        self._init_parts(nn.Linear(in_features, out_features, bias=bias), salient_fraction,
                         salient_bits)

    @classmethod
    def from_linear(
        cls, linear: nn.Linear, salient_fraction: float = 0.1, salient_bits: int = 8
    ) -> PartiallyBinarizedLinear:
        """Partially binarise a trained ``linear`` (salient weights chosen by magnitude)."""
        layer = cls.__new__(cls)
        nn.Module.__init__(layer)
        layer._init_parts(linear, salient_fraction, salient_bits)
        return layer

    def _init_parts(self, linear: nn.Linear, salient_fraction: float, salient_bits: int) -> None:
        if not 0.0 <= salient_fraction <= 1.0:
            raise ValueError(f"salient_fraction must be in [0, 1], got {salient_fraction}")
        if not 2 <= salient_bits <= 16:
            raise ValueError(f"salient_bits must be 2..16, got {salient_bits}")
        weight = linear.weight.detach()
        salient = _largest_magnitude_mask(weight, salient_fraction)
        bias = None if linear.bias is None else linear.bias.detach()
        self.binary = _BinaryPart(weight, ~salient, bias)
        self.salient = _SalientPart(weight, salient, salient_bits)
        self.salient_fraction = float(salient.float().mean())

    @property
    def bits_per_weight(self) -> float:
        """Mean storage bits per weight entry (the two parts' shares added)."""
        return self.binary.bits_per_weight + self.salient.bits_per_weight

    def effective_weight(self) -> torch.Tensor:
        """The whole weight the layer applies (the two parts' disjoint supports added)."""
        return self.binary.effective_weight() + self.salient.effective_weight()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.binary(x) + self.salient(x)


def _largest_magnitude_mask(weight: torch.Tensor, fraction: float) -> torch.Tensor:
    """Boolean mask of the round(fraction * numel) entries of largest |w| (ties broken by index)."""
    count = round(fraction * weight.numel())
    mask = torch.zeros(weight.numel(), dtype=torch.bool)
    mask[torch.topk(weight.abs().flatten(), count).indices] = True
    return mask.view_as(weight)
