"""Static counting (shapes only, meta device) of models built by a factory with each of the six
snnTorch neurons: it equals a real trace's dense counts, without weight memory."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import snntorch as snn
import torch
import torch.nn as nn

import neurocost as nc
from neurocost.tracing.static import build_on_meta

NEURONS: dict[str, Callable[[], nn.Module]] = {
    "Leaky": lambda: snn.Leaky(0.9, init_hidden=True),
    "Synaptic": lambda: snn.Synaptic(0.8, 0.9, init_hidden=True),
    "RLeaky": lambda: snn.RLeaky(0.9, linear_features=6, init_hidden=True),
    "RSynaptic": lambda: snn.RSynaptic(0.8, 0.9, linear_features=6, init_hidden=True),
    "Lapicque": lambda: snn.Lapicque(beta=0.9, init_hidden=True),
    "Alpha": lambda: snn.Alpha(0.9, 0.8, init_hidden=True),
}


@pytest.mark.parametrize("neuron", list(NEURONS))
def test_a_factory_with_snntorch_neurons_counts_statically(neuron):
    def factory() -> nn.Module:
        return nn.Sequential(nn.Linear(4, 6), NEURONS[neuron]())

    static = nc.count_static(factory, (3, 2, 4), steps=None)
    torch.manual_seed(0)
    real = nc.trace(factory(), torch.ones(3, 2, 4))
    for name in ("dense_ops", "neuron_updates", "neurons"):
        assert static.totals()[name].value == real.totals()[name].value, name


def test_build_on_meta_holds_no_weight_memory():
    model = build_on_meta(lambda: nn.Sequential(nn.Linear(400, 600), snn.Leaky(0.9)))
    assert all(t.is_meta for t in [*model.parameters(), *model.buffers()])
