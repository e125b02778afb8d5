"""The sweep engine: trace each model once, price every profile variant, store rows as they finish.

A sweep is (model variants) x (profiles) x (profile-parameter grid). Running a model is the
expensive part, so each (model variant, input) is traced once, in this process, and its trace is
cached in the results store; each (trace, profile) pair is then one *unit* of work that prices
the whole parameter grid in one vectorised call (and runs the simpy timing per variant when the
spec asks). Units run in a local process pool or on a Dask cluster; this process alone writes
the store, one part per finished unit, so an interrupted sweep loses at most the units in
flight, and rerunning the same command skips every row already committed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from neurocost import __version__
from neurocost.errors import NeurocostError
from neurocost.sweeps.executors import run_tasks
from neurocost.sweeps.model_jobs import ModelJob, TracedModel, trace_job
from neurocost.sweeps.result_columns import column_units
from neurocost.sweeps.spec import SweepSpec, SweepSpecError, expand_grid, load_spec
from neurocost.sweeps.store import ResultsStore

if TYPE_CHECKING:
    from neurocost.energy.schema import Profile

Log = Callable[[str], None]


@dataclass(frozen=True)
class PricingUnit:
    """One (traced model, profile) pair and the grid of overrides to price it under."""

    traced: TracedModel
    profile: str  # as the spec names it (the rows' label)
    source: str  # what load_profile takes: a file resolved against the spec, or a built-in id
    grid: dict[str, list[Any]]
    simulate: bool
    convention: str | None
    sweep: str
    seed: int
    profile_digest: str

    @property
    def key(self) -> str:
        return _digest({"model": self.traced.job.key, "profile": self.profile_digest,
                        "grid": self.grid, "simulate": self.simulate,
                        "convention": self.convention, "seed": self.seed})

    def row_keys(self) -> list[str]:
        return _row_keys(self.traced.job.key, self.profile_digest, self.grid, self.simulate,
                         self.convention, self.seed)


@dataclass
class SweepOutcome:
    """What a sweep run did: the store, rows computed now and skipped as already finished."""

    results_dir: Path
    rows_written: int
    rows_skipped: int
    repairs: list[str] = field(default_factory=list)

    def read(self) -> pd.DataFrame:
        return ResultsStore(self.results_dir).read()


def sweep(
    spec: str | Path | dict[str, Any] | SweepSpec,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    log: Log | None = None,
) -> SweepOutcome:
    """Run (or resume) the sweep ``spec`` describes; results go to its Parquet store.

    spec: a YAML path, a mapping, or a ``SweepSpec``.
    scheduler: ``tcp://HOST:PORT`` runs the pricing units on that Dask cluster; None runs them
        in a local process pool of ``workers`` processes.
    progress: show a progress bar (rows done / total, rate, time left) on the terminal.
    log: receives one line per notable event (repairs, skipped rows); default: discard.
    """
    spec = load_spec(spec)
    say = log or (lambda _line: None)
    store = ResultsStore(spec.results_dir, spec_digest=spec_digest(spec))
    with store.writing():  # one writer per store; refuses another spec's store
        return _run(spec, store, scheduler, workers, progress, say)


def spec_digest(spec: SweepSpec) -> str:
    """What a results store is a store *of*: the spec's content, less where it is written and
    its size limit, so the same spec run from anywhere resumes and another spec is refused."""
    return _digest(spec.model_dump(mode="json", exclude={"results", "max_rows"}))


def _run(
    spec: SweepSpec, store: ResultsStore, scheduler: str | None, workers: int | None,
    progress: bool, say: Log,
) -> SweepOutcome:
    repairs = store.repair()
    for line in repairs:
        say(f"repaired: {line}")
    finished = store.finished_keys()
    from neurocost.energy.registry import load_profile

    grids = spec.profile_grids()
    loaded = {name: load_profile(spec.profile_source(name)) for name in grids}
    check_profiles(spec, loaded)  # every key and value, before any model is traced
    jobs = _model_jobs(spec)
    # a digest of each profile's full content, so editing a profile recomputes its rows
    profiles = {name: _digest({"profile": p.model_dump(mode="json")})
                for name, p in loaded.items()}
    grid_units = {name: _grid_units(p, grids[name]) for name, p in loaded.items()}
    pending_jobs = [
        job for job in jobs
        if not all(
            k in finished for name, d in profiles.items()
            for k in _row_keys(job.key, d, grids[name], spec.simulate, spec.convention, spec.seed)
        )
    ]
    points = sum(len(expand_grid(grid)) for grid in grids.values())
    total = len(jobs) * points
    skipped = total - len(pending_jobs) * points
    if skipped:
        say(f"resuming: {skipped} of {total} rows already in {store.root}")
    with _Progress(progress, total, skipped) as bar:
        traced = [trace_job(job, store, bar.note) for job in pending_jobs]
        bar.note("pricing")
        units = [
            PricingUnit(t, name, spec.profile_source(name), grids[name], spec.simulate,
                        spec.convention, spec.name, spec.seed, digest)
            for t in traced for name, digest in profiles.items()
        ]
        units = [u for u in units if not all(k in finished for k in u.row_keys())]
        written = 0
        # Pricing a grid is array arithmetic (10,000 points in ~0.1 s): less than one worker
        # process takes to import torch and pandas, so only simulated units go to a pool.
        local = workers if spec.simulate else 1
        for index, (rows, layers) in run_tasks(price_unit, units, scheduler, local):
            fresh = rows[~rows["key"].isin(finished)]
            unit = units[index]
            units_by_column = column_units(list(fresh.columns), {
                **_trace_units(unit), **grid_units[unit.profile]})
            store.append(fresh, units_by_column, layers)
            written += len(fresh)
            bar.advance(len(rows))
    return SweepOutcome(spec.results_dir, written, skipped, repairs)


def price_unit(unit: PricingUnit) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Price one trace on one profile under every grid point: result rows and per-layer rows
    (None when the profile cannot run the model; its rows then say why in ``cannot_run``).

    Runs in a worker process (or on a Dask worker), so it takes and returns plain data.
    """
    from neurocost.energy.registry import load_profile
    from neurocost.sweeps.variant_rows import layer_rows, priced_rows

    profile = load_profile(unit.source)
    rows = priced_rows(unit.traced.trace, profile, unit.grid, unit.simulate, unit.convention)
    identity = {
        "unit_key": unit.key,
        "sweep": unit.sweep,
        **unit.traced.identity(),
        "profile": unit.profile,
        "simulate": unit.simulate,
        "seed": unit.seed,
        "neurocost_version": __version__,
    }
    rows.insert(0, "key", unit.row_keys())
    rows.insert(1, "overrides", _overrides_json(unit.grid))
    for offset, (name, value) in enumerate(identity.items(), start=2):
        rows.insert(offset, name, [value] * len(rows))
    for name, quantity in unit.traced.trace.totals().items():
        rows[name] = quantity.value
    layers = layer_rows(unit.traced.trace, profile, unit.convention)
    if layers is not None:
        layers.insert(0, "unit_key", unit.key)
        layers.insert(1, "model", unit.traced.job.label)
        layers.insert(2, "profile", unit.profile)
    return rows, layers


