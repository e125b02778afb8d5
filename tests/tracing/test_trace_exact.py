"""trace() against a brute-force enumeration of every input event and the weights it meets."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import neurocost as nc
from tests.tracing.brute_force import conv_pairs, linear_pairs, matmul_pairs


def _sparse(shape, density, seed):
    g = torch.Generator().manual_seed(seed)
    values = torch.randn(shape, generator=g)
    return values * (torch.rand(shape, generator=g) < density)


def _prune(module: nn.Module, fraction: float, seed: int) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        module.weight.mul_(torch.rand(module.weight.shape, generator=g) >= fraction)
    return module


def _single(tr):
    totals = tr.totals()
    return totals["effective_ops"].value * tr.batch_size, totals["dense_ops"].value * tr.batch_size


@pytest.mark.parametrize("density", [0.0, 0.3, 1.0])
def test_linear_matches_enumeration(density):
    layer = _prune(nn.Linear(7, 5), 0.4, seed=1)
    x = _sparse((3, 4, 7), density, seed=2)  # leading dims are all rows
    effective, dense = _single(nc.trace(layer, x, steps=1))
    assert (effective, dense) == linear_pairs(x.numpy(), layer.weight.detach().numpy())


CONV2D_CASES = [
    # in_ch, out_ch, kernel, stride, padding, dilation, groups, size
    (2, 3, 3, 1, 0, 1, 1, (6, 6)),
    (2, 4, 3, 2, 1, 1, 2, (7, 5)),
    (3, 3, (3, 2), (2, 1), (2, 1), (1, 2), 3, (8, 7)),
    (4, 2, 5, 3, 2, 2, 2, (11, 9)),
    (1, 2, 3, 1, "same", 1, 1, (5, 5)),
]


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_matches_enumeration(case):
    c_in, c_out, k, s, p, d, g, size = case
    layer = _prune(nn.Conv2d(c_in, c_out, k, s, p, d, g), 0.3, seed=3)
    x = _sparse((2, c_in, *size), 0.4, seed=4)
    effective, dense = _single(nc.trace(layer, x, steps=1))
    pad = layer.padding if not isinstance(layer.padding, str) else (1, 1)
    expected = conv_pairs(x.numpy(), layer.weight.detach().numpy(), layer.stride, pad,
                          layer.dilation, g)
    assert (effective, dense) == expected


@pytest.mark.parametrize("case", [(2, 4, 3, 1, 1, 1, 1, 9), (4, 4, 4, 2, 3, 2, 4, 13)])
def test_conv1d_matches_enumeration(case):
    c_in, c_out, k, s, p, d, g, n = case
    layer = _prune(nn.Conv1d(c_in, c_out, k, s, p, d, g), 0.3, seed=5)
    x = _sparse((3, c_in, n), 0.5, seed=6)
    effective, dense = _single(nc.trace(layer, x, steps=1))
    assert (effective, dense) == conv_pairs(x.numpy(), layer.weight.detach().numpy(),
                                            layer.stride, layer.padding, layer.dilation, g)


def test_functional_conv_is_counted_like_the_module():
    weight = _prune(nn.Conv2d(2, 3, 3), 0.3, seed=7).weight.detach()

    class Functional(nn.Module):
        def forward(self, x):
            return F.conv2d(x, weight, stride=2, padding=1)

    x = _sparse((2, 2, 7, 7), 0.5, seed=8)
    effective, dense = _single(nc.trace(Functional(), x, steps=1))
    assert (effective, dense) == conv_pairs(x.numpy(), weight.numpy(), (2, 2), (1, 1), (1, 1), 1)


class _Attention(nn.Module):
    """Single-head attention written with torch.matmul, as most spiking transformers are."""

    def forward(self, x):
        q, k, v = x, x * 2, x.relu()
        scores = torch.matmul(q, k.transpose(-2, -1))
        return torch.matmul(scores, v)


def test_attention_matmuls_match_enumeration():
    x = _sparse((2, 5, 4), 0.5, seed=9)
    tr = nc.trace(_Attention(), x, steps=1)
    rows = tr.layers.set_index("layer")
    qk = matmul_pairs(x.numpy(), (2 * x).transpose(-2, -1).numpy())
    scores = torch.matmul(x, (2 * x).transpose(-2, -1))
    pv = matmul_pairs(scores.numpy(), x.relu().numpy())
    assert (rows.loc["model:bmm#0", "effective_ops"], rows.loc["model:bmm#0", "dense_ops"]) == qk
    assert (rows.loc["model:bmm#1", "effective_ops"], rows.loc["model:bmm#1", "dense_ops"]) == pv


@pytest.mark.parametrize("causal", [False, True])
def test_fused_attention_matches_enumeration(causal):
    q, k, v = (_sparse((1, 2, 4, 3), 0.6, seed=s) for s in (10, 11, 12))

    class Fused(nn.Module):
        def forward(self, q):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

    tr = nc.trace(Fused(), q, steps=1)
    rows = tr.layers.set_index("layer")
    qk = matmul_pairs(q.numpy(), k.transpose(-2, -1).numpy())
    probs = torch.ones(4, 4).tril() if causal else torch.ones(4, 4)
    pv = matmul_pairs(probs.expand(1, 2, 4, 4).numpy(), v.numpy())
    assert rows.loc["model:attention#0.qk", "effective_ops"] == qk[0]
    assert rows.loc["model:attention#0.pv", "effective_ops"] == pv[0]
    assert rows.loc["model:attention#0.pv", "dense_ops"] == pv[1]


def test_spike_input_is_accumulate_and_real_input_is_mac():
    layer = nn.Linear(6, 3)
    x = (_sparse((2, 6), 0.5, seed=13) != 0).float()
    assert nc.trace(layer, x, steps=1, input_encoding="spike").layers.op_class[0] == "ac"
    assert nc.trace(layer, x, steps=1).layers.op_class[0] == "mac"


def test_declared_encoding_contradicted_by_data_warns():
    with pytest.warns(UserWarning, match="declared spike"):
        tr = nc.trace(nn.Linear(4, 2), torch.full((1, 4), 0.5), steps=1, input_encoding="spike")
    assert tr.warnings
