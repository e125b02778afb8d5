"""``neurocost trace`` as a user runs it: zoo models, factories with --random, JSON output."""

from __future__ import annotations

import json

import pytest
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


def test_trace_spikingjelly_factory_multi_step(capsys):
    pytest.importorskip("spikingjelly")
    code = main(["trace", "tests.tracing.spikingjelly_models:sew_resnet", "--random",
                 "3,2,3,32,32", "--call-once", "--steps", "3", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coverage"] == 1.0 and data["totals"]["neuron_updates"]["value"] > 0
    assert {row["op_class"] for row in data["layers"]} >= {"ac", "mac"}


def test_trace_hugging_face_factory_on_token_ids(tmp_path, capsys):
    pytest.importorskip("transformers")
    path = tmp_path / "ids.pt"
    torch.save(torch.randint(0, 100, (2, 6)), path)
    code = main(["trace", "tests.tracing.transformers_models:tiny_bert", "--input", str(path),
                 "--call-once", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coverage"] == 1.0
    assert "embedding" in {row["kind"] for row in data["layers"]}
