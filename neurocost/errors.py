"""The one base class of every error neurocost raises about its inputs.

A user (or the command line) catches ``NeurocostError`` to tell "this file, field or model is
wrong" apart from a bug: the command line prints such an error as one line and exits 2, and shows
the traceback only with ``--debug``. It is a ``ValueError`` because every one of these is a value
the caller gave that neurocost cannot use; classes that were another built-in type before (a
``KeyError`` for unknown names, a ``RuntimeError`` for untraceable ops and missing CUDA tools)
keep that type as a second base, so existing ``except`` clauses still catch them.
"""

from __future__ import annotations


class NeurocostError(ValueError):
    """An input neurocost cannot use; the message names the file, field, layer or value."""
