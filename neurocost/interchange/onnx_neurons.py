"""Spiking neurons in ONNX: one node per snnTorch neuron, in neurocost's own operator domain.

ONNX has no neuron operator, and spelling a neuron out in standard ops (Mul, Add, Greater ...)
would make it uncountable: the importer could not tell a neuron update from element-wise
arithmetic, nor spikes from real values. So a stepwise model is exported as **one time step**
in which each snnTorch ``Leaky`` or ``Synaptic`` is a node of the ``ai.neurocost`` domain
(version 1) that keeps its state between runs, as the module does between calls:

    ai.neurocost::Leaky(x, beta, threshold)             reset_mechanism: "subtract" | "zero"
        reset = H(mem - threshold)        (H(v) = 1 where v > 0, from the previous state)
        mem   = beta * mem + x - reset * threshold            (subtract)
        mem   = beta * ((1 - reset) * mem) + x                (zero)
        y     = H(mem - threshold)
    ai.neurocost::Synaptic(x, alpha, beta, threshold)   reset_mechanism: "subtract" | "zero"
        reset = H(mem - threshold)
        syn   = alpha * syn + x
        mem   = beta * mem + syn - reset * threshold                       (subtract)
        mem   = (beta * mem + syn) * (1 - reset)       (zero: snnTorch clears the membrane only)
        y     = H(mem - threshold)

``beta``, ``alpha`` (clamped to [0, 1] as snnTorch does) and ``threshold`` are constant inputs,
per neuron or shared. State starts at zero and a host runs the graph once per time step.
onnxruntime cannot run these nodes; ``reference_ops`` are their definitions for
``onnx.reference.ReferenceEvaluator``, with which the export is checked step by step.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

import numpy as np
import snntorch as snn
import torch
from torch import nn

from neurocost.errors import NeurocostError

DOMAIN = "ai.neurocost"
VERSION = 1
_EXPORTED = (snn.Leaky, snn.Synaptic)


class OnnxNeuronError(NeurocostError):
    """A neuron this ONNX translation cannot write or read; the message names it."""


# ---- export -------------------------------------------------------------------------------


# The exporter traces tensors, numbers and strings only: a step finds its module by id here.
_STEPPING: weakref.WeakValueDictionary[int, nn.Module] = weakref.WeakValueDictionary()


class _LeakyStep(torch.autograd.Function):
    """One Leaky step: the module computes it; the exporter writes one ``Leaky`` node."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, beta: torch.Tensor, threshold: torch.Tensor,
                reset: str, neuron: int) -> torch.Tensor:
        return spikes_of(_STEPPING[neuron](x))

    @staticmethod
    def symbolic(g: Any, x: Any, beta: Any, threshold: Any, reset: str, neuron: int) -> Any:
        return g.op(f"{DOMAIN}::Leaky", x, beta, threshold,
                    reset_mechanism_s=reset).setType(x.type())


