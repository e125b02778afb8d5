"""Reports: self-contained HTML with every figure, escaped names, and Markdown/CSV that agree."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from neurocost.reports.analysis import best_at_accuracy, format_si, pareto_front
from neurocost.reports.render import ReportFiles, write_report
from neurocost.sweeps.store import ResultsStore

from .fake_results import NASTY, render_fake_report, results_rows


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    """One rendered report of three models (one with a hostile name) on two profiles."""
    return render_fake_report(tmp_path_factory.mktemp("report"))


def test_pareto_front_keeps_only_rows_no_cheaper_row_matches() -> None:
    rows = pd.DataFrame({
        "energy_j": [1.0, 2.0, 3.0, 2.0, 4.0],
        "accuracy": [0.80, 0.85, 0.84, 0.70, 0.90],
    })
    # by rising energy: 1.0/0.80 (front), 2.0/0.85 (front; 2.0/0.70 loses at equal energy),
    # 3.0/0.84 (a cheaper row is more accurate), 4.0/0.90 (front)
    assert pareto_front(rows)["energy_j"].tolist() == [1.0, 2.0, 4.0]


def test_best_at_accuracy_is_the_cheapest_row_over_the_bar() -> None:
    rows = pd.DataFrame({"energy_j": [1.0, 2.0, 3.0], "accuracy": [0.89, 0.95, 0.91]})
    assert best_at_accuracy(rows, 0.9)["energy_j"] == 2.0
    assert best_at_accuracy(rows, 0.99) is None


def test_format_si_picks_the_engineering_prefix() -> None:
    assert format_si(3.2e-6, "J") == "3.2 µJ"
    assert format_si(0.0, "J") == "0 J"
    assert format_si(1.5e3, "bit") == "1.5 kbit"


def test_html_is_self_contained_and_has_every_figure(files: ReportFiles) -> None:
    page = files.html.read_text()
    for anchor in ("pareto", "layers", "opmix", "memory", "comparison", "parameters"):
        assert f'id="{anchor}"' in page
    assert page.count("<svg") == 4
    # nothing for a browser to fetch: no scripts, stylesheets, images or fonts by URL
    assert "<script" not in page.replace("&lt;script", "")
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page)
    assert "@import" not in page
    assert re.findall(r"url\((?!#)", page) == []  # only in-page references like url(#clip1)


def test_user_names_are_escaped_in_html_and_markdown(files: ReportFiles) -> None:
    for text in (files.html.read_text(), files.markdown.read_text()):
        assert NASTY not in text
        assert "<script>alert" not in text
    assert "&lt;script&gt;alert" in files.markdown.read_text()


def test_summary_names_the_cheapest_row_over_ninety_percent(files: ReportFiles) -> None:
    # fake rows: accuracy 0.8 + 0.05 * model index, so only model 2 (NASTY) reaches 0.90; its
    # cheapest row is profile 0 (loihi), capacity 64: energy (1+2)*(1+0)*(1+0) µJ = 3 µJ
    assert files.summary[0].startswith(
        "Best energy per inference (one sample, summed over its time steps) with at least 90% "
        "accuracy: 3 µJ"
    )
    assert "On profile loihi (loihi v1, event-driven)" in files.summary[1]
    assert "memory.sram.capacity_kib=64" in files.summary[1]


def test_every_figure_caption_states_unit_version_regime_and_convention(
    files: ReportFiles,
) -> None:
    page = files.html.read_text()
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.DOTALL)
    assert len(captions) == 4
    for caption in captions:
        assert "loihi v1 (event-driven)" in caption and "convention: exact" in caption
        assert "(J)" in caption or "(ops:" in caption or "(bit)" in caption


def test_csv_holds_every_row_and_columns_csv_every_unit(files: ReportFiles) -> None:
    table = pd.read_csv(files.csv)
    assert len(table) == len(results_rows(["scnn", "bnn", NASTY], ["loihi", "gpu"]))
    units = pd.read_csv(files.columns_csv).fillna("").set_index("column")["unit"]
    assert units["energy_j"] == "J" and units["memory_bits.sram"] == "bit"


def test_empty_store_is_an_error_not_an_empty_report(tmp_path: Path) -> None:
    (tmp_path / "store" / "results").mkdir(parents=True)
    with pytest.raises(ValueError, match="no rows"):
        write_report(tmp_path / "store", tmp_path / "out")


def test_no_row_over_the_bar_says_so(tmp_path: Path) -> None:
    rows = results_rows(["scnn"], ["loihi"])  # accuracy 0.80 everywhere
    store = ResultsStore(tmp_path / "store")
    store.append(rows, {})
    files = write_report(store.root, tmp_path / "out")
    assert files.summary[0] == "No configuration reaches 90% accuracy (best is 80.0%)."
