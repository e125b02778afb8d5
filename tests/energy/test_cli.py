"""``neurocost profiles`` and ``neurocost estimate`` from the command line."""

from __future__ import annotations

import json

import pytest
import torch
import yaml

import neurocost as nc
from neurocost.cli import main
from neurocost.models import zoo
from tests.energy.builders import toy_dict


def test_profiles_list_names_every_builtin(capsys):
    assert main(["profiles", "list"]) == 0
    out = capsys.readouterr().out
    for profile_id in ("cmos45", "loihi", "truenorth", "h100", "snn-45nm-ac-mac"):
        assert profile_id in out


def test_profiles_show_prints_constants_with_sources(capsys):
    assert main(["profiles", "show", "loihi"]) == 0
    out = capsys.readouterr().out
    assert "compute.ac_by_connection.conv.any" in out and "SANA-FE" in out and "Davies" in out


def test_profiles_validate_accepts_a_good_file(tmp_path, capsys):
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(toy_dict()))
    assert main(["profiles", "validate", str(path)]) == 0
    assert "valid profile toy" in capsys.readouterr().out


def test_profiles_validate_names_file_and_field_of_a_bad_one(tmp_path, capsys):
    data = toy_dict()
    data["static_power"]["unit"] = "watts"
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["profiles", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "toy.yaml" in err and "static_power.unit" in err and "unknown unit" in err


@pytest.fixture
def spike_file(tmp_path):
    """Bernoulli(0.2) spikes shaped for zoo:scnn, time-first [T=2, B=1, 1, 28, 28]."""
    generator = torch.Generator().manual_seed(0)
    spikes = torch.bernoulli(torch.full((2, 1, 1, 28, 28), 0.2), generator=generator)
    path = tmp_path / "spikes.pt"
    torch.save(spikes, path)
    return path, spikes


def test_estimate_on_loihi_json_matches_pricing_the_trace(spike_file, capsys):
    path, spikes = spike_file
    args = ["estimate", "zoo:scnn", "--profile", "loihi", "--input", str(path),
            "--input-encoding", "spike", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    expected = nc.price(nc.trace(zoo.get("scnn"), spikes, input_encoding="spike"), "loihi")
    assert data["energy"]["value"] == pytest.approx(expected.energy_j)
    assert data["profile"]["id"] == "loihi"
    assert data["regime"] == "compute+memory+static"


def test_estimate_prints_breakdown_and_regime(capsys):
    args = ["estimate", "zoo:scnn", "--profile", "cmos45", "--batch", "1", "--steps", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "regime    compute+memory" in out
    assert "(chip)" in out and "compute" in out and "static" in out


def test_simulated_estimate_explains_its_latency_and_groups_equal_cores(capsys):
    args = ["estimate", "zoo:scnn", "--profile", "loihi", "--encoder", "rate", "--samples", "1",
            "--steps", "2", "--simulate"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(simulation: the simpy simulation of the mapped chip)" in out
    assert "on the chip +" in out and "fixed per step" in out
    assert "cores, each)" in out and "core:1 " not in out
    # spike-encoded input has no MACs, so the profile's note on avoiding MACs is not shown
    assert "No MAC path" not in out


def test_the_mac_path_note_comes_with_the_error_that_needs_it(capsys):
    assert main(["estimate", "zoo:scnn", "--profile", "loihi", "--samples", "1"]) == 2
    assert "No MAC path" in capsys.readouterr().err
