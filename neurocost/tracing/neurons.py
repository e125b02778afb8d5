"""What the tracer knows about spiking neurons: snnTorch's and SpikingJelly's.

One neuron update reads and writes every state variable once. The snnTorch state counts follow
the equations in snnTorch's neuron docstrings: Leaky and Lapicque keep a membrane potential;
Synaptic adds a synaptic current; Alpha keeps excitatory and inhibitory currents and the membrane;
the recurrent variants keep the same state (their previous spikes are outputs, read as inputs of
the recurrent connection).

SpikingJelly (2.x) neurons declare their state with ``register_memory``: IF, LIF, parametric LIF,
QIF, EIF, KLIF and the "simple" IF and LIF keep the membrane ``v``; Izhikevich adds the
adaptation current ``w``; CUBA-LIF adds the synaptic current ``c``. A SpikingJelly module in
multi-step mode (``step_mode == "m"``) takes and returns whole sequences ``[T, B, ...]`` in one
call. Neither framework is imported here: classes are recognised by name and defining package, so
neither becomes a dependency.
"""

from __future__ import annotations

import functools

import torch
import torch.nn as nn

STATE_VARIABLES: dict[str, int] = {
    "Leaky": 1,
    "Lapicque": 1,
    "Synaptic": 2,
    "RLeaky": 1,
    "RSynaptic": 2,
    "Alpha": 3,
}

SPIKINGJELLY_STATE_VARIABLES: dict[str, int] = {
    "SimpleIFNode": 1,
    "SimpleLIFNode": 1,
    "IFNode": 1,
    "LIFNode": 1,
    "ParametricLIFNode": 1,
    "QIFNode": 1,
    "EIFNode": 1,
    "KLIFNode": 1,
    "IzhikevichNode": 2,
    "CUBALIFNode": 2,
}


def _has_base(module: nn.Module, name: str, package: str) -> bool:
    return _type_has_base(type(module), name, package)


@functools.cache
def _type_has_base(module_type: type, name: str, package: str) -> bool:
    """Asked for every module of every trace; a class's bases do not change, so once per class."""
    return any(cls.__name__ == name and cls.__module__.startswith(package)
               for cls in module_type.__mro__)


def is_spikingjelly_neuron(module: nn.Module) -> bool:
    """True for SpikingJelly's spiking neurons (subclasses of ``BaseNode``, ``SimpleBaseNode``)."""
    return _has_base(module, "BaseNode", "spikingjelly") or \
        _has_base(module, "SimpleBaseNode", "spikingjelly")


def is_spiking_neuron(module: nn.Module) -> bool:
    """True for snnTorch neurons (``snntorch.SpikingNeuron``) and SpikingJelly's neurons."""
    return _has_base(module, "SpikingNeuron", "snntorch") or is_spikingjelly_neuron(module)


def framework(module: nn.Module) -> str:
    """The neuron's framework, for messages: ``"snnTorch"`` or ``"SpikingJelly"``."""
    return "SpikingJelly" if is_spikingjelly_neuron(module) else "snnTorch"


def state_variables(module: nn.Module) -> int | None:
    """State variables per neuron for a known neuron class (or a user's subclass of one), else
    None.

    For SpikingJelly the nearest class SpikingJelly itself defines must be a known one: its own
    subclasses of known neurons change what is emitted or kept (``LIAFNode`` outputs analog
    values, ``OTTTLIFNode`` keeps traces), so they are unknown until taught.
    """
    if is_spikingjelly_neuron(module):
        own = next(cls for cls in type(module).__mro__
                   if cls.__module__.startswith("spikingjelly"))
        return SPIKINGJELLY_STATE_VARIABLES.get(own.__name__)
    for cls in type(module).__mro__:
        if cls.__module__.startswith("snntorch") and cls.__name__ in STATE_VARIABLES:
            return STATE_VARIABLES[cls.__name__]
    return None


def membrane_attribute(module: nn.Module) -> str:
    """Where the neuron holds its membrane potential: snnTorch ``mem``, SpikingJelly ``v``."""
    return "v" if is_spikingjelly_neuron(module) else "mem"


def membrane(module: nn.Module, attribute: str | None = None) -> torch.Tensor | None:
    """The neuron's membrane potential tensor, if held (``attribute``: its
    ``membrane_attribute``, when already known)."""
    value = getattr(module, attribute or membrane_attribute(module), None)
    return value if isinstance(value, torch.Tensor) else None


def is_multi_step(module: nn.Module) -> bool:
    """True for a SpikingJelly module in multi-step mode: one call per sequence ``[T, B, ...]``."""
    return getattr(module, "step_mode", None) == "m" and _has_base(module, "StepModule",
                                                                     "spikingjelly")


def folds_time(module: nn.Module) -> bool:
    """True for SpikingJelly's ``SeqToANNContainer``: it runs its children once on ``[T*B, ...]``
    (time folded into the batch), so each child call holds T steps, in order, along dim 0."""
    return _has_base(module, "SeqToANNContainer", "spikingjelly")


def is_unknown_stateful(module: nn.Module) -> bool:
    """True for a SpikingJelly stateful module (``MemoryModule`` with memories of its own) that is
    not a spiking neuron: its reset is known, but not what its state update computes."""
    memories = vars(module).get("_memories")
    return bool(memories) and _has_base(module, "MemoryModule", "spikingjelly") \
        and not is_spikingjelly_neuron(module)
