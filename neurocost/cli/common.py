"""Shared CLI helpers: consoles, and turning MODEL + input options into (model, input, how)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.console import Console

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


@dataclass
class Workload:
    """A model, its input, and how ``trace`` must drive it."""

    name: str
    model: torch.nn.Module
    x: torch.Tensor
    steps: int | None  # None: stepwise over x[t]; N: the model is called once and runs N steps
    input_encoding: str | None


def add_workload_arguments(parser: argparse.ArgumentParser) -> None:
    """MODEL and the options that choose its input (shared by trace and estimate)."""
    parser.add_argument("model", help="zoo:NAME, package.module:factory, file.py:factory, "
                        "model.onnx or model.nir")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=Path, help="input tensor file (.pt saved with "
                        "torch.save, or .npy)")
    source.add_argument("--random", metavar="SHAPE", help="seeded uniform [0,1) input of this "
                        "shape, e.g. 25,8,1,28,28 (time-first for stepwise models)")
    parser.add_argument("--steps", type=int, help="time steps (zoo models: length of the "
                        "example input; with --call-once: steps the model runs by itself)")
    parser.add_argument("--batch", type=int, default=8, help="batch of a zoo example input "
                        "(default 8)")
    parser.add_argument("--seed", type=int, default=0, help="seed of example/random inputs")
    parser.add_argument("--call-once", action="store_true", help="call the model once on the "
                        "whole input (ANNs, models that loop over time themselves)")
    parser.add_argument("--input-encoding", help="what input values mean: spike, signed_spike, "
                        "binary, int<k>, fp<k> (default: zoo entry's declaration, else fp)")
    parser.add_argument("--encode", choices=sorted(_ENCODERS), help="turn a static input "
                        "[B, ...] (or one frame of a zoo example) into --steps frames with this "
                        "spike encoder; its output encoding is declared for you")
    parser.add_argument("--no-strict", action="store_true", help="record unsupported ops as "
                        "gaps (lowering coverage) instead of failing")


def resolve_workload(args: argparse.Namespace) -> Workload:
    """Build the model and its input from parsed ``add_workload_arguments`` options."""
    from neurocost.interchange.loading import load_model

    spec: str = args.model
    model = load_model(spec)
    if spec.startswith("zoo:") and args.input is None and args.random is None:
        from neurocost.models import zoo

        name = spec[len("zoo:"):]
        entry = zoo.entry(name)
        x = zoo.example_input(name, batch=args.batch, steps=args.steps, seed=args.seed)
        encoding = args.input_encoding or (str(entry.input_encoding)
                                           if entry.input_encoding else None)
        if args.encode is not None and entry.stepwise:
            return _encoded(args, spec, model, x[0], x.shape[0])
        return Workload(spec, model, x, None if entry.stepwise else 1, encoding)
    x = _read_input(args)
    if args.encode is not None:
        return _encoded(args, spec, model, x, args.steps or 1)
    steps = (args.steps or 1) if args.call_once else None
    return Workload(spec, model, x, steps, args.input_encoding)


def _encoded(args: argparse.Namespace, spec: str, model: torch.nn.Module, frame: torch.Tensor,
             steps: int) -> Workload:
    """A stepwise workload whose frames come from a spike encoder applied to one static input."""
    encoder = _ENCODERS[args.encode](args.seed)
    return Workload(spec, model, encoder(frame, steps), None, str(encoder.output_encoding))


def _rate(seed: int):  # noqa: ANN202
    from neurocost.models.encoders import RateEncoder

    return RateEncoder(seed=seed)


def _latency(seed: int):  # noqa: ANN202
    from neurocost.models.encoders import LatencyEncoder

    return LatencyEncoder()


def _delta(seed: int):  # noqa: ANN202
    from neurocost.models.encoders import DeltaEncoder

    return DeltaEncoder()


_ENCODERS = {"rate": _rate, "latency": _latency, "delta": _delta}


def _read_input(args: argparse.Namespace) -> torch.Tensor:
    if args.random is not None:
        try:
            shape = [int(s) for s in args.random.split(",")]
        except ValueError:
            raise ValueError(f"--random {args.random!r}: expected sizes like 25,8,784") from None
        return torch.rand(shape, generator=torch.Generator().manual_seed(args.seed))
    if args.input is None:
        raise ValueError(f"{args.model}: give --input FILE or --random SHAPE (only zoo models "
                         "have a built-in example input)")
    path: Path = args.input
    if not path.is_file():
        raise FileNotFoundError(f"--input {str(path)!r}: no such file")
    if path.suffix == ".npy":
        import numpy as np

        try:
            return torch.from_numpy(np.load(path, allow_pickle=False))
        except (ValueError, OSError, EOFError) as err:  # truncated, garbage or pickled arrays
            raise ValueError(f"--input {str(path)!r}: not a readable .npy array ({err})") from None
    from neurocost.models.weights import read_tensor_file

    loaded = read_tensor_file(path, "--input")
    if not isinstance(loaded, torch.Tensor):
        raise ValueError(f"--input {str(path)!r}: holds {type(loaded).__name__}, not a tensor")
    return loaded
