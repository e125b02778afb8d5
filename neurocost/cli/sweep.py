"""``neurocost sweep SPEC.yaml``: run or resume a sweep into its Parquet results store."""

from __future__ import annotations

import argparse

from rich.markup import escape


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="price models over profiles and parameter grids (resumable, parallel)",
        description="Run the sweep SPEC describes; rerunning the same command resumes it.",
    )
    parser.add_argument("spec", help="sweep spec YAML file")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                        help="run on this Dask distributed scheduler instead of local processes")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes (default: CPU count)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from neurocost.cli.common import console, console_err
    from neurocost.sweeps.sweep import sweep

    outcome = sweep(
        args.spec, scheduler=args.scheduler, workers=args.workers,
        progress=not args.no_progress, log=lambda line: console_err.print(escape(line)),
    )
    console.print(
        f"{outcome.rows_written} rows written, {outcome.rows_skipped} already done: "
        f"{escape(str(outcome.results_dir))}"
    )
    console.print(f"next: neurocost report {escape(str(outcome.results_dir))} --out report")
    return 0
