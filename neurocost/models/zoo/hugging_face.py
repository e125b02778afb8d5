"""BERT and BiBERT built on Hugging Face ``transformers`` (an optional dependency): the published
architecture from its authors' library, next to the zoo's own ``bert`` / ``bibert`` replicas.

``bert_hf`` is ``BertForSequenceClassification`` from a config of the replica's shape (random
weights, nothing downloaded); ``bibert_hf`` is that model through ``neurocost.quantize`` with
BiBERT's choices (Qin et al., ICLR 2022): every linear layer W1A1, the word embedding 1-bit,
Bi-Attention; position and token-type embeddings and the classifier fp32. Both return the
logits. ``transformers`` is imported only when one of them is built.
"""

from __future__ import annotations

from torch import nn

from neurocost.models.optional import import_transformers
from neurocost.models.zoo.inputs import tokens
from neurocost.models.zoo.registry import ZooEntry, register
from neurocost.models.zoo.seeding import build_seeded

BIBERT_FP32 = ("classifier", "*.position_embeddings", "*.token_type_embeddings")


class Logits(nn.Module):
    """A ``transformers`` model called on token ids, returning its ``logits`` tensor."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids):  # noqa: ANN001, ANN201
        return self.model(ids).logits


def bert_hf(
    layers: int = 2, d_model: int = 128, heads: int = 2, d_ff: int = 512, vocab: int = 1000,
    seq: int = 32, max_len: int = 512, classes: int = 2, seed: int = 0,
) -> Logits:
    """Hugging Face BERT with a classification head, of the zoo ``bert``'s shape."""
    transformers = import_transformers()
    BertConfig, BertForSequenceClassification = (  # noqa: N806 (the library's class names)
        transformers.BertConfig, transformers.BertForSequenceClassification)
    if seq > max_len:
        raise ValueError(f"seq={seq} exceeds max_len={max_len}")
    config = BertConfig(vocab_size=vocab, hidden_size=d_model, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=d_ff,
                        max_position_embeddings=max_len, num_labels=classes)
    return build_seeded(seed, lambda: Logits(BertForSequenceClassification(config)))


def bibert_hf(
    layers: int = 2, d_model: int = 128, heads: int = 2, d_ff: int = 512, vocab: int = 1000,
    seq: int = 32, max_len: int = 512, classes: int = 2, seed: int = 0,
) -> Logits:
    """``bert_hf`` binarised as BiBERT by ``neurocost.quantize`` (see the module docstring)."""
    from neurocost.models.quantize import quantize

    model = bert_hf(layers, d_model, heads, d_ff, vocab, seq, max_len, classes, seed)
    quantize(model.model, 1, 1, skip=BIBERT_FP32, attention_bits=1, inplace=True)
    return model


register(ZooEntry("bert_hf", bert_hf, tokens, False, 1,
                  "Hugging Face BertForSequenceClassification, the bert replica's shape"))
register(ZooEntry("bibert_hf", bibert_hf, tokens, False, 1,
                  "Hugging Face BERT binarised as BiBERT by neurocost.quantize", twin="bert_hf"))
