"""Trace rows are typed by ``columns.py``; one per-layer view; dict and JSON round trips."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from torch import nn

import neurocost as nc
from neurocost.tracing.columns import ADDITIVE, COLUMNS, make_row

_IDENTITY = {"layer": "fc", "kind": "linear", "step": 0, "op_class": "mac",
             "in_encoding": "fp32", "weight_encoding": "fp32", "batch": 2}


def test_a_row_names_every_column_in_order_and_zero_fills_counts() -> None:
    row = make_row({**_IDENTITY, "dense_ops": 6})
    assert len(row) == len(COLUMNS)
    assert dict(zip(COLUMNS, row, strict=True))["dense_ops"] == 6
    assert dict(zip(COLUMNS, row, strict=True))["effective_ops"] == 0


def test_a_misspelt_count_is_an_error_not_a_dropped_figure() -> None:
    with pytest.raises(KeyError, match="effective_op"):
        make_row({**_IDENTITY, "effective_op": 6})


def test_a_row_without_its_identity_is_an_error() -> None:
    with pytest.raises(KeyError, match="step"):
        make_row({k: v for k, v in _IDENTITY.items() if k != "step"})


def _traced() -> nc.Trace:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    return nc.trace(model, torch.rand(2, 4) * (torch.rand(2, 4) > 0.5), steps=1)


def test_by_layer_sums_steps_per_sample_and_keeps_footprints() -> None:
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    traced = nc.trace(model, (torch.rand(5, 2, 4) > 0.5).float())  # called once per step
    table = traced.by_layer().set_index("layer")
    assert table.loc["model", "calls"] == 5
    assert table.loc["model", "dense_ops"] == 5 * 4 * 3  # per sample, 5 calls of 4 x 3
    assert table.loc["model", "weight_footprint"] == 4 * 3 * 32  # one call's weight bits
    assert traced.per_layer()["dense_ops"].tolist() == [5 * 4 * 3]


def test_by_layer_keeps_first_appearance_order_and_one_group_per_missing_width() -> None:
    # rows of two layers interleaved over steps, one with an unknown (NaN) weight width: every
    # layer is one row, in the order the layers first ran, as a dropna=False group-by gives
    rows = [make_row({**_IDENTITY, "layer": name, "step": step, "weight_bits": bits,
                      "dense_ops": 10 * step + 1})
            for step in range(3) for name, bits in (("b", float("nan")), ("a", 8.0))]
    traced = nc.Trace(pd.DataFrame(rows, columns=COLUMNS), batch_size=1, steps=3)
    table = traced.by_layer()
    assert table["layer"].tolist() == ["b", "a"]
    assert table["calls"].tolist() == [3, 3]
    assert table["dense_ops"].tolist() == [1 + 11 + 21, 1 + 11 + 21]


def test_only_keeps_the_named_layers() -> None:
    traced = _traced()
    first = traced.only(["0"])
    assert set(first.layers["layer"]) == {"0"}
    assert first.totals()["dense_ops"].value == 4 * 3


def test_dict_and_json_round_trips_keep_every_row() -> None:
    traced = _traced()
    for again in (nc.Trace.from_dict(traced.to_dict()), nc.Trace.from_json(traced.to_json())):
        pd.testing.assert_frame_equal(again.layers[list(ADDITIVE)],
                                      traced.layers[list(ADDITIVE)], check_dtype=False)
        assert again.batch_size == traced.batch_size and again.steps == traced.steps
