"""Unknown compute fails loudly; with strict=False it becomes a recorded gap and lowers coverage."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import neurocost as nc
from neurocost.tracing.trace import UnsupportedOperation
from neurocost.tracing.trace_record import Trace, TraceInputError


class _WithLSTM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 8)
        self.rnn = nn.LSTM(8, 8)

    def forward(self, x):
        return self.rnn(self.fc(x))[0]


def test_strict_mode_names_the_unknown_op_and_where_it_sits():
    pattern = r"aten\.mkldnn_rnn_layer.*'rnn:mkldnn_rnn_layer#0'"
    with pytest.raises(UnsupportedOperation, match=pattern):
        nc.trace(_WithLSTM(), torch.rand(3, 2, 4), steps=1)


def test_non_strict_records_the_gap_and_lowers_coverage():
    tr = nc.trace(_WithLSTM(), torch.rand(3, 2, 4), steps=1, strict=False, batch_dim=1)
    assert [g.where for g in tr.gaps] == ["rnn:mkldnn_rnn_layer#0"]
    assert 0 < tr.coverage < 1
    # the Linear is still counted: 3 sequence positions x 4 inputs x 8 outputs per sample
    assert tr.totals()["dense_ops"].value == 3 * 4 * 8


def test_unsupported_conv_module_is_reported():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"))
    with pytest.raises(UnsupportedOperation, match="padding_mode='reflect'"):
        nc.trace(model, torch.rand(1, 1, 5, 5), steps=1)


def test_transposed_convolution_is_a_gap():
    tr = nc.trace(nn.ConvTranspose2d(1, 2, 3), torch.rand(1, 1, 4, 4), steps=1, strict=False)
    assert tr.gaps and tr.coverage == 0.0


def test_full_coverage_when_everything_is_understood():
    assert nc.trace(nn.Linear(3, 2), torch.rand(2, 3), steps=1).coverage == 1.0


def test_nan_input_is_rejected():
    with pytest.raises(ValueError, match="NaN"):
        nc.trace(nn.Linear(3, 2), torch.tensor([[1.0, float("nan"), 0.0]]), steps=1)


def test_stepwise_model_needs_time_first_input():
    with pytest.raises(ValueError, match=r"time-first input \[T, B, \.\.\.\]"):
        nc.trace(nn.Linear(3, 2), torch.rand(3))


def test_json_round_trip_keeps_every_count(tmp_path):
    tr = nc.trace(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)),
                  torch.rand(2, 5, 3) * (torch.rand(2, 5, 3) > 0.5), steps=1, batch_dim=1)
    path = tmp_path / "trace.json"
    tr.to_json(path)
    back = Trace.from_json(path)
    assert back.batch_size == 5
    assert back.layers.equals(tr.layers)
    assert back.totals() == tr.totals()
    assert back.module_types == tr.module_types == {"0": "torch.nn.modules.linear.Linear",
                                                    "2": "torch.nn.modules.linear.Linear"}


def test_module_types_of_a_trace_file_are_checked(tmp_path):
    data = nc.trace(nn.Linear(3, 2), torch.rand(1, 3), steps=1).to_dict()
    data["module_types"] = {"0": 7}
    with pytest.raises(TraceInputError, match="field 'module_types' must map layer names"):
        Trace.from_dict(data, "t.json")


def test_corrupt_trace_file_is_named(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "neurocost.trace", "layers": [')
    with pytest.raises(ValueError, match="broken.json"):
        Trace.from_json(path)


class _Then(nn.Module):
    """A Linear, then ``op`` on its output: how a user writes a solve or a distance."""

    def __init__(self, op) -> None:  # noqa: ANN001
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.op = op

    def forward(self, x):
        return self.op(self.fc(x))


def _gram(y: torch.Tensor) -> torch.Tensor:
    return y.T @ y + torch.eye(y.shape[1])


@pytest.mark.parametrize(("op", "aten"), [
    (lambda y: torch.linalg.solve(_gram(y), y.T), "_linalg_solve_ex"),
    (lambda y: torch.linalg.inv(_gram(y)), "linalg_inv_ex"),
    (lambda y: torch.linalg.svd(y).S, "_linalg_svd"),
    (lambda y: torch.linalg.lstsq(y, y).solution, "linalg_lstsq"),
    (lambda y: torch.linalg.cholesky(_gram(y)), "linalg_cholesky_ex"),
    (lambda y: torch.cdist(y, y), "_cdist_forward"),
    (lambda y: torch.linalg.det(_gram(y)), "_linalg_det"),
])
def test_matrix_factorisations_and_distances_are_not_silent_zeros(op, aten):
    with pytest.raises(UnsupportedOperation, match=rf"aten\.{aten}"):
        nc.trace(_Then(op), torch.rand(4, 4), steps=1)
    tr = nc.trace(_Then(op), torch.rand(4, 4), steps=1, strict=False)
    assert [g.what for g in tr.gaps] == [f"aten.{aten}"] and tr.coverage < 1
