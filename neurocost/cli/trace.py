"""``neurocost trace``: exact per-layer activity of a model, as a table or JSON."""

from __future__ import annotations

import argparse

from rich.table import Table

from neurocost.cli.common import (
    add_workload_arguments,
    console,
    print_accuracy,
    resolve_workload,
    si,
)

_SHOWN = [  # (column, header)
    ("dense_ops", "dense"), ("effective_ops", "effective"),
    ("neuron_updates", "updates"), ("spikes_out", "spikes"),
    ("weight_bits_read", "W bit dense"), ("weight_bits_read_event", "W bit event"),
    ("state_bits_written", "state bit w"),
]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("trace", help="count exactly what a model does, per layer",
                            description="Run MODEL once and print exact per-layer counts, per "
                            "sample and summed over time steps.")
    add_workload_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the whole trace as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    work = resolve_workload(args)
    tr = work.trace(strict=not args.no_strict)
    tr.model = work.label
    if args.json:
        print(tr.to_json(indent=2))
        return 0
    table = Table(title=f"{work.label}: per sample, summed over {tr.steps} step(s), "
                  f"batch {tr.batch_size}")
    table.add_column("layer")
    table.add_column("op (input x weight)")
    for _, header in _SHOWN:
        table.add_column(header, justify="right")
    for row in tr.per_layer().itertuples(index=False):
        op = f"{row.op_class} {row.in_encoding}x{row.weight_encoding}" if row.op_class \
            else row.kind
        table.add_row(str(row.layer), op, *[si(getattr(row, column)) for column, _ in _SHOWN])
    console.print(table)
    totals = tr.totals()
    for name in ("effective_macs", "effective_acs", "effective_signed_acs", "effective_bops",
                 "dense_ops", "neuron_updates", "spikes"):
        console.print(f"  {name:<22} {totals[name]}")
    console.print(f"  coverage               {tr.coverage:.1%} of dense synaptic work understood")
    for gap in tr.gaps:
        console.print(f"  [yellow]gap[/] {gap.where}: {gap.what} ({gap.calls} calls)")
    print_accuracy(work)
    return 0

