"""NIR (Neuromorphic Intermediate Representation) export and import of stepwise spiking
``nn.Sequential`` models, so ``trace()`` can read a ``.nir`` file.

snnTorch 1.0's ``export_to_nir`` fails its own type inference with nir 1.0.8 (a Flatten or a
Linear after a batched sample gets a mismatched input type, and MaxPool2d has no NIR node), so
the translation for the supported layers is done here, with snnTorch's conventions:

    nn.Linear        -> nir.Affine (nir.Linear without bias)
    nn.Conv2d        -> nir.Conv2d (input_shape from the sample)
    nn.Flatten       -> nir.Flatten (dimensions counted without the batch)
    nn.AvgPool2d     -> nir.AvgPool2d
    snn.Leaky        -> nir.LIF with dt = 1e-4: tau = dt / (1 - beta), r = tau / dt, v_leak = 0,
                        so that dt-stepping tau dv/dt = (v_leak - v) + r I gives v <- beta v + I;
                        the reset rule (subtract or zero) travels in the node metadata.
    snn.Synaptic     -> nir.CubaLIF: tau_syn = dt / (1 - alpha), tau_mem = dt / (1 - beta),
                        r = tau_mem / dt, w_in = tau_syn / dt (the same one-step equivalence)
    snn.Lapicque     -> nir.LIF with decay 1 - T / (R C) as for Leaky and r = (T / C) tau / dt,
                        the input gain Leaky lacks; a LIF whose gain is not 1 reads back as
                        Lapicque (time step 1, C = 1 / gain)
    snn.RLeaky,      -> a subgraph, as snnTorch writes it: input -> LIF / CubaLIF -> w_rec ->
    snn.RSynaptic       back to the neuron -> output; w_rec is the recurrent Linear (all to all)
                        or diag(V) (one to one), which the neuron's metadata names
Max pooling and Alpha (two synaptic currents, no NIR node) are refused by name, as is any other
layer (subclasses of the neurons too: their firing differs, e.g. TernaryLeaky's signed spikes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import snntorch as snn
import torch
from torch import nn
from torch.nn.modules.utils import _pair

from neurocost.errors import NeurocostError
from neurocost.models.state import reset_state

DT = 1e-4  # snnTorch's NIR time step
_RESET_KEY = "neurocost.reset"
_RECURRENT_KEY = "neurocost.recurrent"  # all_to_all (a Linear) or one_to_one (snnTorch's V)
_DELAY_KEY = "neurocost.reset_delay"


class NirConversionError(NeurocostError):
    """A layer or graph shape that this NIR translation does not support."""


def _time_constant(decay: torch.Tensor, shape: tuple[int, ...], what: str) -> np.ndarray:
    """NIR's time constant of a per-step decay factor: tau = dt / (1 - decay)."""
    factor = np.broadcast_to(decay.detach().numpy(), shape).astype(np.float32)
    if np.any(factor >= 1.0):
        raise NirConversionError(f"a neuron with {what} >= 1 has no finite NIR time constant")
    return DT / (1.0 - factor)


def _firing(module: snn.SpikingNeuron, shape: tuple[int, ...]) -> tuple[np.ndarray, str]:
    threshold = np.broadcast_to(module.threshold.detach().numpy(), shape).astype(np.float32)
    reset = module.reset_mechanism
    if reset not in ("subtract", "zero"):
        raise NirConversionError(f"a {type(module).__name__} without reset has no NIR "
                                 "equivalent")
    return threshold, reset


def _lif(module: snn.Leaky, shape: tuple[int, ...]) -> object:
    import nir

    tau = _time_constant(module.beta, shape, "beta")
    threshold, reset = _firing(module, shape)
    return nir.LIF(tau=tau, r=tau / DT, v_leak=np.zeros(shape, np.float32),
                   v_threshold=threshold, metadata={_RESET_KEY: reset})