def _model_jobs(spec: SweepSpec) -> list[ModelJob]:
    jobs = []
    for model in spec.models:
        weights = spec.resolve(model.weights) if model.weights else None
        for variant in model.variant_kwargs():
            jobs.append(ModelJob(model.label, model.source, variant, weights, model.input,
                                 spec.seed, spec.base_dir))
    return jobs


def _row_keys(
    job_key: str, profile_digest: str, grid: dict[str, list[Any]], simulate: bool,
    convention: str | None, seed: int,
) -> list[str]:
    """Each grid point's row identity: what was traced, on which profile content, under which
    overrides. The shared part is hashed once, so 10,000 points cost 10,000 small hashes, and
    the keys are remembered: a sweep asks for them when it resumes, filters and stores."""
    return list(_keys_of(job_key, profile_digest, _grid_text(grid), simulate, convention, seed))


@functools.lru_cache(maxsize=64)
def _keys_of(job_key: str, profile_digest: str, grid_text: str, simulate: bool,
             convention: str | None, seed: int) -> tuple[str, ...]:
    shared = _digest({"model": job_key, "profile": profile_digest, "simulate": simulate,
                      "convention": convention, "seed": seed})
    return tuple(hashlib.sha256(f"{shared}|{text}".encode()).hexdigest()[:20]
                 for text in _points_text(grid_text))


def _overrides_json(grid: dict[str, list[Any]]) -> list[str]:
    """Each grid point's overrides as JSON (keys sorted), in ``expand_grid`` order."""
    return list(_points_text(_grid_text(grid)))


def _grid_text(grid: dict[str, list[Any]]) -> str:
    """The grid as JSON, key order kept (it decides the points' order): a hashable cache key."""
    return json.dumps(list(grid.items()))


@functools.lru_cache(maxsize=64)
def _points_text(grid_text: str) -> tuple[str, ...]:
    return tuple(json.dumps(point, sort_keys=True)
                 for point in expand_grid(dict(json.loads(grid_text))))


def check_profiles(spec: SweepSpec, profiles: dict[str, Profile]) -> None:
    """Every grid key is a field its (loaded) profile has and may sweep, with values it
    accepts; the convention exists. Checked from the spec alone, so a mistake is reported
    before minutes of tracing (whether a key changes any figure needs a trace, and is checked
    when the grid is priced)."""
    from neurocost.energy.conventions import get_convention
    from neurocost.energy.params import Params, override_paths, to_si

    if spec.convention is not None:
        get_convention(spec.convention)
    for name, grid in spec.profile_grids().items():
        params = Params(profiles[name])
        try:
            for key, values in zip(override_paths(params, list(grid)), grid.values(),
                                   strict=True):
                to_si(params, key, np.asarray(values, dtype=object))
        except NeurocostError as err:
            raise SweepSpecError(f"sweep {spec.name!r}, profile {name!r}: {err}") from None


def _grid_units(profile: Profile, grid: dict[str, list[Any]]) -> dict[str, str]:
    """Each swept path's unit, as the profile states it (the unit its grid values are in)."""
    from neurocost.energy.params import Params

    stated = Params(profile).units
    return {path: stated[path] for path in grid if path in stated}


def _trace_units(unit: PricingUnit) -> dict[str, str]:
    return {name: q.unit for name, q in unit.traced.trace.totals().items()}


def _digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class _Progress:
    """A rich progress bar over result rows (or nothing, when ``enabled`` is False)."""

    def __init__(self, enabled: bool, total: int, done: int) -> None:
        self._bar = None
        if enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("rows"), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(),
            )
            self._task = self._bar.add_task("sweep", total=total, completed=done)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, rows: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, rows)

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=text)
