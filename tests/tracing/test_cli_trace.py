"""``neurocost trace`` as a user runs it: zoo models, factories with --random, JSON output."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from neurocost.cli import main
from neurocost.models import zoo
from tests.tracing.event_files import write_nmnist


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


def test_an_input_file_with_labels_is_relative_to_the_working_directory(tmp_path, capsys,
                                                                       monkeypatch):
    model = zoo.get("smlp_ann", in_features=4, hidden=(6,), classes=3)
    x = torch.rand(5, 4, generator=torch.Generator().manual_seed(0))
    labels = model(x).argmax(dim=1).detach()
    labels[0] = (labels[0] + 1) % 3  # one of five wrong, by construction
    np.savez(tmp_path / "data.npz", x=x.numpy(), y=labels.numpy())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(zoo, "get", lambda name, **kw: model)  # sized for 4 features
    assert main(["trace", "zoo:smlp_ann", "--input", "data.npz"]) == 0
    out = capsys.readouterr().out
    assert "batch 5" in out and "accuracy  80.0% on input.file" in out


NMNIST_NET = """
import snntorch as snn
from torch import nn

def build():
    return nn.Sequential(nn.Flatten(), nn.Linear(2 * 34 * 34, 10), snn.Leaky(0.9, init_hidden=True))
"""


def test_an_event_data_set_from_the_command_line(tmp_path, capsys):
    write_nmnist(tmp_path, [(1, [(1, 1, 0, 0), (2, 2, 1, 10_000), (3, 3, 1, 20_000)]),
                            (2, [(4, 4, 0, 0), (5, 5, 1, 30_000)])])
    (tmp_path / "nmnist_net.py").write_text(NMNIST_NET)
    argv = ["trace", f"{tmp_path / 'nmnist_net.py'}:build", "--dataset", "nmnist",
            "--data-root", str(tmp_path), "--steps", "2", "--samples", "2", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["steps"], data["batch_size"]) == (2, 2)
    assert data["layers"][0]["in_encoding"] == "spike"


@pytest.mark.parametrize("argv, words", [
    (["--dataset", "nmnist"], "give --data-root"),
    (["--dataset", "nmnist", "--data-root", "nope"], "--data-root '.*nope': no nmnist test"),
    (["--input", "nope.pt"], "--input '.*nope.pt': no such file"),
    (["--static-input"], "give --input FILE"),
])
def test_input_option_errors_name_the_option(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["trace", "zoo:smlp", *argv]) == 2
    err = capsys.readouterr().err
    assert re.search(words, err) and "input." not in err
