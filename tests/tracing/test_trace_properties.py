"""Properties every exact count must have, whatever the layer geometry and data."""

from __future__ import annotations

import torch
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

import neurocost as nc

geometry = st.fixed_dictionaries({
    "groups": st.sampled_from([1, 2]),
    "per_group_in": st.integers(1, 2),
    "per_group_out": st.integers(1, 2),
    "kernel": st.integers(1, 3),
    "stride": st.integers(1, 3),
    "padding": st.integers(0, 2),
    "dilation": st.integers(1, 2),
    "size": st.integers(5, 8),
    "batch": st.integers(2, 4),
    "seed": st.integers(0, 2**16),
})


def _conv(g: dict) -> tuple[nn.Conv2d, torch.Tensor]:
    torch.manual_seed(g["seed"])
    layer = nn.Conv2d(g["groups"] * g["per_group_in"], g["groups"] * g["per_group_out"],
                      g["kernel"], g["stride"], g["padding"], g["dilation"], g["groups"])
    x = torch.randn(g["batch"], layer.in_channels, g["size"], g["size"])
    return layer, x * (torch.rand_like(x) < 0.5)


def _totals(layer, x):
    return nc.trace(layer, x, steps=1).totals()


@settings(max_examples=25, deadline=None)
@given(geometry)
def test_zero_input_means_zero_effective_ops(g):
    layer, x = _conv(g)
    assert _totals(layer, torch.zeros_like(x))["effective_ops"].value == 0


@settings(max_examples=25, deadline=None)
@given(geometry)
def test_effective_never_exceeds_dense(g):
    layer, x = _conv(g)
    totals = _totals(layer, x)
    assert totals["effective_ops"].value <= totals["dense_ops"].value


@settings(max_examples=25, deadline=None)
@given(geometry)
def test_all_nonzero_input_and_weights_make_effective_equal_dense(g):
    layer, x = _conv(g)
    with torch.no_grad():
        layer.weight.copy_(layer.weight.sign() + (layer.weight == 0))
    totals = _totals(layer, torch.rand_like(x) + 0.5)
    assert totals["effective_ops"].value == totals["dense_ops"].value


@settings(max_examples=25, deadline=None)
@given(geometry, st.integers(1, 3))
def test_counts_add_up_over_batch_splits(g, split):
    layer, x = _conv(g)
    split = min(split, x.shape[0] - 1)
    whole = nc.trace(layer, x, steps=1).layers
    parts = [nc.trace(layer, p, steps=1).layers for p in (x[:split], x[split:])]
    for column in ("effective_ops", "dense_ops", "in_nonzero", "weight_bits_read"):
        assert whole[column].sum() == sum(p[column].sum() for p in parts)
