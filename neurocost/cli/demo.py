"""``neurocost demo``: train three small models on shipped digits, sweep them over built-in
profiles and write the report; prints where the report is and a three-line summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="train a spiking CNN and its binary and ANN twins on digits, sweep, report",
        description="Train a spiking CNN, a binary CNN and their fp32 ANN twins on "
        "scikit-learn's shipped 8x8 digits, sweep them over built-in profiles with their "
        "measured test accuracy and write an HTML/Markdown/CSV report.",
    )
    parser.add_argument("--out", type=Path, default=Path("neurocost-out"),
                        help="output directory (default ./neurocost-out): new, empty, or made "
                        "by an earlier demo (its results/ store is rewritten on every run)")
    parser.add_argument("--epochs", type=int, default=5, help="training epochs per model "
                        "(default 5)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of initialisation, shuffling and spike draws (default 0)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny run to check the pipeline: one epoch on a slice of the "
                        "training data, 2 time steps (ignores --epochs)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from neurocost.cli.common import console
    from neurocost.reports.demo_run import run_demo

    outcome = run_demo(args.out, epochs=args.epochs, seed=args.seed, quick=args.quick,
                       progress=not args.no_progress,
                       log=lambda line: console.print(escape(line)))
    files = outcome.report
    console.print(f"report: {escape(str(files.html))}")
    console.print(f"markdown: {escape(str(files.markdown))}  csv: {escape(str(files.csv))}")
    for line in files.summary:  # one line each, even when piped to a log
        console.print(escape(line), soft_wrap=True)
    console.print(f"demo finished in {outcome.seconds:.1f} s (wall time)")
    return 0
