"""The Parquet results store: a sweep's rows, written as they finish and never silently lost.

Layout of a store directory::

    results/part-000001.parquet   one part per finished unit of work (rows keyed by ``key``)
    layers/part-000001.parquet    the same unit's per-layer rows (optional)
    traces/<key>.json             each model's trace, cached so a resumed sweep skips the model
    quarantine/                   damaged parts moved aside by ``repair()``, never deleted

Why parts rather than one growing file: a Parquet file is only readable once its footer is
written, so appending to one file would put every finished row at risk when a sweep is killed.
Each part is written to ``*.tmp``, flushed to disk and renamed into place; the rename of the
``results`` part is the commit point of its unit, so a killed sweep leaves either a whole part or
a ``.tmp`` leftover, never a short ``.parquet``. Parts carry page checksums, so damage after the
fact (a truncated copy, a flipped bit) is detected on reading.

``read()`` refuses a damaged store with ``CorruptResultsError`` naming the file; ``repair()``
(run by the sweep engine before it resumes) removes uncommitted leftovers, moves damaged parts
to ``quarantine/`` and reports what it did, so their rows are recomputed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from neurocost.errors import NeurocostError

FORMAT = "neurocost.results"
FORMAT_VERSION = 1
RESULTS = "results"
LAYERS = "layers"
TRACES = "traces"
_QUARANTINE = "quarantine"
_PART_GLOB = "part-*.parquet"


class CorruptResultsError(NeurocostError):
    """A results store that cannot be trusted; the message names the file and what is wrong."""


class ResultsStore:
    """A directory of Parquet parts; ``key`` identifies a row across parts and reruns."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # -- writing ---------------------------------------------------------------------------
    def append(
        self,
        results: pd.DataFrame,
        units: dict[str, str],
        layers: pd.DataFrame | None = None,
    ) -> Path:
        """Commit one unit of work: its per-layer rows (if any), then its result rows.

        ``units`` maps column -> unit and is stored as Parquet field metadata, so the files
        say what their numbers mean without this package. Returns the committed results part.
        """
        if "key" not in results.columns:
            raise ValueError("result rows need a 'key' column identifying each row")
        if results["key"].duplicated().any():
            dup = results.loc[results["key"].duplicated(), "key"].iloc[0]
            raise ValueError(f"result rows repeat key {dup!r}")
        number = self._next_part_number()
        if layers is not None:
            _write_atomically(layers, units, self._part_path(LAYERS, number))
        return _write_atomically(results, units, self._part_path(RESULTS, number))

    # -- reading ---------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.root / RESULTS).is_dir()

    def parts(self, table: str = RESULTS) -> list[Path]:
        return sorted((self.root / table).glob(_PART_GLOB))

    def finished_keys(self) -> set[str]:
        """Keys of every committed row (call ``repair()`` first on a store that may be damaged)."""
        keys: set[str] = set()
        for part in self.parts(RESULTS):
            column = _read_part(part, columns=["key"]).column("key").to_pylist()
            keys.update(column)
        return keys

    def read(self, table: str = RESULTS) -> pd.DataFrame:
        """Every committed row of ``table``, strictly: any damage raises ``CorruptResultsError``."""
        if not self.exists():
            raise CorruptResultsError(
                f"{self.root}: not a neurocost results store (no {RESULTS}/ directory)"
            )
        leftovers = sorted(self.root.glob("*/*.tmp"))
        if leftovers:
            raise CorruptResultsError(
                f"{leftovers[0]}: half-written part left by an interrupted sweep; rerun the "
                "same `neurocost sweep` command to repair and resume"
            )
        committed = {p.name for p in self.parts(RESULTS)}
        parts = [p for p in self.parts(table) if p.name in committed]
        frames = [_read_part(p).to_pandas() for p in parts]
        if not frames:
            return pd.DataFrame()
        df = pd.concat(frames, ignore_index=True)
        if table != RESULTS:
            return df
        _check_unique_keys(df, parts)
        return df.sort_values("key", kind="stable", ignore_index=True)

    def units(self, table: str = RESULTS) -> dict[str, str]:
        """Column -> unit, from the Parquet field metadata of the parts."""
        out: dict[str, str] = {}
        for part in self.parts(table):
            for field in pq.read_schema(part):
                unit = (field.metadata or {}).get(b"unit")
                if unit is not None:
                    out[field.name] = unit.decode()
        return out

    # -- trace cache -------------------------------------------------------------------------
    def save_trace(self, key: str, payload: dict[str, object]) -> Path:
        """Cache a traced model (JSON) so a resumed sweep does not run the model again."""
        path = self.root / TRACES / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(payload))
        tmp.replace(path)
        return path

    def load_trace(self, key: str) -> dict[str, object] | None:
        """The cached payload for ``key``, None when absent; a damaged file raises."""
        path = self.root / TRACES / f"{key}.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise CorruptResultsError(f"{path}: damaged cached trace ({err})") from err

    # -- repair ----------------------------------------------------------------------------
    def repair(self) -> list[str]:
        """Make the store consistent before resuming; returns one message per action taken.

        Leftover ``*.tmp`` files (a part being written when the sweep was killed) are removed:
        their rows were never committed. A part that does not read back whole is moved to
        ``quarantine/`` (never deleted) and its rows will be recomputed. A ``layers`` part
        without its committed ``results`` part belongs to an uncommitted unit and is removed.
        """
        messages: list[str] = []
        for leftover in sorted(self.root.glob("*/*.tmp")):
            leftover.unlink()
            messages.append(f"removed half-written {leftover} (its rows will be recomputed)")
        for table in (RESULTS, LAYERS):
            for part in self.parts(table):
                try:
                    _read_part(part)
                except CorruptResultsError as err:
                    moved = self._quarantine(part)
                    messages.append(f"{err}; moved it to {moved} and will recompute its rows")
        for cached in sorted((self.root / TRACES).glob("*.json")):
            try:
                self.load_trace(cached.stem)
            except CorruptResultsError as err:
                moved = self._quarantine(cached)
                messages.append(f"{err}; moved it to {moved}; the model will be traced again")
        committed = {p.name for p in self.parts(RESULTS)}
        for part in self.parts(LAYERS):
            if part.name not in committed:
                moved = self._quarantine(part)
                messages.append(
                    f"{part}: per-layer rows of a unit whose results were not committed; moved "
                    f"to {moved}"
                )
        return messages

    # -- helpers ---------------------------------------------------------------------------
    def _part_path(self, table: str, number: int) -> Path:
        return self.root / table / f"part-{number:06d}.parquet"

    def _next_part_number(self) -> int:
        names = [p.name for table in (RESULTS, LAYERS, _QUARANTINE) for p in self.parts(table)]
        numbers = [int(name.split("-")[1].split(".")[0]) for name in names]
        return max(numbers, default=0) + 1

    def _quarantine(self, part: Path) -> Path:
        target_dir = self.root / _QUARANTINE
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / f"{part.parent.name}-{part.name}"
        suffix = 1
        while target.exists():
            target = target_dir / f"{part.parent.name}-{suffix}-{part.name}"
            suffix += 1
        part.replace(target)
        return target


