"""Nothing lost: one writer per results store, parts of another spec refused, temp files that
never follow symlinks, results folders that cannot be written named, sweeps bounded in size,
and a demo that never deletes what it did not make."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from neurocost.reports.demo_run import MARKER, DemoError, run_demo
from neurocost.sweeps.result_columns import column_units
from neurocost.sweeps.spec import MAX_ROWS, SweepSpecError, load_spec
from neurocost.sweeps.store import (
    LOCK,
    RESULTS,
    CorruptResultsError,
    ResultsStore,
    ResultsStoreError,
)
from neurocost.sweeps.sweep import sweep
from tests.reports.fake_results import results_rows


def _spec(directory: Path, name: str = "hostile", results: str = "results") -> Path:
    spec = {"name": name, "models": [{"source": "zoo:smlp", "input": {"samples": 1}}],
            "profiles": ["cmos45"], "results": results}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    store = tmp_path / "results"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from filelock import FileLock; "
         f"lock = FileLock({str(store / LOCK)!r}); lock.acquire(); print('held', flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    store.mkdir()
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ResultsStoreError, match=r"another process is writing this results"):
            sweep(_spec(tmp_path), workers=1)
        rows = results_rows(["scnn"], ["loihi"])
        with pytest.raises(ResultsStoreError, match="another process"):
            ResultsStore(store).append(rows, column_units(list(rows.columns)))
    finally:
        holder.stdin.close()
        holder.wait()
    assert sweep(_spec(tmp_path), workers=1).rows_written == 1


def test_a_sweep_of_another_spec_is_refused_into_a_used_store(tmp_path: Path) -> None:
    sweep(_spec(tmp_path, "first"), workers=1)
    with pytest.raises(ResultsStoreError, match="holds the results of another sweep spec"):
        sweep(_spec(tmp_path, "second"), workers=1)
    again = sweep(_spec(tmp_path, "first"), workers=1)  # the same spec still resumes
    assert (again.rows_written, again.rows_skipped) == (0, 1)


def test_a_part_copied_in_from_another_spec_is_refused_not_merged(tmp_path: Path) -> None:
    sweep(_spec(tmp_path / "a", "first"), workers=1)
    sweep(_spec(tmp_path / "b", "second"), workers=1)
    foreign = next((tmp_path / "b" / "results" / RESULTS).glob("part-*.parquet"))
    target = tmp_path / "a" / "results" / RESULTS / "part-000099.parquet"
    target.write_bytes(foreign.read_bytes())
    with pytest.raises(CorruptResultsError, match=r"part-000099.parquet: a part from another"):
        ResultsStore(tmp_path / "a" / "results").read()
    with pytest.raises(CorruptResultsError, match="a part from another sweep spec"):
        sweep(_spec(tmp_path / "a", "first"), workers=1)


def test_parts_of_two_specs_without_a_manifest_are_not_merged(tmp_path: Path) -> None:
    rows = results_rows(["scnn", "bnn"], ["loihi"])
    units = column_units(list(rows.columns))
    ResultsStore(tmp_path / "s", spec_digest="aaa").append(rows.iloc[:1], units)
    (tmp_path / "s" / "store.json").unlink()
    ResultsStore(tmp_path / "s").append(rows.iloc[1:], units)
    with pytest.raises(CorruptResultsError, match="parts of two sweeps are not merged"):
        ResultsStore(tmp_path / "s").read()


def test_temp_files_are_fresh_and_never_follow_a_planted_symlink(tmp_path: Path) -> None:
    rows = results_rows(["scnn"], ["loihi"])
    store = ResultsStore(tmp_path / "s")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "s" / RESULTS).mkdir(parents=True)
    (tmp_path / "s" / RESULTS / "part-000001.parquet.tmp").symlink_to(victim)  # old fixed name
    store.append(rows, column_units(list(rows.columns)))
    assert victim.read_text() == "keep me"
    store.save_trace("k", {"a": 1})
    assert store.load_trace("k") == {"a": 1}
    assert victim.read_text() == "keep me"


def test_a_results_path_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "results").write_text("not a folder")
    with pytest.raises(ResultsStoreError, match=r"results: is a file; a results store is a fold"):
        sweep(_spec(tmp_path), workers=1)


def test_a_results_folder_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ResultsStoreError, match=r"afile/results: cannot create the results fold"):
        sweep(_spec(tmp_path, results="afile/results"), workers=1)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_results_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o500)
    try:
        with pytest.raises(ResultsStoreError, match=r"ro/results: cannot create the results fold"):
            sweep(_spec(tmp_path, results="ro/results"), workers=1)
    finally:
        (tmp_path / "ro").chmod(0o700)


def test_a_huge_grid_is_refused_before_anything_is_expanded(tmp_path: Path) -> None:
    spec = yaml.safe_load(_spec(tmp_path).read_text())
    spec["grid"] = {f"memory.level{i}.capacity": list(range(1000)) for i in range(3)}
    with pytest.raises(SweepSpecError, match=r"1,000,000,000 result rows .* max_rows = 1,000,000"
                                             r"; shrink the grid or raise max_rows"):
        load_spec(spec)
    assert load_spec({**spec, "max_rows": 10**9}).row_count() == 10**9
    assert MAX_ROWS == 1_000_000


def test_the_demo_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    sweep(_spec(out), workers=1)  # the user's own sweep store at out/results
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(DemoError, match=rf"{out}: exists, is not empty and was not made by"):
        run_demo(out, quick=True, progress=False)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    file_out = tmp_path / "file"
    file_out.write_text("x")
    with pytest.raises(DemoError, match="is a file"):
        run_demo(file_out, quick=True, progress=False)


def test_the_demo_marks_the_folder_it_makes(tmp_path: Path) -> None:
    from neurocost.reports import demo_run

    out = tmp_path / "new"
    assert demo_run._demo_folder(out) == out
    assert (out / MARKER).is_file()
    (out / "results").mkdir()
    assert demo_run._demo_folder(out) == out  # its own folder may be rewritten


def test_price_variants_refuses_a_huge_grid_before_allocating() -> None:
    from neurocost.energy.params import OverrideError
    from neurocost.energy.pricing import price_variants
    from tests.energy.builders import toy, two_layer_trace

    grid = {"memory.small.capacity": list(range(1000)), "memory.small.read": [1.0] * 1000,
            "memory.big.read": [10.0] * 1000}
    with pytest.raises(OverrideError, match=r"1,000,000,000 variants is more than max_variants"):
        price_variants(two_layer_trace(), toy(), grid)
    small = {"memory.small.capacity": [0, 4000]}
    assert len(price_variants(two_layer_trace(), toy(), small, max_variants=2)) == 2


def test_reading_a_store_while_a_sweep_writes_it_says_so(tmp_path: Path) -> None:
    from filelock import FileLock

    store = tmp_path / "s"
    (store / RESULTS).mkdir(parents=True)
    (store / RESULTS / ".part-000001.parquet.x1.tmp").write_bytes(b"half")
    # a lock held through another FileLock object conflicts like one held by another process
    with FileLock(str(store / LOCK)), pytest.raises(ResultsStoreError, match="a sweep is writing"):
        ResultsStore(store).read()
    with pytest.raises(CorruptResultsError, match="half-written part"):
        ResultsStore(store).read()
