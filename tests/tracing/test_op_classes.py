"""The op-class table: what one (operand, operand) pair costs, from declared encodings."""

from __future__ import annotations

import pytest
import torch

import neurocost as nc
from neurocost.models.encodings import (
    BINARY,
    FP32,
    SIGNED_SPIKE,
    SPIKE,
    TERNARY,
    int_,
    op_class,
    parse_encoding,
)
from neurocost.models.layers import QuantLinear

CASES = [
    (BINARY, BINARY, "bop"),              # XNOR-popcount
    (SPIKE, FP32, "ac"), (SPIKE, BINARY, "ac"), (SPIKE, int_(4), "ac"),
    (SIGNED_SPIKE, FP32, "signed_ac"), (BINARY, FP32, "signed_ac"), (FP32, BINARY, "signed_ac"),
    (FP32, TERNARY, "signed_ac"), (TERNARY, TERNARY, "signed_ac"), (int_(8), TERNARY, "signed_ac"),
    (int_(8), int_(4), "mac"), (FP32, FP32, "mac"),
]


@pytest.mark.parametrize(("a", "b", "expected"), CASES)
def test_op_class_is_symmetric_and_follows_the_table(a, b, expected):
    assert op_class(a, b) == expected == op_class(b, a)


def test_encodings_round_trip_through_their_names():
    for enc in (SPIKE, SIGNED_SPIKE, BINARY, TERNARY, FP32, int_(3)):
        assert parse_encoding(str(enc)) == enc


@pytest.mark.parametrize(("precision", "expected"), [("W2A32", "signed_ac"), ("W2A2", "signed_ac"),
                                                     ("W1A1", "bop"), ("W4A4", "mac")])
def test_quantised_layers_trace_with_their_declared_class(precision, expected):
    layer = QuantLinear(6, 3, precision=precision)
    tr = nc.trace(layer, torch.randn(2, 6), steps=1)
    assert tr.layers.op_class.tolist() == [expected]
