"""The columns of ``Trace.layers``: one row per (layer, step), every count summed over the batch.

Kept in one table so that the trace, its totals, the pricer and the reports agree on names,
units and meaning. ``Trace.totals()`` divides the additive columns by the batch size, giving
per-sample figures summed over steps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

# Identity columns (not additive).
IDENTITY: dict[str, str] = {
    "layer": "qualified module name (``fc1``, ``encoder.0.attn``); ops found below module level "
    "get the enclosing module's name plus ``:<op>#<k>``",
    "kind": "linear | conv1d | conv2d | matmul | <snnTorch neuron class>",
    "step": "time step index, 0-based",
    "op_class": "ac | signed_ac | bop | mac for synaptic rows; empty for neuron rows",
    "in_encoding": "declared encoding of the input activation (spike, binary, int8, fp32 ...)",
    "weight_encoding": "declared encoding of the second operand (weight, or the other activation)",
    "in_bits": "bits per input element",
    "weight_bits": "bits per weight (or second-operand) element",
    "batch": "samples in the traced batch",
}

# Additive columns: name -> (unit, meaning). Summed over the batch in a row.
ADDITIVE: dict[str, tuple[str, str]] = {
    "dense_ops": ("ops", "synaptic ops if every input element were non-zero (MACs of the layer)"),
    "effective_ops": ("ops", "(non-zero input x non-zero weight) pairs actually combined"),
    "nominal_ops": ("ops", "textbook count: output elements x reduction size, padding "
                    "positions included (what papers and thop/fvcore print)"),
    "in_elems": ("elements", "input elements presented to the layer"),
    "in_nonzero": ("events", "non-zero input elements (input events)"),
    "out_elems": ("elements", "output elements produced"),
    "neurons": ("neurons", "neurons in a neuron layer (per sample, times batch)"),
    "neuron_updates": ("updates", "neuron state updates (one per neuron per step, time-driven)"),
    "spikes_out": ("spikes", "non-zero outputs of a neuron layer"),
    "weight_bits_read": ("bit", "weight bits a dense machine reads: the whole weight tensor once "
                         "per sample per step (batch-1 inference, no reuse across samples)"),
    "weight_bits_read_event": ("bit", "weight bits an event-driven machine reads: one weight per "
                               "effective synaptic op"),
    "state_bits_read": ("bit", "neuron state bits read (membrane, synaptic current ...)"),
    "state_bits_written": ("bit", "neuron state bits written"),
    "act_bits_in": ("bit", "input activation bits read densely (in_elems x in_bits)"),
    "act_bits_out": ("bit", "output activation bits written densely (out_elems x output bits)"),
}

COLUMNS: list[str] = list(IDENTITY) + list(ADDITIVE)

# What identifies a layer in per-layer views (``Trace.by_layer``): a layer's rows share these.
LAYER_KEYS: list[str] = ["layer", "kind", "op_class", "in_encoding", "weight_encoding", "in_bits",
                         "weight_bits"]

# Identity columns a row may leave out: rows without operands (neuron updates) have no widths.
_OPTIONAL_IDENTITY: dict[str, object] = {"in_bits": 0, "weight_bits": 0}
_DEFAULTS: dict[str, object] = {**_OPTIONAL_IDENTITY, **dict.fromkeys(ADDITIVE, 0)}
_REQUIRED = frozenset(IDENTITY) - frozenset(_OPTIONAL_IDENTITY)
_KNOWN = frozenset(COLUMNS)


def make_row(values: dict[str, object]) -> tuple:
    """One ``Trace.layers`` row in ``COLUMNS`` order.

    Counts a row does not name are 0; identity columns must be named (the operand widths may be
    left out); a name that is not a column is an error, so a misspelt count cannot vanish.
    """
    unknown = values.keys() - _KNOWN
    if unknown:
        raise KeyError(f"trace row names unknown column(s) {sorted(unknown)}; see "
                       "neurocost.tracing.columns")
    missing = _REQUIRED - values.keys()
    if missing:
        raise KeyError(f"trace row lacks identity column(s) {sorted(missing)}")
    return tuple(values[c] if c in values else _DEFAULTS[c] for c in COLUMNS)


# pandas' default text dtype ("str": Arrow-backed, NaN for missing), built from an Arrow array
# directly: inferring it from Python strings cost more than the rest of a small trace.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def text_column(values: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """``values`` as a column of pandas' default text dtype, without inferring it."""
    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=_TEXT)
