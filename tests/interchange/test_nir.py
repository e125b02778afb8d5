"""NIR export/import of spiking models, and tracing a .nir file."""

from __future__ import annotations

from pathlib import Path

import nir
import pytest
import snntorch.utils
import torch
from torch import nn

import neurocost as nc
from neurocost.interchange.nir_io import DT, NirConversionError, export_nir, import_nir
from neurocost.models import zoo


def _final_spikes(model: nn.Module, frames: torch.Tensor) -> torch.Tensor:
    snntorch.utils.reset(model)
    with torch.no_grad():
        for frame in frames:
            out = model(frame)
    return out[0]


def _assert_read_back_equal(model: nn.Module, path: Path, frames: torch.Tensor) -> None:
    """The file read back spikes as the model does and traces to the same rows."""
    back = import_nir(path)
    assert torch.equal(_final_spikes(model, frames), _final_spikes(back, frames))
    from_file = nc.trace(str(path), frames).layers.drop(columns="layer")
    from_torch = nc.trace(model, frames).layers.drop(columns="layer")
    assert from_file.equals(from_torch)


@pytest.mark.parametrize(("name", "kw"), [("smlp", {}), ("scnn", {"pool": "avg"})])
def test_round_trip_keeps_spikes_and_counts(tmp_path: Path, name: str, kw: dict) -> None:
    model = zoo.get(name, **kw)
    frames = torch.rand(4, 3, *zoo.example_input(name, **kw).shape[2:])
    path = tmp_path / f"{name}.nir"
    export_nir(model, frames[0], path)
    _assert_read_back_equal(model, path, frames)


def test_leaky_maps_to_lif_with_snntorch_time_constants() -> None:
    graph = export_nir(zoo.get("smlp", beta=0.75), torch.rand(1, 784))
    lif = graph.nodes["2"]
    assert isinstance(lif, nir.LIF)
    # tau = dt / (1 - beta) = 1e-4 / 0.25 = 4e-4, r = tau / dt = 4
    assert lif.tau.flat[0] == pytest.approx(4 * DT) and lif.r.flat[0] == pytest.approx(4.0)


def test_snntorch_reads_our_file(tmp_path: Path) -> None:
    from snntorch.import_nir import import_from_nir

    path = tmp_path / "smlp.nir"
    export_nir(zoo.get("smlp"), torch.rand(1, 784), path)
    converted = import_from_nir(nir.read(str(path)))
    weights = [m.weight for m in converted.modules() if isinstance(m, nn.Linear)]
    assert torch.equal(weights[0], zoo.get("smlp")[1].weight)


def test_max_pooling_is_refused_by_name() -> None:
    with pytest.raises(NirConversionError, match="'1' \\(MaxPool2d\\)"):
        export_nir(zoo.get("scnn"), zoo.example_input("scnn")[0])


def _synaptic_mlp() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 8), _synaptic(), nn.Linear(8, 4),
                          _synaptic(output=True))
    with torch.no_grad():
        model[0].weight.mul_(3)
    return model


def _synaptic(output: bool = False) -> nn.Module:
    import snntorch as snn

    return snn.Synaptic(alpha=0.75, beta=0.5, init_hidden=True, output=output)


def test_synaptic_maps_to_cuba_lif_and_round_trips(tmp_path: Path) -> None:
    model = _synaptic_mlp()
    frames = torch.rand(5, 3, 12, generator=torch.Generator().manual_seed(1))
    path = tmp_path / "synaptic.nir"
    graph = export_nir(model, frames[0], path)
    cuba = graph.nodes["1"]
    assert isinstance(cuba, nir.CubaLIF)
    # tau_syn = dt / (1 - alpha) = 1e-4 / 0.25 = 4e-4; tau_mem = dt / (1 - beta) = 2e-4
    assert cuba.tau_syn.flat[0] == pytest.approx(4 * DT)
    assert cuba.tau_mem.flat[0] == pytest.approx(2 * DT)
    _assert_read_back_equal(model, path, frames)


