"""Attention cores: the two activation x activation matmuls of a head, in fp, k-bit, binary
and spiking form. Each takes per-head ``q, k, v`` of shape ``[B, H, N, d_head]`` and returns the
context ``[B, H, N, d_head]``. Operands are tagged by the module that produced them (an
``ActQuantizer`` or a neuron with ``output_encoding``) right before ``torch.matmul``, which is how
the tracer learns the matmuls' op class.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from neurocost.models.layers import ActQuantizer


def _masked(scores: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Scores with disallowed positions (``mask`` False) set to -inf."""
    return scores if mask is None else scores.masked_fill(~mask, float("-inf"))


class SoftmaxAttention(nn.Module):
    """softmax(q k^T / sqrt(d_head)) v, in fp32."""

    def __init__(self, head_dim: int) -> None:
        super().__init__()
        self.scale = 1.0 / math.sqrt(head_dim)

    def forward(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        scores = _masked(torch.matmul(q, k.transpose(-2, -1)) * self.scale, mask)
        return torch.matmul(scores.softmax(dim=-1), v)


class QuantizedAttention(nn.Module):
    """Attention whose matmul operands are ``bits``-bit (q, k, v and the attention weights).

    ``bits >= 2``: q, k, v quantised, softmax, attention weights quantised, then the second matmul.
    ``bits == 1`` (BiBERT's Bi-Attention, Qin et al., ICLR 2022): q, k, v are signs, and the
    attention weights are bool(scores) in {0, 1} with no softmax. A {0, 1} matrix is fed to the
    second matmul in its +-1 form, using bool(a) = (sign(a) + 1) / 2:
        bool(S) v = (sign(S) v + 1 v) / 2
    so the matmul is a true +-1 x +-1 (XNOR-popcount) product; ``1 v`` is a per-column sum of v
    (an accumulation of N x d_head values per head, not a matmul). Masked positions get score
    -inf, hence sign -1, hence weight 0.
    """

    def __init__(self, head_dim: int, bits: int = 1) -> None:
        super().__init__()
        self.scale = 1.0 / math.sqrt(head_dim)
        self.bits = bits
        self.quantize_q, self.quantize_k, self.quantize_v = (ActQuantizer(bits) for _ in range(3))
        self.quantize_weights = ActQuantizer(bits)

    def forward(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        q, k, v = self.quantize_q(q), self.quantize_k(k), self.quantize_v(v)
        scores = _masked(torch.matmul(q, k.transpose(-2, -1)) * self.scale, mask)
        if self.bits == 1:
            signs = self.quantize_weights(scores)
            return (torch.matmul(signs, v) + v.sum(dim=-2, keepdim=True)) / 2
        return torch.matmul(self.quantize_weights(scores.softmax(dim=-1)), v)


class SpikingAttention(nn.Module):
    """Spiking self-attention (Spikformer, Zhou et al., ICLR 2023): q, k, v are spike trains and
    there is no softmax, so the product is associative and computed as q (k^T v) * scale.

    Every operand of both matmuls is then a spike tensor or is multiplied by one (k^T v holds
    spike counts, and q is spikes), so both matmuls are accumulates, never multiplies. Causal
    masks need the (q k^T) order and are refused. The scale is 1 / sqrt(d_head) (Spikformer's 0.125
    at d_head = 64).
    """

    def __init__(self, head_dim: int, neuron: Callable[[], nn.Module]) -> None:
        super().__init__()
        self.scale = 1.0 / math.sqrt(head_dim)
        self.spike_q, self.spike_k, self.spike_v = neuron(), neuron(), neuron()

    def forward(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        if mask is not None:
            raise ValueError("SpikingAttention computes q (k^T v) and cannot apply a causal mask")
        q, k, v = self.spike_q(q), self.spike_k(k), self.spike_v(v)
        return torch.matmul(q, torch.matmul(k.transpose(-2, -1), v)) * self.scale
