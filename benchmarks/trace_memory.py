"""Peak memory growth of a trace vs a plain forward, each in a fresh process.

Run ``python -m benchmarks.trace_memory``. The target is trace growth <= 2x the plain forward's,
at every batch size (B=1 and B=32 here, T=25 steps).

Growth = peak RSS after the run minus peak RSS after building the model and input and running
the same path once on one step of the input, so imports and one-time set-up cancel out for
both. The first trace in a process also pages in code the plain forward never runs (torch
kernels for the counting, pandas and pyarrow for the tables): a fixed, once-per-process cost,
printed on its own line as "first trace" (growth after warming the tracer on a 2x2 linear layer
only).
"""

from __future__ import annotations

import json
import subprocess
import sys

_CHILD = """
import json, resource, sys, torch
torch.set_num_threads(2)
from benchmarks.models import frames, plain_forward, wide_scnn
import neurocost as nc
kind, batch = sys.argv[1], int(sys.argv[2])
net, x = wide_scnn(), frames(batch=batch)
nc.trace(torch.nn.Linear(2, 2), torch.ones(1, 1, 2))  # imports the dispatch-mode machinery
plain_forward(net, x[:1])
if kind == "trace":
    nc.trace(net, x[:1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if kind == "plain":
    plain_forward(net, x)
else:
    nc.trace(net, x)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kib": after - before}))
"""


def growth_kib(kind: str, batch: int) -> int:
    """Peak-RSS growth in KiB of one run of ``kind`` on ``batch`` samples in a fresh process:
    ``plain``, ``trace`` (both warmed on one step), or ``first-trace`` (tracer not warmed)."""
    out = subprocess.run([sys.executable, "-c", _CHILD, kind, str(batch)], capture_output=True,
                         text=True, check=True)
    return int(json.loads(out.stdout.strip().splitlines()[-1])["growth_kib"])


def main() -> None:
    for batch in (1, 32):
        plain = growth_kib("plain", batch)
        traced = growth_kib("trace", batch)
        first = growth_kib("first-trace", batch)
        # peak RSS moves in steps of about 128 KiB: below 1 MiB a ratio says nothing
        ratio = f"ratio {traced / plain:.2f}" if plain >= 1024 else "no ratio below 1 MiB"
        print(f"B={batch}: peak RSS growth: plain forward {plain} KiB, trace {traced} KiB, "
              f"{ratio} (target <= 2); first trace in a process {first} KiB")


if __name__ == "__main__":
    main()
