"""A quantised encoder-decoder transformer: ternary weights and activations by default (W2A2,
TernaryBERT-like weights), or fully binary with ``precision="W1A1"`` (BiT-like).

All projections and both attention matmuls of every head run at ``precision``; token and
position embeddings, LayerNorms and the output projection stay fp32. The model takes one tensor
``[B, 2, N]`` of token ids (row 0 the source, row 1 the teacher-forced target) so that it has a
single input like every other zoo entry, and returns next-token logits ``[B, N, vocab]``.
"""

from __future__ import annotations

import torch
from torch import nn

from neurocost.models.zoo.inputs import source_target_tokens
from neurocost.models.zoo.registry import register_with_twin
from neurocost.models.zoo.seeding import build_seeded
from neurocost.models.zoo.transformer import (
    FP_TRANSFORMER,
    DecoderBlock,
    EncoderBlock,
    TransformerKit,
    quantized_transformer,
)


class EncoderDecoder(nn.Module):
    """Shared embedding, encoder and decoder stacks, fp32 output projection."""

    def __init__(
        self, kit: TransformerKit, vocab: int, max_len: int, d_model: int, heads: int, d_ff: int,
        encoder_layers: int, decoder_layers: int,
    ) -> None:
        super().__init__()
        self.max_len = max_len
        self.embedding = kit.embedding(vocab, d_model)
        self.position_embedding = nn.Embedding(max_len, d_model)
        self.encoder = nn.Sequential(
            *(EncoderBlock(kit, d_model, heads, d_ff) for _ in range(encoder_layers))
        )
        self.decoder = nn.ModuleList(
            DecoderBlock(kit, d_model, heads, d_ff) for _ in range(decoder_layers)
        )
        self.output = nn.Linear(d_model, vocab)

    def _embed(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[-1], device=ids.device)
        return self.embedding(ids) + self.position_embedding(positions)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.dim() != 3 or ids.shape[1] != 2:
            raise ValueError(
                f"expected token ids [B, 2, N] (source, target), got {tuple(ids.shape)}"
            )
        if ids.shape[-1] > self.max_len:
            raise ValueError(f"sequence length {ids.shape[-1]} exceeds max_len={self.max_len}")
        memory = self.encoder(self._embed(ids[:, 0]))
        x = self._embed(ids[:, 1])
        for block in self.decoder:
            x = block(x, memory)
        return self.output(x)


def ternary_seq2seq(
    precision: str = "W2A2", layers: int = 2, d_model: int = 128, heads: int = 2,
    d_ff: int = 512, vocab: int = 1000, seq: int = 32, max_len: int = 512, seed: int = 0,
    ann: bool = False,
) -> EncoderDecoder:
    """Quantised encoder-decoder with ``layers`` encoder and ``layers`` decoder blocks."""
    if seq > max_len:
        raise ValueError(f"seq={seq} exceeds max_len={max_len}")
    kit = FP_TRANSFORMER if ann else quantized_transformer(precision)
    return build_seeded(
        seed, lambda: EncoderDecoder(kit, vocab, max_len, d_model, heads, d_ff, layers, layers)
    )


register_with_twin("ternary_seq2seq", ternary_seq2seq, source_target_tokens,
                   "ternary (W2A2) encoder-decoder transformer; precision='W1A1' for binary",
                   stepwise=False)
