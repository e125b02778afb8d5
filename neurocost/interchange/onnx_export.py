"""ONNX export of binary, quantised and ANN models, checked twice: ``onnx.checker`` on the file
and onnxruntime's output against torch's on the example input.

Quantised layers are frozen first (``neurocost.models.freezing``): the file holds the weights
actually applied, and the model metadata entry ``neurocost.encodings`` (JSON) records each
quantised weight's declared encoding by initializer name::

    {"1.weight": {"weight_encoding": "binary", "bits_per_weight": 1.0}, ...}

which ``import_onnx`` reads back. Spiking models go through NIR instead (``export_nir``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from neurocost.errors import NeurocostError
from neurocost.models.freezing import freeze

ENCODINGS_KEY = "neurocost.encodings"
OPSET = 17


class OnnxExportError(NeurocostError, RuntimeError):
    """The exported graph failed the checker or disagrees with torch numerically."""


def export_onnx(
    model: nn.Module, example: torch.Tensor, path: str | Path, *, atol: float = 1e-4,
) -> Path:
    """Write ``model`` (called once on ``example``) to ``path`` and verify it; returns the path.

    Raises ``OnnxExportError`` if onnxruntime's output differs from torch's by more than
    ``atol`` (absolute, after the usual float32 reordering noise).
    """
    import onnx

    path = Path(path)
    frozen, encodings = freeze(model)
    with torch.no_grad():
        expected = frozen(example)
    with warnings.catch_warnings():
        # torch >= 2.9 marks the TorchScript exporter deprecated; the torch.export-based one
        # needs onnxscript, which is not a dependency of this package.
        warnings.simplefilter("ignore", DeprecationWarning)
        # Shape checks in forward() are traced as constants for the example's shape: expected.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(frozen, (example,), str(path), dynamo=False, opset_version=OPSET,
                          input_names=["input"], output_names=["output"])
    graph = onnx.load(str(path))
    entry = graph.metadata_props.add()
    entry.key, entry.value = ENCODINGS_KEY, json.dumps(encodings, sort_keys=True)
    onnx.checker.check_model(graph, full_check=True)
    onnx.save(graph, str(path))
    _check_numerics(path, example, expected, atol)
    return path


def _check_numerics(path: Path, example: torch.Tensor, expected: torch.Tensor,
                    atol: float) -> None:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": example.numpy()})
    worst = float(np.max(np.abs(got - expected.numpy()))) if got.size else 0.0
    if got.shape != tuple(expected.shape) or worst > atol:
        raise OnnxExportError(
            f"{path}: onnxruntime output {got.shape} differs from torch {tuple(expected.shape)} "
            f"by up to {worst:.3g} (atol {atol})"
        )