def _lapicque_lif(module: snn.Lapicque, shape: tuple[int, ...]) -> object:
    """snnTorch's Lapicque (v <- (1 - T/RC) v + (T/C) I) as NIR's LIF: the decay gives tau as
    for Leaky, and r carries the input gain T/C that Leaky does not have (r = gain tau / dt)."""
    import nir

    step, resistance, capacitance = (t.detach() for t in (module.time_step, module.R, module.C))
    decay = 1.0 - step / (resistance * capacitance)
    tau = _time_constant(decay, shape, "1 - time_step / (R C)")
    gain = np.broadcast_to((step / capacitance).numpy(), shape).astype(np.float32)
    threshold, reset = _firing(module, shape)
    return nir.LIF(tau=tau, r=gain * tau / DT, v_leak=np.zeros(shape, np.float32),
                   v_threshold=threshold, metadata={_RESET_KEY: reset})


def _cuba_lif(module: snn.Synaptic, shape: tuple[int, ...]) -> object:
    """snnTorch's Synaptic (synaptic current decaying by alpha, membrane by beta) as NIR's
    current-based LIF, with the input and leak gains that make one NIR step one snnTorch step."""
    import nir

    tau_syn = _time_constant(module.alpha, shape, "alpha")
    tau_mem = _time_constant(module.beta, shape, "beta")
    threshold, reset = _firing(module, shape)
    return nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=tau_mem / DT,
                       v_leak=np.zeros(shape, np.float32), v_threshold=threshold,
                       w_in=tau_syn / DT, metadata={_RESET_KEY: reset})


def _recurrent(name: str, module: snn.RLeaky | snn.RSynaptic, shape: tuple[int, ...]) -> object:
    """RLeaky / RSynaptic as snnTorch writes them: a subgraph in which the neuron's spikes come
    back to it through the recurrent weights (input -> lif -> w_rec -> lif -> output)."""
    import nir

    kind = type(module).__name__
    if len(shape) != 1 or (module.all_to_all and not module.linear_features):
        raise NirConversionError(f"layer {name!r} ({kind}): only a recurrent layer of "
                                 "features (linear_features or one-to-one V) has a NIR form")
    neuron = _cuba_lif(module, shape) if isinstance(module, snn.RSynaptic) else \
        _lif(module, shape)
    neuron.metadata.update({_RECURRENT_KEY: "all_to_all" if module.all_to_all else "one_to_one",
                            _DELAY_KEY: bool(module.reset_delay)})
    if module.all_to_all:
        linear = module.recurrent
        weights = linear.weight.detach().numpy()
        feedback = nir.Affine(weight=weights, bias=linear.bias.detach().numpy()) \
            if linear.bias is not None else nir.Linear(weight=weights)
    else:
        v = np.broadcast_to(module.recurrent.V.detach().numpy(), shape).astype(np.float32)
        feedback = nir.Linear(weight=np.diag(v))
    size = np.array(shape)
    return nir.NIRGraph(
        nodes={"input": nir.Input(input_type={"input": size}), "lif": neuron,
               "w_rec": feedback, "output": nir.Output(output_type={"output": size})},
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])


