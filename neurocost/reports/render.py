"""Write a sweep's report: self-contained HTML, Markdown for CI step summaries, and CSV.

The HTML page needs nothing from the network: figures are inline SVG, styles are inline, there
are no scripts. Every user-supplied name reaches the page through Jinja's autoescaping (tables,
captions) or matplotlib's SVG escaping (figure text), and through ``_md_escape`` in Markdown.
HTML and Markdown are rendered from the same ``Table`` values, so they always agree.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd

from neurocost.reports.analysis import (
    best_at_accuracy,
    best_per_group,
    cannot_run,
    format_si,
    priced,
)
from neurocost.reports.figures import all_figures
from neurocost.sweeps.result_columns import FIGURES, IDENTITY
from neurocost.sweeps.store import LAYERS, RESULTS, ResultsStore

DEFAULT_MIN_ACCURACY = 0.9
SCOPE = "per inference (one sample, summed over its time steps)"


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass(frozen=True)
class ReportFiles:
    """Where ``write_report`` put each output."""

    html: Path
    markdown: Path
    csv: Path
    columns_csv: Path
    summary: list[str] = field(default_factory=list)


def write_report(
    results_dir: str | Path, out_dir: str | Path, min_accuracy: float = DEFAULT_MIN_ACCURACY
) -> ReportFiles:
    """Read a results store strictly; write ``report.html``, ``report.md`` and CSVs to ``out_dir``.

    A damaged store raises ``CorruptResultsError`` naming the file; nothing is written then.
    """
    store = ResultsStore(results_dir)
    results = store.read(RESULTS)
    if results.empty:
        raise ValueError(f"{results_dir}: the results store has no rows yet")
    layers = store.read(LAYERS)
    units = store.units(RESULTS)
    title = f"neurocost sweep report: {', '.join(sorted(results['sweep'].unique()))}"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summary_lines(results, min_accuracy)
    tables = report_tables(results, units)
    files = ReportFiles(
        html=out / "report.html",
        markdown=out / "report.md",
        csv=out / "results.csv",
        columns_csv=out / "columns.csv",
        summary=summary,
    )
    files.html.write_text(render_html(results, layers, title, summary, tables), encoding="utf-8")
    files.markdown.write_text(render_markdown(title, summary, tables), encoding="utf-8")
    _ordered(results).to_csv(files.csv, index=False)
    column_table(results, units).to_csv(files.columns_csv, index=False)
    return files


def summary_lines(results: pd.DataFrame, min_accuracy: float) -> list[str]:
    """Three lines: the best energy per inference at the accuracy bar, its profile, its basis.

    Compute-only profiles (the SNN papers' 0.9 pJ / 4.6 pJ convention) price the smallest slice of
    the work, so they never win the headline when a fuller estimate exists; their figure is quoted
    on the third line for comparison with papers.
    """
    full = results[results["regime"] != "compute-only"]
    best = best_at_accuracy(full if len(priced(full)) else results, min_accuracy)
    convention_best = best_at_accuracy(results[results["regime"] == "compute-only"],
                                       min_accuracy) if len(priced(full)) else None
    paper = (f" Compute-only paper convention for comparison: "
             f"{format_si(convention_best['energy_j'], 'J')} ({convention_best['model']} on "
             f"{convention_best['profile']})." if convention_best is not None else "")
    bar = f"{min_accuracy:.0%}"
    known = priced(results)
    unpriced = len(cannot_run(results))
    gaps = f"; {unpriced} model x profile pairs cannot run (see the report)" if unpriced else ""
    if best is None:
        measured = results["accuracy"].max()
        reached = "no accuracy was measured" if pd.isna(measured) else f"best is {measured:.1%}"
        cheapest = (f"{_energy_row(known.loc[known['energy_j'].idxmin()])}" if len(known)
                    else "none (no profile could price any model)")
        return [
            f"No configuration reaches {bar} accuracy ({reached}).",
            f"Lowest energy {SCOPE} overall: {cheapest}.",
            f"{len(results)} rows over {results['profile'].nunique()} profiles{gaps}.",
        ]
    return [
        f"Best energy {SCOPE} with at least {bar} accuracy: {format_si(best['energy_j'], 'J')} "
        f"({best['model']}, accuracy {best['accuracy']:.1%} on {best['accuracy_source']}).",
        f"On profile {best['profile']} ({best['profile_id']} v{best['profile_version']}, "
        f"{best['regime']}), parameters {_overrides_text(best['overrides'])}.",
        f"Convention {best['convention']}; {len(results)} rows over "
        f"{results['model'].nunique()} models and {results['profile'].nunique()} profiles{gaps}."
        f"{paper}",
    ]


def report_tables(results: pd.DataFrame, units: dict[str, str]) -> list[Table]:
    """Profile comparison, per-profile provenance, sweep parameters and column units."""
    return [
        _comparison_table(results),
        _profiles_table(results),
        _parameters_table(results, units),
        _models_table(results),
        _cannot_run_table(results),
        Table("units", "Columns and units", ["column", "unit", "meaning"],
              [[Cell(c), Cell(u), Cell(m)] for c, u, m in column_table(results, units).itertuples(
                  index=False)]),
    ]


def render_html(
    results: pd.DataFrame, layers: pd.DataFrame, title: str, summary: list[str],
    tables: list[Table],
) -> str:
    """The self-contained HTML page (no scripts, no external resources)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("neurocost.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    versions = ", ".join(sorted(results["neurocost_version"].astype(str).unique()))
    return environment.get_template("report.html.j2").render(
        title=title, rows=len(results), versions=versions, summary=summary,
        figures=all_figures(results, layers), tables=tables,
    )


def render_markdown(title: str, summary: list[str], tables: list[Table]) -> str:
    """GitHub-flavoured Markdown: the summary and every table (no figures)."""
    lines = [f"## {_md_escape(title)}", ""]
    lines += [f"- {_md_escape(line)}" for line in summary]
    for table in tables:
        lines += ["", f"### {_md_escape(table.title)}", ""]
        if table.note:
            lines += [_md_escape(table.note), ""]
        lines.append("| " + " | ".join(_md_escape(h) for h in table.headers) + " |")
        numeric = [cell.numeric for cell in table.rows[0]] if table.rows else []
        lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
        lines += ["| " + " | ".join(_md_escape(c.text) for c in row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"


def column_table(results: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Every column of the results with its unit (empty for identity columns) and meaning."""
    meanings = {**IDENTITY, **{name: meaning for name, (_, meaning) in FIGURES.items()}}
    return pd.DataFrame(
        [(c, units.get(c, ""), meanings.get(c, "")) for c in results.columns],
        columns=["column", "unit", "meaning"],
    )


def _comparison_table(results: pd.DataFrame) -> Table:
    unpriced = {(r.model, r.profile) for r in cannot_run(results).itertuples()}
    profiles = sorted(results["profile"].unique())
    rows = []
    for (model, variant), group in results.groupby(["model", "model_variant"], sort=True):
        label = _variant_label(results, model, variant)
        row = [Cell(label), Cell(_accuracy_text(group["accuracy"].max()), True)]
        variant_best = best_per_group(group, ["model", "profile"])
        best = {(r.model, r.profile): r for r in variant_best.itertuples()}
        for profile in profiles:
            r = best.get((model, profile))
            if r is not None:
                text = f"{format_si(r.energy_j, 'J')} / {format_si(r.latency_s, 's')}"
            else:
                text = "cannot run" if (model, profile) in unpriced else "n/a"
            row.append(Cell(text, True))
        rows.append(row)
    return Table(
        "comparison", "Profile comparison", ["model", "accuracy", *profiles], rows,
        note="Lowest energy per inference (J) / its latency per inference (s) over the swept "
        "parameters of each profile; why a profile cannot run a model is listed below.",
    )


def _variant_label(results: pd.DataFrame, model: str, variant: str) -> str:
    """The model's name, plus the factory keywords that tell its variants apart (if several)."""
    variants = results.loc[results["model"] == model, "model_variant"].unique()
    if len(variants) < 2:
        return str(model)
    keywords = json.loads(variant) if variant else {}
    differing = {k: v for k, v in keywords.items()
                 if len({json.dumps(json.loads(other).get(k)) for other in variants}) > 1}
    return f"{model} ({', '.join(f'{k}={v}' for k, v in differing.items())})"


def _cannot_run_table(results: pd.DataFrame) -> Table:
    rows = [[Cell(str(r.model)), Cell(str(r.profile)), Cell(str(r.cannot_run))]
            for r in cannot_run(results).itertuples()]
    return Table(
        "cannot-run", "Models a profile cannot run", ["model", "profile", "why"], rows,
        note="Energy unknown, not zero: the profile declares no energy for an operation the "
        "model performs. An empty table means every profile priced every model.",
    )


def _profiles_table(results: pd.DataFrame) -> Table:
    columns = ["profile", "profile_id", "profile_version", "regime", "convention"]
    info = priced(results)[columns].drop_duplicates().sort_values(columns)
    rows = [[Cell(str(v)) for v in r] for r in info.itertuples(index=False)]
    return Table("profiles", "Profiles", ["profile", "id", "version", "regime", "convention"], rows)


def _parameters_table(results: pd.DataFrame, units: dict[str, str]) -> Table:
    values: dict[str, set[str]] = {}
    for text in results["overrides"].unique():
        for path, value in json.loads(text).items():
            values.setdefault(path, set()).add(json.dumps(value))
    rows = [[Cell(path), Cell(", ".join(sorted(v, key=_json_order))), Cell(units.get(path, ""))]
            for path, v in sorted(values.items())]
    seeds = ", ".join(str(s) for s in sorted(results["seed"].unique()))
    simulate = ", ".join(str(s) for s in sorted(results["simulate"].unique()))
    rows += [[Cell("seed"), Cell(seeds), Cell("")], [Cell("simulate"), Cell(simulate), Cell("")]]
    return Table("parameters", "Sweep parameters",
                 ["profile field (dotted path)", "values", "unit"], rows,
                 note="Values are in the unit the profile states for the field.")


def _models_table(results: pd.DataFrame) -> Table:
    columns = ["model", "model_source", "model_variant", "input", "accuracy_source"]
    info = results[columns].drop_duplicates().sort_values(columns)
    rows = [[Cell(str(v)) for v in r] for r in info.itertuples(index=False)]
    return Table("models", "Models and inputs", ["model", "source", "variant", "input",
                                                  "accuracy from"], rows)


def _ordered(results: pd.DataFrame) -> pd.DataFrame:
    return results.sort_values(["model", "model_variant", "profile", "overrides"], kind="stable")


def _energy_row(row: pd.Series) -> str:
    return f"{format_si(row['energy_j'], 'J')} ({row['model']} on {row['profile']})"


def _overrides_text(overrides_json: str) -> str:
    overrides = json.loads(overrides_json)
    return ", ".join(f"{k}={v}" for k, v in overrides.items()) or "as published"


def _accuracy_text(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.1%}"


def _json_order(text: str) -> tuple[int, float, str]:
    """Sort JSON scalars numerically where they are numbers (64 before 256), else as text."""
    value = json.loads(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), text)
    return (1, 0.0, text)


def _md_escape(text: str) -> str:
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")
