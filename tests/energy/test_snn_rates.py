"""The spiking papers' energy rule with logged firing rates (``snn-rates``), on the hand-built
two-layer trace of ``tests/energy/builders.py`` (fc1 fp32 MAC -> lif1 -> fc2 spike AC)."""

from __future__ import annotations

from pathlib import Path

import pytest

from neurocost.energy.conventions import get_convention
from neurocost.energy.counters import load_rates
from neurocost.energy.registry import load_profile
from tests.energy.builders import two_layer_trace

PROFILE = load_profile("snn-45nm-ac-mac").compute
E_MAC, E_AC = PROFILE.mac["any"].si, PROFILE.ac["any"].si


def test_traced_rates_are_nonzero_inputs_over_inputs():
    counts = get_convention("snn-rates").counts(two_layer_trace(steps=2))
    # fc1: 100 dense MACs x 2 steps; fc2: rate 3/10 (in_nonzero / in_elems) x 50 dense x 2
    assert counts["macs"].value == 200
    assert counts["synops"].value == pytest.approx(0.3 * 100)
    assert counts["energy"].value == pytest.approx(200 * E_MAC + 30 * E_AC)


def test_logged_rates_replace_the_traced_ones():
    conv = get_convention("snn-rates").with_rates({"fc2": 0.12})
    counts = conv.counts(two_layer_trace(steps=2))
    assert counts["synops"].value == pytest.approx(0.12 * 100)
    assert counts["energy"].value == pytest.approx(200 * E_MAC + 12 * E_AC)


def test_rates_load_from_yaml_and_csv_alike(tmp_path: Path):
    (tmp_path / "rates.yaml").write_text("fc2: 0.12\nfc3: 0.5\n")
    (tmp_path / "rates.csv").write_text("layer,rate\nfc2,0.12\nfc3,0.5\n")
    assert load_rates(tmp_path / "rates.yaml") == load_rates(tmp_path / "rates.csv") == {
        "fc2": 0.12, "fc3": 0.5}


def test_a_rate_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="must lie in"):
        get_convention("snn-rates").with_rates({"fc2": 1.5})
