"""The trace as the pricer sees it: one row per layer, per-sample counts summed over steps.

Pricing is arithmetic over these columns, so the trace is reduced once (a pandas group-by) and
every profile or profile variant reuses the same arrays. Besides the summed counts, each layer
gets its *footprints* (bits it must keep resident, per sample: the largest per-step value),
which decide on which memory level its weights, state and activations are placed.
"""

from __future__ import annotations

import pandas as pd

from neurocost.tracing.trace_record import Trace

SYNAPTIC_CLASSES = ("ac", "signed_ac", "bop", "mac")
LOOKUP_KIND = "embedding"  # table lookups: weight rows read, no arithmetic, no neuron update
_KEYS = ["layer", "kind", "op_class", "in_encoding", "weight_encoding", "in_bits", "weight_bits"]
SUMMED = [
    "dense_ops", "effective_ops", "in_nonzero", "neuron_updates", "spikes_out",
    "weight_bits_read", "weight_bits_read_event", "state_bits_read", "state_bits_written",
    "act_bits_in", "act_bits_out",
]


def layer_counts(trace: Trace) -> pd.DataFrame:
    """Per-layer counts of ``trace`` (per sample, summed over steps), with footprints and calls.

    Extra columns: ``calls`` (steps the layer ran), ``weight_footprint`` (weight tensor bits),
    ``state_footprint`` (neuron state bits), ``act_footprint`` (activation bits in and out of one
    call), ``synaptic`` (True for rows with an op class, False for neuron rows).
    """
    df = trace.layers
    missing = [c for c in [*_KEYS, *SUMMED] if c not in df.columns]
    if missing:
        raise ValueError(f"trace.layers lacks column(s) {', '.join(missing)} needed for pricing")
    per_step = df.assign(act_bits=df["act_bits_in"] + df["act_bits_out"])
    grouped = per_step.groupby(_KEYS, sort=False, dropna=False)
    table = grouped[SUMMED].sum() / trace.batch_size
    table["calls"] = grouped.size()
    peaks = grouped[["weight_bits_read", "state_bits_read", "act_bits"]].max() / trace.batch_size
    table["weight_footprint"] = peaks["weight_bits_read"]
    table["state_footprint"] = peaks["state_bits_read"]
    table["act_footprint"] = peaks["act_bits"]
    table = table.reset_index()
    unknown = sorted(set(table["op_class"]) - {*SYNAPTIC_CLASSES, ""})
    if unknown:
        raise ValueError(f"trace.layers has unknown op_class value(s) {unknown}")
    table["synaptic"] = table["op_class"] != ""
    table["lookup"] = table["kind"] == LOOKUP_KIND
    return table