def _write_atomically(df: pd.DataFrame, units: dict[str, str], path: Path) -> Path:
    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = [
        field.with_metadata({"unit": units[field.name]}) if field.name in units else field
        for field in table.schema
    ]
    metadata = {"format": FORMAT, "format_version": str(FORMAT_VERSION)}
    table = table.cast(pa.schema(fields, metadata=metadata))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, write_page_checksum=True)
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    tmp.replace(path)
    return path


def _read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    try:
        table = pq.read_table(path, columns=columns, page_checksum_verification=True)
        metadata = pq.read_schema(path).metadata or {}
    except (pa.ArrowException, OSError) as err:
        raise CorruptResultsError(f"{path}: damaged results part ({err})") from err
    fmt = metadata.get(b"format", b"").decode()
    version = metadata.get(b"format_version", b"").decode()
    if fmt != FORMAT or version != str(FORMAT_VERSION):
        raise CorruptResultsError(
            f"{path}: not a neurocost results part of format version {FORMAT_VERSION} "
            f"(format={fmt!r}, format_version={version!r})"
        )
    return table


def _check_unique_keys(df: pd.DataFrame, parts: list[Path]) -> None:
    repeated = df["key"][df["key"].duplicated()]
    if len(repeated):
        raise CorruptResultsError(
            f"{parts[0].parent}: key {repeated.iloc[0]!r} appears in more than one part; two "
            f"sweeps wrote to this store at once ({len(repeated)} repeated rows)"
        )
