"""Peak memory growth of a trace vs a plain forward, each in a fresh process.

Run ``python -m benchmarks.trace_memory``. The target is trace growth <= 2x the plain forward's.
Growth = peak RSS after the run minus peak RSS after building the model and input and warming
both paths up on a tiny input, so imports and one-time set-up cancel out.
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
net, x = wide_scnn(), frames()
# One-time costs are not run costs: the first trace imports torch's dispatch-mode machinery.
nc.trace(torch.nn.Linear(2, 2), torch.ones(1, 1, 2))
plain_forward(net, x[:1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[1] == "trace":
    nc.trace(net, x)
else:
    plain_forward(net, x)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kib": after - before}))
"""


def growth_kib(kind: str) -> int:
    """Peak-RSS growth in KiB of one run of ``kind`` ("trace" or "plain") in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _CHILD, kind], capture_output=True, text=True,
                         check=True)
    return int(json.loads(out.stdout.strip().splitlines()[-1])["growth_kib"])


def main() -> None:
    plain = growth_kib("plain")
    traced = growth_kib("trace")
    print(f"peak RSS growth: plain forward {plain / 1024:.1f} MiB, trace {traced / 1024:.1f} MiB,"
          f" ratio {traced / max(plain, 1):.2f} (target <= 2)")


if __name__ == "__main__":
    main()
