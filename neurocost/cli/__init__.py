"""The ``neurocost`` command: argument parsing only; each subcommand lives in a module of this
package (``neurocost.cli.trace`` for ``neurocost trace`` ...), and logic lives in the parts."""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand modules under neurocost.cli; each defines ``register(subparsers)`` which adds its
# parser and sets ``func`` (args -> exit code).
_COMMANDS = ["trace", "estimate", "export", "profiles", "claims", "sweep", "report", "hw", "demo",
             "zoo", "validate"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurocost",
        description="Exact activity counts and sourced energy/latency estimates for SNNs and BNNs.",
    )
    from neurocost import __version__

    parser.add_argument("--version", action="version", version=f"neurocost {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _COMMANDS:
        importlib.import_module(f"neurocost.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, KeyError) as err:
        from neurocost.cli.common import console_err

        console_err.print(f"[bold red]error:[/] {err}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
