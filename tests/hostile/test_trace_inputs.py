"""Traces of nothing and trace files with impossible counts are refused, not priced."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import snntorch as snn
import torch
from torch import nn

import neurocost as nc
from neurocost.tracing.trace_record import Trace, TraceInputError
from tests.energy.builders import two_layer_trace


def _spiking() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 3), snn.Leaky(beta=0.9, init_hidden=True))


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(TraceInputError, match=r"input is empty \(shape \(0, 4\)\)"):
        nc.trace(nn.Linear(4, 3), torch.rand(0, 4), steps=1)
    with pytest.raises(TraceInputError, match="input is empty"):
        nc.trace(_spiking(), torch.rand(3, 0, 4))


def test_zero_time_steps_are_refused() -> None:
    with pytest.raises(TraceInputError, match=r"no time steps \(T = 0"):
        nc.trace(_spiking(), torch.rand(0, 2, 4))


def test_an_infinite_input_is_refused() -> None:
    x = torch.rand(2, 4)
    x[0, 0] = math.inf
    with pytest.raises(TraceInputError, match="NaN or infinite"):
        nc.trace(nn.Linear(4, 3), x, steps=1)


def test_a_trace_record_needs_a_sample_and_a_step() -> None:
    layers = two_layer_trace().layers
    with pytest.raises(TraceInputError, match="batch_size must be an integer >= 1"):
        Trace(layers=layers, batch_size=0, steps=2)
    with pytest.raises(TraceInputError, match="steps must be an integer >= 1"):
        Trace(layers=layers, batch_size=2, steps=0)


def _trace_file(tmp_path: Path, edit) -> Path:  # noqa: ANN001
    data = json.loads(two_layer_trace().to_json())
    edit(data)
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("bad", [-80, math.nan, math.inf, "80", True])
def test_a_trace_file_with_an_impossible_count_names_file_row_and_column(
    tmp_path: Path, bad: object
) -> None:
    path = _trace_file(tmp_path, lambda d: d["layers"][0].update(effective_ops=bad))
    with pytest.raises(TraceInputError, match=rf"^{path}: layers\[0\] \('fc1', step 0\): "
                                              "effective_ops must be a finite count >= 0"):
        Trace.from_json(path)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(batch_size=0), "field 'batch_size' must be an integer >= 1"),
    (lambda d: d.update(steps=-1), "field 'steps' must be an integer >= 1"),
    (lambda d: d["layers"][1].update(typo_ops=3), r"layers\[1\]: unknown column 'typo_ops'"),
    (lambda d: d["layers"][2].pop("dense_ops"), r"layers\[2\]: column 'dense_ops' is missing"),
    (lambda d: d.update(layers={"a": 1}), "field 'layers' must be a list"),
    (lambda d: d.update(gaps=[{"where": "x"}]), r"gaps\[0\]"),
])
def test_a_malformed_trace_file_is_named(tmp_path: Path, edit, message: str) -> None:  # noqa: ANN001
    path = _trace_file(tmp_path, edit)
    with pytest.raises(TraceInputError, match=rf"^{path}: {message}"):
        Trace.from_json(path)


def test_errors_on_trace_text_never_print_the_text() -> None:
    data = json.loads(two_layer_trace().to_json())
    data["layers"][0]["dense_ops"] = -1
    text = json.dumps(data)
    with pytest.raises(TraceInputError) as err:
        Trace.from_json(text)
    assert str(err.value).startswith("<trace JSON text>: layers[0]")
    assert len(str(err.value)) < 200 < len(text)
    with pytest.raises(TraceInputError, match=r"^<trace JSON text>: not a neurocost trace JSON"):
        Trace.from_json(text[:-40])


def test_a_good_trace_file_still_reads_back(tmp_path: Path) -> None:
    trace = two_layer_trace()
    back = Trace.from_json(_trace_file(tmp_path, lambda d: None))
    assert back.totals() == trace.totals()


@pytest.mark.parametrize(("row", "message"), [
    (0, r"elementwise\[0\] must be a mapping"),
    ({"layer": "fc1"}, r"elementwise\[0\]: column 'kind' is missing"),
])
def test_a_malformed_elementwise_row_is_named(tmp_path: Path, row: object,
                                              message: str) -> None:
    data = json.loads(two_layer_trace().to_json())
    data["elementwise"] = [row]  # a fuzzed file once crashed inside pandas here
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TraceInputError, match=rf"^{path}: {message}"):
        Trace.from_json(path)
