"""Hidden state: put every stateful module of a model back at rest, at any depth.

A spiking model carries membrane potentials, synaptic currents and previous spikes from one call
to the next. Counts, accuracies and claims must not depend on what ran before, so every run
(trace, static count, training and evaluation batch, NIR export) starts from rest through
``reset_state``.

snnTorch's own ``snntorch.utils.reset`` cannot be relied on for this: it looks at a model's direct
children only, then resets neurons class-wide through the list of instances built in this
process. Neurons inside nested containers, and every neuron of a deep-copied or unpickled model,
are missed (and other models' neurons are touched). ``reset_state`` walks the model's own module
tree instead and applies, to each module, the rule registered for its class or nearest base
class. snnTorch neurons are known: their hidden state is exactly their non-persistent buffers
(``mem``, ``syn``, ``syn_exc``, ``syn_inh``, and the previous ``spk`` of recurrent neurons), which
are zeroed. SpikingJelly's stateful modules (``MemoryModule``: its neurons and stateful layers)
are known too, through their own ``reset()``, which restores every registered memory; that rule is
registered the first time a model is reset or watched after ``spikingjelly`` has been imported, so
spikingjelly is never imported here. Other stateful modules are taught with
``register_state_reset``.

``StateWatch`` finds the state no rule covers: it fingerprints the attributes of every module
before a run and names those the run changed, so the tracer can refuse (strict mode) a model
whose next run would start from this run's leftovers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import torch
import torch.nn as nn

__all__ = ["DEFAULT_STEPS", "StateRule", "StateWatch", "is_stepwise", "register_state_reset",
           "reset_state", "state_rule"]

DEFAULT_STEPS = 4  # time steps of a stepwise model when nothing says otherwise (the zoo's default)


@dataclass(frozen=True)
class StateRule:
    """How to bring one kind of module back to rest.

    ``reset`` restores the module's state in place. ``covers`` names the attributes (buffers or
    plain attributes) that the reset restores, or that every call recomputes before reading them;
    a run may change those, and ``StateWatch`` reports changes to any other attribute.
    """

    reset: Callable[[nn.Module], None]
    covers: Callable[[nn.Module], Collection[str]]


_RULES: dict[type, StateRule] = {}


def register_state_reset(
    cls: type[nn.Module],
    reset: Callable[[nn.Module], None],
    covers: Iterable[str] | Callable[[nn.Module], Collection[str]] = (),
) -> None:
    """Teach ``reset_state`` (and so ``trace``) how to reset modules of ``cls`` and subclasses.

    ``covers``: the attribute names the reset restores or that each call recomputes; a fixed list,
    or a function of the module. A later registration for the same class replaces the earlier.
    """
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise TypeError(f"register_state_reset needs an nn.Module subclass, got {cls!r}")
    if not callable(reset):
        raise TypeError(f"reset for {cls.__name__} must be callable, got {reset!r}")
    if callable(covers):
        names = covers
    else:
        fixed = frozenset(covers)

        def names(module: nn.Module) -> Collection[str]:
            return fixed

    _RULES[cls] = StateRule(reset, names)


def state_rule(module: nn.Module) -> StateRule | None:
    """The rule registered for the module's class or its nearest registered base class."""
    if not _spikingjelly_registered:
        _register_spikingjelly()
    for cls in type(module).__mro__:
        rule = _RULES.get(cls)
        if rule is not None:
            return rule
    return None


def is_stepwise(model: nn.Module) -> bool:
    """True when ``model`` keeps state between calls (a module with a state rule, such as a
    snnTorch neuron), so it is driven one time step per call on ``x[t]``; False when one call
    is the whole inference."""
    return any(state_rule(module) is not None for module in model.modules())


def reset_state(model: nn.Module) -> None:
    """Reset every module of ``model`` that has a state rule, however deeply it is nested."""
    for module in model.modules():
        rule = state_rule(module)
        if rule is not None:
            rule.reset(module)


# ---- snnTorch ------------------------------------------------------------------------------------
# Derived per call, never carried: the detached reset signal computed from the membrane at the
# start of each call (Leaky and its relatives), and the spikes StateLeaky keeps of the sequence it
# has just processed in one call.
_SNNTORCH_DERIVED = frozenset({"reset", "spk"})


