"""Weight and activation quantisers, and the encoding each bit width declares to the tracer.

Bit widths follow one rule for weights and activations alike:
    1 bit      sign, {-1, +1} (times a per-output-channel scale for weights: XNOR-Net's mean |W|)
    2 bits     ternary, {-1, 0, +1} (times a scale). Weights use the TWN threshold
               0.7 * mean|W| (Li & Liu 2016); activations round to the symmetric 2-bit grid.
    k >= 3     symmetric uniform, integers in [-(2^(k-1) - 1), 2^(k-1) - 1] times a scale
               (per output channel for weights, per tensor for activations; max-abs calibrated)
    32         no quantisation (fp32)
Precision presets read ``"W1A1"``, ``"W1A4"``, ``"W2A2"``, ``"W4A4"``, ``"W1A32"`` ...
"""

from __future__ import annotations

import re

import torch

from neurocost.models.encodings import BINARY, FP32, TERNARY, Encoding, int_
from neurocost.models.layers.ste import round_ste, sign_ste

FULL_PRECISION = 32
_TWN_THRESHOLD = 0.7  # Li & Liu, "Ternary Weight Networks" (2016), Eq. 9: delta ~ 0.7 E|W|
_PRESET = re.compile(r"^W(\d+)A(\d+)$", re.IGNORECASE)


def _check_bits(bits: int, what: str) -> None:
    if bits != FULL_PRECISION and not 1 <= bits <= 16:
        raise ValueError(f"{what} bits must be 1..16 or {FULL_PRECISION} (fp32), got {bits}")


def encoding_for_bits(bits: int) -> Encoding:
    """The encoding a tensor quantised to ``bits`` bits declares (1 -> binary, 2 -> ternary,
    32 -> fp32)."""
    _check_bits(bits, "encoding")
    if bits == 1:
        return BINARY
    if bits == 2:
        return TERNARY
    return FP32 if bits == FULL_PRECISION else int_(bits)


def parse_precision(preset: str) -> tuple[int, int]:
    """``"W1A4"`` -> (weight_bits=1, act_bits=4)."""
    match = _PRESET.match(preset.strip())
    if match is None:
        raise ValueError(f"precision preset {preset!r}: expected W<bits>A<bits>, e.g. W1A1, W2A2")
    weight_bits, act_bits = int(match.group(1)), int(match.group(2))
    _check_bits(weight_bits, f"precision {preset!r}: weight")
    _check_bits(act_bits, f"precision {preset!r}: activation")
    return weight_bits, act_bits


def _channel_reduce(w: torch.Tensor) -> tuple[int, ...]:
    """All dimensions but the first (output channels)."""
    return tuple(range(1, w.dim()))


def quantize_weight(w: torch.Tensor, bits: int) -> torch.Tensor:
    """The weight a ``bits``-bit layer applies: integer levels times a per-output-channel scale."""
    _check_bits(bits, "weight")
    if bits == FULL_PRECISION:
        return w
    dims = _channel_reduce(w)
    if bits == 1:
        scale = w.abs().mean(dim=dims, keepdim=True).detach()
        return sign_ste(w) * scale
    if bits == 2:
        threshold = _TWN_THRESHOLD * w.abs().mean(dim=dims, keepdim=True).detach()
        kept = (w.abs() > threshold).to(w.dtype)
        scale = (w.abs() * kept).sum(dim=dims, keepdim=True) / kept.sum(dim=dims, keepdim=True)
        levels = torch.sign(w) * kept
        return w + (levels * scale.detach().nan_to_num(0.0) - w).detach()
    top = 2 ** (bits - 1) - 1
    scale = (w.abs().amax(dim=dims, keepdim=True) / top).clamp_min(1e-12).detach()
    return round_ste(w / scale).clamp(-top, top) * scale


def quantize_activation(x: torch.Tensor, bits: int) -> torch.Tensor:
    """Activations on the ``bits``-bit grid: sign for 1 bit, else symmetric max-abs per tensor.

    The values returned are the integer levels (times the scale for k >= 2); for 1 bit they are
    exactly {-1, +1}, which is what the tracer's BINARY declaration promises.
    """
    _check_bits(bits, "activation")
    if bits == FULL_PRECISION:
        return x
    if bits == 1:
        return sign_ste(x)
    top = 2 ** (bits - 1) - 1
    scale = (x.abs().amax() / top).clamp_min(1e-12).detach()
    return round_ste(x / scale).clamp(-top, top) * scale
