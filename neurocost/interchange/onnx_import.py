"""Read an ONNX graph into a torch module that ``neurocost.trace`` can count.

Weighted ops become layers the tracer understands: ``Conv`` -> Conv1d/Conv2d, ``Gemm`` and
``MatMul`` against an initializer -> Linear (MatMul between two activations stays a matmul).
The rest run as torch functions (``neurocost.interchange.onnx_ops``) in the graph's order.

Operand encodings (the annotation is documented in ``onnx_export``):
- a weight named in the model metadata ``neurocost.encodings`` takes the declared encoding and
  bits per weight;
- otherwise a weight whose non-zero magnitudes are one value per output channel (sign x scale)
  is BINARY, any other weight fp32;
- the binary-activation pattern ``Where(GreaterOrEqual(x, 0), 1, -1)``, and ``Sign``, tag
  their output BINARY, so a layer or matmul fed by it is counted as XNOR-popcount.

``ai.neurocost`` nodes (``onnx_neurons``) become the snnTorch neurons they stand for, so a file
holding one time step of a spiking model imports as that stepwise model.
Unsupported operators raise ``UnsupportedOnnxOp`` naming the node.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from neurocost.errors import NeurocostError
from neurocost.interchange.onnx_export import ENCODINGS_KEY
from neurocost.interchange.onnx_neurons import DOMAIN as NEURON_DOMAIN
from neurocost.interchange.onnx_neurons import neuron_module
from neurocost.interchange.onnx_ops import OPS, checked_shape
from neurocost.models.encodings import BINARY, FP32, Encoding, parse_encoding


class UnsupportedOnnxOp(NeurocostError):
    """An ONNX node this importer cannot convert, or an ONNX file that cannot be read."""


class _Declared:
    weight_encoding: Encoding = FP32
    bits_per_weight: float = 32.0

    def declare(self, encoding: Encoding, bits: float) -> None:
        self.weight_encoding, self.bits_per_weight = encoding, bits


class ImportedLinear(_Declared, nn.Linear):
    """A Gemm / MatMul node with a constant weight."""


class ImportedConv1d(_Declared, nn.Conv1d):
    """A 1-D Conv node."""


class ImportedConv2d(_Declared, nn.Conv2d):
    """A 2-D Conv node."""


class BinarySign(nn.Module):
    """The binary-activation pattern (or ``Sign``): +1 where x >= 0, else -1."""

    output_encoding: Encoding = BINARY

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))


class _FunctionalNode(nn.Module):
    def __init__(self, op_type: str, attrs: dict[str, Any]) -> None:
        super().__init__()
        self.op_type, self.attrs = op_type, attrs

    def forward(self, *inputs: torch.Tensor | None) -> torch.Tensor:
        return OPS[self.op_type](self.attrs, *inputs)


class OnnxGraphModule(nn.Module):
    """Runs the converted nodes in graph order; one input tensor, first graph output returned."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.nodes = nn.ModuleDict()
        self.wiring: list[tuple[str, list[str], list[str]]] = []
        self.constants: dict[str, torch.Tensor] = {}
        self.input_name = ""
        self.output_name = ""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values: dict[str, torch.Tensor | None] = {**self.constants, self.input_name: x, "": None}
        for key, inputs, outputs in self.wiring:
            result = self.nodes[key](*(values[i] for i in inputs))
            values[outputs[0]] = result
        out = values[self.output_name]
        assert out is not None
        return out


