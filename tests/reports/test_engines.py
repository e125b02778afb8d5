"""docs/engines.md is what ``neurocost validate engines`` generates, and meets its targets.

Regenerating runs every case on simpy, the mapped model and SANA-FE (about a minute), so it is
marked slow; it runs in CI, where the sanafe extra is installed (tox.ini).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from neurocost.cli import main
from neurocost.reports.engines import (
    ANALYTIC_TARGET,
    ENERGY_TARGET,
    LATENCY_TARGET,
    comparison,
    markdown,
)

pytest.importorskip("sanafe")
DOC = Path(__file__).resolve().parents[2] / "docs" / "engines.md"


@pytest.fixture(scope="module")
def table():
    return comparison()


@pytest.mark.slow
def test_docs_table_is_the_generated_one(table):
    assert DOC.read_text() == markdown(table), (
        "docs/engines.md is stale: run `neurocost validate engines --out docs/engines.md`")


@pytest.mark.slow
def test_every_network_meets_issue_13s_targets(table):
    assert table["energy_error"].abs().max() <= ENERGY_TARGET
    assert table["latency_error_vs_sanafe"].abs().max() <= LATENCY_TARGET
    assert table["mapped_error_vs_simpy"].abs().max() <= ANALYTIC_TARGET


def test_the_command_prints_the_page(monkeypatch, capsys):
    import neurocost.reports.engines as engines

    fake = engines.CASES[:1]
    monkeypatch.setattr(engines, "CASES", fake)
    monkeypatch.setattr(engines, "comparison", lambda cases=fake: comparison(cases))
    assert main(["validate", "engines"]) == 0
    assert "| chain 64-48-32-10, rate 0.2 |" in capsys.readouterr().out