def test_lapicque_maps_to_lif_with_its_input_gain_and_round_trips(tmp_path: Path) -> None:
    import snntorch as snn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 8),
                          snn.Lapicque(R=5.0, C=2e-3, time_step=1e-3, init_hidden=True),
                          nn.Linear(8, 4), snn.Leaky(beta=0.8, init_hidden=True, output=True))
    with torch.no_grad():
        model[0].weight.mul_(3)
    frames = torch.rand(6, 3, 12, generator=torch.Generator().manual_seed(1))
    path = tmp_path / "lapicque.nir"
    lif = export_nir(model, frames[0], path).nodes["1"]
    # decay 1 - T/(RC) = 1 - 1e-3/1e-2 = 0.9: tau = dt / 0.1 = 1e-3; gain T/C = 0.5:
    # r = gain x tau / dt = 0.5 x 10 = 5
    assert lif.tau.flat[0] == pytest.approx(10 * DT) and lif.r.flat[0] == pytest.approx(5.0)
    assert isinstance(import_nir(path)[1], snn.Lapicque)
    _assert_read_back_equal(model, path, frames)


def _recurrent(kind: str) -> nn.Module:
    import snntorch as snn

    if kind == "rleaky-dense":
        return snn.RLeaky(beta=0.8, linear_features=6, init_hidden=True)
    if kind == "rleaky-one-to-one":
        return snn.RLeaky(beta=0.8, all_to_all=False, V=torch.linspace(0.2, 0.7, 6),
                          init_hidden=True, reset_mechanism="zero")
    return snn.RSynaptic(alpha=0.7, beta=0.8, linear_features=6, init_hidden=True)


@pytest.mark.parametrize("kind", ["rleaky-dense", "rleaky-one-to-one", "rsynaptic"])
def test_recurrent_neurons_round_trip_as_snntorch_subgraphs(tmp_path: Path, kind: str) -> None:
    import snntorch as snn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 6), _recurrent(kind), nn.Linear(6, 3),
                          snn.Leaky(beta=0.7, init_hidden=True, output=True))
    with torch.no_grad():
        model[0].weight.mul_(4)
    frames = torch.rand(10, 2, 5, generator=torch.Generator().manual_seed(3))
    path = tmp_path / f"{kind}.nir"
    sub = export_nir(model, frames[0], path).nodes["1"]
    # snnTorch's own layout: the neuron's spikes return to it through w_rec
    assert isinstance(sub, nir.NIRGraph) and ("w_rec", "lif") in list(map(tuple, sub.edges))
    back = import_nir(path)
    assert type(back[1]) is type(model[1]) and back[1].all_to_all == model[1].all_to_all
    hidden = nc.trace(model, frames).layers
    assert hidden.loc[hidden["layer"] == "1", "spikes_out"].sum() > 0
    _assert_read_back_equal(model, path, frames)


@pytest.mark.parametrize(("neuron", "message"), [
    ("Alpha", "NIR has no node with Alpha's two synaptic currents"),
])
def test_neurons_nir_cannot_express_are_refused_by_name(neuron: str, message: str) -> None:
    import snntorch as snn

    model = nn.Sequential(nn.Linear(4, 8),
                          getattr(snn, neuron)(alpha=0.9, beta=0.8, init_hidden=True))
    with pytest.raises(NirConversionError, match=rf"'1' \({neuron}\): {message}"):
        export_nir(model, torch.rand(2, 4))


def test_export_command_writes_files_trace_reads_back(tmp_path: Path) -> None:
    from neurocost.cli import main

    assert main(["export", "zoo:smlp", "--nir", str(tmp_path / "s.nir")]) == 0
    assert main(["trace", str(tmp_path / "s.nir"), "--random", "4,2,784"]) == 0
    assert main(["export", "zoo:bmlp", "--onnx", str(tmp_path / "b.onnx")]) == 0
    assert main(["trace", str(tmp_path / "b.onnx"), "--random", "2,784"]) == 0
    assert main(["export", "zoo:smlp", "--onnx", str(tmp_path / "s.onnx")]) == 0  # one step
    assert main(["trace", str(tmp_path / "s.onnx"), "--random", "4,2,784"]) == 0
    assert main(["export", "zoo:bmlp", "--nir", str(tmp_path / "x.nir")]) == 2  # called once
