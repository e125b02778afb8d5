"""``neurocost export MODEL --onnx FILE | --nir FILE``: a model in a file other tools read.

The model and its example input come through the same options as ``trace`` (the front door), so
what is exported is what would be traced; ``neurocost trace FILE`` reads either file back.
"""

from __future__ import annotations

import argparse

from rich.markup import escape

from neurocost.cli.common import add_workload_arguments, console, resolve_workload


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="write a model as ONNX or NIR (spiking models)",
        description="Export MODEL, run on its example input, to ONNX (checked by onnx's checker "
        "and against onnxruntime's output; a spiking model as one time step with its neurons as "
        "ai.neurocost nodes, checked step by step) or to NIR (stepwise nn.Sequential spiking "
        "models).",
    )
    add_workload_arguments(parser)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--onnx", metavar="FILE", help="ONNX file to write")
    target.add_argument("--nir", metavar="FILE", help="NIR file to write")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    work = resolve_workload(args)
    if args.onnx is not None:
        from neurocost.interchange.onnx_export import export_onnx

        written = export_onnx(work.model, work.x, args.onnx)
    else:
        from neurocost.interchange.nir_io import export_nir

        if work.call != "per_step":
            raise ValueError(f"{args.model} is called once: export it with --onnx (NIR holds "
                             "spiking models called once per time step)")
        export_nir(work.model, work.x[0], args.nir)
        written = args.nir
    shape = ",".join(str(n) for n in work.x.shape)
    console.print(f"wrote {escape(str(written))}; trace it with: neurocost trace "
                  f"{escape(str(written))} --random {shape}")
    return 0
