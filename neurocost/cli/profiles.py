"""``neurocost profiles list | show ID | validate FILE``: the built-in hardware profiles."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.table import Table

from neurocost.cli.common import console

if TYPE_CHECKING:
    from neurocost.energy.schema import Profile


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("profiles", help="list, show or validate hardware profiles",
                            description="Hardware profiles: sourced energy and latency constants.")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="built-in profiles").set_defaults(func=_list)
    show = actions.add_parser("show", help="every constant of a profile with its source")
    show.add_argument("profile", help="built-in id or YAML file")
    show.add_argument("--keys", action="store_true", help="list every key a sweep grid or "
                      "price_variants may override, with its current value and unit")
    show.set_defaults(func=_show)
    validate = actions.add_parser("validate", help="check a profile YAML file")
    validate.add_argument("file", help="profile YAML file")
    validate.set_defaults(func=_validate)


def _list(args: argparse.Namespace) -> int:
    from neurocost.energy.registry import builtin_ids, load_profile

    table = Table(title="built-in hardware profiles")
    for header in ("id", "version", "kind", "status", "description"):
        table.add_column(header)
    for profile_id in builtin_ids():
        p = load_profile(profile_id)
        table.add_row(p.id, p.version, p.kind, p.status, p.description)
    console.print(table)
    return 0


def _show(args: argparse.Namespace) -> int:
    from neurocost.energy.params import walk
    from neurocost.energy.registry import load_profile
    from neurocost.provenance import Sourced

    p = load_profile(args.profile)
    if args.keys:
        return _keys(p)
    console.print(f"[bold]{p.id}[/] {p.version} ({p.kind}, {p.status}): {p.description}")
    console.print(f"execution: {p.execution.style}, zero_skipping={p.execution.zero_skipping}, "
                  f"neuron_update={p.execution.neuron_update}")
    table = Table()
    for header in ("field", "value", "unit", "basis", "source / note"):
        table.add_column(header)
    for path, value, _ in walk(p):
        if isinstance(value, Sourced):
            text = value.source + (f" ({value.note})" if value.note else "")
            table.add_row(path, f"{value.value:g}", value.unit, value.basis, text)
    console.print(table)
    for note in p.notes:
        console.print(f"  note: {note}")
    if p.architecture is not None:
        console.print("  architecture: present (used by --simulate)")
    return 0


def _keys(profile: Profile) -> int:
    from neurocost.energy.params import sweepable

    table = Table(title=f"{profile.id} {profile.version}: sweepable keys (grid values are read "
                  "in the unit shown)")
    for header in ("key", "value", "unit"):
        table.add_column(header)
    for path, value, unit in sweepable(profile):
        table.add_row(path, "unset" if value is None else str(value), unit)
    console.print(table)
    if profile.technology is not None and profile.technology.scaling != "none":
        console.print("technology.* is where the constants were measured; sweep "
                      "operating_point.node_nm / voltage_v to price at another node or voltage.")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from neurocost.energy.registry import read_profile_file

    p = read_profile_file(args.file)
    console.print(f"{args.file}: valid profile {p.id} {p.version}")
    return 0