def import_onnx(path: str | Path) -> OnnxGraphModule:
    """Convert the ONNX file at ``path`` (one graph input) into an ``OnnxGraphModule``."""
    import onnx
    from onnx import numpy_helper

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ONNX file {str(path)!r} does not exist")
    try:
        proto = onnx.load(str(path))
        if not proto.HasField("graph"):
            raise ValueError("the file holds no graph")
        graph = proto.graph
        constants = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
                     for t in graph.initializer}
    except Exception as err:  # noqa: BLE001 (protobuf raises DecodeError, RuntimeError ...)
        raise UnsupportedOnnxOp(
            f"{path}: not a readable ONNX model ({type(err).__name__}: {err})"
        ) from None
    annotation = _annotation(proto, path)
    inputs = [i.name for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise UnsupportedOnnxOp(f"{path}: expected one graph input, found {inputs}")
    _check_graph(graph, constants, inputs[0], path)
    module = OnnxGraphModule(path.stem)
    module.input_name, module.output_name = inputs[0], graph.output[0].name
    producers = {out: node for node in graph.node for out in node.output}
    for index, node in enumerate(graph.node):
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Constant":
            constants[node.output[0]] = torch.from_numpy(
                numpy_helper.to_array(attrs["value"]).copy())
            continue
        if node.op_type == "Identity" and node.input[0] in constants:  # a shared initializer
            constants[node.output[0]] = constants[node.input[0]]
            continue
        key = f"{index}_{re.sub(r'[^0-9A-Za-z_]', '_', node.name or node.op_type)}"
        layer, wired = _convert(node, attrs, constants, producers, annotation, path)
        module.nodes[key] = layer
        module.wiring.append((key, wired, list(node.output)))
    module.constants = constants
    return module.eval()


def _check_graph(
    graph: Any, constants: dict[str, torch.Tensor], graph_input: str, path: Path
) -> None:
    """Before building anything: every node reads only values defined before it (ONNX graphs are
    topologically sorted, so this also refuses cycles), the output exists, and shapes given as
    constants for ``ConstantOfShape``/``Expand`` stay within ``onnx_ops.MAX_ELEMENTS``."""
    from onnx import numpy_helper

    known = {*constants, graph_input}
    shapes = {name: t for name, t in constants.items() if t.dim() <= 1}
    for node in graph.node:
        missing = [name for name in node.input if name and name not in known]
        if missing:
            raise UnsupportedOnnxOp(
                f"{path}: node {node.name or node.op_type!r} reads {missing[0]!r} before any node "
                "defines it (a cycle, or nodes out of order)"
            )
        if node.op_type == "Constant" and node.output:
            for attr in node.attribute:
                if attr.name == "value" and len(attr.t.dims) <= 1:
                    shapes[node.output[0]] = torch.from_numpy(numpy_helper.to_array(attr.t).copy())
        if node.op_type in ("ConstantOfShape", "Expand") and len(node.input) >= 1:
            source = node.input[0] if node.op_type == "ConstantOfShape" else node.input[-1]
            if source in shapes:
                dims = [int(v) for v in shapes[source].flatten().tolist()]
                checked_shape(f"{path}: node {node.name or node.op_type!r}", dims)
        known.update(node.output)
    if not graph.output or graph.output[0].name not in known:
        raise UnsupportedOnnxOp(f"{path}: the graph's output is not computed by any node")


def _annotation(proto: Any, path: Path) -> dict[str, dict[str, Any]]:
    for entry in proto.metadata_props:
        if entry.key == ENCODINGS_KEY:
            try:
                return json.loads(entry.value)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}: metadata {ENCODINGS_KEY!r} is not JSON: {err}") from err
    return {}


def _convert(node: Any, attrs: dict[str, Any], constants: dict[str, torch.Tensor],
             producers: dict[str, Any], annotation: dict[str, dict[str, Any]], path: Path,
             ) -> tuple[nn.Module, list[str]]:
    """The module for ``node`` and the names of the values it reads."""
    op = node.op_type
    if node.domain == NEURON_DOMAIN:
        return neuron_module(node, attrs, constants, str(path)), [node.input[0]]
    if op == "Conv":
        return _conv(node, attrs, constants, annotation), [node.input[0]]
    if op in ("Gemm", "MatMul") and len(node.input) > 1 and node.input[1] in constants:
        return _linear(node, attrs, constants, annotation, path), [node.input[0]]
    if op == "Sign" or (op == "Where" and _is_sign_pattern(node, constants, producers)):
        source = node.input[0] if op == "Sign" else producers[node.input[0]].input[0]
        return BinarySign(), [source]
    if op not in OPS:
        raise UnsupportedOnnxOp(f"{path}: node {node.name!r} uses unsupported operator {op!r}")
    return _FunctionalNode(op, attrs), list(node.input)


