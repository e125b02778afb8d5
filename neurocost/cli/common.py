"""Shared CLI helpers: consoles, and turning MODEL + input options into (model, input, how)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from neurocost.vocabulary import DATASET_NAMES, ENCODER_NAMES

if TYPE_CHECKING:  # torch and the front door load when a command runs, not when it is parsed
    import torch

    from neurocost.tracing.workload import Workload

DEFAULT_SAMPLES = 8  # of a zoo example input or a data set, unless --samples says otherwise

# Wide enough for per-layer tables when output goes to a file or a CI log (no terminal width).
console = Console(width=None if sys.stdout.isatty() else 130)
console_err = Console(stderr=True)


def si(value: float | None, unit: str = "") -> str:
    """Three significant digits with an SI prefix, for tables people read (JSON stays exact)."""
    if value is None or value != value:  # None or NaN: a figure nobody could compute
        return "n/a"
    if value == 0:
        return f"0 {unit}".strip()
    prefixes = ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "u"),
                (1e-9, "n"), (1e-12, "p"), (1e-15, "f"))
    for factor, prefix in prefixes:
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}".strip()
    return f"{value:.3g} {unit}".strip()


def add_workload_arguments(parser: argparse.ArgumentParser) -> None:
    """MODEL and the options that choose its input (shared by trace and estimate); the names
    are those of the front door's ``InputSpec`` (``neurocost.tracing.workload``)."""
    parser.add_argument("model", help="zoo:NAME, package.module:factory, file.py:factory, "
                        "model.onnx or model.nir")
    parser.add_argument("--variant", metavar="KEY=VALUE", action="append", default=[],
                        help="a keyword argument for the model's factory, value read as YAML "
                        "(e.g. --variant beta=0.9 --variant pool=avg); repeat for more")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=Path, help="input tensor file: .pt (torch.save of a "
                        "tensor, or of a dict with x and labels y), .npy, or .npz with x (and "
                        "y); time-first [T, B, ...] for a model called once per step unless "
                        "--encoder or --static-input is given; with labels, accuracy is measured")
    source.add_argument("--random", metavar="SHAPE", help="seeded uniform [0,1) input of this "
                        "shape, e.g. 25,8,1,28,28 (time-first for a model called once per step)")
    source.add_argument("--dataset", choices=DATASET_NAMES, help="the test split of a "
                        "data set (accuracy measured on all of it): digits ships with "
                        "scikit-learn; nmnist, shd, dvsgesture are read from --data-root")
    parser.add_argument("--data-root", type=Path, help="folder holding the event data set in "
                        "tonic's layout (ROOT/NMNIST/Test/..., ROOT/SHD/shd_test.h5, "
                        "ROOT/DVSGesture/ibmGestureTest/...); nothing is downloaded")
    parser.add_argument("--static-input", action="store_true", help="--input holds static "
                        "frames [B, ...]; a model called once per step is fed each at every "
                        "step (or the --encoder's frames of it)")
    parser.add_argument("--steps", type=int, help="time steps (zoo models: length of the "
                        "example input; with --call once: steps the model runs by itself)")
    parser.add_argument("--samples", "--batch", dest="samples", type=int,
                        help="samples traced: of a zoo example input (default 8), of a data set "
                        "(default 8, a seeded draw) or of --input (default all of them)")
    parser.add_argument("--seed", type=int, default=0, help="seed of example/random inputs, "
                        "spike draws and the model's initial weights (default 0)")
    parser.add_argument("--call", choices=["per-step", "once"], help="how the model is "
                        "driven: once per time step on x[t], or once on the whole input "
                        "(default: per step when it holds neurons that keep state, else once)")
    parser.add_argument("--call-once", dest="call", action="store_const", const="once",
                        help="same as --call once")
    parser.add_argument("--encoding", "--input-encoding", dest="encoding", help="what input "
                        "values mean: spike, signed_spike, binary, int<k>, fp<k> (default: the "
                        "zoo entry's declaration, else fp)")
    parser.add_argument("--encoder", "--encode", dest="encoder",
                        choices=[e for e in ENCODER_NAMES if e != "direct"],
                        help="turn a static input [B, ...] (or one frame of a zoo example) into "
                        "--steps frames with this spike encoder; its output encoding is declared "
                        "for you")
    parser.add_argument("--no-strict", action="store_true", help="record unsupported ops as "
                        "gaps (lowering coverage) instead of failing")


