"""Sweep throughput: 10,000 profile variants of one trace, priced and written to Parquet.

Target (issue 9): <= 2 s end to end for the sweep call, including spec validation, the resume
check, vectorised pricing, the per-layer breakdown and the atomic Parquet write. The trace is
taken from the store's cache (tracing is the model's cost, measured in test_bench_trace.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

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
