"""Command-line start: ``neurocost --version`` and ``--help`` as a user's shell runs them.

Target (issue 20): under 0.5 s, which holds because no subcommand imports torch or pandas until
it runs (checked without timing in tests/test_package.py).
"""

from __future__ import annotations

import subprocess
import sys


def test_version_starts_fast(benchmark) -> None:
    command = [sys.executable, "-m", "neurocost.cli", "--version"]
    benchmark.pedantic(subprocess.run, args=(command,), kwargs={"check": True,
                       "capture_output": True}, rounds=5, iterations=1)
