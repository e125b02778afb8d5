"""``neurocost validate engines|silicon --out FILE``: regenerate a validation table of docs/."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="regenerate a validation table (docs/*.md)",
                            description="engines: neurocost's simpy and mapped analytic timing "
                            "and energy against SANA-FE (needs neurocost[sanafe]); silicon: "
                            "profiles against published chip measurements.")
    parser.add_argument("table", choices=["engines", "silicon"],
                        help="which table to regenerate")
    parser.add_argument("--out", help="Markdown file to write (default: print it)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.table == "engines":
        from neurocost.reports.engines import comparison, markdown

        text = markdown(comparison())
    else:
        from neurocost.reports.validation import markdown, validation_rows

        text = markdown(validation_rows())
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)
    return 0
