"""Timing of a dense (GPU-like) machine: a roofline per layer call plus a launch overhead.

Each trace row is one kernel call for one sample (batch 1): a synaptic layer takes
``max(dense_ops / peak[op_class], bits moved / memory bandwidth) + launch_overhead``, where the
bits moved are its weight tensor, input and output activations (``weight_bits_read +
act_bits_in + act_bits_out``). A dense machine does not skip zero inputs, so it runs the dense
ops. A neuron layer is elementwise and counted as memory-bound: ``(state bits read + written +
activation bits in + out) / bandwidth + launch_overhead``. Calls run one after another.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from neurocost.sim.architecture import Architecture
from neurocost.sim.core_work import CoreWorkError
from neurocost.sim.timing import Timing
from neurocost.tracing.trace_record import Trace

_MOVED_SYNAPTIC = ("weight_bits_read", "act_bits_in", "act_bits_out")
_MOVED_NEURON = ("state_bits_read", "state_bits_written", "act_bits_in", "act_bits_out")


def dense_timing(trace: Trace, architecture: Architecture) -> Timing:
    """Per-sample timing of ``trace`` on the ``architecture.dense`` machine."""
    dense = architecture.dense
    rows = trace.layers
    synaptic = rows["op_class"] != ""
    peaks = np.zeros(len(rows))
    for op_class in rows.loc[synaptic, "op_class"].unique():
        if op_class not in dense.peak_ops_per_s:
            layer = rows.loc[rows["op_class"] == op_class, "layer"].iloc[0]
            raise CoreWorkError(
                f"layer {layer!r} does {op_class!r} ops but the architecture's "
                f"dense.peak_ops_per_s declares only {sorted(dense.peak_ops_per_s)}"
            )
        peaks[(rows["op_class"] == op_class).to_numpy()] = dense.peak_ops_per_s[op_class].si
    batch = trace.batch_size
    compute_s = np.where(synaptic, rows["dense_ops"] / batch / np.where(peaks > 0, peaks, 1), 0.0)
    moved = np.where(
        synaptic, rows[list(_MOVED_SYNAPTIC)].sum(axis=1), rows[list(_MOVED_NEURON)].sum(axis=1)
    )
    memory_s = moved / batch / dense.memory_bandwidth.si
    work_s = np.maximum(compute_s, memory_s)
    launch_s = dense.launch_overhead.si
    per_layer = (
        pd.DataFrame({"unit": rows["layer"], "work_s": work_s})
        .groupby("unit", sort=False)["work_s"]
        .agg(["sum", "size"])
    )
    per_layer["critical_s"] = per_layer["sum"] + per_layer["size"] * launch_s
    latency = float(per_layer["critical_s"].sum())
    busy = float(work_s.sum())
    layers = pd.DataFrame(
        {
            "unit": per_layer.index,
            "layers": per_layer.index,
            "cores": "device",
            "critical_s": per_layer["critical_s"].to_numpy(),
        }
    )
    cores = pd.DataFrame(
        {
            "core": [0],
            "tile": [0],
            "layers": [",".join(per_layer.index)],
            "busy_s": [busy],
            "idle_s": [latency - busy],
            "utilisation": [busy / latency if latency else 0.0],
        }
    )
    return Timing(
        mode="dense",
        steps=trace.steps,
        latency_s=latency,
        throughput_inf_per_s=1.0 / latency if latency else float("inf"),
        cores=cores,
        layers=layers,
        critical_layer=str(layers.loc[layers["critical_s"].idxmax(), "unit"]),
        notes=(
            "dense roofline per layer call, batch 1: max(ops/peak, bits/bandwidth) + launch; "
            "busy_s excludes launch overhead",
        ),
    )
