"""Transformer building blocks shared by the BERT, Spikformer and encoder-decoder entries.

A ``TransformerKit`` chooses every projection, the attention core, the word embedding and the
FFN non-linearity; the blocks are written once. Blocks are post-LayerNorm, as in BERT:
    x = LN(x + Attention(x)),  x = LN(x + FFN(x))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from neurocost.models.layers import BinaryEmbedding, BinaryLinear, QuantLinear, parse_precision
from neurocost.models.zoo.attention import QuantizedAttention, SoftmaxAttention, SpikingAttention


@dataclass(frozen=True)
class TransformerKit:
    """Module factories for one transformer family."""

    name: str
    linear: Callable[[int, int], nn.Module]
    attention: Callable[[int], nn.Module]
    embedding: Callable[[int, int], nn.Module]
    ffn_activation: Callable[[], nn.Module]


FP_TRANSFORMER = TransformerKit("fp32", nn.Linear, SoftmaxAttention, nn.Embedding, nn.GELU)

BINARY_TRANSFORMER = TransformerKit(
    "binary", BinaryLinear, lambda head_dim: QuantizedAttention(head_dim, bits=1),
    BinaryEmbedding, nn.GELU,
)


def quantized_transformer(precision: str) -> TransformerKit:
    """Projections at ``precision`` (``"W2A2"`` ...), attention operands at its activation bits."""
    _, act_bits = parse_precision(precision)
    return TransformerKit(
        precision,
        lambda d_in, d_out: QuantLinear(d_in, d_out, precision=precision),
        lambda head_dim: QuantizedAttention(head_dim, bits=act_bits),
        nn.Embedding,
        nn.GELU,
    )


def spiking_transformer(neuron: Callable[[], nn.Module]) -> TransformerKit:
    """A neuron in front of every projection (so it is fed spikes), spiking attention, no GELU."""
    return TransformerKit(
        "spiking",
        lambda d_in, d_out: nn.Sequential(neuron(), nn.Linear(d_in, d_out)),
        lambda head_dim: SpikingAttention(head_dim, neuron),
        nn.Embedding,
        nn.Identity,
    )


class Attention(nn.Module):
    """Multi-head attention: projections from the kit around its attention core."""

    def __init__(self, kit: TransformerKit, d_model: int, heads: int) -> None:
        super().__init__()
        if d_model % heads:
            raise ValueError(f"d_model={d_model} is not divisible by heads={heads}")
        self.heads = heads
        self.query, self.key, self.value, self.output = (
            kit.linear(d_model, d_model) for _ in range(4)
        )
        self.core = kit.attention(d_model // heads)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        return x.view(batch, length, self.heads, width // self.heads).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, memory: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        source = x if memory is None else memory
        q, k, v = self._split(self.query(x)), self._split(self.key(source)), self._split(
            self.value(source)
        )
        context = self.core(q, k, v, mask).transpose(1, 2).flatten(2)
        return self.output(context)


class FeedForward(nn.Module):
    """d_model -> d_ff -> d_model."""

    def __init__(self, kit: TransformerKit, d_model: int, d_ff: int) -> None:
        super().__init__()
        self.expand = kit.linear(d_model, d_ff)
        self.activation = kit.ffn_activation()
        self.contract = kit.linear(d_ff, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.contract(self.activation(self.expand(x)))


class EncoderBlock(nn.Module):
    """Self-attention and feed-forward, each with a residual and a LayerNorm."""

    def __init__(self, kit: TransformerKit, d_model: int, heads: int, d_ff: int) -> None:
        super().__init__()
        self.attention = Attention(kit, d_model, heads)
        self.norm_attention = nn.LayerNorm(d_model)
        self.ffn = FeedForward(kit, d_model, d_ff)
        self.norm_ffn = nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.norm_attention(x + self.attention(x))
        return self.norm_ffn(x + self.ffn(x))


class DecoderBlock(nn.Module):
    """Causal self-attention, cross-attention to the encoder output, feed-forward."""

    def __init__(self, kit: TransformerKit, d_model: int, heads: int, d_ff: int) -> None:
        super().__init__()
        self.self_attention = Attention(kit, d_model, heads)
        self.norm_self = nn.LayerNorm(d_model)
        self.cross_attention = Attention(kit, d_model, heads)
        self.norm_cross = nn.LayerNorm(d_model)
        self.ffn = FeedForward(kit, d_model, d_ff)
        self.norm_ffn = nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        length = x.shape[1]
        causal = torch.ones(length, length, dtype=torch.bool, device=x.device).tril()
        x = self.norm_self(x + self.self_attention(x, mask=causal))
        x = self.norm_cross(x + self.cross_attention(x, memory=memory))
        return self.norm_ffn(x + self.ffn(x))
