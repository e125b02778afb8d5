"""``reset_state``: every neuron back at rest wherever it sits; state no rule covers is refused."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import snntorch as snn
import snntorch.utils
import torch
import torch.nn as nn

import neurocost as nc
from neurocost.models import state
from neurocost.models.datasets import LabelledData, load_digits
from neurocost.models.training import evaluate, train
from neurocost.tracing.recorder import UnsupportedOperation
from tests.tracing.test_neurons import NEURONS, _ExplicitState

T, B = 5, 3


class _Block(nn.Module):
    """A neuron two containers deep, as users nest them (a list inside a block inside a model)."""

    def __init__(self, neuron: nn.Module) -> None:
        super().__init__()
        self.stages = nn.ModuleList([nn.Sequential(nn.Linear(8, 6), neuron)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.stages[0](x)
        return out[0] if isinstance(out, tuple) else out


class _Nested(nn.Module):
    def __init__(self, name: str) -> None:
        super().__init__()
        cls, kw, _ = NEURONS[name]
        torch.manual_seed(0)
        self.body = nn.Sequential(_Block(cls(**kw, init_hidden=True)))
        self.head = nn.Linear(6, 2)
        with torch.no_grad():
            self.body[0].stages[0][0].weight.mul_(4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def _inputs(seed: int = 1) -> torch.Tensor:
    return torch.rand(T, B, 8, generator=torch.Generator().manual_seed(seed))


def _state_tensors(model: nn.Module) -> list[torch.Tensor]:
    return [buf for m in model.modules() if isinstance(m, snn.SpikingNeuron)
            for name, buf in m.named_buffers(recurse=False)
            if name in m._non_persistent_buffers_set]


def _run(model: nn.Module, x: torch.Tensor) -> None:
    with torch.no_grad():
        for frame in x:
            model(frame)


@pytest.mark.parametrize("name", list(NEURONS))
def test_reset_zeroes_nested_neurons_and_their_copies(name: str) -> None:
    model = _Nested(name)
    _run(model, _inputs())
    copied = copy.deepcopy(model)
    for each in (model, copied):
        assert any(bool(t.any()) for t in _state_tensors(each))  # the run left state behind
        nc.reset_state(each)
        assert all(not bool(t.any()) for t in _state_tensors(each))


@pytest.mark.parametrize("name", list(NEURONS))
def test_snntorch_own_reset_misses_the_nested_neuron(name: str) -> None:
    """Why neurocost resets neurons itself: the comparison above fails with snnTorch's reset."""
    model = copy.deepcopy(_Nested(name))
    _run(model, _inputs())
    snntorch.utils.reset(model)
    assert any(bool(t.any()) for t in _state_tensors(model))


@pytest.mark.parametrize("name", list(NEURONS))
def test_traces_repeat_for_nested_and_explicit_state_neurons(name: str) -> None:
    x = _inputs()
    nested = _Nested(name)
    first = nc.trace(nested, x).layers
    _run(nested, _inputs(seed=2))
    pd.testing.assert_frame_equal(nc.trace(nested, x).layers, first)
    pd.testing.assert_frame_equal(nc.trace(copy.deepcopy(nested), x).layers, first)

    explicit = _ExplicitState(name)
    first = nc.trace(explicit, x, steps=T, batch_dim=1).layers
    explicit(_inputs(seed=2))
    pd.testing.assert_frame_equal(nc.trace(explicit, x, steps=T, batch_dim=1).layers, first)


def test_reset_leaves_other_models_alone() -> None:
    """snnTorch resets every instance of a class in the process; ours touches only this model."""
    ours, theirs = _Nested("Leaky"), _Nested("Leaky")
    _run(ours, _inputs())
    _run(theirs, _inputs())
    kept = [t.clone() for t in _state_tensors(theirs)]
    nc.reset_state(ours)
    assert all(torch.equal(a, b) for a, b in zip(_state_tensors(theirs), kept, strict=True))


class _Counter(nn.Module):
    """A stateful module neurocost does not know: it counts its calls in a buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("calls", torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return x * (self.calls > 2)


def _with_counter() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 6), nn.Sequential(_Counter()), nn.Linear(6, 2))


def test_unknown_state_is_refused_in_strict_mode_naming_the_module() -> None:
    with pytest.raises(UnsupportedOperation, match=r"model\.1\.0\.calls \(_Counter\)"):
        nc.trace(_with_counter(), _inputs())


def test_unknown_state_is_named_in_warnings_when_not_strict() -> None:
    with pytest.warns(UserWarning, match="register_state_reset"):
        traced = nc.trace(_with_counter(), _inputs(), strict=False)
    assert any("model.1.0.calls" in w for w in traced.warnings)


def test_registered_reset_makes_unknown_state_repeatable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state, "_RULES", dict(state._RULES))

    def zero_calls(module: nn.Module) -> None:
        module.calls.zero_()

    nc.register_state_reset(_Counter, zero_calls, covers=["calls"])
    model = _with_counter()
    first = nc.trace(model, _inputs()).layers
    pd.testing.assert_frame_equal(nc.trace(model, _inputs()).layers, first)


def test_register_state_reset_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="nn.Module subclass"):
        nc.register_state_reset(int, lambda m: None)
    with pytest.raises(TypeError, match="callable"):
        nc.register_state_reset(_Counter, "zero")


# ---- training and evaluation -------------------------------------------------------------
def _digits(n: int = 128) -> LabelledData:
    d = load_digits()
    return LabelledData("digits-small", d.train_x[:n], d.train_y[:n], d.test_x[:n],
                        d.test_y[:n], d.classes)


def _nested_digits_snn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Sequential(
        nn.Sequential(nn.Linear(64, 32), snn.Leaky(beta=0.9, init_hidden=True)),
        nn.Sequential(nn.Linear(32, 10), snn.Leaky(beta=0.9, init_hidden=True, output=True)),
    ))


def test_seeded_training_of_a_nested_snn_repeats() -> None:
    data = _digits()
    runs = [train(_nested_digits_snn(), data, epochs=2, batch_size=32, progress=False)
            for _ in range(2)]
    assert runs[0].history == runs[1].history


def test_evaluation_does_not_depend_on_the_previous_batch() -> None:
    data = _digits()
    model = _nested_digits_snn()
    fresh = evaluate(copy.deepcopy(model), data, steps=4, batch_size=32)
    _run(model, torch.rand(4, 32, 1, 8, 8, generator=torch.Generator().manual_seed(3)) * 5)
    assert evaluate(model, data, steps=4, batch_size=32) == fresh
