"""The Parquet results store: a sweep's rows, written as they finish and never silently lost.

Layout of a store directory::

    results/part-000001.parquet   one part per finished unit of work (rows keyed by ``key``)
    layers/part-000001.parquet    the same unit's per-layer rows (optional)
    traces/<key>.json             each model's trace, cached so a resumed sweep skips the model
    quarantine/                   damaged parts moved aside by ``repair()``, never deleted
    store.json                    format and the digest of the sweep spec that owns the store
    .lock                         held by the one process writing the store (``writing()``)

Why parts rather than one growing file: a Parquet file is only readable once its footer is
written, so appending to one file would put every finished row at risk when a sweep is killed.
Each part is written to a unique, exclusively created ``.part-*.tmp``, flushed to disk and
renamed into place; the rename of the
``results`` part is the commit point of its unit, so a killed sweep leaves either a whole part or
a ``.tmp`` leftover, never a short ``.parquet``. Parts carry page checksums, so damage after the
fact (a truncated copy, a flipped bit) is detected on reading.

``read()`` refuses a damaged store with ``CorruptResultsError`` naming the file; ``repair()``
(run by the sweep engine before it resumes) removes uncommitted leftovers, moves damaged parts
to ``quarantine/`` and reports what it did, so their rows are recomputed.

One writer at a time: ``writing()`` holds an OS file lock (``filelock``) on ``.lock``; a second
sweep into the same folder is refused at once, naming the folder, rather than racing the first for
part numbers. A store made by a sweep records that spec's digest in ``store.json`` and in every
part, so a part copied in from another spec's store, or a sweep of another spec pointed at this
folder, is refused instead of being merged into its report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from neurocost.atomic_files import TMP_SUFFIX, write_atomically, write_text_atomically
from neurocost.errors import NeurocostError

FORMAT = "neurocost.results"
FORMAT_VERSION = 2  # 2: columns model_variant and overrides (were model_params and params)
RESULTS = "results"
LAYERS = "layers"
TRACES = "traces"
_QUARANTINE = "quarantine"
_PART_GLOB = "part-*.parquet"
_LEFTOVER_GLOB = f"*/*{TMP_SUFFIX}"
MANIFEST = "store.json"
LOCK = ".lock"
_DIGEST = b"spec_digest"


class ResultsStoreError(NeurocostError):
    """A results folder that cannot be used: not writable, busy, or another spec's store."""


class CorruptResultsError(ResultsStoreError):
    """A results store that cannot be trusted; the message names the file and what is wrong."""