class _SynapticStep(torch.autograd.Function):
    """One Synaptic step: the module computes it; the exporter writes one ``Synaptic`` node."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, alpha: torch.Tensor, beta: torch.Tensor,
                threshold: torch.Tensor, reset: str, neuron: int) -> torch.Tensor:
        return spikes_of(_STEPPING[neuron](x))

    @staticmethod
    def symbolic(g: Any, x: Any, alpha: Any, beta: Any, threshold: Any, reset: str,
                 neuron: int) -> Any:
        return g.op(f"{DOMAIN}::Synaptic", x, alpha, beta, threshold,
                    reset_mechanism_s=reset).setType(x.type())


def spikes_of(out: Any) -> torch.Tensor:
    """A neuron's (or a model's) spikes: one with ``output=True`` returns (spikes, membrane)."""
    return out[0] if isinstance(out, tuple) else out


class _NeuronNode(nn.Module):
    """Stands in for a neuron during export, so the exporter sees one op per neuron. The neuron
    is not a submodule: its state changes at every step, which the exporter's trace of module
    buffers cannot follow; its constants are this module's buffers (the node's inputs)."""

    def __init__(self, neuron: nn.Module) -> None:
        super().__init__()
        self.key = id(neuron)
        _STEPPING[self.key] = neuron
        self._keep = [neuron]  # a plain list: alive as long as this node, yet not a submodule
        self.reset = str(neuron.reset_mechanism)
        self.synaptic = isinstance(neuron, snn.Synaptic)
        if self.synaptic:
            self.register_buffer("alpha", neuron.alpha.detach().clamp(0, 1).clone())
        self.register_buffer("beta", neuron.beta.detach().clamp(0, 1).clone())
        self.register_buffer("threshold", neuron.threshold.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.synaptic:
            return _SynapticStep.apply(x, self.alpha, self.beta, self.threshold, self.reset,
                                       self.key)
        return _LeakyStep.apply(x, self.beta, self.threshold, self.reset, self.key)


def with_neuron_nodes(model: nn.Module) -> nn.Module:
    """A copy of ``model`` whose snnTorch Leaky and Synaptic neurons export as single nodes;
    any other neuron, or a setting the nodes do not express, is refused by name."""
    copied = copy.deepcopy(model)
    for name, module in list(copied.named_modules()):
        if not isinstance(module, snn.SpikingNeuron):
            continue
        _check_exportable(name, module)
        parent, _, child = name.rpartition(".")
        setattr(copied.get_submodule(parent) if parent else copied, child, _NeuronNode(module))
    return copied


def _check_exportable(name: str, module: snn.SpikingNeuron) -> None:
    kind = type(module).__name__
    if type(module) not in _EXPORTED:
        raise OnnxNeuronError(f"layer {name!r} ({kind}): only snnTorch Leaky and Synaptic have "
                              f"an ONNX node ({DOMAIN}); NIR holds Lapicque too (--nir)")
    unsupported = [
        (module.reset_mechanism not in ("subtract", "zero"), f"reset_mechanism="
         f"{module.reset_mechanism!r}"),
        (bool(module.inhibition), "inhibition=True"),
        (module.state_quant is not False and module.state_quant is not None, "state_quant"),
        (not torch.all(module.graded_spikes_factor == 1), "graded_spikes_factor != 1"),
        (not module.init_hidden, "init_hidden=False (state passed by the caller)"),
    ]
    for present, what in unsupported:
        if present:
            raise OnnxNeuronError(f"layer {name!r} ({kind}): {what} has no {DOMAIN} node "
                                  "attribute")


# ---- reference definitions (checking the export) -------------------------------------------


def reference_ops() -> list[type]:
    """``OpRun`` classes for ``ReferenceEvaluator(new_ops=...)``; each instance keeps its
    neuron state across ``run`` calls, one call per time step."""
    from onnx.reference.op_run import OpRun

    def fire(v: np.ndarray) -> np.ndarray:
        return (v > 0).astype(v.dtype)

    class Leaky(OpRun):
        op_domain = DOMAIN

        def _run(self, x, beta, threshold, reset_mechanism=None):  # noqa: ANN001, ANN202
            mem = getattr(self, "mem", None)
            mem = np.zeros_like(x) if mem is None or mem.shape != x.shape else mem
            reset = fire(mem - threshold)
            if reset_mechanism == "zero":
                mem = beta * ((1 - reset) * mem) + x
            else:
                mem = beta * mem + x - reset * threshold
            self.mem = mem
            return (fire(mem - threshold),)

    class Synaptic(OpRun):
        op_domain = DOMAIN

        def _run(self, x, alpha, beta, threshold, reset_mechanism=None):  # noqa: ANN001, ANN202
            mem, syn = getattr(self, "mem", None), getattr(self, "syn", None)
            if mem is None or mem.shape != x.shape:
                mem, syn = np.zeros_like(x), np.zeros_like(x)
            reset = fire(mem - threshold)
            syn = alpha * syn + x
            mem = beta * mem + syn
            mem = mem - reset * mem if reset_mechanism == "zero" else mem - reset * threshold
            self.mem, self.syn = mem, syn
            return (fire(mem - threshold),)

    return [Leaky, Synaptic]


# ---- import ---------------------------------------------------------------------------------


def neuron_module(node: Any, attrs: dict[str, Any], constants: dict[str, torch.Tensor],
                  where: str) -> nn.Module:
    """The snnTorch neuron an ``ai.neurocost`` node stands for (state kept between calls)."""
    names = {"Leaky": ("beta", "threshold"), "Synaptic": ("alpha", "beta", "threshold")}
    if node.op_type not in names:
        raise OnnxNeuronError(f"{where}: node {node.name!r} uses {DOMAIN}::{node.op_type}, "
                              f"which is not one of {', '.join(names)}")
    wanted = names[node.op_type]
    if len(node.input) != 1 + len(wanted) or any(i not in constants for i in node.input[1:]):
        raise OnnxNeuronError(f"{where}: node {node.name!r} ({node.op_type}) needs the input "
                              f"and constant {', '.join(wanted)}")
    reset = attrs.get("reset_mechanism", b"subtract")
    reset = reset.decode() if isinstance(reset, bytes) else str(reset)
    if reset not in ("subtract", "zero"):
        raise OnnxNeuronError(f"{where}: node {node.name!r}: reset_mechanism {reset!r} is "
                              "neither subtract nor zero")
    params = {name: _shared_or_tensor(constants[i]) for name, i in zip(wanted, node.input[1:],
                                                                        strict=True)}
    neuron = snn.Synaptic if node.op_type == "Synaptic" else snn.Leaky
    return neuron(**params, reset_mechanism=reset, init_hidden=True)


def _shared_or_tensor(values: torch.Tensor) -> float | torch.Tensor:
    flat = values.flatten()
    return float(flat[0]) if len(flat) and bool(torch.all(flat == flat[0])) else values
