"""Sweep throughput: 10,000 profile variants of one trace, priced and written to Parquet.

Target (issue 9): <= 2 s end to end for the sweep call, including spec validation, the resume
check, vectorised pricing, the per-layer breakdown and the atomic Parquet write. The trace is
taken from the store's cache (tracing is the model's cost, measured in test_bench_trace.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from neurocost.sweeps.sweep import sweep

# 100 x 100 SRAM capacities (KiB) on the cmos45 profile: 10,000 variants
GRID = {
    "memory.sram_8k.capacity": [4 + i for i in range(100)],
    "memory.sram_32k.capacity": [16 + i for i in range(100)],
}


def spec_for(results: Path) -> dict[str, object]:
    return {
        "name": "bench-10k",
        "models": [{"source": "zoo:smlp", "input": {"samples": 2}}],
        "profiles": ["cmos45"],
        "grid": GRID,
        "results": str(results),
    }


def test_ten_thousand_variants_priced_and_stored(benchmark, tmp_path: Path) -> None:
    warm = tmp_path / "warm"
    sweep(spec_for(warm), workers=1)  # traces the model once; its trace is cached in warm/
    rounds = iter(range(1000))

    def fresh_store() -> tuple[tuple[dict[str, object]], dict[str, int]]:
        target = tmp_path / f"round-{next(rounds)}"
        shutil.copytree(warm / "traces", target / "traces")
        return (spec_for(target),), {"workers": 1}

    outcome = benchmark.pedantic(sweep, setup=fresh_store, rounds=5)
    assert outcome.rows_written == 10_000
    assert outcome.read()["key"].is_unique


def test_ten_thousand_variants_from_the_command_line(benchmark, tmp_path: Path) -> None:
    """``neurocost sweep SPEC`` in a fresh process, tracing included (issue 16 target: <= 1.5 s
    end to end). Python, torch and pandas start-up are inside the figure."""
    rounds = iter(range(1000))

    def fresh_spec() -> tuple[tuple[list[str]], dict[str, object]]:
        folder = tmp_path / f"cli-{next(rounds)}"
        folder.mkdir()
        spec = folder / "sweep.yaml"
        spec.write_text(yaml.safe_dump(spec_for(folder / "results")))
        command = [sys.executable, "-m", "neurocost.cli", "sweep", str(spec), "--no-progress"]
        return (command,), {"check": True, "capture_output": True}

    benchmark.pedantic(subprocess.run, setup=fresh_spec, rounds=3)
