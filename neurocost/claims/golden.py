"""Golden files: values neurocost measured once, kept to catch any later change.

A golden entry stores the value, its unit, the per-layer breakdown, and the *key* it was
measured under: model spec and variant, input seed and shape, counting mode, convention name and
version, profile id and version. When any part of the key differs from the current one (a
profile was re-sourced, a convention was revised) the entry is *stale*: the check fails with a
message naming what changed instead of comparing figures that no longer mean the same thing.

Goldens are written only on request (``--claims-update``), and every rewritten value is listed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurocost.atomic_files import write_text_atomically
from neurocost.claims.formatting import format_value
from neurocost.errors import NeurocostError

FORMAT = "neurocost.claims.golden"
FORMAT_VERSION = 1


class GoldenFileError(NeurocostError):
    """A golden file that is corrupt or of an unknown format."""


@dataclass(frozen=True)
class GoldenEntry:
    """One recorded value: ``value`` in ``unit``, measured under ``key``; ``per_layer`` holds
    the contribution of each layer (same unit) when the metric is a sum over layers."""

    value: float
    unit: str
    key: dict[str, Any]
    per_layer: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "key": self.key,
            "per_layer": self.per_layer,
        }


@dataclass(frozen=True)
class GoldenChange:
    """A value ``--claims-update`` rewrote (``old`` None: newly recorded; ``new`` None: dropped)."""

    claim_id: str
    old: GoldenEntry | None
    new: GoldenEntry | None

    def describe(self) -> str:
        if self.old is None and self.new is not None:
            return f"{self.claim_id}: recorded {format_value(self.new.value, self.new.unit)}"
        if self.new is None and self.old is not None:
            return f"{self.claim_id}: dropped (no such claim any more)"
        assert self.old is not None and self.new is not None
        why = stale_reason(self.old.key, self.new.key)
        because = f" (key changed: {why})" if why else ""
        old, new = (
            format_value(self.old.value, self.old.unit),
            format_value(self.new.value, self.new.unit),
        )
        return f"{self.claim_id}: {old} -> {new}{because}"


def stale_reason(recorded: dict[str, Any], current: dict[str, Any]) -> str | None:
    """What differs between the key a golden was recorded under and the current key (None: same)."""
    old, new = _flatten(recorded), _flatten(current)
    diffs = [
        f"{name} was {old.get(name, '(absent)')!r}, is {new.get(name, '(absent)')!r} now"
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]
    return "; ".join(diffs) or None


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


class GoldenStore:
    """The golden values of one claims file: read once, changed only through ``record``."""

    def __init__(self, path: Path, entries: dict[str, GoldenEntry]) -> None:
        self.path = path
        self._entries = dict(entries)
        self._recorded: dict[str, GoldenEntry] = {}

    @classmethod
    def load(cls, path: Path) -> GoldenStore:
        """Read ``path``: a missing file is an empty store, a corrupt one a ``GoldenFileError``."""
        if not path.exists():
            return cls(path, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as err:  # ValueError: JSON and UTF-8
            raise GoldenFileError(f"{path}: not a readable golden JSON file ({err})") from err
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise GoldenFileError(f"{path}: field 'format' must be {FORMAT!r}")
        if data.get("format_version") != FORMAT_VERSION:
            raise GoldenFileError(
                f"{path}: field 'format_version' is {data.get('format_version')!r}; this neurocost "
                f"reads version {FORMAT_VERSION}"
            )
        entries = data.get("entries")
        if not isinstance(entries, dict):
            raise GoldenFileError(f"{path}: field 'entries' must be a mapping of claim id to value")
        return cls(path, {cid: _entry(path, cid, raw) for cid, raw in entries.items()})

    def get(self, claim_id: str) -> GoldenEntry | None:
        return self._entries.get(claim_id)

    def record(self, claim_id: str, entry: GoldenEntry) -> None:
        """Stage ``entry`` as the new golden value of ``claim_id`` (written by ``write``)."""
        self._recorded[claim_id] = entry

    def write(self, claim_ids: list[str]) -> list[GoldenChange]:
        """Write the file with the staged values for ``claim_ids`` (the claims file's ids, in
        order); return every change, dropped entries included. Nothing staged: nothing written."""
        if not self._recorded:
            return []
        merged = {cid: self._recorded.get(cid, self._entries.get(cid)) for cid in claim_ids}
        kept = {cid: entry for cid, entry in merged.items() if entry is not None}
        changes = [
            GoldenChange(cid, self._entries.get(cid), entry)
            for cid, entry in kept.items()
            if self._entries.get(cid) != entry
        ]
        changes += [
            GoldenChange(cid, old, None) for cid, old in self._entries.items() if cid not in kept
        ]
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "note": "written by neurocost --claims-update; review every change before committing",
            "entries": {cid: entry.to_dict() for cid, entry in kept.items()},
        }
        write_text_atomically(self.path, json.dumps(payload, indent=1, sort_keys=True) + "\n")
        self._entries, self._recorded = kept, {}
        return changes


def _entry(path: Path, claim_id: str, raw: Any) -> GoldenEntry:
    where = f"{path}: entry {claim_id!r}"
    if not isinstance(raw, dict):
        raise GoldenFileError(f"{where} must be a mapping, got {type(raw).__name__}")
    for name, kind in (("value", (int, float)), ("unit", str), ("key", dict)):
        if not isinstance(raw.get(name), kind) or isinstance(raw.get(name), bool):
            raise GoldenFileError(
                f"{where}: field {name!r} is missing or invalid ({raw.get(name)!r})"
            )
    if not math.isfinite(raw["value"]):  # JSON readers accept NaN and Infinity
        raise GoldenFileError(f"{where}: field 'value' must be a finite number ({raw['value']!r})")
    per_layer = raw.get("per_layer", {})
    if not isinstance(per_layer, dict) or not all(
        isinstance(v, (int, float)) for v in per_layer.values()
    ):
        raise GoldenFileError(f"{where}: field 'per_layer' must map layer names to numbers")
    return GoldenEntry(
        float(raw["value"]), raw["unit"], raw["key"], {k: float(v) for k, v in per_layer.items()}
    )
