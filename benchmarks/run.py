"""Run the benchmarks and guard against slowdowns: ``tox -e bench`` calls this.

With a baseline saved on this machine (``.benchmarks/<machine>/*_baseline.json``) every
benchmark's median is compared with it and a slowdown above ``--fail-above`` (default 25 %)
fails the run. Without one, the run itself is saved as the baseline and says so. Refresh the
baseline after an accepted change in speed, or on new hardware, with ``--rebaseline``.
Extra arguments go to pytest (e.g. ``-k trace``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

STORE = Path(".benchmarks")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fail-above", default="25%", help="allowed median slowdown (25%%)")
    parser.add_argument("--rebaseline", action="store_true", help="save this run as baseline")
    args, pytest_args = parser.parse_known_args(argv)
    baselines = sorted(STORE.glob("*/*_baseline.json"))
    for old in baselines if args.rebaseline else ():
        old.unlink()
    common = ["benchmarks", "--benchmark-only", "--benchmark-enable", *pytest_args]
    if baselines and not args.rebaseline:
        return int(pytest.main([*common, "--benchmark-autosave",
                                "--benchmark-compare=*_baseline",
                                f"--benchmark-compare-fail=median:{args.fail_above}"]))
    print("no benchmark baseline on this machine: saving this run as the baseline")
    return int(pytest.main([*common, "--benchmark-save=baseline"]))


if __name__ == "__main__":
    sys.exit(main())
