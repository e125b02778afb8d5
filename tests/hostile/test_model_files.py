"""Model files that are broken or hostile: named in one line, bounded before anything is built."""

from __future__ import annotations

from pathlib import Path

import nir
import numpy as np
import onnx
import pytest
import snntorch as snn
import torch
from onnx import TensorProto, helper
from torch import nn

import neurocost as nc
from neurocost.errors import NeurocostError
from neurocost.interchange.loading import load_model
from neurocost.interchange.nir_io import NirConversionError, export_nir, import_nir
from neurocost.interchange.onnx_import import UnsupportedOnnxOp, import_onnx
from neurocost.interchange.onnx_ops import MAX_ELEMENTS, OnnxSizeError
from neurocost.models.weights import TensorFileError, load_weights, read_tensor_file


def _cyclic_graph() -> nir.NIRGraph:
    weight = np.ones((2, 2), np.float32)
    nodes = {
        "input": nir.Input(input_type={"input": np.array([2])}),
        "a": nir.Linear(weight=weight),
        "b": nir.Linear(weight=weight),
        "output": nir.Output(output_type={"output": np.array([2])}),
    }
    graph = nir.NIRGraph(nodes=nodes, edges=[("input", "a"), ("a", "b"), ("b", "output")])
    graph.edges[:] = [("input", "a"), ("a", "b"), ("b", "a")]  # b feeds back into a
    return graph


def test_a_cyclic_nir_graph_is_refused_at_once() -> None:
    with pytest.raises(NirConversionError, match="NIR graph has a cycle through node 'a'"):
        import_nir(_cyclic_graph())


def test_a_nir_edge_to_a_missing_node_is_named() -> None:
    graph = _cyclic_graph()
    graph.edges[:] = [("input", "a"), ("a", "ghost")]
    with pytest.raises(NirConversionError, match="an edge names node 'ghost'"):
        import_nir(graph)


def test_our_own_nir_export_with_a_read_out_layer_reads_back(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), snn.Leaky(beta=0.9, init_hidden=True),
                          nn.Linear(5, 3))
    frames = (torch.rand(4, 2, 6) > 0.5).float()
    path = tmp_path / "readout.nir"
    export_nir(model, frames[0], path)
    back = import_nir(path)
    from_file = nc.trace(back, frames).layers.drop(columns="layer")
    from_torch = nc.trace(model, frames).layers.drop(columns="layer")
    assert from_file.equals(from_torch)


@pytest.mark.parametrize("suffix", [".nir", ".onnx"])
@pytest.mark.parametrize("content", [b"", b"garbage \x00\xff not a model", b"\x89HDF\r\n\x1a\n"])
def test_a_truncated_or_garbage_model_file_is_named(
    tmp_path: Path, suffix: str, content: bytes
) -> None:
    path = tmp_path / f"model{suffix}"
    path.write_bytes(content)
    with pytest.raises(NeurocostError, match=rf"^{path}: not a readable (NIR file|ONNX model)"):
        load_model(str(path))


def _onnx_file(tmp_path: Path, nodes: list, initializers: list | None = None) -> Path:
    graph = helper.make_graph(
        nodes, "hostile",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=initializers or [],
    )
    path = tmp_path / "hostile.onnx"
    onnx.save(helper.make_model(graph), str(path))
    return path


def test_a_truncated_onnx_file_is_named(tmp_path: Path) -> None:
    weight = helper.make_tensor("w", TensorProto.FLOAT, [4, 3], [0.5] * 12)
    path = _onnx_file(tmp_path, [helper.make_node("MatMul", ["x", "w"], ["y"])], [weight])
    assert isinstance(import_onnx(path), nn.Module)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(UnsupportedOnnxOp, match=rf"^{path}: not a readable ONNX model"):
        import_onnx(path)


def test_an_absurd_constant_of_shape_is_refused_before_it_allocates(tmp_path: Path) -> None:
    shape = helper.make_tensor("shape", TensorProto.INT64, [3], [10**6, 10**6, 10**6])
    path = _onnx_file(tmp_path, [
        helper.make_node("ConstantOfShape", ["shape"], ["big"]),
        helper.make_node("Add", ["x", "big"], ["y"]),
    ], [shape])
    with pytest.raises(OnnxSizeError, match=rf"more than {MAX_ELEMENTS:,} elements"):
        import_onnx(path)


def test_a_shape_computed_at_run_time_is_bounded_when_it_runs(tmp_path: Path) -> None:
    from neurocost.interchange.onnx_ops import OPS

    with pytest.raises(OnnxSizeError, match="ConstantOfShape"):
        OPS["ConstantOfShape"]({}, torch.tensor([10**5, 10**5, 10**5]))
    with pytest.raises(OnnxSizeError, match="Range"):
        OPS["Range"]({}, torch.tensor(0), torch.tensor(10**12), torch.tensor(1))
    with pytest.raises(OnnxSizeError, match="Range: delta is 0"):
        OPS["Range"]({}, torch.tensor(0), torch.tensor(1), torch.tensor(0))


def test_an_onnx_node_reading_a_value_no_node_defines_is_refused(tmp_path: Path) -> None:
    path = _onnx_file(tmp_path, [
        helper.make_node("Relu", ["z"], ["w"]),
        helper.make_node("Relu", ["w"], ["z"]),
        helper.make_node("Add", ["x", "w"], ["y"]),
    ])
    with pytest.raises(UnsupportedOnnxOp, match="reads 'z' before any node defines it"):
        import_onnx(path)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated zip", b"\x80\x04garbage"])
def test_a_truncated_or_garbage_pt_file_is_named(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "weights.pt"
    path.write_bytes(content)
    with pytest.raises(TensorFileError, match=rf"^{path}: weights file is not a readable torch"):
        read_tensor_file(path)


def test_weights_that_do_not_fit_the_model_are_named(tmp_path: Path) -> None:
    path = tmp_path / "w.pt"
    torch.save(nn.Linear(3, 2).state_dict(), path)
    with pytest.raises(TensorFileError, match=rf"^{path}: weights do not fit Linear"):
        load_weights(nn.Linear(4, 2), path)
