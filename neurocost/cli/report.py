"""``neurocost report RESULTS [--out DIR]``: HTML, Markdown and CSV from a sweep's results store."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the HTML/Markdown/CSV report of a sweep's results",
        description="Read a results store strictly (a damaged one is refused, naming the file) "
        "and write report.html, report.md, results.csv and columns.csv.",
    )
    parser.add_argument("results", help="results store directory written by `neurocost sweep`")
    parser.add_argument("--out", help="directory for the report files (default: report-NAME "
                        "beside the results store NAME)")
    parser.add_argument("--overwrite", action="store_true", help="replace a report already in "
                        "--out (refused by default, so an earlier report is never lost)")
    parser.add_argument("--min-accuracy", type=float, default=0.9,
                        help="accuracy bar of the summary's best-energy line (default 0.9)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from neurocost.cli.common import console
    from neurocost.reports.render import write_report

    out = report_dir(args.results, args.out)
    if (out / "report.html").exists() and not args.overwrite:
        raise ValueError(f"{out}: holds a report already; pass --overwrite to replace it "
                              "or --out to write elsewhere")
    files = write_report(args.results, out, args.min_accuracy)
    for line in files.summary:
        console.print(escape(line))
    console.print(f"report: {escape(str(files.html))}")
    console.print(f"markdown: {escape(str(files.markdown))}  csv: {escape(str(files.csv))}")
    return 0


def report_dir(results: str | Path, out: str | Path | None) -> Path:
    """Where a report goes: ``out``, else ``report-NAME`` beside the results store ``NAME``."""
    if out is not None:
        return Path(out)
    store = Path(results).resolve()
    return store.parent / f"report-{store.name}"