def resolve_workload(args: argparse.Namespace) -> Workload:
    """Build the model and its input from parsed ``add_workload_arguments`` options."""
    from pydantic import ValidationError

    from neurocost.tracing.workload import InputError, InputSpec, ModelRef, prepare

    ref = ModelRef(source=args.model, variant=_variant(args.variant))
    fields = {"samples": args.samples} if args.samples is not None else \
        {} if args.input is not None else {"samples": DEFAULT_SAMPLES}
    if args.input is not None:
        fields.update(file=str(args.input), time_first=False if args.static_input else None)
    elif args.static_input:
        raise ValueError("--static-input says how --input is laid out; give --input FILE")
    if args.dataset is not None:
        fields.update(dataset=args.dataset,
                      root=None if args.data_root is None else str(args.data_root))
    elif args.data_root is not None:
        raise ValueError("--data-root locates an event data set; give --dataset too")
    try:
        spec = InputSpec(steps=args.steps, seed=args.seed,
                         call=None if args.call is None else args.call.replace("-", "_"),
                         encoder=args.encoder or "direct", encoding=args.encoding, **fields)
    except ValidationError as err:
        first = err.errors()[0]
        raise InputError(_option_words(str(first["msg"]).removeprefix("Value error, "))) \
            from None
    if ref.zoo_name is None and args.input is None and args.random is None \
            and args.dataset is None:
        raise ValueError(f"{args.model}: give --input FILE, --dataset NAME or --random SHAPE "
                         "(only zoo models have a built-in example input)")
    try:
        return prepare(ref, spec, x=None if args.random is None else _random(args))
    except InputError as err:
        raise InputError(_option_words(str(err))) from None


# The front door names spec fields; on the command line the same things are options.
_OPTIONS = {
    "input.time_first: true": "the default for --input", "input.time_first: false":
    "--static-input", "input.file": "--input", "input.root": "--data-root",
    "input.samples": "--samples", "input.steps": "--steps", "time_first: false":
    "--static-input", "time_first": "--static-input", "give root": "give --data-root",
    "give a file": "give --input",
}


def _option_words(message: str) -> str:
    for field, option in _OPTIONS.items():
        message = message.replace(field, option)
    return message


def _variant(pairs: list[str]) -> dict[str, Any]:
    """``--variant KEY=VALUE`` options as factory keywords (values parsed as YAML scalars)."""
    import yaml

    variant: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"--variant {pair!r}: expected KEY=VALUE with a keyword name, "
                             "e.g. --variant beta=0.9")
        if key in variant:
            raise ValueError(f"--variant {key}: given twice")
        try:
            variant[key] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError as err:
            problem = str(err).splitlines()[0]
            raise ValueError(f"--variant {pair!r}: the value is not YAML ({problem})") from None
    return variant


def print_accuracy(work: Workload) -> None:
    """The accuracy measured on a labelled input (a data set, or a file with labels), if any."""
    if work.accuracy is not None:
        console.print(f"  accuracy  {work.accuracy:.1%} on {work.accuracy_source}")


def _random(args: argparse.Namespace) -> torch.Tensor:
    import torch

    try:
        shape = [int(s) for s in args.random.split(",")]
    except ValueError:
        raise ValueError(f"--random {args.random!r}: expected sizes like 25,8,784") from None
    return torch.rand(shape, generator=torch.Generator().manual_seed(args.seed))
