"""``nc.quantize``: one call that binarises or k-bit quantises a model, keeping its weights.

The reference for each count is a model built by hand from neurocost's declared layers with the
same weights (the zoo's BiBERT for a Hugging Face BERT), traced the same way: both must give the
same counts to the digit.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

import neurocost as nc
from neurocost.models.layers import (
    BinaryConv2d,
    PartiallyBinarizedLinear,
    QuantEmbedding,
    QuantLinear,
)
from neurocost.models.zoo.hugging_face import BIBERT_FP32
from neurocost.models.zoo.registry import get


def _cnn() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.Hardtanh(),
        nn.Sequential(nn.Conv2d(4, 6, 3, stride=2), nn.BatchNorm2d(6), nn.Hardtanh()),
        nn.Flatten(), nn.Linear(6 * 3 * 3, 5),
    ).eval()


def _hand_binarised(model: nn.Sequential) -> nn.Sequential:
    """The same network written with BinaryConv2d for the hidden conv, weights copied."""
    hand = _cnn()
    conv = model[3][0]
    binary = BinaryConv2d(4, 6, 3, stride=2)
    binary.load_state_dict(conv.state_dict())
    hand[3][0] = binary
    return hand.eval()


def _totals(model: nn.Module, x: torch.Tensor) -> dict[str, float]:
    return {k: v.value for k, v in nc.trace(model, x, steps=1).totals().items()}


def test_quantized_cnn_counts_like_the_hand_binarised_one():
    model, x = _cnn(), torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    quantized = nc.quantize(model, 1, 1, skip=["0", "5"])  # first and last layers stay fp32
    assert type(quantized[3][0]).__name__ == "QuantConv2d" and type(quantized[0]) is nn.Conv2d
    assert _totals(quantized, x) == _totals(_hand_binarised(model), x)
    assert _totals(quantized, x)["dense_bops"] > 0


def test_quantize_keeps_weights_and_leaves_the_original_alone():
    model = _cnn()
    quantized = nc.quantize(model, 4, 4)
    assert type(model[3][0]) is nn.Conv2d  # a copy was changed
    assert torch.equal(quantized[3][0].weight, model[3][0].weight)
    assert torch.equal(quantized[5].bias, model[5].bias)
    assert (quantized[5].weight_bits, quantized[5].act_bits) == (4, 4)


@pytest.mark.parametrize(("weights", "acts", "op_class"), [
    (1, 1, "bop"), (2, 32, "signed_ac"), (4, 4, "mac"), (1, 32, "signed_ac")])
def test_precision_decides_the_op_class(weights, acts, op_class):
    model = nc.quantize(_cnn(), weights, acts, skip=["0"])
    tr = nc.trace(model, torch.rand(2, 1, 8, 8), steps=1)
    assert set(tr.layers.set_index("layer").loc[["3.0", "5"], "op_class"]) == {op_class}


def test_skip_matches_qualified_names_and_globs():
    model = nn.Sequential(nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4)), nn.Linear(4, 2))
    by_name = nc.quantize(model, skip=["0.1"])
    assert [type(m) for m in (by_name[0][0], by_name[0][1], by_name[1])] == [
        QuantLinear, nn.Linear, QuantLinear]
    by_glob = nc.quantize(model, skip=["0"])  # a skipped container skips what it holds
    assert [type(m) for m in (by_glob[0][0], by_glob[0][1], by_glob[1])] == [
        nn.Linear, nn.Linear, QuantLinear]


def test_partial_binarisation_stores_pb_llm_bits_per_weight():
    """PB-LLM (Shang et al., 2023): 10 % salient weights at 8 bits, the rest binary, so
    0.1 x 8 + 0.9 x 1 = 1.7 bits per weight."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(40, 20, bias=False))
    quantized = nc.quantize(model, salient_fraction=0.1, salient_bits=8)
    assert isinstance(quantized[0], PartiallyBinarizedLinear)
    size = nc.model_size(quantized)
    assert size.bits_per_weight == pytest.approx(1.7)
    # the checkpoint also holds each part's mask buffer, as the module stores it
    masks = size.tensors[size.tensors["name"].str.endswith("mask")]
    assert size.bits == pytest.approx(1.7 * 800 + masks["bits"].sum())


transformers = pytest.importorskip("transformers")


def _hf_bert() -> nn.Module:
    """A Hugging Face BERT with the zoo BiBERT's shape (L=2, d=128, 2 heads, d_ff=512, vocab
    1000, 512 positions, 2 token types, 2 classes), random weights."""
    return get("bert_hf").model


BIBERT_SKIP = list(BIBERT_FP32)


def test_binarised_hugging_face_bert_reproduces_the_zoo_bibert():
    """BiBERT (Qin et al., ICLR 2022): 1-bit word embedding, every encoder linear and the pooler
    W1A1, Bi-Attention; position and token-type embeddings and the classifier stay fp32."""
    ids = torch.randint(0, 1000, (2, 32), generator=torch.Generator().manual_seed(1))
    binary_bert = nc.quantize(_hf_bert(), 1, 1, skip=BIBERT_SKIP, attention_bits=1)
    ours = nc.trace(binary_bert, ids, steps=1)
    zoo = nc.trace(get("bibert"), ids, steps=1)
    assert ours.coverage == 1.0
    for count in ("dense_bops", "effective_bops", "dense_macs"):
        assert ours.totals()[count].value == zoo.totals()[count].value, count
    assert nc.model_size(binary_bert).bits == nc.model_size(get("bibert")).bits
    assert isinstance(binary_bert.bert.embeddings.word_embeddings, QuantEmbedding)


def test_without_attention_bits_the_attention_products_stay_fp32():
    ids = torch.randint(0, 1000, (2, 32), generator=torch.Generator().manual_seed(1))
    tr = nc.trace(nc.quantize(_hf_bert(), 1, 1, skip=BIBERT_SKIP), ids, steps=1)
    matmuls = tr.layers[tr.layers.kind == "matmul"]
    assert set(matmuls.op_class) == {"mac"} and len(matmuls) == 4


@pytest.mark.parametrize(("published", "replica"), [("bert_hf", "bert"), ("bibert_hf", "bibert")])
def test_zoo_entries_on_hugging_face_count_like_the_replicas(published, replica):
    ids = torch.randint(0, 1000, (2, 32), generator=torch.Generator().manual_seed(1))
    ours, theirs = (nc.trace(get(name), ids, steps=1) for name in (published, replica))
    for count in ("dense_macs", "dense_bops", "dense_ops", "weight_bits_read"):
        assert ours.totals()[count].value == theirs.totals()[count].value, count
    assert nc.model_size(get(published)).bits == nc.model_size(get(replica)).bits


def test_binary_attention_in_a_causal_grouped_query_decoder():
    cfg = transformers.LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64,
                                   num_hidden_layers=1, num_attention_heads=4,
                                   num_key_value_heads=2, max_position_embeddings=32)
    torch.manual_seed(0)
    llama = transformers.LlamaForCausalLM(cfg).eval()
    binary = nc.quantize(llama, 1, 1, skip=["lm_head"], attention_bits=1)
    tr = nc.trace(binary, torch.randint(0, 50, (2, 6)), steps=1)
    assert tr.coverage == 1.0
    assert set(tr.layers[tr.layers.kind == "matmul"].op_class) == {"bop"}
    assert isinstance(binary.model.layers[0].self_attn.q_proj, QuantLinear)
