"""A sweep on the user's own data: an input file and an event data set, both named relative to
the spec file, whatever the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

from neurocost.models.zoo import get
from neurocost.sweeps.spec import SweepSpec, load_spec
from neurocost.sweeps.sweep import sweep
from neurocost.tracing.workload import InputSpec, ModelRef, prepare
from tests.tracing.event_files import write_shd

SMLP = {"in_features": [4], "hidden": [[6]], "classes": [3]}
SHD_MLP = {"in_features": [700], "hidden": [[8]], "classes": [20]}


def _write(folder: Path) -> Path:
    data = folder / "data"
    data.mkdir(parents=True)
    x = torch.rand(3, 5, 4, generator=torch.Generator().manual_seed(0))  # time-first, 5 samples
    torch.save({"x": x, "y": torch.tensor([0, 1, 2, 0, 1])}, data / "inputs.pt")
    write_shd(data, [(3, [(1, 0.0), (650, 0.01), (2, 0.02)]), (5, [(9, 0.0), (8, 0.03)])])
    spec = {
        "name": "own-data",
        "models": [
            {"source": "zoo:smlp", "name": "file", "variants": SMLP,
             "input": {"file": "data/inputs.pt"}},
            {"source": "zoo:smlp", "name": "shd", "variants": SHD_MLP,
             "input": {"dataset": "shd", "root": "data", "steps": 2, "samples": 2}},
        ],
        "profiles": ["cmos45"],
        "results": "results",
    }
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_input_paths_resolve_against_the_spec_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "study")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    rows = sweep(Path("../study/sweep.yaml"), workers=1).read().set_index("model")
    assert rows.loc["file", "samples"] == 5 and rows.loc["file", "steps"] == 3
    assert rows.loc["shd", "samples"] == 2 and rows.loc["shd", "steps"] == 2
    # the accuracy the front door measures on the same files, named from the spec's folder
    data = tmp_path / "study" / "data"
    for label, variant, fields in (
            ("file", SMLP, {"file": str(data / "inputs.pt")}),
            ("shd", SHD_MLP, {"dataset": "shd", "root": str(data), "steps": 2})):
        kwargs = {k: v[0] for k, v in variant.items()}
        torch.manual_seed(0)
        work = prepare(ModelRef(source="zoo:smlp", variant=kwargs), InputSpec(**fields),
                       model=get("smlp", **kwargs).eval())
        assert work.accuracy is not None and rows.loc[label, "accuracy"] == work.accuracy
        assert str(data) in rows.loc[label, "accuracy_source"]


def test_a_changed_input_file_is_traced_afresh(tmp_path: Path) -> None:
    spec = _write(tmp_path)
    first = sweep(spec, workers=1)
    x = torch.zeros(3, 5, 4)
    torch.save({"x": x, "y": torch.tensor([0, 1, 2, 0, 1])}, tmp_path / "data" / "inputs.pt")
    again = sweep(spec, workers=1)
    assert (again.rows_written, again.rows_skipped) == (1, first.rows_written - 1)


def test_the_schema_documents_the_new_input_fields() -> None:
    fields = SweepSpec.model_json_schema()["$defs"]["SweepInput"]["properties"]
    assert {"file", "time_first", "root"} <= set(fields)
    names = fields["dataset"]["anyOf"][0]["enum"]
    assert names == ["digits", "nmnist", "shd", "dvsgesture"]


def test_a_spec_with_a_missing_input_file_names_it(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (tmp_path / "data" / "inputs.pt").unlink()
    with pytest.raises(FileNotFoundError, match=r"inputs\.pt: input\.file named in the sweep"):
        sweep(load_spec(path), workers=1)


def test_the_documented_example_names_both_kinds_of_own_data() -> None:
    import textwrap

    from neurocost.sweeps import spec as spec_module

    example = textwrap.dedent(spec_module.__doc__.split("Example::", 1)[1].split("``")[0])
    spec = load_spec(yaml.safe_load(example), base_dir=Path("/study"))
    inputs = [model.input for model in spec.models]
    assert (inputs[2].file, inputs[2].time_first) == ("data/test.pt", True)
    assert (inputs[3].dataset, inputs[3].root, inputs[3].steps) == ("nmnist", "data", 20)
