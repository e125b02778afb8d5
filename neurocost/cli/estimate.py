"""``neurocost estimate MODEL --profile ID``: energy and latency per sample, with breakdown."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.table import Table

from neurocost.cli.common import (
    add_workload_arguments,
    console,
    print_accuracy,
    resolve_workload,
    si,
)
from neurocost.vocabulary import COMPONENTS, component_column

if TYPE_CHECKING:
    import pandas as pd


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("estimate", help="energy and latency of a model on a profile",
                            description="Trace MODEL, price it on a hardware profile and print "
                            "energy per sample (summed over time steps) by layer and component.")
    add_workload_arguments(parser)
    parser.add_argument("--profile", default="cmos45", help="built-in profile id or YAML file "
                        "(default cmos45; see `neurocost profiles list`)")
    parser.add_argument("--simulate", action="store_true", help="latency, hops and per-core "
                        "rows from the simpy simulation of the profile's architecture")
    parser.add_argument("--engine", choices=["simpy", "sanafe"], default="simpy",
                        help="simulation engine for --simulate: simpy (default) or sanafe "
                        "(needs pip install 'neurocost[sanafe]')")
    parser.add_argument("--convention", help="also report a paper counting convention "
                        "(bireal, bert, op-counter, snn-energy, thop, fvcore, mmengine)")
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from neurocost.energy.estimate_record import LATENCY_SOURCES
    from neurocost.energy.estimating import estimate

    work = resolve_workload(args)
    est = estimate(work.model, work.x, args.profile, simulate=args.simulate, engine=args.engine,
                   convention=args.convention, steps=work.trace_steps, strict=not args.no_strict,
                   input_encoding=work.encoding)
    if args.json:
        print(est.to_json(indent=2))
        return 0
    table = Table(title=f"{work.label} on {est.profile_id} {est.profile_version}: joules per "
                  f"sample, {est.steps} step(s)")
    table.add_column("layer")
    table.add_column("op")
    for name in (*COMPONENTS, "total"):
        table.add_column(name, justify="right")
    for label, op, values in _grouped_rows(est.breakdown):
        table.add_row(label, op, *[si(v, "J") for v in values])
    console.print(table)
    console.print(f"  energy    {si(est.energy_j, 'J')} per sample "
                  f"({si(est.energy_per_step_j, 'J')} per step)")
    console.print(f"  latency   {si(est.latency_s, 's')} ({est.latency_source}: "
                  f"{LATENCY_SOURCES.get(est.latency_source, 'see the estimate notes')})")
    if est.timing is not None and est.latency_s > est.timing.latency_s:
        console.print(f"            = {si(est.timing.latency_s, 's')} on the chip + "
                      f"{si(est.latency_s - est.timing.latency_s, 's')} fixed per step "
                      "(host and barrier management)")
    console.print(f"  regime    {est.regime}")
    print_accuracy(work)
    console.print(f"  profile   {est.profile_id} {est.profile_version} ({est.profile_status})")
    if est.timing is not None:
        for label, value in est.timing.summary_rows():
            if label != "note":  # timing notes are already among the estimate's notes
                console.print(f"  {label:<22} {value}")
    if est.convention:
        console.print(f"  convention {est.convention}: "
                      + ", ".join(str(q) for q in est.counts.values()))
    for note in est.notes:
        console.print(f"  [yellow]note[/] {note}")
    return 0


def _grouped_rows(breakdown: pd.DataFrame) -> list[tuple[str, str, list[float]]]:
    """Breakdown rows as printed: consecutive per-core rows with equal figures become one row
    (``core:0-44 (45 cores, each)``) instead of 45 identical lines."""
    rows: list[tuple[str, str, list[float]]] = []
    run: list[str] = []
    for row in breakdown.itertuples(index=False):
        values = [getattr(row, component_column(c)) for c in COMPONENTS] + [row.energy_j]
        label = str(row.layer)
        if run and label.startswith("core:") and values == rows[-1][2]:
            run.append(label)
            first = run[0].removeprefix("core:")
            rows[-1] = (f"core:{first}-{label.removeprefix('core:')} ({len(run)} cores, each)",
                        "", values)
            continue
        run = [label] if label.startswith("core:") else []
        rows.append((label, row.op_class or row.kind, values))
    return rows

