"""ONNX export of binary, quantised and ANN models, checked twice: ``onnx.checker`` on the file
and onnxruntime's output against torch's on the example input.

Quantised layers are frozen first (``neurocost.models.freezing``): the file holds the weights
actually applied, and the model metadata entry ``neurocost.encodings`` (JSON) records each
quantised weight's declared encoding by initializer name::

    {"1.weight": {"weight_encoding": "binary", "bits_per_weight": 1.0}, ...}

which ``import_onnx`` reads back. Stepwise spiking models are written one time step at a time,
their neurons as ``ai.neurocost`` nodes (``onnx_neurons``); NIR (``export_nir``) is the other
route for them.
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
    """Write ``model`` to ``path`` and verify it; returns the path.

    A model called once is written as its graph and checked against onnxruntime on
    ``example``. A stepwise spiking model (snnTorch neurons keeping state between calls;
    ``example`` time-first ``[T, B, ...]``) is written as one time step whose neurons are
    ``ai.neurocost`` nodes (``neurocost.interchange.onnx_neurons``), and checked step by step
    over all T steps with onnx's reference evaluator. Raises ``OnnxExportError`` when the file's
    output differs from torch's by more than ``atol`` (absolute) at any step.
    """
    import onnx

    from neurocost.interchange.onnx_neurons import (
        DOMAIN,
        VERSION,
        spikes_of,
        with_neuron_nodes,
    )
    from neurocost.models.state import is_stepwise, reset_state

    path = Path(path)
    frozen, encodings = freeze(model)
    stepwise = is_stepwise(frozen)
    steps = list(example) if stepwise else [example]
    reset_state(frozen)
    with torch.no_grad():
        expected = [spikes_of(frozen(x)) for x in steps]  # the graph outputs spikes
    graph_module = with_neuron_nodes(frozen) if stepwise else frozen
    reset_state(graph_module)
    with warnings.catch_warnings():
        # torch >= 2.9 marks the TorchScript exporter deprecated; the torch.export-based one
        # needs onnxscript, which is not a dependency of this package.
        warnings.simplefilter("ignore", DeprecationWarning)
        # Shape checks in forward() are traced as constants for the example's shape: expected.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        try:
            torch.onnx.export(graph_module, (steps[0],), str(path), dynamo=False,
                              opset_version=OPSET, input_names=["input"],
                              output_names=["output"],
                              custom_opsets={DOMAIN: VERSION} if stepwise else None)
        except (RuntimeError, TypeError) as err:  # torch's exporter on an op ONNX lacks
            raise OnnxExportError(f"{path}: torch.onnx.export failed "
                                  f"({type(err).__name__}: {err})") from err
    graph = onnx.load(str(path))
    entry = graph.metadata_props.add()
    entry.key, entry.value = ENCODINGS_KEY, json.dumps(encodings, sort_keys=True)
    # shape inference knows no ai.neurocost node: the full check is for standard graphs only
    onnx.checker.check_model(graph, full_check=not stepwise)
    onnx.save(graph, str(path))
    if stepwise:
        _check_steps(path, graph, steps, expected, atol)
    else:
        _check_numerics(path, example, expected[0], atol)
    return path


def _check_steps(path: Path, graph: object, steps: list[torch.Tensor],
                 expected: list[torch.Tensor], atol: float) -> None:
    from onnx.reference import ReferenceEvaluator

    from neurocost.interchange.onnx_neurons import reference_ops

    evaluator = ReferenceEvaluator(graph, new_ops=reference_ops())
    for t, (x, want) in enumerate(zip(steps, expected, strict=True)):
        (got,) = evaluator.run(None, {"input": x.numpy()})
        _compare(path, f"the reference evaluator's step {t}", got, want, atol)


def _check_numerics(path: Path, example: torch.Tensor, expected: torch.Tensor,
                    atol: float) -> None:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": example.numpy()})
    _compare(path, "onnxruntime output", got, expected, atol)


def _compare(path: Path, what: str, got: np.ndarray, expected: torch.Tensor,
             atol: float) -> None:
    worst = float(np.max(np.abs(got - expected.numpy()))) if got.size else 0.0
    if got.shape != tuple(expected.shape) or worst > atol:
        raise OnnxExportError(
            f"{path}: {what} {got.shape} differs from torch {tuple(expected.shape)} "
            f"by up to {worst:.3g} (atol {atol})"
        )
