"""Reading claims files: a broken file fails with a message naming file, claim and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurocost.claims.files import ClaimsFileError, load_claims

GOOD = """\
claims:
  - id: scnn-bops
    source: "test fixture"
    model: zoo:scnn
    metric: bops
    expected: 0
"""


def _write(tmp_path: Path, text: str, name: str = "paper.claims.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_golden_file_defaults_to_a_sibling_named_after_the_claims_file(tmp_path: Path) -> None:
    loaded = load_claims(_write(tmp_path, GOOD))
    assert loaded.golden_path == tmp_path / "paper.golden.json"
    assert [c.id for c in loaded.claims] == ["scnn-bops"]


def test_golden_file_can_be_named(tmp_path: Path) -> None:
    loaded = load_claims(_write(tmp_path, GOOD + "golden: goldens/mine.json\n"))
    assert loaded.golden_path == tmp_path / "goldens" / "mine.json"


def test_schema_errors_name_file_claim_field_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("expected: 0", "expected: lots"))
    with pytest.raises(ClaimsFileError) as err:
        load_claims(path)
    message = str(err.value)
    assert str(path) in message
    assert "claim 'scnn-bops' (claims[0]), field 'expected'" in message
    assert "'lots'" in message


def test_nested_field_errors_give_the_dotted_path(tmp_path: Path) -> None:
    text = GOOD.replace("model: zoo:scnn", "model: {spec: zoo:scnn, input: {sede: 3}}")
    with pytest.raises(ClaimsFileError, match=r"field 'model\.input\.sede'"):
        load_claims(_write(tmp_path, text))


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "claims: [unclosed\n")
    with pytest.raises(ClaimsFileError, match=f"{path}: not valid YAML"):
        load_claims(path)


def test_a_list_at_top_level_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ClaimsFileError, match="mapping with a 'claims:' list, got list"):
        load_claims(_write(tmp_path, "- id: x\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ClaimsFileError, match="no such claims file"):
        load_claims(tmp_path / "absent.claims.yaml")


def test_a_file_not_named_claims_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClaimsFileError, match=r"is named \*\.claims\.yaml"):
        load_claims(_write(tmp_path, GOOD, name="paper.yaml"))


def test_a_key_given_twice_is_rejected(tmp_path: Path) -> None:
    # YAML keeps the last of two equal keys; a claims file must not hide an edit that way.
    with pytest.raises(ClaimsFileError, match="key 'expected' appears twice"):
        load_claims(_write(tmp_path, GOOD + "    expected: 1\n"))
