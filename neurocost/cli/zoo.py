"""``neurocost zoo list``: the zoo's entries, how each is called, and its ANN twin."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("zoo", help="list the model zoo (zoo:NAME specs)")
    actions = parser.add_subparsers(dest="zoo_action", required=True)
    listing = actions.add_parser("list", help="one line per zoo entry")
    listing.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    from rich.table import Table

    from neurocost.cli.common import console
    from neurocost.models import zoo

    table = Table("name", "called", "steps", "ANN twin", "model")
    for name in zoo.names():
        entry = zoo.entry(name)
        called = "per step" if entry.stepwise else "once"
        table.add_row(name, called, str(entry.default_steps), entry.twin or "-", entry.summary)
    console.print(table)
    return 0
