"""The layer contract is read one way: string or object encodings, storage, bits per weight."""

from __future__ import annotations

import torch
from torch import nn

import neurocost as nc
from neurocost.models.contract import WeightStorage, declared_encoding, weight_storage
from neurocost.models.encodings import int_
from neurocost.models.layers import BinaryLinear


class _Int4Linear(nn.Linear):
    """A user's layer declaring its weight encoding by name, as YAML or a quick script would."""

    weight_encoding = "int4"


def test_encodings_declared_by_name_or_object_read_the_same() -> None:
    assert declared_encoding(_Int4Linear(3, 2), "weight") == int_(4)
    assert declared_encoding(nn.Linear(3, 2), "weight") is None


def test_weight_storage_follows_the_declaration_else_the_dtype() -> None:
    assert weight_storage(_Int4Linear(3, 2)) == WeightStorage(6, 4.0)
    assert weight_storage(nn.Linear(3, 2)) == WeightStorage(6, 32.0)
    assert weight_storage(nn.Linear(3, 2).half()) == WeightStorage(6, 16.0)
    assert weight_storage(nn.ReLU()) is None


def test_model_size_and_the_trace_agree_on_a_named_encoding() -> None:
    layer = _Int4Linear(3, 2)
    rows = nc.model_size(layer).tensors.set_index("name")
    assert rows.loc["weight", "bits"] == 6 * 4
    traced = nc.trace(layer, torch.ones(1, 3), steps=1).layers
    assert traced["weight_bits"].tolist() == [4.0]


def test_bits_per_weight_counts_weights_not_biases() -> None:
    model = nn.Sequential(nn.Linear(8, 4), nn.Tanh(), BinaryLinear(4, 2))
    size = nc.model_size(model)
    # 32 fp32 weights and 8 one-bit weights; the biases (4 + 2 entries at 32 bits) are not weights
    assert size.bits_per_weight == (32 * 32 + 8 * 1) / (32 + 8)
    assert size.bits == 32 * 32 + 8 * 1 + (4 + 2) * 32
