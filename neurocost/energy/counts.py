"""The trace as the pricer sees it: one row per layer, per-sample counts summed over steps.

Pricing is arithmetic over these columns, so the trace is reduced once (a pandas group-by) and
every profile or profile variant reuses the same arrays. Besides the summed counts, each layer
gets its *footprints* (bits it must keep resident, per sample: the largest per-step value),
which decide on which memory level its weights, state and activations are placed.
"""

from __future__ import annotations

import pandas as pd

from neurocost.tracing.columns import COLUMNS
from neurocost.tracing.trace_record import Trace
from neurocost.vocabulary import NEURON_OP_CLASS, OP_CLASSES

LOOKUP_KIND = "embedding"  # table lookups: weight rows read, no arithmetic, no neuron update


def layer_counts(trace: Trace) -> pd.DataFrame:
    """Per-layer counts of ``trace`` (per sample, summed over steps), with footprints and calls.

    Extra columns: ``calls`` (steps the layer ran), ``weight_footprint`` (weight tensor bits),
    ``state_footprint`` (neuron state bits), ``act_footprint`` (activation bits in and out of one
    call), ``synaptic`` (True for rows with an op class, False for neuron rows).
    """
    missing = [c for c in COLUMNS if c not in trace.layers.columns]
    if missing:
        raise ValueError(f"trace.layers lacks column(s) {', '.join(missing)} needed for pricing")
    table = trace.by_layer()
    unknown = sorted(set(table["op_class"]) - {*OP_CLASSES, NEURON_OP_CLASS})
    if unknown:
        raise ValueError(f"trace.layers has unknown op_class value(s) {unknown}")
    table["synaptic"] = table["op_class"] != NEURON_OP_CLASS
    table["lookup"] = table["kind"] == LOOKUP_KIND
    return table
