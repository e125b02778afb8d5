"""Shared CLI helpers: consoles and model loading from ``zoo:NAME``, ``pkg.mod:factory`` or a file."""

from __future__ import annotations

from rich.console import Console

console = Console()
console_err = Console(stderr=True)
