"""ONNX export (checker + onnxruntime numerics) and import for tracing."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

import neurocost as nc
from neurocost.interchange.onnx_export import ENCODINGS_KEY, export_onnx
from neurocost.interchange.onnx_import import UnsupportedOnnxOp, import_onnx
from neurocost.models import zoo
from neurocost.models.encodings import BINARY

SMALL_REACTNET = {"image_size": 32, "width": 0.25}
SMALL_SEQ2SEQ = {"layers": 1, "d_model": 32, "heads": 2, "d_ff": 64, "vocab": 50, "seq": 8}
COUNTED = ("dense_macs", "dense_signed_acs", "dense_bops", "effective_macs", "effective_bops")


@pytest.mark.parametrize(("name", "kw"), [("bcnn", {}), ("bmlp", {}), ("bcnn_ann", {}),
                                          ("bibert", {}), ("reactnet_a", SMALL_REACTNET),
                                          ("ternary_seq2seq", SMALL_SEQ2SEQ)])
def test_export_passes_checker_and_onnxruntime(tmp_path: Path, name: str, kw: dict) -> None:
    x = zoo.example_input(name, batch=2, **kw)
    path = export_onnx(zoo.get(name, **kw), x, tmp_path / f"{name}.onnx")
    onnx.checker.check_model(str(path))  # export_onnx also compared onnxruntime with torch
    imported = import_onnx(path)
    with torch.no_grad():
        assert torch.allclose(imported(x), zoo.get(name, **kw)(x), atol=1e-4)


@pytest.mark.parametrize(("name", "kw"), [("bcnn", {}), ("bmlp", {}), ("bibert", {})])
def test_imported_graph_counts_like_the_torch_model(tmp_path: Path, name: str, kw: dict) -> None:
    x = zoo.example_input(name, batch=2, **kw)
    path = export_onnx(zoo.get(name, **kw), x, tmp_path / f"{name}.onnx")
    from_file = nc.trace(str(path), x, steps=1).totals()
    from_torch = nc.trace(zoo.get(name, **kw), x, steps=1).totals()
    assert from_torch["dense_bops"].value > 0
    for key in COUNTED:
        assert from_file[key].value == from_torch[key].value, key


def test_export_annotates_binary_weights(tmp_path: Path) -> None:
    x = zoo.example_input("bmlp")
    model = onnx.load(str(export_onnx(zoo.get("bmlp"), x, tmp_path / "bmlp.onnx")))
    (entry,) = [p for p in model.metadata_props if p.key == ENCODINGS_KEY]
    # bmlp = Flatten, Linear (fp), Hardtanh, BinaryLinear (index 3), Hardtanh, Linear (fp)
    assert json.loads(entry.value) == {"3.1.weight": {"weight_encoding": "binary",
                                                      "bits_per_weight": 1.0}}


def _gemm_file(path: Path, weight: torch.Tensor, sign_input: bool) -> Path:
    """A hand-written graph: [Sign ->] Gemm(x, W^T), as another tool might write it."""
    nodes = [helper.make_node("Sign", ["x"], ["s"])] if sign_input else []
    nodes.append(helper.make_node("Gemm", ["s" if sign_input else "x", "W"], ["y"], transB=1))
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
        [numpy_helper.from_array(weight.numpy(), "W")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_unannotated_sign_and_plus_minus_alpha_weights_are_recognised(tmp_path: Path) -> None:
    weight = torch.tensor([[0.5, -0.5, 0.5], [-2.0, -2.0, 2.0]])  # one |w| per output row
    model = import_onnx(_gemm_file(tmp_path / "b.onnx", weight, sign_input=True))
    (linear,) = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert linear.weight_encoding == BINARY
    row = nc.trace(model, torch.tensor([[0.3, -1.0, 2.0]]), steps=1).layers.iloc[0]
    assert (row["op_class"], row["dense_ops"]) == ("bop", 6)


def test_real_weights_stay_fp32(tmp_path: Path) -> None:
    weight = torch.tensor([[0.5, -0.25, 0.5], [-2.0, -2.0, 2.0]])
    model = import_onnx(_gemm_file(tmp_path / "r.onnx", weight, sign_input=False))
    row = nc.trace(model, torch.tensor([[0.3, -1.0, 2.0]]), steps=1).layers.iloc[0]
    assert (row["op_class"], row["weight_encoding"]) == ("mac", "fp32")


def test_unknown_operator_is_named(tmp_path: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Hardmax", ["x"], ["y"], name="odd")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])])
    path = tmp_path / "odd.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(UnsupportedOnnxOp, match="'odd'.*'Hardmax'"):
        import_onnx(path)
