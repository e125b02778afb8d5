"""Neuron updates, spikes and recurrent synapses for every snnTorch 1.0 neuron a user reaches for.

The reference re-runs the model without neurocost, records every neuron's output with plain
forward hooks, and counts updates, spikes and recurrent/feed-forward synaptic pairs by brute force.
"""

from __future__ import annotations

import pytest
import snntorch as snn
import torch
import torch.nn as nn
from snntorch import utils

import neurocost as nc
from neurocost.tracing.recorder import _unit_spike_count
from tests.tracing.brute_force import linear_pairs

T, B = 6, 3

NEURONS = {
    "Leaky": (snn.Leaky, dict(beta=0.9), False),
    "Lapicque": (snn.Lapicque, dict(beta=0.9), False),
    "Synaptic": (snn.Synaptic, dict(alpha=0.8, beta=0.9), False),
    "Alpha": (snn.Alpha, dict(alpha=0.9, beta=0.8), False),
    "RLeaky": (snn.RLeaky, dict(beta=0.9, linear_features=6), True),
    "RSynaptic": (snn.RSynaptic, dict(alpha=0.8, beta=0.9, linear_features=6), True),
}
STATE_VARIABLES = {"Leaky": 1, "Lapicque": 1, "Synaptic": 2, "Alpha": 3, "RLeaky": 1,
                   "RSynaptic": 2}  # from each class's state equations in snnTorch's docstrings


def _stepwise(name: str) -> nn.Module:
    cls, kw, _ = NEURONS[name]
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(8, 6), cls(**kw, init_hidden=True), nn.Linear(6, 4),
                        snn.Leaky(beta=0.9, init_hidden=True, output=True))
    with torch.no_grad():
        net[0].weight.mul_(4)
    return net


class _ExplicitState(nn.Module):
    """A model that loops over time itself and passes neuron state explicitly."""

    def __init__(self, name: str) -> None:
        super().__init__()
        cls, kw, self.recurrent = NEURONS[name]
        torch.manual_seed(0)
        self.fc = nn.Linear(8, 6)
        with torch.no_grad():
            self.fc.weight.mul_(4)
        self.lif = cls(**kw)

    def forward(self, x):
        state = ()
        out = []
        for t in range(x.shape[0]):
            result = self.lif(self.fc(x[t]), *state)
            state = result if self.recurrent else result[1:]
            out.append(result[0])
        return torch.stack(out)


def _inputs() -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    return torch.rand(T, B, 8, generator=g)


def _reference_spikes(model: nn.Module, x: torch.Tensor, stepwise: bool) -> list[torch.Tensor]:
    """Every step's spikes of the first neuron layer, from a plain run with a forward hook."""
    neuron = model[1] if stepwise else model.lif
    seen: list[torch.Tensor] = []
    handle = neuron.register_forward_hook(
        lambda m, i, o: seen.append((o[0] if isinstance(o, tuple) else o).clone()))
    with torch.no_grad():
        if stepwise:
            utils.reset(model)
            for t in range(x.shape[0]):
                model(x[t])
        else:
            model(x)
    handle.remove()
    return seen


@pytest.mark.parametrize("name", list(NEURONS))
def test_stepwise_neuron_counts(name):
    model, x = _stepwise(name), _inputs()
    spikes = _reference_spikes(_stepwise(name), x, stepwise=True)  # a fresh twin, from rest
    tr = nc.trace(model, x)
    rows = tr.layers[tr.layers.layer == "1"]
    assert rows.neuron_updates.sum() == 6 * T * B
    assert rows.spikes_out.sum() == sum(int(s.count_nonzero()) for s in spikes)
    assert rows.state_bits_written.sum() == 6 * T * B * STATE_VARIABLES[name] * 32
    fc2 = tr.layers[tr.layers.layer == "2"]
    expected = sum(linear_pairs(s.numpy(), model[2].weight.detach().numpy())[0] for s in spikes)
    assert fc2.effective_ops.sum() == expected
    assert set(fc2.op_class) == {"ac"}


@pytest.mark.parametrize("name", list(NEURONS))
def test_explicit_state_neuron_counts(name):
    model, x = _ExplicitState(name), _inputs()
    spikes = _reference_spikes(_ExplicitState(name), x, stepwise=False)
    tr = nc.trace(model, x, steps=T)
    rows = tr.layers[tr.layers.layer == "lif"]
    assert list(rows.step) == list(range(T))
    assert rows.neuron_updates.sum() == 6 * T * B
    assert rows.spikes_out.sum() == sum(int(s.count_nonzero()) for s in spikes)
    if NEURONS[name][2]:  # recurrent weights read the previous step's spikes
        recurrent = tr.layers[tr.layers.layer == "lif.recurrent"]
        weight = model.lif.recurrent.weight.detach().numpy()
        previous = [torch.zeros_like(spikes[0]), *spikes[:-1]]
        assert recurrent.effective_ops.sum() == sum(
            linear_pairs(s.numpy(), weight)[0] for s in previous)
        assert set(recurrent.op_class) == {"ac"}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_unit_spike_counts_are_exact_in_every_float_width(dtype):
    """3001 ones among 4096: float32 sums them exactly; float16 cannot hold 3001 (it is not a
    multiple of 2 above 2048), so that width is counted in float64."""
    spikes = torch.zeros(4096, dtype=dtype)
    spikes[torch.randperm(4096, generator=torch.Generator().manual_seed(0))[:3001]] = 1
    assert _unit_spike_count(spikes) == 3001
