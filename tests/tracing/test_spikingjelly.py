"""SpikingJelly models traced unchanged: neurons, layer wrappers, single- and multi-step mode.

References are independent of neurocost: a plain run (after SpikingJelly's own
``functional.reset_net``) records every neuron's output and every layer's input with forward
hooks, and updates, spikes and synaptic pairs are then counted by brute force
(``tests/tracing/brute_force.py``). SpikingJelly's own op counter is the second oracle where it
counts the same thing.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

import neurocost as nc
from neurocost.tracing.neurons import SPIKINGJELLY_STATE_VARIABLES
from tests.tracing.brute_force import conv_pairs, linear_pairs

pytest.importorskip("spikingjelly")
from spikingjelly.activation_based import (  # noqa: E402
    base,
    functional,
    layer,
    neuron,
    op_counter,
    surrogate,
)

from tests.tracing.spikingjelly_models import (  # noqa: E402
    recorded,
    spikingjelly_op_counts,
)

T, B = 5, 3
NEURONS = {
    "IFNode": lambda: neuron.IFNode(surrogate_function=surrogate.ATan()),
    "LIFNode": lambda: neuron.LIFNode(tau=2.0, surrogate_function=surrogate.Sigmoid()),
    "ParametricLIFNode": lambda: neuron.ParametricLIFNode(init_tau=2.0, v_reset=None),
}


def _dense_net(name: str, step_mode: str) -> nn.Module:
    """Linear -> neuron -> Linear -> LIF, the first pair nested the way blocks are written."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Sequential(layer.Linear(8, 6), NEURONS[name]()),
                        layer.Linear(6, 4), neuron.LIFNode())
    with torch.no_grad():
        net[0][0].weight.mul_(4)
        net[1].weight[:, 0] = 0  # a pruned column: effective pairs must skip it
    functional.set_step_mode(net, step_mode)
    return net


def _conv_net(folded: bool, norm: bool = True) -> nn.Module:
    """A multi-step CNN: conv/BN either in a SeqToANNContainer or as multi-step layer.* modules."""
    torch.manual_seed(0)
    norms = [nn.BatchNorm2d(6) if folded else layer.BatchNorm2d(6)] if norm else []
    if folded:
        block = layer.SeqToANNContainer(nn.Conv2d(4, 6, 3, stride=2, padding=1), *norms)
    else:
        block = nn.Sequential(layer.Conv2d(4, 6, 3, stride=2, padding=1), *norms)
    net = nn.Sequential(layer.Conv2d(1, 4, 3, padding=1), neuron.LIFNode(), layer.MaxPool2d(2),
                        block, neuron.IFNode(), layer.Flatten(), layer.Linear(6 * 2 * 2, 5),
                        neuron.LIFNode())
    with torch.no_grad():
        net[0].weight.mul_(3)
    functional.set_step_mode(net, "m")
    return net


def _inputs(*shape: int) -> torch.Tensor:
    return torch.rand(T, B, *shape, generator=torch.Generator().manual_seed(1)) * 2


def _trace(model: nn.Module, x: torch.Tensor, step_mode: str) -> nc.Trace:
    return nc.trace(model, x, steps=T if step_mode == "m" else None)


@pytest.mark.parametrize("step_mode", ["s", "m"])
@pytest.mark.parametrize("name", list(NEURONS))
def test_neuron_updates_spikes_and_the_spike_driven_layer(name, step_mode):
    model, x = _dense_net(name, step_mode), _inputs(8)
    (spikes,) = recorded(model, x, [model[0][1]], step_mode)
    tr = _trace(model, x, step_mode)
    rows = tr.layers[tr.layers.layer == "0.1"]
    assert list(rows.step) == list(range(T))
    assert rows.neuron_updates.sum() == 6 * T * B
    assert rows.spikes_out.sum() == sum(int(s.count_nonzero()) for s in spikes) > 0
    assert rows.state_bits_written.sum() == 6 * T * B * SPIKINGJELLY_STATE_VARIABLES[name] * 32
    fc2 = tr.layers[tr.layers.layer == "1"]
    weight = model[1].weight.detach().numpy()
    assert list(fc2.effective_ops) == [linear_pairs(s.numpy(), weight)[0] for s in spikes]
    assert set(fc2.op_class) == {"ac"}  # the neuron emits spikes, so the layer it feeds adds
    assert tr.coverage == 1.0


@pytest.mark.parametrize("name", list(NEURONS))
def test_single_and_multi_step_mode_give_the_same_rows(name):
    x = _inputs(8)
    single = _trace(_dense_net(name, "s"), x, "s").layers
    multi = _trace(_dense_net(name, "m"), x, "m").layers
    key = ["layer", "step"]
    pd_single = single.sort_values(key).reset_index(drop=True)
    pd_multi = multi.sort_values(key).reset_index(drop=True)
    assert pd_single.equals(pd_multi)


@pytest.mark.parametrize("folded", [True, False], ids=["SeqToANNContainer", "layer.Conv2d"])
def test_multi_step_convolutions_exact_per_step(folded):
    model, x = _conv_net(folded), _inputs(1, 8, 8)
    conv2 = model[3][0]
    (inputs,) = recorded(model, x, [model[3]], "m", want_input=True)
    tr = _trace(model, x, "m")
    rows = tr.layers[tr.layers.layer == "3.0"]
    assert list(rows.step) == list(range(T))
    w = conv2.weight.detach().numpy()
    expected = [conv_pairs(s.numpy(), w, (2, 2), (1, 1), (1, 1), 1) for s in inputs]
    assert list(rows.effective_ops) == [e for e, _ in expected]
    assert list(rows.dense_ops) == [d for _, d in expected]
    assert set(rows.op_class) == {"ac"}
    assert tr.coverage == 1.0


