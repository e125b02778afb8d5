"""simulate() on a traced zoo model: the spiking CNN on the Loihi profile's architecture."""

from __future__ import annotations

import pytest
import torch

import neurocost as nc
from neurocost.energy.registry import load_profile
from neurocost.models.encodings import SPIKE
from neurocost.models.zoo.registry import get


@pytest.fixture(scope="module")
def scnn_trace():
    # 4 steps of Bernoulli(0.3) spike images, batch 1 (exact mode needs whole per-sample counts)
    spikes = (torch.rand(4, 1, 1, 28, 28, generator=torch.Generator().manual_seed(0)) < 0.3)
    return nc.trace(get("scnn"), spikes.float(), input_encoding=SPIKE)


def test_scnn_on_loihi_both_fidelities_agree(scnn_trace):
    loihi = load_profile("loihi")
    aggregated = nc.simulate(scnn_trace, loihi)
    exact = nc.simulate(scnn_trace, loihi, mode="exact")
    assert aggregated.synops == exact.synops == scnn_trace.totals()["effective_acs"].value
    assert aggregated.neuron_updates == scnn_trace.totals()["neuron_updates"].value
    assert (aggregated.packets, aggregated.hops) == (exact.packets, exact.hops)
    assert abs(aggregated.latency_s / exact.latency_s - 1) <= 0.05
    # conv1+lif1, conv2+lif2, fc+lif3 are the three units; nothing is left unplaced
    assert list(aggregated.layers["layers"]) == ["0,2", "3,5", "7,8"]
