"""Small Hugging Face models built from configs with random weights (nothing is downloaded):
BERT, ViT and a Llama-style decoder with grouped-query attention, seeded, in eval mode."""

from __future__ import annotations

import torch
import transformers
from torch import nn

B, N, D, HEADS, KV_HEADS = 2, 6, 32, 4, 2


def _bert(attention: str) -> nn.Module:
    cfg = transformers.BertConfig(vocab_size=100, hidden_size=D, num_hidden_layers=2,
                                  num_attention_heads=HEADS, intermediate_size=2 * D,
                                  max_position_embeddings=16, attn_implementation=attention)
    return transformers.BertModel(cfg)


def _vit(attention: str) -> nn.Module:
    cfg = transformers.ViTConfig(image_size=12, patch_size=4, hidden_size=D, num_hidden_layers=1,
                                 num_attention_heads=HEADS, intermediate_size=2 * D,
                                 attn_implementation=attention)
    return transformers.ViTModel(cfg)


def _llama(attention: str) -> nn.Module:
    cfg = transformers.LlamaConfig(vocab_size=50, hidden_size=D, intermediate_size=2 * D,
                                   num_hidden_layers=2, num_attention_heads=HEADS,
                                   num_key_value_heads=KV_HEADS, max_position_embeddings=32,
                                   attn_implementation=attention)
    return transformers.LlamaForCausalLM(cfg)


_MODELS = {"bert": _bert, "vit": _vit, "llama": _llama}


def built(name: str, attention: str = "sdpa") -> nn.Module:
    torch.manual_seed(0)
    return _MODELS[name](attention).eval()




def tiny_bert() -> nn.Module:
    """A factory for ``neurocost trace tests.tracing.transformers_models:tiny_bert``."""
    return built("bert")
