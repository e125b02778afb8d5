"""GPU benchmark harness: correctness, time (CUDA events) and energy (NVML) per kernel and size.

Protocol (also printed by ``neurocost hw bench --help``):

1. Record the device as found (name, driver, clocks, power limit, temperature, persistence);
   change nothing.
2. Correctness: every case runs once on fresh random inputs (never zeros) and is compared with
   the NumPy references; a mismatch stops the run.
3. Time: CUDA events around ``inner`` launches (enough for >= 1 ms), median and IQR over
   ``repeats``; inputs rotate over copies totalling >= 2x L2 so no launch finds its operands warm.
4. Energy: idle baseline (NVML counter over ``idle_s`` of sleep); then per repeat, cases in a
   fresh random order, each after a random 0-100 ms delay: ``warmup_s`` of launches, then a
   window of >= ``window_s`` s read as an NVML total-energy difference between two
   synchronizations, with a 50 Hz sampler of power, SM clock and throttle reasons.
   Energy per op: gross = dE / ops; dynamic = (dE - P_idle * dt) / ops; median and IQR.
5. Everything lands in one JSON file with the command, date, device and protocol settings,
   rewritten after each case so an interruption loses at most the case in progress.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from neurocost.hw.bench.cases import KERNELS, Case

FORMAT = "neurocost.hw.bench"
FORMAT_VERSION = 1
MIN_TIMED_S = 1e-3


@dataclass(frozen=True)
class Protocol:
    """Settings of one run; defaults are the protocol's minimums (reference/cuda.md s10)."""

    repeats: int = 5
    window_s: float = 10.0
    warmup_s: float = 5.0
    idle_s: float = 10.0
    energy: bool = True
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.repeats < 1:
            raise ValueError(f"repeats must be >= 1, got {self.repeats}")
        for name in ("window_s", "warmup_s", "idle_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


def parse_size(text: str) -> dict[str, float]:
    """``"m=8192,n=8192,k=8192"`` -> {"m": 8192.0, ...}; names the bad item on error."""
    size: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            size[key.strip()] = float(value)
        except ValueError:
            raise ValueError(f"size {text!r}: item {item!r} is not name=number") from None
    return size


def build_cases(kernels: list[str], sizes: list[dict[str, float]], rng: np.random.Generator,
                torch: Any) -> list[Case]:
    """Cases for each kernel at each given size whose names it takes (else its default sizes)."""
    import inspect

    cases = []
    for name in kernels:
        if name not in KERNELS:
            raise ValueError(f"unknown kernel {name!r}; known: {', '.join(sorted(KERNELS))}")
        builder, defaults = KERNELS[name]
        params = set(inspect.signature(builder).parameters) - {"rng", "torch"}
        chosen = [s for s in sizes if set(s) <= params] or defaults
        cases.extend(builder(rng, torch, **size) for size in chosen)
    return cases


def time_case(case: Case, torch: Any, repeats: int) -> dict[str, Any]:
    """Median / IQR seconds per launch from CUDA events around batches of launches."""
    case.run(0)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    case.run(1)
    end.record()
    end.synchronize()
    inner = max(1, int(np.ceil(MIN_TIMED_S / max(start.elapsed_time(end) / 1e3, 1e-7))))
    samples = []
    for r in range(repeats):
        start.record()
        for i in range(inner):
            case.run(r * inner + i)
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) / 1e3 / inner)
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    return {"median_s": float(median), "iqr_s": float(q3 - q1), "repeats": repeats,
            "launches_per_sample": inner, "samples_s": samples,
            "throughput_ops_per_s": case.ops / float(median),
            **({"stream_bytes_per_s": case.stream_bytes / float(median)}
               if case.stream_bytes else {})}


def energy_case(case: Case, nvml: Any, torch: Any, protocol: Protocol, idle_w: float,
                inner: int) -> dict[str, Any]:
    """One warm-up plus one NVML window for ``case``; energy per op gross and idle-subtracted."""
    from neurocost.hw.bench.nvml import measure_window

    counter = iter(range(sys.maxsize))

    def batch() -> int:
        for _ in range(inner):
            case.run(next(counter))
        return inner

    measure_window(nvml, batch, torch.cuda.synchronize, protocol.warmup_s)
    window = measure_window(nvml, batch, torch.cuda.synchronize, protocol.window_s)
    ops = window["launches"] * case.ops
    dynamic_j = window["energy_j"] - idle_w * window["seconds"]
    return {**window, "ops": ops, "pj_per_op_gross": window["energy_j"] / ops * 1e12,
            "pj_per_op_dynamic": dynamic_j / ops * 1e12}


def run_bench(kernels: list[str], sizes: list[dict[str, float]], out: Path, protocol: Protocol,
              command: str, device_index: int = 0) -> dict[str, Any]:
    """Run the protocol (module docstring) and write the JSON to ``out``; returns it."""
    from neurocost.hw.kernels.runtime import require_cuda

    torch, _ = require_cuda()
    torch.cuda.set_device(device_index)
    seed = protocol.seed if protocol.seed is not None else random.SystemRandom().randrange(2**32)
    rng = np.random.default_rng(seed)
    nvml = None
    if protocol.energy:
        from neurocost.hw.bench.nvml import Nvml

        nvml = Nvml(device_index)
    props = torch.cuda.get_device_properties(device_index)
    report: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "command": command,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": {"name": props.name, "sm_count": props.multi_processor_count,
                   "memory_bytes": props.total_memory, "torch": torch.__version__,
                   "cuda": torch.version.cuda, **(nvml.state() if nvml else {})},
        "protocol": {**protocol.__dict__, "seed": seed}, "results": [],
    }
    cases = build_cases(kernels, sizes, rng, torch)
    for case in cases:
        result = {"kernel": case.kernel, "label": case.label, "size": case.size,
                  "op_class": case.op_class, "ops_per_launch": case.ops,
                  "correctness": case.check(), "time": time_case(case, torch, protocol.repeats)}
        report["results"].append(result)
        _write(out, report)
    if nvml is not None:
        from neurocost.hw.bench.nvml import idle_power

        torch.cuda.synchronize()
        report["idle"] = idle_power(nvml, protocol.idle_s)
        runs: dict[str, list[dict[str, Any]]] = {c.label: [] for c in cases}
        order = list(zip(cases, report["results"], strict=True))
        for _ in range(protocol.repeats):
            rng.shuffle(order)
            for case, result in order:
                time.sleep(float(rng.uniform(0.0, 0.1)))
                runs[case.label].append(energy_case(case, nvml, torch, protocol,
                                                    report["idle"]["power_w"],
                                                    result["time"]["launches_per_sample"]))
                result["energy"] = _energy_summary(runs[case.label])
                _write(out, report)
    return report


def _energy_summary(windows: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"windows": windows}
    for key in ("pj_per_op_gross", "pj_per_op_dynamic"):
        q1, median, q3 = np.percentile([w[key] for w in windows], [25, 50, 75])
        summary[key] = {"median": float(median), "iqr": float(q3 - q1)}
    powers = [w["power"].get("mean_power_w") for w in windows if "mean_power_w" in w["power"]]
    clocks = [w["power"].get("mean_sm_clock_mhz") for w in windows
              if "mean_sm_clock_mhz" in w["power"]]
    if powers:
        summary["mean_power_w"] = float(np.mean(powers))
    if clocks:
        summary["mean_sm_clock_mhz"] = float(np.mean(clocks))
    return summary


def _write(out: Path, report: dict[str, Any]) -> None:
    partial = out.with_suffix(out.suffix + ".partial")
    partial.write_text(json.dumps(report, indent=2))
    partial.replace(out)
