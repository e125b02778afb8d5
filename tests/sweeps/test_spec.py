"""The sweep spec: YAML in, validated values out, and errors that name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurocost.sweeps.spec import SweepSpecError, expand_grid, load_spec

GOOD = """
name: chips
models:
  - source: zoo:scnn
    variants: {beta: [0.8, 0.95]}
profiles: [loihi, truenorth]
grid:
  memory.sram.capacity_kib: [64, 256, 1024]
  voltage_v: [0.7, 0.9]
results: out/chips
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return path


def test_grid_expands_to_every_combination_in_written_order() -> None:
    # 3 capacities x 2 voltages = 6 points, first key varying slowest
    points = expand_grid({"memory.sram.capacity_kib": [64, 256, 1024], "voltage_v": [0.7, 0.9]})
    assert len(points) == 6
    assert points[0] == {"memory.sram.capacity_kib": 64, "voltage_v": 0.7}
    assert points[1] == {"memory.sram.capacity_kib": 64, "voltage_v": 0.9}
    assert points[-1] == {"memory.sram.capacity_kib": 1024, "voltage_v": 0.9}


def test_empty_grid_is_one_point_of_no_overrides() -> None:
    assert expand_grid({}) == [{}]


def test_results_path_resolves_against_the_spec_file(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.results_dir == (tmp_path / "out" / "chips").resolve()
    assert spec.models[0].variant_kwargs() == [{"beta": 0.8}, {"beta": 0.95}]
    assert spec.models[0].label == "zoo:scnn"


def test_unknown_field_names_file_field_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "simulte: true\n")
    with pytest.raises(SweepSpecError) as err:
        load_spec(path)
    assert str(path) in str(err.value)
    assert "simulte" in str(err.value)


def test_empty_value_list_is_rejected_with_its_dotted_location(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("voltage_v: [0.7, 0.9]", "voltage_v: []"))
    with pytest.raises(SweepSpecError, match="voltage_v"):
        load_spec(path)


def test_spec_without_profiles_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("profiles: [loihi, truenorth]", "profiles: []"))
    with pytest.raises(SweepSpecError, match="'profiles'"):
        load_spec(path)


def test_yaml_tags_that_build_objects_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "name: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(SweepSpecError, match="not valid YAML"):
        load_spec(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SweepSpecError, match="not found"):
        load_spec(tmp_path / "nope.yaml")


def test_the_documented_example_is_a_valid_spec_and_the_schema_is_json(capsys) -> None:
    import json
    import textwrap

    import yaml

    from neurocost.cli import main
    from neurocost.sweeps import spec as spec_module

    example = textwrap.dedent(spec_module.__doc__.split("Example::", 1)[1].split("``")[0])
    spec = load_spec(yaml.safe_load(example))
    assert spec.models[1].input.shape == (1, 28, 28)
    assert main(["sweep", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["required"]) == {"name", "models", "profiles"}
