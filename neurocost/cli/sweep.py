"""``neurocost sweep SPEC.yaml``: run or resume a sweep into its Parquet results store."""

from __future__ import annotations

import argparse

from rich.markup import escape


def register(subparsers: argparse._SubParsersAction) -> None:
    from neurocost.sweeps import spec as spec_module

    example = spec_module.__doc__.split("Example::", 1)[1]
    parser = subparsers.add_parser(
        "sweep",
        help="price models over profiles and parameter grids (resumable, parallel)",
        description="Run the sweep SPEC describes; rerunning the same command resumes it.",
        epilog="A sweep spec (YAML):" + example + "JSON Schema for editors: "
        "neurocost sweep --schema",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", nargs="?", help="sweep spec YAML file")
    parser.add_argument("--schema", action="store_true", help="print the sweep spec's JSON "
                        "Schema (for editors and CI linting) and exit")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                        help="run on this Dask distributed scheduler instead of local processes")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes for simulated sweeps (default: CPU "
                        "count); without simulation, pricing runs in this process, where it is "
                        "faster than starting workers")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.schema:
        import json

        from neurocost.sweeps.spec import SweepSpec

        print(json.dumps(SweepSpec.model_json_schema(), indent=2))
        return 0
    if args.spec is None:
        raise ValueError("give a sweep spec YAML file (neurocost sweep --help shows the format)")
    from neurocost.cli.common import console, console_err
    from neurocost.cli.report import report_dir
    from neurocost.sweeps.sweep import sweep

    outcome = sweep(
        args.spec, scheduler=args.scheduler, workers=args.workers,
        progress=not args.no_progress, log=lambda line: console_err.print(escape(line)),
    )
    console.print(
        f"{outcome.rows_written} rows written, {outcome.rows_skipped} already done: "
        f"{escape(str(outcome.results_dir))}"
    )
    report = report_dir(outcome.results_dir, None)
    console.print(f"next: neurocost report {escape(str(outcome.results_dir))}  (writes "
                  f"{escape(str(report))})")
    return 0
