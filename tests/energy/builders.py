"""Small hand-built traces and profiles whose costs can be worked out on paper.

``two_layer_trace``: fc1 (fp32 MAC) -> lif1 (Leaky) -> fc2 (spike AC), per sample and per step:

    fc1   dense 100, effective 80, weights 3200 bits (event: 80 x 32 = 2560), act in/out 320/320
    lif1  10 neurons, 10 updates, 3 spikes, 8 neurons with input, state r/w 320/320, act out 10
    fc2   dense 50, effective 15, weights 1600 bits (event: 15 x 32 = 480), act in/out 10/160

Counts in ``Trace.layers`` are summed over the batch, so the builder multiplies by ``batch``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from neurocost.energy.registry import profile_from_dict
from neurocost.energy.schema import Profile
from neurocost.tracing.columns import ADDITIVE, COLUMNS
from neurocost.tracing.trace_record import Trace

FC1 = dict(layer="fc1", kind="linear", op_class="mac", in_encoding="fp32",
           weight_encoding="fp32", in_bits=32, weight_bits=32, dense_ops=100, effective_ops=80,
           nominal_ops=100, in_elems=10, in_nonzero=10, out_elems=10, weight_bits_read=3200,
           weight_bits_read_event=2560, act_bits_in=320, act_bits_out=320)
LIF1 = dict(layer="lif1", kind="Leaky", op_class="", in_encoding="", weight_encoding="",
            in_bits=0, weight_bits=0, neurons=10, neuron_updates=10, spikes_out=3, in_elems=10,
            in_nonzero=8, out_elems=10, state_bits_read=320, state_bits_written=320,
            act_bits_out=10)
FC2 = dict(layer="fc2", kind="linear", op_class="ac", in_encoding="spike",
           weight_encoding="fp32", in_bits=1, weight_bits=32, dense_ops=50, effective_ops=15,
           nominal_ops=50, in_elems=10, in_nonzero=3, out_elems=5, weight_bits_read=1600,
           weight_bits_read_event=480, act_bits_in=10, act_bits_out=160)


def build_trace(rows: list[dict[str, Any]], steps: int = 2, batch: int = 2) -> Trace:
    """A trace repeating ``rows`` (per-sample counts) at every step, summed over ``batch``."""
    records = []
    for step in range(steps):
        for row in rows:
            record = {c: 0 for c in COLUMNS} | {"step": step, "batch": batch}
            for name, value in row.items():
                record[name] = value * batch if name in ADDITIVE else value
            records.append(record)
    return Trace(layers=pd.DataFrame.from_records(records, columns=COLUMNS),
                 batch_size=batch, steps=steps)


def two_layer_trace(steps: int = 2, batch: int = 2) -> Trace:
    return build_trace([FC1, LIF1, FC2], steps, batch)


def spiking_trace(steps: int = 2, batch: int = 2) -> Trace:
    """lif1 -> fc2 only: every synaptic op is a spike-driven AC."""
    return build_trace([LIF1, FC2], steps, batch)


def _c(value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "unit": unit, "source": "test fixture", "basis": "assumption", **extra}


def toy_dict(**changes: Any) -> dict[str, Any]:
    """A profile with round numbers, for equations checked by hand (``changes`` replace keys)."""
    data = {
        "id": "toy", "version": "1", "description": "round numbers for tests",
        "kind": "generic-cmos", "status": "derived",
        "execution": {"style": "dense"},
        "technology": {"node": _c(45, "nm"), "voltage": _c(0.9, "V"), "scaling": "cv2"},
        "compute": {"mac": {"fp32": _c(4, "pJ")}, "ac": {"fp32": _c(1, "pJ")}},
        "memory": {
            "small": {"capacity": _c(4000, "bit"), "read": _c(1, "pJ/bit"),
                      "write": _c(2, "pJ/bit")},
            "big": {"read": _c(10, "pJ/bit"), "write": _c(10, "pJ/bit"), "off_chip": True},
        },
        "neuron": {"update": {"Leaky": _c(3, "pJ")}},
        "routing": {"per_spike": _c(5, "pJ"), "per_hop": _c(7, "pJ")},
        "static_power": _c(1, "mW"),
        "throughput": {"mac": {"any": _c(1, "ns")}, "ac": {"any": _c(1, "ns")},
                       "neuron_update": _c(1, "ns"), "barrier": _c(10, "ns")},
    }
    return data | changes


def toy(**changes: Any) -> Profile:
    return profile_from_dict(toy_dict(**changes), origin="toy")


def fixture_constant(value: float, unit: str, **extra: Any) -> dict[str, Any]:
    """A sourced constant for test profiles."""
    return _c(value, unit, **extra)
