"""Golden files: written only on request, every change listed, stale keys detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neurocost.claims.golden import GoldenEntry, GoldenFileError, GoldenStore, stale_reason


def _entry(value: float, version: str = "1.0") -> GoldenEntry:
    key = {"model": {"spec": "zoo:scnn"}, "profile": {"id": "loihi", "version": version}}
    return GoldenEntry(value, "J", key, {"fc1": value})


def test_missing_file_is_an_empty_store(tmp_path: Path) -> None:
    assert GoldenStore.load(tmp_path / "none.golden.json").get("a") is None


def test_nothing_recorded_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "g.golden.json"
    assert GoldenStore.load(path).write(["a"]) == []
    assert not path.exists()


def test_recorded_values_round_trip_and_every_change_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "g.golden.json"
    store = GoldenStore.load(path)
    store.record("a", _entry(1.0))
    store.record("b", _entry(2.0))
    first = store.write(["a", "b"])
    assert [(c.claim_id, c.old, c.new) for c in first] == [
        ("a", None, _entry(1.0)),
        ("b", None, _entry(2.0)),
    ]
    reread = GoldenStore.load(path)
    assert reread.get("a") == _entry(1.0)
    reread.record("a", _entry(1.5))
    reread.record("b", _entry(2.0))
    second = reread.write(["a", "b"])
    assert [c.describe() for c in second] == ["a: 1 J -> 1.5 J"]


def test_entries_of_removed_claims_are_dropped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "g.golden.json"
    store = GoldenStore.load(path)
    store.record("a", _entry(1.0))
    store.record("gone", _entry(3.0))
    store.write(["a", "gone"])
    store = GoldenStore.load(path)
    store.record("a", _entry(1.0))
    changes = store.write(["a"])
    assert [c.describe() for c in changes] == ["gone: dropped (no such claim any more)"]
    assert GoldenStore.load(path).get("gone") is None


def test_stale_reason_names_the_changed_version() -> None:
    old = _entry(1.0, version="1.0").key
    new = _entry(1.0, version="1.1").key
    assert stale_reason(old, new) == "profile.version was '1.0', is '1.1' now"
    assert stale_reason(old, old) is None


def test_stale_reason_names_added_fields() -> None:
    assert stale_reason({"a": 1}, {"a": 1, "b": 2}) == "b was '(absent)', is 2 now"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not a readable golden JSON file"),
        (json.dumps({"format": "other"}), "field 'format'"),
        (
            json.dumps({"format": "neurocost.claims.golden", "format_version": 99}),
            "field 'format_version' is 99",
        ),
        (
            json.dumps({"format": "neurocost.claims.golden", "format_version": 1, "entries": []}),
            "field 'entries'",
        ),
        (
            json.dumps(
                {
                    "format": "neurocost.claims.golden",
                    "format_version": 1,
                    "entries": {"a": {"value": "1", "unit": "J", "key": {}}},
                }
            ),
            "entry 'a': field 'value'",
        ),
        (
            json.dumps(
                {
                    "format": "neurocost.claims.golden",
                    "format_version": 1,
                    "entries": {"a": {"value": 1, "unit": "J", "key": {}, "per_layer": [1]}},
                }
            ),
            "entry 'a': field 'per_layer'",
        ),
    ],
)
def test_corrupt_golden_file_names_file_and_field(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "bad.golden.json"
    path.write_text(content)
    with pytest.raises(GoldenFileError) as err:
        GoldenStore.load(path)
    assert str(path) in str(err.value) and problem in str(err.value)
