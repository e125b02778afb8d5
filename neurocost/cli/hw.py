"""``neurocost hw``: check the CUDA kernels without a GPU, benchmark them on one, calibrate."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from rich.table import Table

from neurocost.cli.common import console, console_err


def _bench_epilog() -> str:
    from neurocost.hw.bench import harness as bench

    protocol = bench.__doc__.split("Protocol (also printed by ``neurocost hw bench --help``):")[1]
    return "measurement protocol:" + protocol.replace("``", "")


def register(sub: argparse._SubParsersAction) -> None:
    from neurocost.hw.bench.cases import KERNELS

    parser = sub.add_parser("hw", help="CUDA kernels: compile checks, GPU benchmark, calibration",
                            description="The hw/ CUDA kernels: SASS/spill checks (no GPU needed), "
                            "the GPU benchmark with NVML energy, and h100 profile calibration.")
    hw = parser.add_subparsers(dest="hw_command", required=True)

    bench = hw.add_parser(
        "bench", help="time and measure the kernels on a GPU (NVML energy)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Benchmark kernels on the GPU: correctness against the NumPy references, "
        "time with CUDA events and energy with NVML's total-energy counter. Needs an NVIDIA GPU, "
        "a CUDA build of torch, CuPy and (for energy) nvidia-ml-py.",
        epilog=_bench_epilog())
    bench.add_argument("--kernels", nargs="+", default=sorted(KERNELS), metavar="NAME",
                       help=f"kernels to run (default: all): {', '.join(sorted(KERNELS))}")
    bench.add_argument("--sizes", nargs="+", default=[], metavar="SIZE",
                       help='sizes as name=value lists, e.g. "m=8192,n=8192,k=8192" or '
                       '"b=32,k=16384,n=16384,density=0.01"; each kernel takes the sizes whose '
                       "names it accepts, else its defaults")
    bench.add_argument("--out", required=True, type=Path, help="JSON file to write")
    bench.add_argument("--repeats", type=int, default=5, help="timing samples and energy "
                       "windows per case (default 5)")
    bench.add_argument("--window-s", type=float, default=10.0,
                       help="minimum energy window in seconds (default 10)")
    bench.add_argument("--warmup-s", type=float, default=5.0,
                       help="warm-up before each window in seconds (default 5)")
    bench.add_argument("--idle-s", type=float, default=10.0,
                       help="idle baseline in seconds (default 10)")
    bench.add_argument("--no-energy", action="store_true", help="time only, skip NVML")
    bench.add_argument("--device", type=int, default=0, help="CUDA device index")
    bench.add_argument("--seed", type=int, default=None, help="input seed (default: fresh)")
    bench.set_defaults(func=_run_bench)

    check = hw.add_parser("check", help="compile every kernel for sm_90; report registers, "
                          "spills and SASS checks (nvcc + cuobjdump, no GPU)")
    check.add_argument("--arch", default="sm_90", help="target architecture (default sm_90)")
    check.set_defaults(func=_run_check)

    calibrate = hw.add_parser("calibrate", help="bench JSON -> calibrated h100 profile fields")
    calibrate.add_argument("bench_json", type=Path, help="file written by 'neurocost hw bench'")
    calibrate.add_argument("--fit", nargs="+", default=None, metavar="LABEL",
                           help="fit only these case labels (the rest can validate)")
    calibrate.add_argument("--energy", choices=["gross", "dynamic"], default="gross",
                           help="gross: all-in board energy per op (default); dynamic: idle "
                           "power subtracted, plus static_power")
    calibrate.set_defaults(func=_run_calibrate)


def _run_bench(args: argparse.Namespace) -> int:
    from neurocost.hw.bench.harness import Protocol, parse_size, run_bench
    from neurocost.hw.kernels.runtime import CudaUnavailableError

    protocol = Protocol(repeats=args.repeats, window_s=args.window_s, warmup_s=args.warmup_s,
                        idle_s=args.idle_s, energy=not args.no_energy, seed=args.seed)
    sizes = [parse_size(s) for s in args.sizes]
    command = shlex.join(["neurocost", *sys.argv[1:]])
    try:
        report = run_bench(args.kernels, sizes, args.out, protocol, command, args.device)
    except CudaUnavailableError as err:
        console_err.print(f"[bold red]hw bench needs a GPU:[/] {err}")
        return 2
    table = Table(title=f"{report['device']['name']}: {args.out}")
    for column in ("case", "median time", "throughput", "pJ/op dynamic"):
        table.add_column(column)
    for r in report["results"]:
        energy = r.get("energy", {}).get("pj_per_op_dynamic", {}).get("median")
        table.add_row(r["label"], f"{r['time']['median_s'] * 1e6:.1f} us",
                      f"{r['time']['throughput_ops_per_s']:.3e} {r['op_class']}/s",
                      "-" if energy is None else f"{energy:.4g}")
    console.print(table)
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from neurocost.hw.kernels import toolchain
    from neurocost.hw.kernels.catalog import KERNEL_FILES

    table = Table(title=f"hw/ kernels compiled for {args.arch}")
    for column in ("kernel", "registers", "spill bytes", "smem bytes", "SASS checks"):
        table.add_column(column)
    failures = 0
    for file, spec in sorted(KERNEL_FILES.items()):
        compiled = toolchain.compile_cubin(file, arch=args.arch)
        functions = toolchain.sass(compiled.cubin)
        for entry in spec.entries:
            res = compiled.resources[entry]
            problems = spec.problems(entry, functions[entry], res)
            failures += bool(problems)
            table.add_row(entry, str(res.registers),
                          str(res.spill_store_bytes + res.spill_load_bytes),
                          str(res.shared_bytes), "; ".join(problems) or "ok")
    console.print(table)
    return 1 if failures else 0


def _run_calibrate(args: argparse.Namespace) -> int:
    from neurocost.hw.bench.calibrate import h100_overrides

    print(json.dumps(h100_overrides(args.bench_json, args.fit, args.energy), indent=2))
    return 0
