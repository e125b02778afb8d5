"""BERT-family encoders: ``bert`` (fp32), ``bibert`` (1-bit, BiBERT-style) and ``spiking_bert``
(ternary spikes, SpikeLM-style, called once per time step). The fp32 ``bert`` of the same size is
the ANN twin of both. Defaults are small for quick traces; ``BERT_BASE`` holds the BERT-base shape
(Devlin et al. 2019: L=12, d=768, 12 heads, d_ff=3072, WordPiece vocabulary 30522, 512 positions),
also registered as ``bert_base`` / ``bibert_base`` for static counts.

What is 1-bit in ``bibert`` (Qin et al., ICLR 2022): the word embedding, every encoder linear
(Q, K, V, output, FFN) with its input, the pooler, and both attention matmuls. Position and
token-type embeddings, LayerNorms, biases and the classifier stay fp32.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from torch import nn

from neurocost.models.layers import TernaryLeaky
from neurocost.models.zoo.inputs import tokens
from neurocost.models.zoo.registry import ZooEntry, register
from neurocost.models.zoo.seeding import build_seeded
from neurocost.models.zoo.transformer import (
    BINARY_TRANSFORMER,
    FP_TRANSFORMER,
    EncoderBlock,
    TransformerKit,
    spiking_transformer,
)

BERT_BASE: dict[str, int] = {
    "layers": 12, "d_model": 768, "heads": 12, "d_ff": 3072, "vocab": 30522, "seq": 128,
    "max_len": 512,
}


class BertEncoder(nn.Module):
    """Embeddings, ``layers`` encoder blocks, a pooler on the first token, a classifier.

    Input: token ids ``[B, N]`` (token type 0 everywhere). Output: logits ``[B, classes]``.
    """

    def __init__(
        self, kit: TransformerKit, vocab: int, max_len: int, layers: int, d_model: int,
        heads: int, d_ff: int, classes: int,
    ) -> None:
        super().__init__()
        self.max_len = max_len
        self.word_embedding = kit.embedding(vocab, d_model)
        self.position_embedding = nn.Embedding(max_len, d_model)
        self.type_embedding = nn.Embedding(2, d_model)
        self.embedding_norm = nn.LayerNorm(d_model)
        self.blocks = nn.Sequential(
            *(EncoderBlock(kit, d_model, heads, d_ff) for _ in range(layers))
        )
        self.pooler = kit.linear(d_model, d_model)
        self.pooler_activation = nn.Tanh()
        self.classifier = nn.Linear(d_model, classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        length = ids.shape[-1]
        if length > self.max_len:
            raise ValueError(f"sequence length {length} exceeds max_len={self.max_len}")
        positions = torch.arange(length, device=ids.device)
        x = (
            self.word_embedding(ids)
            + self.position_embedding(positions)
            + self.type_embedding(torch.zeros_like(ids))
        )
        x = self.blocks(self.embedding_norm(x))
        return self.classifier(self.pooler_activation(self.pooler(x[:, 0])))


def _bert(
    kit: TransformerKit, layers: int, d_model: int, heads: int, d_ff: int, vocab: int, seq: int,
    max_len: int, classes: int, seed: int,
) -> BertEncoder:
    if seq > max_len:
        raise ValueError(f"seq={seq} exceeds max_len={max_len}")
    return build_seeded(
        seed, lambda: BertEncoder(kit, vocab, max_len, layers, d_model, heads, d_ff, classes)
    )


def bert(
    layers: int = 2, d_model: int = 128, heads: int = 2, d_ff: int = 512, vocab: int = 1000,
    seq: int = 32, max_len: int = 512, classes: int = 2, seed: int = 0,
) -> BertEncoder:
    """fp32 BERT encoder with a classification head (``seq`` sets the example input length)."""
    return _bert(FP_TRANSFORMER, layers, d_model, heads, d_ff, vocab, seq, max_len, classes, seed)


def bibert(
    layers: int = 2, d_model: int = 128, heads: int = 2, d_ff: int = 512, vocab: int = 1000,
    seq: int = 32, max_len: int = 512, classes: int = 2, seed: int = 0,
) -> BertEncoder:
    """BiBERT-style fully binarised BERT encoder (see the module docstring for what is 1-bit)."""
    return _bert(
        BINARY_TRANSFORMER, layers, d_model, heads, d_ff, vocab, seq, max_len, classes, seed
    )


def spiking_bert(
    layers: int = 2, d_model: int = 128, heads: int = 2, d_ff: int = 512, vocab: int = 1000,
    seq: int = 32, max_len: int = 512, classes: int = 2, beta: float = 0.9, seed: int = 0,
) -> BertEncoder:
    """BERT encoder on ternary spikes: a ``TernaryLeaky`` neuron feeds every projection and the
    attention operands; called once per time step on the same token ids (direct encoding)."""
    kit = spiking_transformer(lambda: TernaryLeaky(beta=beta, init_hidden=True))
    return _bert(kit, layers, d_model, heads, d_ff, vocab, seq, max_len, classes, seed)


def _register_bert_family(suffix: str, preset: dict[str, int], summary: str) -> None:
    def sized(factory: Callable[..., BertEncoder]) -> Callable[..., BertEncoder]:
        return functools.partial(factory, **preset) if preset else factory

    twin = f"bert{suffix}"
    register(ZooEntry(twin, sized(bert), tokens, False, 1, f"fp32 BERT encoder{summary}"))
    register(
        ZooEntry(f"bibert{suffix}", sized(bibert), tokens, False, 1,
                 f"BiBERT-style 1-bit BERT encoder{summary}", twin=twin)
    )


_register_bert_family("", {}, " (small: L=2, d=128)")
_register_bert_family("_base", BERT_BASE, " (BERT-base shape)")
register(
    ZooEntry("spiking_bert", spiking_bert, tokens, True, 4,
             "spiking BERT encoder, ternary spikes, T=4 (small: L=2, d=128)", twin="bert")
)
