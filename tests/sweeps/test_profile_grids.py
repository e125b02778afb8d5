"""Per-profile grids, and a spec checked whole before any model is traced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neurocost.sweeps.spec import SweepSpecError, load_spec
from neurocost.sweeps.sweep import sweep


def _spec(tmp_path: Path, profiles: list, grid: dict | None = None) -> dict:
    return {"name": "grids", "models": [{"source": "zoo:smlp", "input": {"samples": 2}}],
            "profiles": profiles, "grid": grid or {}, "results": str(tmp_path / "results")}


def test_each_profile_sweeps_its_own_keys(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["cmos45", {"profile": "loihi",
                                       "grid": {"neuron.spike_out": [1.0, 2.0, 3.0]}}],
                 {"memory.sram_8k.capacity": [8, 16]})
    assert load_spec(spec).row_count() == 2 + 3
    rows = sweep(spec, workers=1).read()
    swept = {profile: [json.loads(o) for o in group["overrides"]]
             for profile, group in rows.groupby("profile")}
    assert sorted(o["memory.sram_8k.capacity"] for o in swept["cmos45"]) == [8, 16]
    assert sorted(o["neuron.spike_out"] for o in swept["loihi"]) == [1.0, 2.0, 3.0]
    assert all(len(o) == 1 for overrides in swept.values() for o in overrides)


def test_a_key_one_profile_lacks_fails_before_anything_is_traced(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ["cmos45", "loihi"], {"memory.sram_8k.capacity": [8, 16]})
    with pytest.raises(SweepSpecError, match="profile 'loihi'.*memory.sram_8k.capacity"):
        sweep(spec, workers=1)
    assert not list((tmp_path / "results").rglob("*.json.gz")) and \
        not (tmp_path / "results" / "traces").exists()


def test_a_value_out_of_range_fails_before_tracing(tmp_path: Path) -> None:
    spec = _spec(tmp_path, [{"profile": "cmos45", "grid": {"clock": [1.0, -2.0]}}])
    with pytest.raises(SweepSpecError, match="profile 'cmos45'.*clock"):
        sweep(spec, workers=1)
    assert not (tmp_path / "results" / "traces").exists()


def test_a_profile_listed_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SweepSpecError, match="'cmos45' is listed twice"):
        load_spec(_spec(tmp_path, ["cmos45", {"profile": "cmos45", "grid": {}}]))


def test_a_profile_file_beside_the_spec_is_found_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import yaml

    from neurocost.energy.registry import PROFILE_DIR

    folder = tmp_path / "spec"
    folder.mkdir()
    profile = yaml.safe_load((PROFILE_DIR / "cmos45.yaml").read_text())
    profile["id"] = "mine"
    (folder / "mine.yaml").write_text(yaml.safe_dump(profile))
    spec = _spec(folder, ["mine.yaml"], {"memory.sram_8k.capacity": [8, 16]})
    spec["results"] = "results"
    (folder / "s.yaml").write_text(yaml.safe_dump(spec))
    monkeypatch.chdir(tmp_path)  # the spec's folder is not the working directory
    rows = sweep(folder / "s.yaml", workers=1).read()
    assert len(rows) == 2 and set(rows["profile_id"]) == {"mine"}


def test_report_layer_rows_fold_per_core_static_into_the_chip_row() -> None:
    # the mapped timing splits Loihi's static energy over the cores it uses; a report panel
    # shows it as one (chip) bar, and the rows still add up to the estimate
    from neurocost.energy.pricing import price
    from neurocost.energy.registry import load_profile
    from neurocost.sweeps.variant_rows import layer_rows
    from neurocost.tracing.workload import InputSpec, ModelRef, prepare

    tr = prepare(ModelRef(source="zoo:scnn"), InputSpec(samples=2, encoder="rate")).trace()
    loihi = load_profile("loihi")
    estimate = price(tr, loihi)
    assert estimate.breakdown["layer"].str.startswith("core:").sum() > 1
    rows = layer_rows(tr, loihi, None)
    assert not rows["layer"].str.startswith("core:").any()
    chip = rows[rows["layer"] == "(chip)"]
    assert float(chip["static_j"].iloc[0]) == pytest.approx(estimate.breakdown["static_j"].sum())
    figures = [c for c in rows.columns if c.endswith("_j")]
    assert rows[figures].to_numpy().sum() == pytest.approx(estimate.energy_j)