class ResultsStore:
    """A directory of Parquet parts; ``key`` identifies a row across parts and reruns.

    ``spec_digest`` (set by the sweep engine) names the sweep spec this store belongs to; it is
    recorded on first write and checked on every later one.
    """

    def __init__(self, root: str | Path, spec_digest: str | None = None) -> None:
        self.root = Path(root)
        self.spec_digest = spec_digest
        self._lock: FileLock | None = None

    @contextmanager
    def writing(self) -> Iterator[ResultsStore]:
        """Hold the store's lock while writing; refuse at once if another process holds it, and
        refuse a store that belongs to another spec. Re-entrant within this object."""
        if self._lock is not None and self._lock.is_locked:
            with self._lock:
                yield self
            return
        self._make_root()
        self._lock = FileLock(self.root / LOCK, timeout=0)
        try:
            self._lock.acquire()
        except Timeout:
            raise ResultsStoreError(
                f"{self.root}: another process is writing this results store (it holds "
                f"{self.root / LOCK}); wait for it to finish or give this sweep another results "
                "folder"
            ) from None
        except OSError as err:
            raise ResultsStoreError(
                f"{self.root}: cannot lock the results store ({err.strerror or err})"
            ) from None
        try:
            self._claim_for_spec()
            yield self
        finally:
            self._lock.release()

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
        with self.writing():
            number = self._next_part_number()
            if layers is not None:
                _write_part(layers, units, self._part_path(LAYERS, number), self.spec_digest)
            return _write_part(results, units, self._part_path(RESULTS, number), self.spec_digest)

    # -- reading ---------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.root / RESULTS).is_dir()

    def parts(self, table: str = RESULTS) -> list[Path]:
        return sorted((self.root / table).glob(_PART_GLOB))

    def finished_keys(self) -> set[str]:
        """Keys of every committed row (call ``repair()`` first on a store that may be damaged)."""
        keys: set[str] = set()
        for part in self._checked_parts(RESULTS):
            column = _read_part(part, columns=["key"]).column("key").to_pylist()
            keys.update(column)
        return keys

    def read(self, table: str = RESULTS) -> pd.DataFrame:
        """Every committed row of ``table``, strictly: any damage raises ``CorruptResultsError``."""
        if not self.exists():
            raise CorruptResultsError(
                f"{self.root}: not a neurocost results store (no {RESULTS}/ directory)"
            )
        leftovers = sorted(self.root.glob(_LEFTOVER_GLOB))
        if leftovers and self._busy():
            raise ResultsStoreError(
                f"{self.root}: a sweep is writing this results store now; read it when it ends"
            )
        if leftovers:
            raise CorruptResultsError(
                f"{leftovers[0]}: half-written part left by an interrupted sweep; rerun the "
                "same `neurocost sweep` command to repair and resume"
            )
        committed = {p.name for p in self._checked_parts(RESULTS)}
        parts = [p for p in self._checked_parts(table) if p.name in committed]
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
        with self.writing():
            return write_text_atomically(self.root / TRACES / f"{key}.json", json.dumps(payload))

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
        with self.writing():
            return self._repair()

    def _repair(self) -> list[str]:
        messages: list[str] = []
        for leftover in sorted(self.root.glob(_LEFTOVER_GLOB)):
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
    def _make_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise ResultsStoreError(f"{self.root}: is a file; a results store is a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ResultsStoreError(
                f"{self.root}: cannot create the results folder ({err.strerror or err})"
            ) from None

    def _busy(self) -> bool:
        """Whether another process holds the store's lock (a sweep is writing it)."""
        if self._lock is not None and self._lock.is_locked:
            return False
        probe = FileLock(self.root / LOCK, timeout=0)
        try:
            probe.acquire()
        except Timeout:
            return True
        except OSError:  # a read-only store: nobody can be writing it through this lock
            return False
        probe.release()
        return False

    def _manifest_digest(self) -> str | None:
        path = self.root / MANIFEST
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"field 'format' is not {FORMAT!r}")
            return str(data["spec_digest"])
        except (ValueError, KeyError, TypeError, AttributeError, OSError) as err:
            raise CorruptResultsError(f"{path}: not a readable store manifest ({err})") from None

    def _claim_for_spec(self) -> None:
        """Record this store's spec digest on first write; refuse another spec's store."""
        if self.spec_digest is None:
            return
        recorded = self._manifest_digest()
        if recorded is None:
            if self.parts(RESULTS):
                raise ResultsStoreError(
                    f"{self.root}: holds results parts but no {MANIFEST}; it was not written by "
                    "this sweep: give the sweep an empty or new results folder"
                )
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                        "spec_digest": self.spec_digest}
            write_text_atomically(self.root / MANIFEST, json.dumps(manifest, indent=1) + "\n")
        elif recorded != self.spec_digest:
            raise ResultsStoreError(
                f"{self.root}: holds the results of another sweep spec (spec digest "
                f"{recorded}, this spec {self.spec_digest}); give this sweep another results "
                "folder, or move this one away to start over"
            )

    def _checked_parts(self, table: str) -> list[Path]:
        """The parts of ``table``, refusing any part whose spec digest is not the store's."""
        parts = self.parts(table)
        expected = self._manifest_digest()
        seen: dict[str, Path] = {}
        for part in parts:
            digest = _part_digest(part)
            if expected is not None and digest != expected:
                raise CorruptResultsError(
                    f"{part}: a part from another sweep spec (spec digest {digest or 'none'}, "
                    f"this store's {expected}); it is not merged: move it out of {self.root}"
                )
            seen.setdefault(digest, part)
        if len(seen) > 1:
            (a, first), (b, second) = list(seen.items())[:2]
            raise CorruptResultsError(
                f"{second}: a part from another sweep spec than {first} (spec digests "
                f"{b or 'none'} and {a or 'none'}); parts of two sweeps are not merged"
            )
        return parts

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


def _write_part(
    df: pd.DataFrame, units: dict[str, str], path: Path, spec_digest: str | None
) -> Path:
    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = [
        field.with_metadata({"unit": units[field.name]}) if field.name in units else field
        for field in table.schema
    ]
    metadata = {"format": FORMAT, "format_version": str(FORMAT_VERSION)}
    if spec_digest is not None:
        metadata["spec_digest"] = spec_digest
    table = table.cast(pa.schema(fields, metadata=metadata))
    return write_atomically(
        path, lambda handle: pq.write_table(table, handle, write_page_checksum=True)
    )


def _part_digest(path: Path) -> str:
    """The spec digest a part was written under ("" for parts written outside a sweep)."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (pa.ArrowException, OSError) as err:
        raise CorruptResultsError(f"{path}: damaged results part ({err})") from err
    return metadata.get(_DIGEST, b"").decode()


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