def _node(name: str, module: nn.Module, x: torch.Tensor, y: torch.Tensor) -> object:
    import nir

    sample_shape = tuple(x.shape[1:])
    if type(module) is snn.Leaky:
        return _lif(module, tuple(y.shape[1:]))
    if type(module) is snn.Synaptic:
        return _cuba_lif(module, tuple(y.shape[1:]))
    if type(module) is snn.Lapicque:
        return _lapicque_lif(module, tuple(y.shape[1:]))
    if type(module) in (snn.RLeaky, snn.RSynaptic):
        return _recurrent(name, module, tuple(y.shape[1:]))
    if isinstance(module, snn.Alpha):
        raise NirConversionError(f"layer {name!r} (Alpha): NIR has no node with Alpha's two "
                                 "synaptic currents (excitatory and inhibitory)")
    if isinstance(module, nn.MaxPool2d):
        raise NirConversionError(f"layer {name!r} (MaxPool2d): NIR has no max-pooling node, "
                                 "only AvgPool2d and SumPool2d; use nn.AvgPool2d to export")
    if isinstance(module, nn.Linear):
        weight = module.weight.detach().numpy()
        if module.bias is None:
            return nir.Linear(weight=weight)
        return nir.Affine(weight=weight, bias=module.bias.detach().numpy())
    if isinstance(module, nn.Conv2d):
        bias = module.bias.detach().numpy() if module.bias is not None else \
            np.zeros(module.out_channels, np.float32)
        return nir.Conv2d(input_shape=sample_shape[1:], weight=module.weight.detach().numpy(),
                          stride=module.stride, padding=module.padding,
                          dilation=module.dilation, groups=module.groups, bias=bias)
    if isinstance(module, nn.Flatten):
        end = module.end_dim if module.end_dim < 0 else module.end_dim - 1
        return nir.Flatten(input_type={"input": np.array(sample_shape)},
                           start_dim=module.start_dim - 1, end_dim=end)
    if isinstance(module, nn.AvgPool2d):
        return nir.AvgPool2d(kernel_size=np.array(_pair(module.kernel_size)),
                             stride=np.array(_pair(module.stride)),
                             padding=np.array(_pair(module.padding)))
    raise NirConversionError(
        f"layer {name!r} ({type(module).__name__}) has no NIR translation; supported: Linear, "
        "Conv2d, Flatten, AvgPool2d, snnTorch Leaky, Synaptic, Lapicque, RLeaky and RSynaptic"
    )


def export_nir(model: nn.Sequential, sample: torch.Tensor,
               path: str | Path | None = None) -> object:
    """The NIR graph of a stepwise ``nn.Sequential`` (``sample``: one step ``[B, ...]``);
    written to ``path`` when given."""
    import nir

    if not isinstance(model, nn.Sequential):
        raise NirConversionError(f"NIR export needs an nn.Sequential, got {type(model).__name__}")
    sample_shape = np.array(sample.shape[1:])
    nodes: dict[str, object] = {"input": nir.Input(input_type={"input": sample_shape})}
    reset_state(model)
    x = sample
    with torch.no_grad():
        for name, module in model.named_children():
            out = module(x)
            y = out[0] if isinstance(out, tuple) else out
            nodes[name] = _node(name, module, x, y)
            x = y
    nodes["output"] = nir.Output(output_type={"output": np.array(x.shape[1:])})
    names = list(nodes)
    graph = nir.NIRGraph(nodes=nodes, edges=list(zip(names, names[1:], strict=False)))
    if path is not None:
        nir.write(str(path), graph)
    return graph


def _firing_kwargs(node: object, output: bool) -> dict[str, object]:
    threshold = np.asarray(node.v_threshold, np.float32)
    if np.any(np.asarray(node.v_leak) != 0):
        raise NirConversionError(f"NIR {type(node).__name__} with v_leak != 0 has no snnTorch "
                                 "equivalent")
    reset = node.metadata.get(_RESET_KEY, "zero" if node.v_reset is not None else "subtract")
    return {"threshold": _scalar_or_tensor(threshold), "reset_mechanism": reset,
            "init_hidden": True, "output": output}


def _leaky(node: object, output: bool) -> snn.Leaky | snn.Lapicque:
    """Leaky when the LIF's input gain r dt / tau is 1 (r = tau / dt), else Lapicque with
    time step 1, C = 1 / gain and R C = 1 / (1 - decay)."""
    tau = np.asarray(node.tau, np.float32)
    beta = 1.0 - DT / tau
    gain = np.asarray(node.r, np.float32) * DT / tau
    firing = _firing_kwargs(node, output)
    if np.allclose(gain, 1.0, rtol=1e-6, atol=0.0):
        return snn.Leaky(beta=_scalar_or_tensor(beta), **firing)
    capacitance = 1.0 / gain
    return snn.Lapicque(R=_as_tensor(1.0 / ((1.0 - beta) * capacitance)),
                        C=_as_tensor(capacitance), time_step=1.0, **firing)


