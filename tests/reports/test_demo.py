"""``neurocost demo --quick``: the newcomer's command runs end to end and says what it found.

One run (a module fixture, well under a minute) is checked from several sides: the report files
exist, the HTML holds the figures, the summary names a profile with a unit and the per-inference
scope, every model carries a measured accuracy, and models a profile cannot run are listed as
such with unknown (not zero) energy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from neurocost.cli import main
from neurocost.reports.demo_run import MODELS, PROFILES
from neurocost.reports.render import SCOPE

ENERGY = re.compile(r"\d+(\.\d+)? [fpnµm]?J\b")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "out"
    capture = pytest.MonkeyPatch()
    lines: list[str] = []
    capture.setattr("neurocost.cli.common.console.print",
                    lambda text, **_style: lines.append(str(text)))
    try:
        code = main(["demo", "--quick", "--no-progress", "--out", str(out)])
    finally:
        capture.undo()
    assert code == 0
    return out, "\n".join(lines)


def test_writes_html_markdown_and_csv(demo: tuple[Path, str]) -> None:
    out, _ = demo
    for name in ("report.html", "report.md", "results.csv", "columns.csv"):
        assert (out / "report" / name).stat().st_size > 0
    assert (out / "sweep.yaml").is_file()


def test_html_holds_the_pareto_front_and_other_figures(demo: tuple[Path, str]) -> None:
    out, _ = demo
    page = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 3
    assert 'id="pareto"' in page


def test_prints_the_report_path_and_a_summary_with_profile_unit_and_scope(
    demo: tuple[Path, str],
) -> None:
    out, printed = demo
    assert f"report: {out / 'report' / 'report.html'}" in printed
    summary = [line for line in printed.splitlines() if SCOPE in line]
    assert len(summary) == 1
    assert ENERGY.search(summary[0])
    assert any(f" {profile}" in summary[0] for profile in PROFILES)


def test_every_row_carries_a_measured_test_accuracy(demo: tuple[Path, str]) -> None:
    out, _ = demo
    rows = pd.read_csv(out / "report" / "results.csv")
    assert set(rows["model"]) == {m.name for m in MODELS}
    assert set(rows["profile"]) == set(PROFILES)
    assert rows["accuracy"].between(0, 1).all()
    assert rows["accuracy_source"].str.startswith("digits test split, 360 samples").all()


def test_pairs_a_profile_cannot_run_have_unknown_energy_and_a_reason(
    demo: tuple[Path, str],
) -> None:
    out, _ = demo
    rows = pd.read_csv(out / "report" / "results.csv").set_index(["model", "profile"])
    # loihi declares no MAC: an fp32 first layer cannot run there; the rate-coded SNN can
    assert "mac" in rows.loc[("scnn_ann", "loihi"), "cannot_run"]
    assert pd.isna(rows.loc[("scnn_ann", "loihi"), "energy_j"])
    assert pd.isna(rows.loc[("scnn", "loihi"), "cannot_run"])
    assert rows.loc[("scnn", "loihi"), "energy_j"] > 0
    # cmos45 prices XNOR-popcount (BOP); the compute-only AC/MAC convention has no BOP price
    assert pd.isna(rows.loc[("bcnn", "cmos45"), "cannot_run"])
    assert rows.loc[("bcnn", "cmos45"), "energy_j"] > 0
    assert "compute.bop" in rows.loc[("bcnn", "snn-45nm-ac-mac"), "cannot_run"]


def test_the_log_and_the_report_give_each_model_the_same_accuracy(
    demo: tuple[Path, str],
) -> None:
    out, printed = demo
    rows = pd.read_csv(out / "report" / "results.csv")
    for model in MODELS:
        logged = re.search(rf"trained {model.name} \(.*?\): test accuracy ([\d.]+)%", printed)
        assert logged, f"no training line for {model.name}"
        reported = rows.loc[rows["model"] == model.name, "accuracy"].iloc[0]
        assert float(logged.group(1)) == round(100 * reported, 1)
