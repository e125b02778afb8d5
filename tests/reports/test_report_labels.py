"""What a reader sees: layers by name and kind, variants told apart, units on swept fields,
colours that mean the same level in every report, Markdown without HTML entities."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from neurocost.reports.figures import _layer_labels, _level_colours
from neurocost.reports.render import report_tables
from tests.reports.fake_results import render_fake_report, results_rows


def test_layers_are_labelled_with_their_kind() -> None:
    panel = pd.DataFrame({"layer": ["0", "3", "(chip)"], "kind": ["conv2d", "Leaky", ""]})
    assert _layer_labels(panel) == ["0 conv2d", "3 Leaky", "(chip)"]


def test_a_memory_level_keeps_its_colour_whatever_else_is_drawn() -> None:
    alone = _level_colours(["sram", "dram"])
    more = _level_colours(["sram", "dram", "hbm3", "core_sram"])
    assert alone["sram"] == more["sram"] and alone["dram"] == more["dram"]
    assert len(set(more.values())) == 4  # no two levels of one report share a colour


def test_two_variants_of_one_model_get_their_own_labelled_rows() -> None:
    rows = results_rows(["scnn"], ["loihi"])
    wide = rows.assign(model_variant=json.dumps({"beta": 0.5, "width": 2}),
                       key=rows["key"] + "-w")
    rows = pd.concat([rows.assign(model_variant=json.dumps({"beta": 0.5, "width": 1})), wide])
    comparison = report_tables(rows, {})[0]
    assert [row[0].text for row in comparison.rows] == ["scnn (width=1)", "scnn (width=2)"]


def test_swept_fields_carry_their_unit_and_markdown_has_no_entities(tmp_path: Path) -> None:
    rows = results_rows(["scnn"], ["loihi"])
    parameters = report_tables(rows, {"memory.sram.capacity_kib": "KiB"})[2]
    assert parameters.headers[-1] == "unit"
    assert parameters.rows[0][2].text == "KiB"
    markdown = render_fake_report(tmp_path).markdown.read_text()
    assert "&gt;=" not in markdown and "at least 90% accuracy" in markdown


def test_the_report_command_never_overwrites_an_earlier_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from neurocost.cli import main
    from neurocost.sweeps.result_columns import column_units
    from neurocost.sweeps.store import ResultsStore
    from tests.reports.fake_results import layer_rows

    rows = results_rows(["scnn"], ["loihi"])
    store = ResultsStore(tmp_path / "sweep1")
    store.append(rows, column_units(list(rows.columns)), layer_rows(["scnn"], ["loihi"]))
    assert main(["report", str(store.root)]) == 0
    first = tmp_path / "report-sweep1" / "report.html"
    written = first.read_text()
    assert main(["report", str(store.root)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert first.read_text() == written
    assert main(["report", str(store.root), "--overwrite"]) == 0
