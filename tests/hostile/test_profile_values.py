"""No silent wrong price: every profile constant is finite and in range, whether written in a
file or swept as an override, and the error names the file and the field."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from neurocost.energy.params import OverrideError
from neurocost.energy.pricing import price, price_variants
from neurocost.energy.registry import ProfileError, read_profile_file
from neurocost.errors import NeurocostError
from tests.energy.builders import fixture_constant, toy, toy_dict, two_layer_trace


def _set(data: dict[str, Any], dotted: str, value: float) -> dict[str, Any]:
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[part]
    node[last] = {**node[last], "value": value}
    return data


def _cycles_profile() -> dict[str, Any]:
    """The toy profile with throughput in cycles, so the clock divides."""
    data = toy_dict(clock=fixture_constant(1, "GHz"))
    data["throughput"]["mac"] = {"any": fixture_constant(1, "cycles")}
    return data


BAD = [
    ("compute.mac.fp32", math.nan),
    ("compute.mac.fp32", math.inf),
    ("compute.mac.fp32", -4.0),
    ("compute.ac.fp32", 0.0),
    ("memory.small.capacity", -4000.0),
    ("memory.small.capacity", math.inf),
    ("memory.small.read", -1.0),
    ("technology.voltage", -0.9),
    ("technology.node", 0.0),
    ("neuron.update.Leaky", math.nan),
    ("routing.per_hop", -7.0),
    ("static_power", -1.0),
    ("throughput.barrier", -10.0),
    ("clock", 0.0),
]


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}={v}" for f, v in BAD])
def test_a_constant_out_of_range_names_file_and_field(tmp_path: Path, field: str, value: float):
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(_set(_cycles_profile(), field, value)))
    with pytest.raises(ProfileError, match=rf"^{path}: .*field {field}(\.value)?: ") as err:
        read_profile_file(path)
    assert isinstance(err.value, NeurocostError)


def test_nan_used_to_price_a_model_at_zero_joules() -> None:
    # the old failure: a NaN constant validated, then pricing filled NaN with 0
    with pytest.raises(ProfileError, match="compute.mac.fp32"):
        toy(compute={"mac": {"fp32": fixture_constant(math.nan, "pJ")},
                     "ac": {"fp32": fixture_constant(1, "pJ")}})


def test_a_capacity_of_zero_is_a_question_not_an_error() -> None:
    data = _set(toy_dict(), "memory.small.capacity", 0.0)
    assert toy(memory=data["memory"]).memory["small"].capacity.value == 0


@pytest.mark.parametrize("bad", [-0.9, 0.0])
def test_a_swept_voltage_is_checked_like_a_written_one(bad: float) -> None:
    good = price(two_layer_trace(), toy()).energy_j
    assert good > 0
    with pytest.raises((OverrideError, ProfileError), match="technology.voltage"):
        price_variants(two_layer_trace(), toy(), {"technology.voltage": [0.9, bad]})
