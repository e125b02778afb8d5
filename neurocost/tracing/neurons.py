"""What the tracer knows about snnTorch neurons: how many state variables each keeps.

One neuron update reads and writes every state variable once. The state counts follow the
equations in snnTorch's neuron docstrings: Leaky and Lapicque keep a membrane potential; Synaptic
adds a synaptic current; Alpha keeps excitatory and inhibitory currents and the membrane; the
recurrent variants keep the same state (their previous spikes are outputs, read as inputs of the
recurrent connection).
"""

from __future__ import annotations

import torch.nn as nn

STATE_VARIABLES: dict[str, int] = {
    "Leaky": 1,
    "Lapicque": 1,
    "Synaptic": 2,
    "RLeaky": 1,
    "RSynaptic": 2,
    "Alpha": 3,
}


def is_spiking_neuron(module: nn.Module) -> bool:
    """True for snnTorch neurons (subclasses of ``snntorch.SpikingNeuron``)."""
    return any(cls.__name__ == "SpikingNeuron" and cls.__module__.startswith("snntorch")
               for cls in type(module).__mro__)


def state_variables(module: nn.Module) -> int | None:
    """State variables per neuron for a known snnTorch neuron class, else None."""
    for cls in type(module).__mro__:
        if cls.__module__.startswith("snntorch") and cls.__name__ in STATE_VARIABLES:
            return STATE_VARIABLES[cls.__name__]
    return None