def test_seq_to_ann_container_and_multi_step_layers_count_alike():
    x = _inputs(1, 8, 8)
    folded = _trace(_conv_net(True), x, "m").layers.drop(columns="kind")
    layered = _trace(_conv_net(False), x, "m").layers.drop(columns="kind")
    assert folded.equals(layered)


def test_multi_step_model_traced_step_by_step_is_a_clear_error():
    with pytest.raises(ValueError, match="'0.0' is a SpikingJelly module in multi-step mode"):
        nc.trace(_dense_net("LIFNode", "m"), _inputs(8))


def test_trace_starts_from_rest_whatever_ran_before():
    model, x = _conv_net(False, norm=False), _inputs(1, 8, 8)  # BN running stats aside
    first = _trace(model, x, "m").layers
    with torch.no_grad():
        model(x * 3)  # leaves membranes charged
    assert _trace(model, x, "m").layers.equals(first)


def test_state_variable_table_matches_the_memories_each_neuron_registers():
    required = {"SimpleLIFNode": dict(tau=2.0, decay_input=True)}
    for name, count in SPIKINGJELLY_STATE_VARIABLES.items():
        module = getattr(neuron, name)(**required.get(name, {}))
        assert len(module._memories) == count, name  # SpikingJelly's register_memory calls


class _HomemadeNode(neuron.SimpleBaseNode):
    """A user's neuron: a SpikingJelly neuron subclass neurocost has no state table for."""

    def neuronal_charge(self, x: torch.Tensor) -> None:
        self.v = self.v + x


class _Leaky(base.MemoryModule):
    """A user's stateful module that is not a neuron: it keeps a running trace of its input."""

    def __init__(self) -> None:
        super().__init__()
        self.register_memory("trace", 0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.trace = self.trace * 0.5 + x
        return self.trace


class _MyLIF(neuron.LIFNode):
    """A user's subclass of a known neuron: counted as the neuron it extends."""


def test_a_users_subclass_of_a_known_neuron_counts_as_that_neuron():
    model = nn.Sequential(layer.Linear(8, 6), _MyLIF())
    rows = nc.trace(model, _inputs(8)).layers
    assert rows[rows.layer == "1"].neuron_updates.sum() == 6 * T * B


@pytest.mark.parametrize("module, named", [
    (_HomemadeNode, "_HomemadeNode"), (_Leaky, "_Leaky"),
    (lambda: neuron.LIAFNode(act=nn.ReLU(), threshold_related=False), "LIAFNode"),  # analog out
])
def test_strict_mode_refuses_stateful_modules_it_cannot_count(module, named):
    model = nn.Sequential(nn.Sequential(layer.Linear(8, 6), module()), layer.Linear(6, 4))
    with pytest.raises(nc.tracing.trace.UnsupportedOperation, match=named):
        nc.trace(model, _inputs(8))
    lenient = nc.trace(model, _inputs(8), strict=False)
    assert [g.where for g in lenient.gaps] == ["0.1"]


# ---- SpikingJelly's own op counter -----------------------------------------------------------
def _spikingjelly_counts(model: nn.Module, x: torch.Tensor) -> dict[str, int]:
    """SynOps, MACs and neuromorphic memory bytes from SpikingJelly's op counter (per batch)."""
    synops, macs = spikingjelly_op_counts(model, x)
    memory = op_counter.NeuromorphicMemoryAccessCounter()
    with torch.no_grad(), op_counter.ModuleCounterMode([memory], model=model):
        model(x)
    functional.reset_net(model)
    found = memory.get_counts()["Global"]
    return {"synops": synops["Global"], "macs": macs["Global"], **found}


def test_agrees_with_spikingjelly_op_counter_where_it_counts_the_same_thing():
    # No BN here: SpikingJelly's MACCounter adds BN's affine MACs, which are no synaptic work.
    model, x = _conv_net(False, norm=False), _inputs(1, 8, 8)
    theirs = _spikingjelly_counts(model, x)
    rows = _trace(model, x, "m").layers
    ac, mac = rows[rows.op_class == "ac"], rows[rows.op_class == "mac"]
    assert theirs["synops"] == ac.effective_ops.sum() > 0
    # SpikingJelly counts a MAC layer's padding taps (nominal); neurocost keeps both counts.
    assert theirs["macs"] == mac.nominal_ops.sum() > mac.dense_ops.sum()
    assert theirs["neuron_state_read_bytes"] * 8 == rows.state_bits_read.sum()
    assert theirs["neuron_state_write_bytes"] * 8 == rows.state_bits_written.sum()
    weight_bytes = ac.weight_bits_read_event.sum() / 8 + mac.nominal_ops.sum() * 4
    assert theirs["weight_read_bytes"] == weight_bytes


def test_spikingjelly_synops_include_zero_weights_and_neurocost_does_not():
    """SpikingJelly's SynOpCounter multiplies spikes by the fan-out of *all* weights (its conv
    rule re-runs the layer with a weight of ones), so pruned synapses still count there."""
    model, x = _dense_net("IFNode", "m"), _inputs(8)
    (spikes,) = recorded(model, x, [model[0][1]], "m")
    rows = _trace(model, x, "m").layers
    fc2 = rows[rows.layer == "1"]
    ones = torch.ones_like(model[1].weight).numpy()
    theirs = _spikingjelly_counts(model, x)["synops"]
    assert theirs == sum(linear_pairs(s.numpy(), ones)[0] for s in spikes)
    assert theirs - fc2.effective_ops.sum() == sum(int(s[:, 0].count_nonzero()) * 4
                                                  for s in spikes) > 0