def _as_tensor(values: np.ndarray) -> torch.Tensor:
    """Lapicque's R and C: a 0-d tensor when every neuron shares the value."""
    shared = _scalar_or_tensor(values)
    return torch.as_tensor(shared, dtype=torch.float32)


def _decays(node: object) -> dict[str, float | torch.Tensor]:
    """snnTorch's per-step decays of a LIF (beta) or CubaLIF (alpha, beta): 1 - dt / tau."""
    import nir

    def decay(tau: object) -> float | torch.Tensor:
        return _scalar_or_tensor(1.0 - DT / np.asarray(tau, np.float32))

    if isinstance(node, nir.CubaLIF):
        return {"alpha": decay(node.tau_syn), "beta": decay(node.tau_mem)}
    return {"beta": decay(node.tau)}


def _synaptic(node: object, output: bool) -> snn.Synaptic:
    return snn.Synaptic(**_decays(node), **_firing_kwargs(node, output))


def _recurrent_module(name: str, graph: object, output: bool) -> nn.Module:
    """RLeaky / RSynaptic from the subgraph ``_recurrent`` writes (and snnTorch writes)."""
    import nir

    nodes = graph.nodes
    wanted = {("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")}
    neuron, feedback = nodes.get("lif"), nodes.get("w_rec")
    if set(map(tuple, graph.edges)) != wanted or set(nodes) != {"input", "lif", "w_rec",
                                                                   "output"} \
            or not isinstance(neuron, (nir.LIF, nir.CubaLIF)) \
            or not isinstance(feedback, (nir.Linear, nir.Affine)):
        raise NirConversionError(f"NIR node {name!r} is a subgraph other than a recurrent "
                                 "neuron (input -> lif -> w_rec -> lif -> output)")
    weight = torch.from_numpy(np.asarray(feedback.weight, np.float32))
    size = weight.shape[0]
    kwargs = {**_firing_kwargs(neuron, output), **_decays(neuron),
              "reset_delay": bool(neuron.metadata.get(_DELAY_KEY, True))}
    cls = snn.RSynaptic if isinstance(neuron, nir.CubaLIF) else snn.RLeaky
    if neuron.metadata.get(_RECURRENT_KEY) == "one_to_one":
        return cls(all_to_all=False, V=torch.diagonal(weight).clone(), **kwargs)
    module = cls(all_to_all=True, linear_features=size, **kwargs)
    with torch.no_grad():
        module.recurrent.weight.copy_(weight)
        bias = np.asarray(feedback.bias, np.float32) if isinstance(feedback, nir.Affine) \
            else np.zeros(size, np.float32)
        module.recurrent.bias.copy_(torch.from_numpy(bias))
    return module


def _scalar_or_tensor(values: np.ndarray) -> float | torch.Tensor:
    """One float when every neuron shares the value, else the per-neuron tensor."""
    return float(values.flat[0]) if np.all(values == values.flat[0]) else \
        torch.from_numpy(values)


