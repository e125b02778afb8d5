"""Synthetic traces of fully connected spiking chains, for simulator tests and benchmarks.

``chain_trace([784, 128, 10], steps=4, rate=0.2)`` is the trace of ``fc1 -> lif1 -> fc2 -> lif2``
with every weight non-zero, Bernoulli(``rate``) input spikes and Bernoulli(``rate``) output
spikes, all drawn from ``seed``. Its counts are exact by construction: a fully connected layer
with no zero weights does ``in_nonzero x fan_out`` effective ops, and a neuron layer updates each
neuron once per step. It lets the simulator be tested and timed before (and without) tracing a
real model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from neurocost.tracing.columns import COLUMNS
from neurocost.tracing.trace_record import Trace

_WEIGHT_BITS = 8
_STATE_BITS = 16


def chain_trace(
    sizes: Sequence[int],
    steps: int,
    rate: float = 0.1,
    seed: int = 0,
    batch: int = 1,
) -> Trace:
    """Trace of ``len(sizes) - 1`` (linear -> Leaky) stages with spike inputs (``op_class`` ac).

    sizes: neurons per layer, input first. rate: spike probability of every input and neuron.
    Counts are summed over ``batch`` samples, as in a real trace.
    """
    if len(sizes) < 2 or min(sizes) < 1 or steps < 1 or batch < 1:
        raise ValueError(
            f"chain_trace needs >= 2 positive sizes, steps >= 1, batch >= 1; got sizes={sizes}, "
            f"steps={steps}, batch={batch}"
        )
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"chain_trace: rate must be in [0, 1], got {rate}")
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for step in range(steps):
        events = int(rng.binomial(sizes[0] * batch, rate))
        for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            spikes = int(rng.binomial(fan_out * batch, rate))
            rows.append(_linear_row(f"fc{k}", step, fan_in, fan_out, events, batch))
            rows.append(_neuron_row(f"lif{k}", step, fan_out, spikes, batch))
            events = spikes
    layers = pd.DataFrame.from_records(rows, columns=COLUMNS)
    return Trace(layers=layers, batch_size=batch, steps=steps, model=f"chain{list(sizes)}")


def _linear_row(
    name: str, step: int, fan_in: int, fan_out: int, events: int, batch: int
) -> dict[str, object]:
    dense = fan_in * fan_out * batch
    effective = events * fan_out
    return {
        "layer": name, "kind": "linear", "step": step, "op_class": "ac",
        "in_encoding": "spike", "weight_encoding": "int8", "in_bits": 1,
        "weight_bits": _WEIGHT_BITS, "batch": batch,
        "dense_ops": dense, "effective_ops": effective,
        "in_elems": fan_in * batch, "in_nonzero": events, "out_elems": fan_out * batch,
        "neurons": 0, "neuron_updates": 0, "spikes_out": 0,
        "weight_bits_read": fan_in * fan_out * _WEIGHT_BITS * batch,
        "weight_bits_read_event": effective * _WEIGHT_BITS,
        "state_bits_read": 0, "state_bits_written": 0,
        "act_bits_in": fan_in * batch, "act_bits_out": fan_out * 32 * batch,
    }


def _neuron_row(name: str, step: int, neurons: int, spikes: int, batch: int) -> dict[str, object]:
    return {
        "layer": name, "kind": "Leaky", "step": step, "op_class": "",
        "in_encoding": "fp32", "weight_encoding": "", "in_bits": 32, "weight_bits": 0,
        "batch": batch, "dense_ops": 0, "effective_ops": 0,
        "in_elems": neurons * batch, "in_nonzero": neurons * batch,
        "out_elems": neurons * batch, "neurons": neurons * batch,
        "neuron_updates": neurons * batch, "spikes_out": spikes,
        "weight_bits_read": 0, "weight_bits_read_event": 0,
        "state_bits_read": neurons * _STATE_BITS * batch,
        "state_bits_written": neurons * _STATE_BITS * batch,
        "act_bits_in": neurons * 32 * batch, "act_bits_out": neurons * batch,
    }