def _is_sign_pattern(node: Any, constants: dict[str, torch.Tensor],
                     producers: dict[str, Any]) -> bool:
    condition = producers.get(node.input[0])
    if condition is None or condition.op_type != "GreaterOrEqual":
        return False
    threshold = constants.get(condition.input[1])
    high, low = constants.get(node.input[1]), constants.get(node.input[2])
    return (threshold is not None and high is not None and low is not None
            and bool((threshold == 0).all()) and bool((high == 1).all())
            and bool((low == -1).all()))


def _weight_declaration(name: str, weight: torch.Tensor,
                        annotation: dict[str, dict[str, Any]]) -> tuple[Encoding, float]:
    """Declared encoding and bits per weight of a weight ``[out, ...]``."""
    if name in annotation:
        encoding = parse_encoding(annotation[name]["weight_encoding"])
        return encoding, float(annotation[name].get("bits_per_weight", encoding.bits))
    magnitudes = weight.abs().reshape(weight.shape[0], -1)
    per_channel = magnitudes.amax(dim=1, keepdim=True)
    if bool((magnitudes > 0).all()) and bool(
            np.allclose(magnitudes.numpy(), per_channel.expand_as(magnitudes).numpy(),
                        rtol=1e-6, atol=0.0)):
        return BINARY, 1.0
    return FP32, 32.0


def _linear(node: Any, attrs: dict[str, Any], constants: dict[str, torch.Tensor],
            annotation: dict[str, dict[str, Any]], path: Path) -> ImportedLinear:
    matrix = constants[node.input[1]].float()
    if matrix.dim() != 2:
        raise UnsupportedOnnxOp(f"{path}: node {node.name!r} has a {matrix.dim()}-D weight")
    if node.op_type == "Gemm":
        if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) \
                != 1.0:
            raise UnsupportedOnnxOp(f"{path}: Gemm {node.name!r} with transA/alpha/beta")
        weight = matrix if attrs.get("transB", 0) else matrix.T
    else:
        weight = matrix.T
    bias = _bias(node, constants)
    layer = ImportedLinear(weight.shape[1], weight.shape[0], bias=bias is not None)
    return _filled(layer, weight, bias, node.input[1], annotation)


def _bias(node: Any, constants: dict[str, torch.Tensor]) -> torch.Tensor | None:
    return constants.get(node.input[2]) if len(node.input) > 2 and node.input[2] else None


def _filled(layer: _Declared, weight: torch.Tensor, bias: torch.Tensor | None, weight_name: str,
            annotation: dict[str, dict[str, Any]]) -> Any:
    """``layer`` with the node's weight and bias copied in and its weight encoding declared."""
    with torch.no_grad():
        layer.weight.copy_(weight)  # type: ignore[attr-defined]
        if bias is not None:
            layer.bias.copy_(bias)  # type: ignore[attr-defined]
    layer.declare(*_weight_declaration(weight_name, weight, annotation))
    return layer


def _conv(node: Any, attrs: dict[str, Any], constants: dict[str, torch.Tensor],
          annotation: dict[str, dict[str, Any]]) -> nn.Module:
    weight = constants[node.input[1]].float()
    spatial = weight.dim() - 2
    pads = attrs.get("pads", [0] * 2 * spatial)
    if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or \
            pads[:spatial] != pads[spatial:]:
        raise UnsupportedOnnxOp(f"Conv {node.name!r}: only explicit symmetric padding")
    bias = _bias(node, constants)
    conv_type = {1: ImportedConv1d, 2: ImportedConv2d}.get(spatial)
    if conv_type is None:
        raise UnsupportedOnnxOp(f"Conv {node.name!r}: {spatial}-D convolution")
    groups = attrs.get("group", 1)
    layer = conv_type(weight.shape[1] * groups, weight.shape[0], tuple(weight.shape[2:]),
                      stride=tuple(attrs.get("strides", [1] * spatial)),
                      padding=tuple(pads[:spatial]),
                      dilation=tuple(attrs.get("dilations", [1] * spatial)), groups=groups,
                      bias=bias is not None)
    return _filled(layer, weight, bias, node.input[1], annotation)