def _snntorch_state(module: nn.Module) -> Collection[str]:
    return module._non_persistent_buffers_set | _SNNTORCH_DERIVED


def _reset_snntorch_neuron(module: nn.Module) -> None:
    """Zero the hidden state buffers, keeping their shape, dtype and device (as snnTorch does)."""
    for name in module._non_persistent_buffers_set:
        value = module._buffers.get(name)
        if isinstance(value, torch.Tensor):
            module._buffers[name] = torch.zeros_like(value)


def _register_snntorch() -> None:
    import snntorch

    register_state_reset(snntorch.SpikingNeuron, _reset_snntorch_neuron, _snntorch_state)


_register_snntorch()


# ---- SpikingJelly --------------------------------------------------------------------------------
# ``_memories`` holds the state that ``reset()`` restores; ``v_seq`` is the voltage sequence a
# neuron keeps when ``store_v_seq`` is set, which ``BaseNode.reset()`` clears.
_SPIKINGJELLY_STATE = frozenset({"_memories", "v_seq"})
_spikingjelly_registered = False


def _reset_memory_module(module: nn.Module) -> None:
    module.reset()


def _register_spikingjelly() -> None:
    """Register SpikingJelly's ``MemoryModule`` rule once spikingjelly has been imported.

    A model built from SpikingJelly modules has imported it; until then no module can need the
    rule, and importing spikingjelly here would make it a dependency of every trace.
    """
    global _spikingjelly_registered
    base = sys.modules.get("spikingjelly.activation_based.base")
    if base is None:
        return
    _spikingjelly_registered = True
    if base.MemoryModule not in _RULES:
        register_state_reset(base.MemoryModule, _reset_memory_module, _SPIKINGJELLY_STATE)


# ---- finding state no rule covers ---------------------------------------------------------------
_MODULE_INTERNALS = frozenset(vars(nn.Module()))
_MISSING = ("missing",)


def _fingerprint(value: object, depth: int = 0) -> object:
    """A value that changes when ``value`` is replaced or modified in place (tensors by version)."""
    if isinstance(value, torch.Tensor):
        return ("tensor", id(value), value._version)
    if isinstance(value, float) and value != value:
        return "nan"  # NaN != NaN would read as a change on every run
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return value
    if depth < 2 and isinstance(value, dict):
        return ("dict", id(value), tuple((k, _fingerprint(v, depth + 1)) for k, v in value.items()))
    if depth < 2 and isinstance(value, (list, tuple)):
        return ("seq", id(value), tuple(_fingerprint(v, depth + 1) for v in value))
    return ("object", id(value))


def _attributes(module: nn.Module) -> dict[str, object]:
    """The module's buffers and its own plain attributes, by name, fingerprinted."""
    found = {name: _fingerprint(value) for name, value in module._buffers.items()}
    for name, value in vars(module).items():
        if name not in _MODULE_INTERNALS:
            found[name] = _fingerprint(value)
    return found


def _may_keep_state(module: nn.Module) -> bool:
    """False for torch's own layers (``torch.nn.modules``): in eval mode, under ``no_grad``, their
    forward changes no attribute (batch norm updates its statistics in training mode only)."""
    return not type(module).__module__.startswith("torch.nn.modules.")


class StateWatch:
    """Fingerprints of the attributes of every module that may keep state, taken before a run.

    ``changed()`` lists, as ``"path.attribute"``, what the run changed that no state rule covers:
    state the next run would start from, and that ``reset_state`` cannot clear.
    """

    def __init__(self, model: nn.Module, root_name: str = "model") -> None:
        self._root = root_name
        self._before = [(name, module, _attributes(module))
                        for name, module in model.named_modules() if _may_keep_state(module)]

    def changed(self) -> list[str]:
        found = []
        for name, module, before in self._before:
            after = _attributes(module)
            rule = state_rule(module)
            covered = rule.covers(module) if rule is not None else ()
            path = f"{self._root}.{name}" if name else self._root
            found.extend(f"{path}.{attr} ({type(module).__name__})"
                         for attr in sorted(set(before) | set(after))
                         if attr not in covered and before.get(attr, _MISSING)
                         != after.get(attr, _MISSING))
        return found

