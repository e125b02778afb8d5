"""The ``neurocost`` command: argument parsing only; each subcommand lives in a module of this
package (``neurocost.cli.trace`` for ``neurocost trace`` ...), and logic lives in the parts.

Exit codes (the README's table): 0 everything asked was checked and passed; 1 a claim does not
hold; 2 an input error (a file, field, model or option neurocost cannot use: any
``NeurocostError``, an unreadable file, a bad argument), printed as one line naming what is wrong.
``--debug`` prints the traceback as well.
"""

from __future__ import annotations

import argparse
import importlib
import traceback

from rich.markup import escape

from neurocost.errors import NeurocostError

EXIT_OK = 0  # everything asked for was checked and passed
EXIT_CLAIM_FAILED = 1  # a claim does not hold (or could not be measured)
EXIT_INPUT_ERROR = 2  # a file, field, model or option neurocost cannot use
_MAX_MESSAGE = 4000  # characters of an error message printed

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
    parser.add_argument("--debug", action="store_true",
                        help="on an error, print the traceback as well as the one-line message")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _COMMANDS:
        importlib.import_module(f"neurocost.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ``neurocost`` command; returns its exit code (``EXIT_*``)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or EXIT_OK)
    except (NeurocostError, OSError, KeyError, ValueError) as err:
        # NeurocostError: an input neurocost refuses; OSError: a file that cannot be read or
        # written; bare KeyError/ValueError: raised by torch, NumPy or a user's model on an input.
        from neurocost.cli.common import console_err

        if args.debug:
            traceback.print_exc()
        console_err.print(f"[bold red]error:[/] {escape(_message(err))}", highlight=False,
                          soft_wrap=True)
        return EXIT_INPUT_ERROR


def _message(err: BaseException) -> str:
    """The error's message (one line per problem), its type named when the message alone is
    not enough, cut at ``_MAX_MESSAGE`` characters so no input is ever echoed whole."""
    if isinstance(err, OSError) and err.filename is not None:
        text = f"{err.filename}: {err.strerror or err}"
    else:
        text = str(err) if isinstance(err, NeurocostError) else f"{type(err).__name__}: {err}"
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."

