"""``quantize``: one call that binarises (or k-bit quantises) a model people publish, unchanged.

Every ``nn.Linear``, ``nn.Conv1d``, ``nn.Conv2d`` and ``nn.Embedding`` of the model, at any depth,
is swapped for the neurocost layer that declares its operand encodings (``QuantLinear``,
``QuantConv1d``/``QuantConv2d``, ``QuantEmbedding``, or ``PartiallyBinarizedLinear`` for PB-LLM
style partial binarisation), keeping its weights, so that a trace of the result counts the
binary model's BOPs and storage from the model's own code (a Hugging Face BERT, a torchvision
ResNet, ...). Norms and activations stay as the model computes them.

Attention products are no layers, so they stay floating point unless ``attention_bits`` is given
for a Hugging Face ``transformers`` model: then its attention layers run neurocost's
``QuantizedAttention`` (BiBERT's Bi-Attention at 1 bit) through the attention-function registry
``transformers`` offers for custom kernels (``AttentionInterface``), so the model's own code
still runs everything around it.
"""

from __future__ import annotations

import copy
import fnmatch
import sys
from collections.abc import Iterable

import torch
from torch import nn

from neurocost.models.layers import (
    PartiallyBinarizedLinear,
    QuantConv1d,
    QuantConv2d,
    QuantEmbedding,
    QuantLinear,
)
from neurocost.models.layers.quantizers import FULL_PRECISION
from neurocost.models.optional import import_transformers
from neurocost.models.zoo.attention import QuantizedAttention

__all__ = ["quantize"]

_DECLARED = (QuantLinear, QuantConv1d, QuantConv2d, QuantEmbedding, PartiallyBinarizedLinear)


def quantize(
    model: nn.Module,
    weights: int = 1,
    acts: int = 1,
    skip: Iterable[str] = (),
    *,
    embeddings: bool = True,
    salient_fraction: float | None = None,
    salient_bits: int = 8,
    attention_bits: int | None = None,
    inplace: bool = False,
) -> nn.Module:
    """A copy of ``model`` whose Linear / Conv1d / Conv2d / Embedding layers are quantised.

    Args:
        model: any torch module (its own layers are found at any depth).
        weights: weight bits: 1 binary (sign x per-channel scale), 2 ternary, 3..16 k-bit,
            32 unchanged.
        acts: bits of each swapped layer's input: 1 binarises it (W1A1 is XNOR-popcount),
            32 keeps it floating point. Embeddings take ids, so only ``weights`` applies to them.
        skip: layers left as they are, by qualified name (``"classifier"``,
            ``"bert.embeddings.position_embeddings"``) or by glob (``"*.position_embeddings"``,
            ``"encoder.layer.0.*"``); everything under a skipped module is skipped too.
        embeddings: also quantise ``nn.Embedding`` tables (their storage; a lookup has no ops).
        salient_fraction: PB-LLM-style partial binarisation of Linear layers: this fraction of
            each weight matrix (largest |w|) keeps ``salient_bits`` bits, the rest is binary
            (needs ``weights=1``; inputs stay floating point, as in PB-LLM).
        attention_bits: quantise both attention products of a Hugging Face model to this many
            bits (1: BiBERT's Bi-Attention, q, k, v signs and bool(scores), no softmax).
        inplace: change ``model`` itself instead of a deep copy.

    Returns:
        The quantised model, in the training mode ``model`` was in.
    """
    if salient_fraction is not None and weights != 1:
        raise ValueError(f"partial binarisation binarises weights: weights must be 1, got "
                         f"{weights}")
    patterns = list(skip)
    target = model if inplace else copy.deepcopy(model)
    for name, module in list(target.named_modules()):
        if not name or _skipped(name, patterns) or isinstance(module, _DECLARED):
            continue
        replacement = _replacement(module, weights, acts, embeddings, salient_fraction,
                                   salient_bits)
        if replacement is not None:
            replacement.train(module.training)
            parent, _, child = name.rpartition(".")
            setattr(target.get_submodule(parent) if parent else target, child, replacement)
    if attention_bits is not None:
        _quantize_hf_attention(target, attention_bits, patterns)
    return target


# ---- Hugging Face attention ------------------------------------------------------------------
_HF_ATTENTION = "neurocost_quantized"


