"""SANA-FE as a second engine: the traced activity replayed on SANA-FE must be the same activity.

SANA-FE (an optional, GPL extra) is imported only here; the tests skip without it and CI
installs ``neurocost[sanafe]``. Counts are exact integers (the replay fixes every spike train);
energies are compared with neurocost's pricing of the same activity on the same constants.
"""

from __future__ import annotations

import pytest

import neurocost as nc
from neurocost.energy.registry import load_profile
from neurocost.sim.sanafe_engine import SanafeError
from neurocost.sim.simulate import simulate
from neurocost.sim.synthetic import chain_trace

pytest.importorskip("sanafe")


@pytest.fixture(scope="module")
def loihi():
    return load_profile("loihi")


def test_sanafe_replays_exactly_the_traced_activity(loihi):
    trace = chain_trace([64, 48, 32, 10], steps=4, rate=0.2, seed=1)
    ours, theirs = simulate(trace, loihi), simulate(trace, loihi, engine="sanafe")
    assert theirs.mode == "sanafe"
    assert theirs.synops == ours.synops == trace.totals()["effective_acs"].value
    assert (theirs.packets, theirs.input_packets) == (ours.packets, ours.input_packets)
    assert len(theirs.per_step) == trace.steps + 1  # one more step delivers the last spikes


def test_sanafe_energy_is_neurocost_pricing_of_the_same_events(loihi):
    trace = chain_trace([100, 300, 120, 10], steps=4, rate=0.1, seed=1)
    theirs = simulate(trace, loihi, engine="sanafe")
    parts = nc.price(trace, loihi, timing=simulate(trace, loihi)).components()
    # synaptic events priced alike to rounding; SANA-FE's replay updates only firing neurons,
    # so its neuron energy is lower by (neurons with input - spikes) x the update energy; its
    # network energy adds the hops of input packets from the injector on the last tile
    assert theirs.engine_energy_j["synapse"] == pytest.approx(parts["compute"], rel=1e-9)
    assert theirs.engine_energy_j["network"] > parts["routing"]
    assert theirs.engine_energy_j["soma"] < parts["neuron"]
    assert theirs.engine_energy_j["total"] == pytest.approx(
        parts["compute"] + parts["neuron"] + parts["routing"], rel=0.15)


def test_an_estimate_priced_on_sanafe_timing_says_so(loihi):
    trace = chain_trace([64, 48, 10], steps=2, rate=0.2, seed=1)
    est = nc.price(trace, loihi, timing=simulate(trace, loihi, engine="sanafe"))
    assert est.latency_source == "sanafe"


def test_convolutions_are_refused_naming_the_layer(loihi):
    trace = chain_trace([64, 48, 10], steps=2, rate=0.2, seed=1)
    rows = trace.layers
    rows.loc[rows["layer"] == "fc1", "kind"] = "conv2d"
    with pytest.raises(SanafeError, match=r"'fc1' is \{'conv2d'\}.*linear"):
        simulate(trace, loihi, engine="sanafe")


def test_an_architecture_alone_has_no_event_energies(loihi):
    trace = chain_trace([64, 48, 10], steps=2, rate=0.2, seed=1)
    with pytest.raises(SanafeError, match="needs a profile"):
        simulate(trace, loihi.architecture, engine="sanafe")


def test_the_command_line_estimates_on_sanafe(capsys):
    from neurocost.cli import main

    args = ["estimate", "zoo:smlp", "--profile", "loihi", "--encode", "rate", "--batch", "1",
            "--steps", "2", "--simulate", "--engine", "sanafe"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(sanafe: " in out and "sanafe energy" in out


def test_json_output_stays_json_although_sanafe_prints_progress(capfd):
    import json

    from neurocost.cli import main

    args = ["estimate", "zoo:smlp", "--profile", "loihi", "--encode", "rate", "--batch", "1",
            "--steps", "2", "--simulate", "--engine", "sanafe", "--json"]
    assert main(args) == 0
    captured = capfd.readouterr()
    assert json.loads(captured.out)["latency_source"] == "sanafe"
    assert "Executed steps" in captured.err
