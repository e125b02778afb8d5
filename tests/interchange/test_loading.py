"""``load_model`` specs and weight files."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from neurocost.interchange.loading import ModelSpecError, load_model
from neurocost.models.weights import load_weights, save_weights


def test_zoo_spec_passes_keywords() -> None:
    model = load_model("zoo:scnn", seed=5, classes=3)
    assert model[7].out_features == 3


def test_module_factory_spec() -> None:
    model = load_model("neurocost.models.zoo.feedforward:bmlp", hidden=(32,))
    assert model[1].out_features == 32


def test_python_file_factory_spec(tmp_path: Path) -> None:
    source = tmp_path / "mine.py"
    source.write_text("import torch\n\ndef build(width=4):\n    return torch.nn.Linear(2, width)\n")
    assert load_model(f"{source}:build", width=7).out_features == 7


def test_factory_must_return_a_module(tmp_path: Path) -> None:
    source = tmp_path / "bad.py"
    source.write_text("def build():\n    return 3\n")
    with pytest.raises(ModelSpecError, match="returned int"):
        load_model(f"{source}:build")


@pytest.mark.parametrize(("spec", "message"), [
    ("no_colon_here", "expected zoo:NAME"),
    ("neurocost.models.zoo:missing_factory", "missing or not callable"),
    ("no_such_package_xyz.mod:f", "cannot import"),
])
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ModelSpecError, match=message):
        load_model(spec)


def test_a_keyword_the_factory_lacks_is_named_with_those_it_takes(tmp_path: Path) -> None:
    with pytest.raises(ModelSpecError, match=r"'zoo:smlp': .*'nope'; its keywords: in_features"):
        load_model("zoo:smlp", nope=1)
    (tmp_path / "m.py").write_text("from torch import nn\n\ndef build(width=4):\n"
                                   "    return nn.Linear(width, {'a': 2}['a'])\n")
    with pytest.raises(ModelSpecError, match=r"'depth'; its keywords: width$"):
        load_model(f"{tmp_path / 'm.py'}:build", depth=2)


def test_an_error_inside_the_factory_names_the_spec_and_keywords(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("from torch import nn\n\ndef build(pool='max'):\n"
                                   "    return {'max': nn.MaxPool2d(2)}[pool]\n")
    spec = f"{tmp_path / 'm.py'}:build"
    with pytest.raises(ModelSpecError, match=r"building it with \{'pool': 'min'\} failed "
                                             r"\(KeyError: 'min'\)"):
        load_model(spec, pool="min")


def test_missing_files_are_named(tmp_path: Path) -> None:
    for spec in (f"{tmp_path}/absent.py:f", f"{tmp_path}/absent.onnx", f"{tmp_path}/absent.nir"):
        with pytest.raises(FileNotFoundError, match="absent"):
            load_model(spec)


def test_weights_round_trip_through_a_weights_only_file(tmp_path: Path) -> None:
    model = load_model("zoo:bcnn", seed=1)
    path = save_weights(model, tmp_path / "w" / "bcnn.pt")
    fresh = load_weights(load_model("zoo:bcnn", seed=2), path)
    for a, b in zip(model.state_dict().values(), fresh.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_weights_file_with_other_content_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.pt"
    torch.save([1, 2], path)
    with pytest.raises(ValueError, match="not a state dict"):
        load_weights(torch.nn.Linear(1, 1), path)