def _module(name: str, node: object, output: bool) -> nn.Module:
    import nir

    if isinstance(node, nir.NIRGraph):
        return _recurrent_module(name, node, output)
    if isinstance(node, nir.LIF):
        return _leaky(node, output)
    if isinstance(node, nir.CubaLIF):
        return _synaptic(node, output)
    if isinstance(node, (nir.Affine, nir.Linear)):
        weight = torch.from_numpy(np.asarray(node.weight, np.float32))
        layer = nn.Linear(weight.shape[1], weight.shape[0], bias=isinstance(node, nir.Affine))
        with torch.no_grad():
            layer.weight.copy_(weight)
            if isinstance(node, nir.Affine):
                layer.bias.copy_(torch.from_numpy(np.asarray(node.bias, np.float32)))
        return layer
    if isinstance(node, nir.Conv2d):
        weight = torch.from_numpy(np.asarray(node.weight, np.float32))
        conv = nn.Conv2d(weight.shape[1] * node.groups, weight.shape[0], weight.shape[2:],
                         stride=tuple(np.atleast_1d(node.stride).tolist()),
                         padding=tuple(np.atleast_1d(node.padding).tolist()),
                         dilation=tuple(np.atleast_1d(node.dilation).tolist()),
                         groups=node.groups)
        with torch.no_grad():
            conv.weight.copy_(weight)
            conv.bias.copy_(torch.from_numpy(np.asarray(node.bias, np.float32)))
        return conv
    if isinstance(node, nir.Flatten):
        end = node.end_dim if node.end_dim < 0 else node.end_dim + 1
        return nn.Flatten(node.start_dim + 1, end)
    if isinstance(node, nir.AvgPool2d):
        return nn.AvgPool2d(tuple(np.atleast_1d(node.kernel_size).tolist()),
                            tuple(np.atleast_1d(node.stride).tolist()),
                            tuple(np.atleast_1d(node.padding).tolist()))
    raise NirConversionError(f"NIR node {name!r} ({type(node).__name__}) is not supported")


def import_nir(source: str | Path | object) -> nn.Sequential:
    """A stepwise ``nn.Sequential`` from a NIR file or graph whose nodes form one chain."""
    import nir

    where = ""  # the file's path, when there is one, starts every message
    if isinstance(source, (str, Path)):
        where = str(source)
        if not Path(source).is_file():
            raise FileNotFoundError(f"NIR file {str(source)!r} does not exist")
        try:
            graph = nir.read(str(source))
        except Exception as err:  # noqa: BLE001 (h5py and nir raise many types on a bad file)
            raise NirConversionError(
                f"{where}: not a readable NIR file ({type(err).__name__}: {err})"
            ) from None
    else:
        graph = source
    try:
        chain = _chain(graph)
        # snnTorch's output=True makes a neuron return (spikes, membrane): only the chain's
        # last module may do that, or a read-out layer after it would be fed a tuple
        last = len(chain) - 1
        return nn.Sequential(*(
            _module(name, graph.nodes[name],
                    output=index == last and isinstance(graph.nodes[name],
                                                        (nir.LIF, nir.CubaLIF, nir.NIRGraph)))
            for index, name in enumerate(chain)
        ))
    except NirConversionError as err:
        if not where:
            raise
        raise NirConversionError(f"{where}: {err}") from None
    except (TypeError, ValueError, AttributeError, KeyError, RuntimeError) as err:
        prefix = f"{where}: " if where else ""
        raise NirConversionError(
            f"{prefix}malformed NIR node ({type(err).__name__}: {err})"
        ) from None


def _chain(graph: object) -> list[str]:
    """The names of the nodes between Input and Output, checked to form one acyclic chain
    before anything is built (a cycle used to loop for ever)."""
    import nir

    edges = list(graph.edges)
    following = dict(edges)
    if len(following) != len(edges):
        raise NirConversionError("NIR graph branches; only chains of layers are supported")
    unknown = sorted({n for edge in edges for n in edge} - set(graph.nodes))
    if unknown:
        raise NirConversionError(f"an edge names node {unknown[0]!r}, which the graph lacks")
    inputs = [n for n, node in graph.nodes.items() if isinstance(node, nir.Input)]
    if len(inputs) != 1:
        raise NirConversionError(f"NIR graph needs exactly one Input node, found {inputs}")
    chain: list[str] = []
    seen = {inputs[0]}
    current = following.get(inputs[0])
    while current is not None and not isinstance(graph.nodes[current], nir.Output):
        if current in seen:
            raise NirConversionError(f"NIR graph has a cycle through node {current!r}")
        seen.add(current)
        chain.append(current)
        current = following.get(current)
    if current is None:
        raise NirConversionError("NIR graph chain does not reach an Output node")
    return chain
