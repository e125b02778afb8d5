"""Stepwise spiking models in ONNX: one time step, neurons as ``ai.neurocost`` nodes."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
import snntorch as snn
import torch
from torch import nn

import neurocost as nc
from neurocost.interchange.onnx_export import OnnxExportError, export_onnx
from neurocost.interchange.onnx_import import import_onnx
from neurocost.interchange.onnx_neurons import DOMAIN, OnnxNeuronError
from neurocost.models.state import reset_state


def _net(reset: str) -> nn.Sequential:
    """A user's spiking MLP: a Synaptic hidden layer and a Leaky read-out returning membranes."""
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Flatten(), nn.Linear(36, 16),
        snn.Synaptic(alpha=0.7, beta=0.6, init_hidden=True, reset_mechanism=reset),
        nn.Linear(16, 5),
        snn.Leaky(beta=0.8, threshold=0.5, init_hidden=True, output=True, reset_mechanism=reset),
    )
    with torch.no_grad():
        net[1].weight.mul_(4)
    return net


def _frames() -> torch.Tensor:
    return torch.rand(12, 3, 1, 6, 6, generator=torch.Generator().manual_seed(2))


def _spikes(model: nn.Module, frames: torch.Tensor) -> torch.Tensor:
    reset_state(model)
    with torch.no_grad():
        out = [model(x) for x in frames]
    return torch.stack([o[0] if isinstance(o, tuple) else o for o in out])


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_one_step_graph_reads_back_as_the_same_stepwise_model(tmp_path: Path, reset: str) -> None:
    model, frames = _net(reset), _frames()
    path = export_onnx(model, frames, tmp_path / "snn.onnx")
    nodes = [(n.domain, n.op_type) for n in onnx.load(str(path)).graph.node
             if n.domain == DOMAIN]
    assert nodes == [(DOMAIN, "Synaptic"), (DOMAIN, "Leaky")]
    back = import_onnx(path)
    spikes = _spikes(model, frames)
    assert spikes.sum() > 0 and torch.equal(_spikes(back, frames), spikes)
    # the file traces to the torch model's rows, layer names aside
    from_file = nc.trace(str(path), frames).layers.drop(columns="layer")
    from_torch = nc.trace(model, frames).layers.drop(columns="layer")
    assert from_file.equals(from_torch)


def test_a_neuron_without_an_onnx_node_is_refused_by_name(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(4, 4), snn.Lapicque(beta=0.9, init_hidden=True))
    with pytest.raises(OnnxNeuronError, match=r"layer '1' \(Lapicque\): only snnTorch Leaky"):
        export_onnx(model, torch.rand(3, 2, 4), tmp_path / "x.onnx")


def test_a_neuron_setting_the_node_cannot_express_is_refused(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(4, 4), snn.Leaky(beta=0.9, init_hidden=True,
                                                     graded_spikes_factor=2.0))
    with pytest.raises(OnnxNeuronError, match=r"graded_spikes_factor != 1"):
        export_onnx(model, torch.rand(3, 2, 4), tmp_path / "x.onnx")


def test_a_file_that_does_not_reproduce_torch_fails_the_export(tmp_path: Path,
                                                               monkeypatch) -> None:
    # the step-by-step check is what stands behind the file: a node definition that fires
    # where torch does not must stop the export, naming the step
    from neurocost.interchange import onnx_neurons

    right = onnx_neurons.reference_ops

    def silent() -> list[type]:
        ops = right()
        for op in ops:
            real = op._run

            def never_fires(self, x, *rest, _real=real, **attrs):  # noqa: ANN001, ANN202
                return (0 * _real(self, x, *rest, **attrs)[0],)

            op._run = never_fires
        return ops

    monkeypatch.setattr(onnx_neurons, "reference_ops", silent)
    with pytest.raises(OnnxExportError, match=r"reference evaluator's step \d+ .* differs"):
        export_onnx(_net("subtract"), _frames(), tmp_path / "x.onnx")
