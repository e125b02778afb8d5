"""Derive the Loihi keyword-spotting power summary from the public logs (abr/power_benchmarks).

Blouw et al., "Benchmarking Keyword Spotting Efficiency on Neuromorphic Hardware", NICE 2019
(arXiv 1812.01739), published their raw Loihi (Wolf Mountain board) rail-power logs. This script
reduces them to one row per configuration (copies of a 10-layer scaling network, or the keyword
spotter itself): mean chip power idle and running, run time, inferences. Only the summary is
committed (``neurocost/energy/measurements/loihi_kws.yaml``), with the repository commit.

Usage: python benchmarks/derive_kws_power_logs.py PATH_TO_CHECKOUT > loihi_kws.yaml
"""

from __future__ import annotations

import csv
import glob
import json
import statistics
import subprocess
import sys
from datetime import datetime

import yaml

_TIME = "%Y-%m-%d_%H:%M:%S.%f"
_IDLE_MARGIN = 20  # readings dropped at each end of an idle log, as the logs' own analysis does


def _watts(path: str, start: str | None = None, end: str | None = None) -> list[float]:
    with open(path) as handle:
        rows = list(csv.reader(handle))[1:]
    return [float(r[1]) for r in rows if start is None or start <= r[0] <= end]


def _config(root: str, tag: str) -> dict:
    idle = [w for f in sorted(glob.glob(f"{root}/logs/idle/loihi{tag}_run0*.csv"))
            for w in _watts(f)[_IDLE_MARGIN:-_IDLE_MARGIN]]
    running, seconds, inferences = [], [], []
    for summary_path in sorted(glob.glob(f"{root}/logs/running/loihi{tag}_run0*.json")):
        with open(summary_path) as handle:
            summary = json.load(handle)
        start, end = summary["start_time"], summary["end_time"]
        seconds.append((datetime.strptime(end, _TIME) - datetime.strptime(start, _TIME))
                       .total_seconds())
        inferences.append(summary["n_inferences"])
        running += _watts(summary_path[:-5] + ".csv", start, end)
        copies = summary.get("n_copies")
    return {
        "copies": copies,
        "runs": len(seconds),
        "idle_mw": round(1e3 * statistics.mean(idle), 2),
        "running_mw": round(1e3 * statistics.mean(running), 2),
        "running_readings": len(running),
        "seconds_per_run": round(statistics.mean(seconds), 3),
        "inferences_per_run": statistics.mean(inferences),
    }


def main(root: str) -> None:
    commit = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    tags = {"kws": ""} | {f"copies_{c}": f"_I08O08C{c:02d}L{10 if c else 0:02d}"
                          for c in (0, 1, 2, 4, 6, 8, 10)}
    out = {"source": "abr/power_benchmarks (github), logs/idle and logs/running, loihi_*",
           "commit": commit, "configurations": {name: _config(root, tag)
                                                for name, tag in tags.items()}}
    yaml.safe_dump(out, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main(sys.argv[1])
