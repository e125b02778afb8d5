"""Every YAML file kind goes through one bounded reader whose errors name the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import yaml

from neurocost.claims.files import ClaimsFileError, load_claims
from neurocost.energy.registry import ProfileError, read_profile_file
from neurocost.errors import NeurocostError
from neurocost.sim.architecture import ArchitectureError, load_architecture
from neurocost.strict_yaml import MAX_DEPTH, load_yaml
from neurocost.sweeps.spec import SweepSpecError, load_spec

# a "billion laughs" document: 9 levels of 9 aliases each expand to 9^9 (387 million) leaves
_LAUGHS = "a0: &a0 [lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)

# (file name, reader, error class): the four file kinds
KINDS = [
    ("toy.yaml", read_profile_file, ProfileError),
    ("chip.yaml", load_architecture, ArchitectureError),
    ("paper.claims.yaml", load_claims, ClaimsFileError),
    ("spec.yaml", load_spec, SweepSpecError),
]


@pytest.mark.parametrize(("name", "read", "error"), KINDS)
def test_an_alias_bomb_is_refused_before_it_grows(tmp_path: Path, name, read, error) -> None:
    path = tmp_path / name
    path.write_text(_LAUGHS)
    assert len(_LAUGHS) < 700
    tracemalloc.start()
    try:
        with pytest.raises(error, match=rf"^{path}: not valid YAML: aliases expand to"):
            read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # bytes: refused while counting nodes, not after building them


def test_an_alias_bomb_in_a_claims_variant_fails_validation(tmp_path: Path) -> None:
    bomb = "".join(
        f"      l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )
    text = (
        "claims:\n  - id: bomb\n    source: test\n    model: zoo:scnn\n    metric: bops\n"
        "    expected: 0\n    variant:\n      l0: &l0 [lol]\n" + bomb
    )
    path = tmp_path / "paper.claims.yaml"
    path.write_text(text)
    with pytest.raises(ClaimsFileError, match="aliases expand to"):
        load_claims(path)


@pytest.mark.parametrize(("name", "read", "error"), KINDS)
def test_deep_nesting_is_an_error_not_a_recursion_error(tmp_path: Path, name, read, error):
    path = tmp_path / name
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(error, match=rf"^{path}: not valid YAML: nesting deeper than {MAX_DEPTH}"):
        read(path)


@pytest.mark.parametrize(("name", "read", "error"), KINDS)
def test_a_file_that_is_not_utf8_is_named(tmp_path: Path, name, read, error) -> None:
    path = tmp_path / name
    path.write_bytes(b"id: caf\xe9\n")
    with pytest.raises(error, match=rf"^{path}: .* not UTF-8 text \(byte 7"):
        read(path)


@pytest.mark.parametrize(("name", "read", "error"), KINDS)
def test_errors_of_every_kind_read_the_same_way(tmp_path: Path, name, read, error) -> None:
    path = tmp_path / name
    path.write_text("a: 1\na: 2\n")
    with pytest.raises(error) as err:
        read(path)
    assert str(err.value) == f"{path}: not valid YAML: key 'a' appears twice (line 2, column 1)"
    assert isinstance(err.value, NeurocostError)
    missing = tmp_path / "missing" / name
    with pytest.raises(error, match=rf"^{missing}: no such .* file"):
        read(missing)


def test_ordinary_anchors_and_nesting_still_load() -> None:
    assert load_yaml("base: &b {x: 1}\nuse: *b\n") == {"base": {"x": 1}, "use": {"x": 1}}
    deep = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert load_yaml(deep) is not None
    with pytest.raises(yaml.YAMLError):
        load_yaml("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_a_golden_file_outside_the_claims_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "repo" / "claims"
    folder.mkdir(parents=True)
    path = folder / "paper.claims.yaml"
    base = "claims:\n  - {id: c, source: s, model: zoo:scnn, metric: bops, expected: 0}\n"
    for outside in ("../../x.json", "/tmp/x.json", "sub/../../x.json"):
        path.write_text(base + f"golden: {outside}\n")
        with pytest.raises(ClaimsFileError, match=r"field 'golden': .* is outside"):
            load_claims(path)
    path.write_text(base + "golden: goldens/x.json\n")
    assert load_claims(path).golden_path == folder / "goldens" / "x.json"


def test_a_schema_error_in_an_architecture_file_is_one_line_per_field(tmp_path: Path) -> None:
    path = tmp_path / "chip.yaml"
    path.write_text("architecture:\n  style: event_driven\n  cores: 3\n")
    with pytest.raises(ArchitectureError) as err:
        load_architecture(path)
    message = str(err.value)
    assert message.startswith(f"{path}: invalid architecture: field cores: ")
    assert "\n" not in message and "https://" not in message


def test_a_mapping_used_as_a_key_is_a_yaml_error_not_a_type_error() -> None:
    for text in ("{}:", "[1]: 2"):  # "{}:" was found by the fuzz suite's long hunt
        with pytest.raises(yaml.YAMLError, match="a key must be a plain value"):
            load_yaml(text)
