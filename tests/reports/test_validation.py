"""docs/validation.md is what ``neurocost validate silicon`` generates; its held-out cases hold.

Measured values and their sources are in ``neurocost.reports.validation`` (TrueNorth: Akopyan
2015 Fig. 17; Loihi: the committed summary of the Blouw 2019 power logs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from neurocost.cli import main
from neurocost.reports.validation import (
    kws_logs,
    markdown,
    matching_rate,
    measured_marginal_uj,
    validation_rows,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


@pytest.fixture(scope="module")
def rows():
    return validation_rows()


def test_docs_table_is_the_generated_one(rows):
    assert DOC.read_text() == markdown(rows), (
        "docs/validation.md is stale: run `neurocost validate silicon --out docs/validation.md`")


def test_truenorth_held_out_point_within_one_percent(rows):
    held_out = [r for r in rows if r.status == "held-out" and "`truenorth`" in r.case]
    assert len(held_out) == 1 and abs(held_out[0].error) <= 0.01


def test_loihi_marginal_energy_is_reproduced_at_a_plausible_rate(rows):
    # between the two assumed rates the prediction crosses the measurement
    assert 0.05 < matching_rate(rows) < 0.10


def test_measured_marginal_is_the_slope_over_copies_of_the_logged_power():
    logs = kws_logs()["configurations"]
    one, ten = logs["copies_1"], logs["copies_10"]
    # two-point check of the fitted slope (running mW x s per run / 20000 steps), within 10 %
    two_point = (ten["running_mw"] * ten["seconds_per_run"]
                 - one["running_mw"] * one["seconds_per_run"]) * 1e-3 / 20000 / 9 * 1e6
    assert measured_marginal_uj(kws_logs()) == pytest.approx(two_point, rel=0.10)


def test_the_command_writes_the_page(tmp_path):
    out = tmp_path / "validation.md"
    assert main(["validate", "silicon", "--out", str(out)]) == 0
    assert out.read_text().startswith("# Validation against silicon")