def _quantize_hf_attention(model: nn.Module, bits: int, patterns: list[str]) -> None:
    """Give every attention layer a ``QuantizedAttention`` core and route it there."""
    if "transformers" not in sys.modules or not hasattr(model, "set_attn_implementation"):
        raise TypeError(f"attention_bits needs a Hugging Face transformers model, got "
                        f"{type(model).__name__}")
    AttentionInterface = import_transformers().AttentionInterface  # noqa: N806

    AttentionInterface.register(_HF_ATTENTION, _hf_quantized_attention)
    cores = 0
    for name, module in model.named_modules():
        head_dim = getattr(module, "head_dim", getattr(module, "attention_head_size", None))
        if isinstance(head_dim, int) and hasattr(module, "config") and not _skipped(name, patterns):
            module.neurocost_attention = QuantizedAttention(head_dim, bits=bits)
            cores += 1
    if not cores:
        raise TypeError(f"{type(model).__name__}: no attention layer (a module with head_dim "
                        "or attention_head_size) found to quantise")
    model.set_attn_implementation(_HF_ATTENTION)


def _hf_quantized_attention(module: nn.Module, query: torch.Tensor, key: torch.Tensor,
                            value: torch.Tensor, attention_mask: torch.Tensor | None,
                            **kwargs: object) -> tuple[torch.Tensor, None]:
    """The ``transformers`` attention-function signature around ``QuantizedAttention``.

    q, k, v arrive as ``[B, heads, N, head_dim]`` (k, v with fewer heads under grouped-query
    attention); the context goes back as ``[B, N, heads, head_dim]``. Masks come additive
    (0 keeps a pair) or boolean (True keeps it).
    """
    core = getattr(module, "neurocost_attention", None)
    if core is None:
        raise TypeError(f"{type(module).__name__} has no quantised attention core; it was "
                        "skipped by neurocost.quantize, which quantises every attention layer "
                        "or none")
    group = query.shape[-3] // key.shape[-3]
    if group > 1:
        key, value = (t.repeat_interleave(group, dim=-3) for t in (key, value))
    keep = None
    if attention_mask is not None:
        mask = attention_mask[..., : key.shape[-2]]
        keep = mask if mask.dtype == torch.bool else mask == 0
    elif kwargs.get("is_causal", getattr(module, "is_causal", False)) and query.shape[-2] > 1:
        keep = torch.ones(query.shape[-2], key.shape[-2], dtype=torch.bool,
                          device=query.device).tril(key.shape[-2] - query.shape[-2])
    return core(query, key, value, keep).transpose(1, 2).contiguous(), None


def _skipped(name: str, patterns: list[str]) -> bool:
    """True when ``name`` or one of the modules above it matches a ``skip`` pattern."""
    parts = name.split(".")
    prefixes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(prefix, p) for prefix in prefixes for p in patterns)


def _replacement(module: nn.Module, weights: int, acts: int, embeddings: bool,
                 salient_fraction: float | None, salient_bits: int) -> nn.Module | None:
    """The declared layer standing for ``module`` with its weights, or None to keep it."""
    if weights == FULL_PRECISION and acts == FULL_PRECISION:
        return None
    if isinstance(module, nn.Linear) and type(module) in (nn.Linear, *_subclasses_of_linear()):
        if salient_fraction is not None:
            return PartiallyBinarizedLinear.from_linear(module, salient_fraction, salient_bits)
        layer = QuantLinear(module.in_features, module.out_features, module.bias is not None,
                            weight_bits=weights, act_bits=acts)
    elif type(module) in (nn.Conv1d, nn.Conv2d):
        cls = QuantConv1d if isinstance(module, nn.Conv1d) else QuantConv2d
        layer = cls(module.in_channels, module.out_channels, module.kernel_size,
                    stride=module.stride, padding=module.padding, dilation=module.dilation,
                    groups=module.groups, bias=module.bias is not None,
                    padding_mode=module.padding_mode, weight_bits=weights, act_bits=acts)
    elif type(module) is nn.Embedding and embeddings and weights != FULL_PRECISION:
        layer = QuantEmbedding(module.num_embeddings, module.embedding_dim,
                               padding_idx=module.padding_idx, max_norm=module.max_norm,
                               norm_type=module.norm_type,
                               scale_grad_by_freq=module.scale_grad_by_freq,
                               sparse=module.sparse, weight_bits=weights)
    else:
        return None
    layer.to(device=module.weight.device, dtype=module.weight.dtype)
    with torch.no_grad():
        for param_name, param in module.named_parameters(recurse=False):
            getattr(layer, param_name).copy_(param)
    return layer


def _subclasses_of_linear() -> tuple[type, ...]:
    """Linear subclasses that only add names (``NonDynamicallyQuantizableLinear``, the output
    projection of ``nn.MultiheadAttention``): swapping them changes no behaviour."""
    return (nn.modules.linear.NonDynamicallyQuantizableLinear,)
