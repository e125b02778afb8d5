"""A toy event-driven chip with round event times, so test expectations can be derived by hand.

All times are in ns: synaptic op 1, neuron update 2, spike packet emission 3, within-tile
delivery 5, east-west hop 7, north-south hop 11; barrier 100 ns on 1 tile, 400 ns on 16 tiles.
The constants are invented for tests (basis: assumption), not any chip's.
"""

from __future__ import annotations

from typing import Any

from neurocost.provenance import Sourced
from neurocost.sim.architecture import Architecture


def toy(value: float, unit: str) -> Sourced:
    return Sourced(value=value, unit=unit, source="test toy chip", basis="assumption")


def toy_chip(
    cores: int = 16,
    neurons_per_core: int = 100,
    synapse_bits_per_core: int = 1_000_000,
    columns: int = 4,
    rows: int = 4,
    cores_per_tile: int = 1,
    **overrides: Any,
) -> Architecture:
    fields: dict[str, Any] = {
        "style": "event_driven",
        "cores": {
            "count": toy(cores, "count"),
            "neurons_per_core": toy(neurons_per_core, "count"),
            "synapse_bits_per_core": toy(synapse_bits_per_core, "bit"),
        },
        "events": {
            "synop": {"ac": toy(1, "ns")},
            "neuron_update": toy(2, "ns"),
            "spike_packet": toy(3, "ns"),
        },
        "mesh": {
            "columns": toy(columns, "count"),
            "rows": toy(rows, "count"),
            "cores_per_tile": toy(cores_per_tile, "count"),
            "local_latency": toy(5, "ns"),
            "hop_latency_ew": toy(7, "ns"),
            "hop_latency_ns": toy(11, "ns"),
        },
        "sync": {
            "mode": "barrier",
            "barrier_latency": {1: toy(100, "ns"), 16: toy(400, "ns")},
        },
    }
    fields.update(overrides)
    return Architecture.model_validate(fields)
