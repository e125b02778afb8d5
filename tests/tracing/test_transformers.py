"""Hugging Face ``transformers`` models traced unchanged: BERT, ViT and a Llama-style decoder.

Models are built from small configs with random weights (nothing is downloaded). Every linear
layer is checked against brute-force pairs over the inputs a plain forward hook saw; attention
products against closed forms (every query meets every key, and a causal mask keeps key j <= i);
embedding lookups read one table row per id. Eager and SDPA attention must count alike.
"""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from torch import nn

import neurocost as nc
from tests.tracing.brute_force import linear_pairs

pytest.importorskip("transformers")
from tests.tracing.transformers_models import HEADS, B, D, N  # noqa: E402
from tests.tracing.transformers_models import built as _built

MODELS = ("bert", "vit", "llama")


def _input(name: str) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    if name == "vit":
        return torch.rand(B, 3, 12, 12, generator=g)
    return torch.randint(0, 50, (B, N), generator=g)


def _linear_inputs(model: nn.Module, x: torch.Tensor) -> dict[str, list[torch.Tensor]]:
    """Every nn.Linear's inputs in a plain forward, by qualified name."""
    seen: dict[str, list[torch.Tensor]] = {}
    handles = [m.register_forward_hook(
        lambda m, a, o, name=name: seen.setdefault(name, []).append(a[0].detach().clone()))
        for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return seen


@pytest.mark.parametrize("attention", ["eager", "sdpa"])
@pytest.mark.parametrize("name", MODELS)
def test_linear_layers_exact_against_brute_force(name, attention):
    model, x = _built(name, attention), _input(name)
    tr = nc.trace(model, x, steps=1)
    assert tr.coverage == 1.0 and not tr.gaps
    rows = tr.layers[tr.layers.kind == "linear"].groupby("layer")[
        ["effective_ops", "dense_ops"]].sum()
    inputs = _linear_inputs(model, x)
    assert set(rows.index) == set(inputs)
    for layer, calls in inputs.items():
        weight = model.get_submodule(layer).weight.detach().numpy()
        pairs = [linear_pairs(c.numpy(), weight) for c in calls]
        assert rows.loc[layer, "effective_ops"] == sum(e for e, _ in pairs), layer
        assert rows.loc[layer, "dense_ops"] == sum(d for _, d in pairs), layer


@pytest.mark.parametrize("name", MODELS)
def test_eager_and_sdpa_attention_count_alike(name):
    """Same ops and weight traffic; only the written activations differ, because the eager path
    writes the score and probability matrices that a fused kernel keeps on chip."""
    eager = {k: v.value for k, v in
             nc.trace(_built(name, "eager"), _input(name), steps=1).totals().items()}
    sdpa = {k: v.value for k, v in
            nc.trace(_built(name, "sdpa"), _input(name), steps=1).totals().items()}
    assert eager.pop("act_bits_out") > sdpa.pop("act_bits_out")
    assert eager == sdpa


def _attention_rows(tr: nc.Trace, product: int) -> pd.DataFrame:
    """Q K^T rows (``product=0``) or probabilities x V rows (``1``), in call order."""
    matmuls = tr.layers[tr.layers.kind == "matmul"]
    return matmuls.iloc[product::2]


@pytest.mark.parametrize("attention", ["eager", "sdpa"])
def test_causal_attention_skips_masked_pairs(attention):
    """Q K^T: every query meets every key (B * heads * N * N * head_dim pairs); softmax x V:
    the causal mask leaves key j <= i, N (N + 1) / 2 pairs per head and feature."""
    tr = nc.trace(_built("llama", attention), _input("llama"), steps=1)
    head_dim = D // HEADS
    scores, mixing = _attention_rows(tr, 0), _attention_rows(tr, 1)
    assert list(scores.effective_ops) == [B * HEADS * N * N * head_dim] * 2
    assert list(mixing.effective_ops) == [B * HEADS * N * (N + 1) // 2 * head_dim] * 2
    assert list(mixing.dense_ops) == [B * HEADS * N * N * head_dim] * 2


def test_embeddings_are_lookups_that_read_one_row_per_id():
    tr = nc.trace(_built("bert", "sdpa"), _input("bert"), steps=1)
    lookups = tr.layers[tr.layers.kind == "embedding"].set_index("layer")
    assert (lookups.dense_ops == 0).all() and (lookups.op_class == "").all()
    word = lookups.loc["embeddings.word_embeddings"]
    assert word.weight_bits_read == B * N * D * 32
    # BERT looks position ids up once for the whole batch: position_ids has shape [1, N].
    assert lookups.loc["embeddings.position_embeddings", "weight_bits_read"] == N * D * 32
    estimate = nc.price(tr, nc.load_profile("cmos45"))
    word_cost = estimate.breakdown.set_index("layer").loc["embeddings.word_embeddings"]
    assert word_cost.compute_j == word_cost.neuron_j == 0  # no arithmetic, no neuron update
    assert word_cost.memory_j > 0  # the rows it reads


class _Generate(nn.Module):
    """Greedy decoding of ``tokens`` new tokens with the KV cache, as users call it."""

    def __init__(self, model: nn.Module, tokens: int) -> None:
        super().__init__()
        self.model, self.tokens = model, tokens

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.model.generate(ids, max_new_tokens=self.tokens, min_new_tokens=self.tokens,
                                   do_sample=False, pad_token_id=0)


@pytest.mark.parametrize("attention", ["eager", "sdpa"])
def test_generate_counts_each_token_with_the_kv_cache(attention):
    """Step 0 runs the prompt; each later step runs one new token against a cache that holds
    every earlier position, so q_proj does D*D MACs per token and Q K^T meets N + t keys."""
    steps = 3
    tr = nc.trace(_Generate(_built("llama", attention), steps), _input("llama"), steps=steps)
    assert tr.coverage == 1.0
    q_proj = tr.layers[tr.layers.layer == "model.model.layers.0.self_attn.q_proj"]
    assert list(q_proj.step) == list(range(steps))
    assert list(q_proj.dense_ops) == [B * N * D * D] + [B * D * D] * (steps - 1)
    scores = _attention_rows(tr, 0)
    first_layer = scores[scores.layer.str.startswith("model.model.layers.0.")]
    head_dim = D // HEADS
    assert list(first_layer.dense_ops) == [B * HEADS * N * N * head_dim] + [
        B * HEADS * (N + t) * head_dim for t in range(1, steps)]
