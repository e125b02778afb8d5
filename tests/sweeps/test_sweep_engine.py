"""The sweep engine on real traces and real profiles: resume, kill-and-resume, executors agree.

Models are the zoo's small spiking MLP and its ANN twin with six weight seeds each (12 traces),
priced on the cmos45 profile under a two-point SRAM-capacity grid: 24 rows in 12 units, so a
sweep killed as its first unit commits has work left to resume.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from neurocost.sweeps.store import RESULTS, ResultsStore
from neurocost.sweeps.sweep import sweep

SEEDS = [0, 1, 2, 3, 4, 5]
ROWS = 2 * len(SEEDS) * 2  # models x seeds x grid points


def write_spec(directory: Path) -> Path:
    spec = {
        "name": "engine-test",
        "models": [
            {"source": f"zoo:{name}", "variants": {"seed": SEEDS}, "input": {"samples": 2}}
            for name in ("smlp", "smlp_ann")
        ],
        "profiles": ["cmos45"],
        "grid": {"memory.sram_8k.capacity": [8, 64]},
        "results": "results",
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """An uninterrupted run in this process."""
    outcome = sweep(write_spec(tmp_path_factory.mktemp("reference")), workers=1)
    assert outcome.rows_written == ROWS
    return outcome.read()


def test_every_row_is_written_once_with_units(reference: pd.DataFrame) -> None:
    assert len(reference) == ROWS
    assert reference["key"].is_unique
    assert set(reference["memory.sram_8k.capacity"]) == {8.0, 64.0}
    assert (reference["energy_j"] > 0).all()


def test_rerun_skips_every_finished_row(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    sweep(spec, workers=1)
    again = sweep(spec, workers=1)
    assert (again.rows_written, again.rows_skipped) == (0, ROWS)


def test_killed_sweep_resumes_to_the_uninterrupted_result(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    spec = write_spec(tmp_path)
    code = f"from neurocost.sweeps.sweep import sweep; sweep({str(spec)!r}, workers=1)"
    child = subprocess.Popen([sys.executable, "-c", code])
    parts = tmp_path / "results" / RESULTS
    deadline = time.monotonic() + 120
    while not list(parts.glob("part-*.parquet")) and time.monotonic() < deadline:
        assert child.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    committed = len(ResultsStore(tmp_path / "results").finished_keys())
    assert 0 < committed < ROWS, f"kill landed with {committed} of {ROWS} rows committed"
    resumed = sweep(spec, workers=1)
    assert resumed.rows_skipped == committed
    assert resumed.rows_written == ROWS - committed
    pd.testing.assert_frame_equal(resumed.read(), reference)


def _simulated_spec(directory: Path) -> Path:
    """Two spiking MLPs simulated on Loihi: the units a sweep hands to a process pool."""
    spec = {
        "name": "pool-test",
        "models": [{"source": "zoo:smlp", "variants": {"seed": [0, 1]},
                    "input": {"samples": 1, "encoder": "rate"}}],
        "profiles": ["loihi"],
        "simulate": True,
        "results": "results",
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_process_pool_matches_the_in_process_run(tmp_path: Path) -> None:
    alone = sweep(_simulated_spec(tmp_path / "one"), workers=1).read()
    pooled = sweep(_simulated_spec(tmp_path / "two"), workers=2).read()
    assert alone["sim_latency_s"].gt(0).all() and alone["cannot_run"].isna().all()
    pd.testing.assert_frame_equal(pooled, alone)


def test_unsimulated_pricing_stays_in_process(tmp_path: Path, monkeypatch) -> None:
    # pricing a grid takes milliseconds, a worker's start-up seconds: more workers must not slow
    # a sweep down, so without simulation no pool is started whatever --workers says
    from neurocost.sweeps import sweep as engine

    asked = []
    real = engine.run_tasks

    def recording(function, tasks, scheduler=None, workers=None):
        asked.append(workers)
        return real(function, tasks, scheduler, workers)

    monkeypatch.setattr(engine, "run_tasks", recording)
    sweep(write_spec(tmp_path), workers=4)
    assert asked == [1]


def test_dask_cluster_matches_the_in_process_run(tmp_path: Path, reference: pd.DataFrame) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        outcome = sweep(write_spec(tmp_path), scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(outcome.read(), reference)
