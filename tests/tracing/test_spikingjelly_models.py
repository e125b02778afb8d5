"""A Spikformer and a SEW-ResNet written on SpikingJelly, traced unchanged, checked and priced.

Oracles: SpikingJelly's own op counter, layer by layer (its SynOps for spike-driven layers, its
MACs for the others), brute-force products for spiking self-attention, and plain forward hooks
for neuron updates and spikes.
"""

from __future__ import annotations

import math

import pytest
import torch

import neurocost as nc
from tests.tracing.brute_force import matmul_pairs

pytest.importorskip("spikingjelly")
from tests.tracing.spikingjelly_models import (  # noqa: E402
    SEWResNet,
    Spikformer,
    recorded,
    seeded,
    spikingjelly_op_counts,
)

T, B = 3, 2
MODELS = {"Spikformer": Spikformer, "SEWResNet": SEWResNet}


def _image_sequence() -> torch.Tensor:
    return torch.rand(T, B, 3, 32, 32, generator=torch.Generator().manual_seed(1))


@pytest.fixture(scope="module", params=list(MODELS))
def traced(request):
    model, x = seeded(MODELS[request.param]), _image_sequence()
    return request.param, model, x, nc.trace(model, x, steps=T)


def test_traces_strict_with_full_coverage_and_prices(traced):
    _, _, _, tr = traced
    assert tr.coverage == 1.0 and not tr.gaps and not tr.warnings
    totals = tr.totals()
    assert totals["effective_acs"].value > 0 and totals["effective_macs"].value > 0
    for profile in ("snn-45nm-ac-mac", "cmos45"):  # loihi has no MAC path for the pixel layer
        estimate = nc.price(tr, nc.load_profile(profile))
        assert math.isfinite(estimate.energy_j) and estimate.energy_j > 0


def test_synaptic_layers_agree_with_spikingjelly_op_counter_layer_by_layer(traced):
    """SpikingJelly's SynOps equal our effective ACs on every spike-fed layer; its MACs equal our
    nominal (padding-included) MACs on the others (it counts padding taps, as thop does)."""
    name, model, x, tr = traced
    synops, macs = spikingjelly_op_counts(model, x)
    layers = tr.layers[tr.layers.kind.isin(["linear", "conv2d"])]
    per_layer = layers.groupby(["layer", "op_class"])[["effective_ops", "nominal_ops"]].sum()
    assert {op for _, op in per_layer.index} == {"ac", "mac"}
    for (layer_name, op), row in per_layer.iterrows():
        scope = f"{name}.{layer_name}"
        if op == "ac":
            assert (synops[scope], macs[scope]) == (row.effective_ops, 0), layer_name
        else:
            assert (synops[scope], macs[scope]) == (0, row.nominal_ops), layer_name


def test_neuron_updates_and_spikes_match_a_plain_run(traced):
    _, model, x, tr = traced
    neurons = {name: m for name, m in model.named_modules() if hasattr(m, "v_threshold")}
    outputs = recorded(model, x, list(neurons.values()), "m")
    rows = tr.layers.groupby("layer")[["neuron_updates", "spikes_out"]].sum()
    for (name, _), steps in zip(neurons.items(), outputs, strict=True):
        assert rows.loc[name, "neuron_updates"] == sum(s.numel() for s in steps), name
        assert rows.loc[name, "spikes_out"] == sum(int(s.count_nonzero()) for s in steps), name
    assert rows.spikes_out.sum() > 0


def _heads(spikes: torch.Tensor, heads: int) -> torch.Tensor:
    t, b, n, c = spikes.shape
    return spikes.reshape(t, b, n, heads, c // heads).permute(0, 1, 3, 2, 4)


def test_spiking_self_attention_products_are_exact():
    """Q K^T (spike x spike) and attn V (non-negative counts x spike): brute-force pairs.

    SpikingJelly's SynOpCounter counts attn V as nnz(V) x N (every spike of V meets every query
    row, zeros of attn included); neurocost skips the zero attention scores."""
    model, x = seeded(Spikformer), _image_sequence()
    attn = model.blocks[0].attn
    q, k, v = (torch.stack(s) for s in recorded(model, x, [attn.q, attn.k, attn.v], "m"))
    q, k, v = (_heads(s, attn.heads).numpy() for s in (q, k, v))
    scores = q @ k.swapaxes(-2, -1)
    tr = nc.trace(model, x, steps=T)
    rows = tr.layers.set_index("layer")
    assert rows.loc["blocks.0.attn:bmm#0", "effective_ops"] == matmul_pairs(
        q, k.swapaxes(-2, -1))[0] > 0
    assert rows.loc["blocks.0.attn:bmm#1", "effective_ops"] == matmul_pairs(scores, v)[0] > 0
    assert set(rows.loc[["blocks.0.attn:bmm#0", "blocks.0.attn:bmm#1"], "op_class"]) == {"ac"}
    synops, _ = spikingjelly_op_counts(model, x)
    theirs = synops["Spikformer.blocks.0.attn"] - synops["Spikformer.blocks.0.attn.proj"]
    tokens = v.shape[-2]
    assert theirs == matmul_pairs(q, k.swapaxes(-2, -1))[0] + int((v != 0).sum()) * tokens
