"""Speed as a ratio to a reference measured in the same rounds, which survives machine load.

Each round first times the reference (outside the benchmark's own timing), then the benchmark
times the measured call; the ratio is the median of the per-round ratios, stored in
``extra_info`` with the target it is read against (``--benchmark-json`` writes it out).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def record_ratio(benchmark: Any, measured: Callable[[], object],
                 reference: Callable[[], object], target: float, rounds: int) -> object:
    """Benchmark ``measured`` and record the median of measured / ``reference`` time; return
    what ``measured`` returned."""
    reference_s: list[float] = []

    def time_reference() -> None:
        start = time.perf_counter()
        reference()
        reference_s.append(time.perf_counter() - start)

    result = benchmark.pedantic(measured, setup=time_reference, rounds=rounds, warmup_rounds=1)
    measured_s = benchmark.stats.stats.data
    ratios = [m / r for m, r in zip(measured_s, reference_s[-len(measured_s):], strict=True)]
    benchmark.extra_info.update(ratio=round(statistics.median(ratios), 3), target=target,
                                reference_median_s=statistics.median(reference_s))
    return result
