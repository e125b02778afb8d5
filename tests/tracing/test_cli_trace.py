"""``neurocost trace`` as a user runs it: zoo models, factories with --random, JSON output."""

from __future__ import annotations

import json

import torch

from neurocost.cli import main


def test_trace_zoo_model_prints_a_per_layer_table(capsys):
    assert main(["trace", "zoo:scnn", "--batch", "2", "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert "per sample, summed over 3 step(s)" in out
    assert "coverage" in out and "100.0%" in out


def test_trace_json_is_the_trace_record(capsys):
    assert main(["trace", "zoo:scnn", "--batch", "2", "--steps", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "neurocost.trace" and data["steps"] == 2 and data["batch_size"] == 2
    assert data["totals"]["dense_ops"]["unit"] == "ops"


def test_trace_factory_with_random_input_called_once(capsys):
    code = main(["trace", "torch.nn:Identity", "--random", "2,3", "--call-once", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["layers"] == []


def test_trace_input_file_and_declared_encoding(tmp_path, capsys):
    path = tmp_path / "x.pt"
    torch.save((torch.rand(4, 2, 784) < 0.2).float(), path)
    code = main(["trace", "zoo:smlp", "--input", str(path), "--input-encoding", "spike",
                 "--json"])
    assert code == 0
    first = json.loads(capsys.readouterr().out)["layers"][0]
    assert first["op_class"] == "ac"


def test_factory_without_input_is_a_clear_error(capsys):
    assert main(["trace", "torch.nn:Identity"]) == 2
    assert "--random SHAPE" in capsys.readouterr().err


def test_encode_rate_declares_spikes_for_the_first_layer(capsys):
    assert main(["trace", "zoo:scnn", "--batch", "2", "--steps", "3", "--encode", "rate",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["layers"][0]["op_class"] == "ac" and data["layers"][0]["in_encoding"] == "spike"
    assert not data["warnings"]  # the encoder's frames really are {0, 1}
