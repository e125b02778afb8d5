"""Per-step, per-core work of a mapped trace: what each core must do in each time step.

For unit ``u`` on cores ``c_0 .. c_{k-1}`` and step ``s`` (per sample, batch counts divided by the
batch size), core ``c_i`` does its share (``mapping.share``) of:

* ``synops``: the effective ops of the unit's synaptic layers, costing ``events.synop[op_class]``
  each (``synop_s`` is their total time);
* ``updates``: the neuron updates of the unit's neuron layer (``events.neuron_update`` each);
* ``spikes_out``: the input events of the next unit (its first layer's ``in_nonzero``, so pooling
  between a neuron layer and the next synaptic layer is respected). Every event is sent as one
  packet to *each* core of the next unit (broadcast: exact for fully connected layers, an upper
  bound for convolutions whose fan-out covers only some of those cores).

Unit 0's input events come from off-chip, through an I/O port on tile 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from neurocost.errors import NeurocostError
from neurocost.sim.architecture import Architecture
from neurocost.sim.mapping import Mapping, Unit, share
from neurocost.tracing.trace_record import Trace


class CoreWorkError(NeurocostError):
    """A trace the architecture cannot time (the message names the layer and field)."""


@dataclass(frozen=True)
class UnitWork:
    """Work of one unit: arrays of shape ``[steps, cores]`` (``events_in`` is ``[steps]``)."""

    unit: Unit
    cores: tuple[int, ...]
    events_in: np.ndarray
    synops: np.ndarray
    synop_s: np.ndarray
    updates: np.ndarray
    spikes_out: np.ndarray


@dataclass(frozen=True)
class CoreWork:
    """All units' work, in chain order, and the times per event (seconds)."""

    units: tuple[UnitWork, ...]
    steps: int
    update_s: float
    packet_s: float
    input_interval_s: float


def build_core_work(trace: Trace, mapping: Mapping, architecture: Architecture) -> CoreWork:
    """Per-core counts for every (unit, step) of ``trace`` placed by ``mapping``."""
    events = architecture.events
    steps = trace.steps
    grouped = dict(tuple(trace.layers.groupby("layer", sort=False)))
    events_in = [
        _per_step(grouped[p.unit.layers[0]], "in_nonzero", trace) for p in mapping.placements
    ]
    works = []
    for index, placement in enumerate(mapping.placements):
        unit, cores = placement.unit, placement.cores
        synops = np.zeros((steps, len(cores)))
        synop_s = np.zeros((steps, len(cores)))
        for layer in unit.synaptic_layers:
            rows = grouped[layer]
            op_class = rows["op_class"].iloc[0]
            if op_class not in events.synop:
                raise CoreWorkError(
                    f"layer {layer!r} does {op_class!r} synaptic ops but the architecture's "
                    f"events.synop declares only {sorted(events.synop)}: declare its time, or "
                    "feed the layer other operands (e.g. spike-encoded input)"
                )
            ops = _split(_per_step(rows, "effective_ops", trace), len(cores))
            synops += ops
            synop_s += ops * architecture.seconds(events.synop[op_class])
        updates = np.zeros((steps, len(cores)))
        if unit.neuron_layer is not None:
            per_step = _per_step(grouped[unit.neuron_layer], "neuron_updates", trace)
            updates = _split(per_step, len(cores))
        is_last = index == len(mapping.placements) - 1
        out = np.zeros(steps) if is_last else events_in[index + 1]
        spikes_out = _split(out, len(cores))
        works.append(UnitWork(unit, cores, events_in[index], synops, synop_s, updates, spikes_out))
    return CoreWork(
        tuple(works),
        steps,
        architecture.seconds(events.neuron_update),
        architecture.seconds(events.spike_packet),
        _input_interval(architecture),
    )


def _per_step(rows: pd.DataFrame, column: str, trace: Trace) -> np.ndarray:
    """A column per step per sample; steps the layer did not run in count zero."""
    values = np.zeros(trace.steps)
    steps = rows["step"].to_numpy(dtype=np.int64)
    if steps.size and (steps.min() < 0 or steps.max() >= trace.steps):
        raise CoreWorkError(
            f"layer {rows['layer'].iloc[0]!r}: step {int(steps.max())} outside the trace's "
            f"{trace.steps} steps"
        )
    np.add.at(values, steps, rows[column].to_numpy(dtype=float) / trace.batch_size)
    return values


def _split(per_step: np.ndarray, parts: int) -> np.ndarray:
    return np.stack([share(value, parts) for value in per_step]).astype(float)


def _input_interval(architecture: Architecture) -> float:
    bandwidth = architecture.off_chip_bandwidth
    packet_bits = architecture.mesh.packet_bits
    if bandwidth is None or packet_bits is None:
        return 0.0
    return packet_bits.si / bandwidth.si
