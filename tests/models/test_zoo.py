"""The model zoo: registry behaviour, shapes, determinism and the published sizes of its models."""

from __future__ import annotations

import pytest
import snntorch.utils
import torch

from neurocost.models import zoo
from neurocost.models.encodings import BINARY
from neurocost.models.layers import BinaryEmbedding, BinaryLinear
from neurocost.models.zoo.attention import QuantizedAttention
from tests.models.macs import dense_macs_by_kind

# Heavy entries are exercised small (resolution, width) except where a paper figure is checked.
_NARROW_IMAGENET = {"image_size": 32, "width": 0.25}
SMALL: dict[str, dict[str, object]] = {
         "reactnet_a": _NARROW_IMAGENET, "reactnet_a_ann": _NARROW_IMAGENET,
         "binary_resnet18": _NARROW_IMAGENET, "binary_resnet18_ann": _NARROW_IMAGENET,
         "bcnn": {"channels": (8, 16)}, "bcnn_ann": {"channels": (8, 16)},
         "bert_base": {"layers": 1, "seq": 8}, "bibert_base": {"layers": 1, "seq": 8}}


def _run(name: str, x: torch.Tensor, model: torch.nn.Module) -> torch.Tensor:
    with torch.no_grad():
        if not zoo.entry(name).stepwise:
            return model(x)
        snntorch.utils.reset(model)
        for frame in x:
            out = model(frame)
        return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("name", zoo.names())
def test_every_entry_runs_on_its_example_input(name: str) -> None:
    kw = SMALL.get(name, {})
    x = zoo.example_input(name, batch=2, **kw)
    out = _run(name, x, zoo.get(name, **kw))
    assert out.shape[0] == 2 and torch.isfinite(out).all()


def test_every_spiking_or_binary_entry_names_a_registered_ann_twin() -> None:
    for name in zoo.names():
        twin = zoo.entry(name).twin
        if twin is not None:
            assert twin in zoo.names()
            assert not zoo.entry(twin).stepwise


def test_stepwise_inputs_are_time_first_and_repeat_the_frame() -> None:
    x = zoo.example_input("scnn", batch=3, steps=5, seed=1)
    assert x.shape == (5, 3, 1, 28, 28)
    assert torch.equal(x[0], x[4])


def test_called_once_entries_refuse_a_time_axis() -> None:
    with pytest.raises(ValueError, match="called once"):
        zoo.example_input("bmlp", steps=4)


def test_weights_and_inputs_are_seeded() -> None:
    a, b = zoo.get("scnn", seed=3), zoo.get("scnn", seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(zoo.get("scnn", seed=4)[0].weight, a[0].weight)
    assert torch.equal(zoo.example_input("bert", seed=2), zoo.example_input("bert", seed=2))


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown zoo model 'nope'.*scnn"):
        zoo.get("nope")


def test_example_input_follows_the_model_keywords() -> None:
    assert zoo.example_input("bert", vocab=50, seq=7).shape == (1, 7)
    assert int(zoo.example_input("bert", batch=64, vocab=50).max()) < 50
    assert zoo.example_input("bert_base").shape == (1, 128)


def test_scnn_has_the_documented_layout() -> None:
    layers = [type(m).__name__ for m in zoo.get("scnn")]
    assert layers == ["Conv2d", "MaxPool2d", "Leaky", "Conv2d", "MaxPool2d", "Leaky", "Flatten",
                      "Linear", "Leaky"]


def test_bibert_binarises_embedding_linears_pooler_and_attention() -> None:
    model = zoo.get("bibert")
    assert isinstance(model.word_embedding, BinaryEmbedding)
    assert isinstance(model.pooler, BinaryLinear)
    assert type(model.classifier) is torch.nn.Linear
    assert type(model.position_embedding) is torch.nn.Embedding
    block = model.blocks[0]
    for linear in (block.attention.query, block.attention.output, block.ffn.expand):
        assert isinstance(linear, BinaryLinear)
    core = block.attention.core
    assert isinstance(core, QuantizedAttention) and core.bits == 1
    assert core.quantize_q.output_encoding == BINARY
    assert core.quantize_weights.output_encoding == BINARY


def test_binary_attention_equals_bool_attention() -> None:
    torch.manual_seed(0)
    q, k, v = (torch.randn(1, 2, 5, 4) for _ in range(3))
    core = QuantizedAttention(4, bits=1)
    qb, kb, vb = torch.sign(q), torch.sign(k), torch.sign(v)
    weights = (qb @ kb.transpose(-2, -1) >= 0).float()  # BiBERT: bool(Q K^T), no softmax
    assert torch.allclose(core(q, k, v), weights @ vb)


def test_bert_base_shape_has_bert_base_parameter_count() -> None:
    model = zoo.get("bert_base")
    encoder_and_embeddings = sum(p.numel() for n, p in model.named_parameters()
                                 if not n.startswith("classifier"))
    # BERT-base: 30522*768 word + 512*768 position + 2*768 type + 2*768 LN = 23,837,184 embedding;
    # 12 layers x (4*(768*768+768) + 2*768*3072 + 3072 + 768 + 4*768 LN) = 12 x 7,087,872;
    # pooler 768*768 + 768. Total 109,482,240 (the "110M" of Devlin et al. 2019).
    assert encoder_and_embeddings == 109_482_240


def test_reactnet_a_matches_the_paper_bops_and_flops() -> None:
    model = zoo.get("reactnet_a")
    macs = dense_macs_by_kind(model, zoo.example_input("reactnet_a"))
    # ReActNet (Liu et al., ECCV 2020), ImageNet comparison table: ReActNet-A 4.82e9 BOPs,
    # 0.12e8 FLOPs (stem conv 3*9*32*112*112 + fc 1024*1000 = 11,862,016).
    assert round(macs["binary"] / 1e7) == 482
    assert macs["real"] == 3 * 9 * 32 * 112 * 112 + 1024 * 1000


def test_binary_resnet18_matches_the_bi_real_bops() -> None:
    model = zoo.get("binary_resnet18")
    macs = dense_macs_by_kind(model, zoo.example_input("binary_resnet18"))
    # Bi-Real Net (Liu et al., ECCV 2018), ImageNet comparison: Bi-Real Net-18 1.68e9 BOPs.
    assert round(macs["binary"] / 1e7) == 168


def test_ternary_seq2seq_binary_precision_is_w1a1() -> None:
    model = zoo.get("ternary_seq2seq", precision="W1A1")
    assert model.encoder[0].attention.query.weight_encoding == BINARY
    assert model.decoder[0].self_attention.core.bits == 1
