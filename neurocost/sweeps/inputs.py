"""What a sweep traces each model on, and the accuracy that goes next to its energy.

Two sources, chosen by the spec's ``input`` block:

- a zoo entry's seeded example input (``dataset`` unset): shapes are right, values are noise, so
  no accuracy is claimed;
- a labelled data set (``dataset: digits``): the model is evaluated on the whole test split,
  and the trace runs on a seeded draw of ``samples`` test images. Accuracy and trace come from
  the same weights and the same input encoding, so a row's accuracy is the accuracy of the
  inference whose energy it reports.

A stepwise (spiking) model's static frame becomes ``steps`` frames through the spec's encoder;
the encoder's declared output encoding (fp32 for ``direct``, spike for ``rate`` and ``latency``)
reaches the tracer, which is what decides whether the first layer multiplies or accumulates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from neurocost.errors import NeurocostError
from neurocost.models.encodings import Encoding
from neurocost.sweeps.spec import InputSpec

if TYPE_CHECKING:
    from neurocost.models.datasets import LabelledData
    from neurocost.models.training import Encoder

NOT_MEASURED = "not measured (seeded example input)"


class InputError(NeurocostError):
    """A spec ``input`` block that does not fit its model; the message names model and field."""


@dataclass(frozen=True)
class PreparedInput:
    """The traced batch and its measured accuracy.

    x: time-first ``[T, B, ...]`` for a stepwise model, ``[B, ...]`` for one called once.
    steps: what ``trace`` takes: None (stepwise, time-first ``x``) or 1 (called once).
    encoding: declared encoding of ``x`` (None: floating point, the tracer's default).
    accuracy: top-1 accuracy on the data set's test split (fraction), None without a data set.
    accuracy_source: where ``accuracy`` comes from, in words.
    """

    x: torch.Tensor
    steps: int | None
    encoding: Encoding | None
    accuracy: float | None
    accuracy_source: str


def prepare_input(label: str, source: str, params: dict[str, Any], spec: InputSpec,
                  model: nn.Module) -> PreparedInput:
    """The input ``model`` (built from ``source`` with ``params``) is traced on, per ``spec``."""
    from neurocost.models.training import is_stepwise

    stepwise = is_stepwise(model)
    steps = _steps(label, source, spec, stepwise)
    if spec.dataset is None:
        return _example(label, source, params, spec, steps)
    return _measured(label, spec, model, steps)


def _steps(label: str, source: str, spec: InputSpec, stepwise: bool) -> int | None:
    """Time steps of a stepwise model (None for a model called once)."""
    if not stepwise:
        if spec.steps not in (None, 1):
            raise InputError(f"model {label!r} ({source}): input.steps={spec.steps}, but the "
                             "model has no snnTorch neurons and is called once; drop input.steps")
        return None
    if spec.steps is not None:
        return spec.steps
    if source.startswith("zoo:"):
        from neurocost.models import zoo

        return zoo.entry(source[len("zoo:"):]).default_steps
    from neurocost.models.training import DEFAULT_STEPS

    return DEFAULT_STEPS


def _encoder(spec: InputSpec) -> Encoder:
    from neurocost.models.encoders import DirectEncoder, LatencyEncoder, RateEncoder

    if spec.encoder == "rate":
        return RateEncoder(seed=spec.seed)
    if spec.encoder == "latency":
        return LatencyEncoder()
    return DirectEncoder()


def _example(label: str, source: str, params: dict[str, Any], spec: InputSpec,
             steps: int | None) -> PreparedInput:
    """A zoo entry's seeded example input, encoded into ``steps`` frames when stepwise."""
    if not source.startswith("zoo:"):
        raise InputError(f"model {label!r} ({source}): only zoo models have an example input; "
                         "set input.dataset in the sweep spec")
    from neurocost.models import zoo

    name = source[len("zoo:"):]
    entry = zoo.entry(name)
    # the model's size keywords shape its input; its weight seed is not the input's seed
    sizes = {k: v for k, v in params.items() if k != "seed"}
    if steps is None or spec.encoder == "direct":  # the entry says what its frames are
        x = zoo.example_input(name, batch=spec.samples, steps=steps, seed=spec.seed, **sizes)
        return PreparedInput(x, 1 if steps is None else None, entry.input_encoding, None,
                             NOT_MEASURED)
    frame = zoo.example_input(name, batch=spec.samples, steps=1, seed=spec.seed, **sizes)[0]
    encoder = _encoder(spec)
    return PreparedInput(encoder(frame, steps), None, encoder.output_encoding, None,
                         NOT_MEASURED)


def _measured(label: str, spec: InputSpec, model: nn.Module, steps: int | None) -> PreparedInput:
    """Accuracy on the whole test split; a seeded draw of ``spec.samples`` test images traced."""
    from neurocost.models.training import evaluate

    data = _dataset(spec)
    if spec.samples > len(data.test_x):
        raise InputError(f"model {label!r}: input.samples={spec.samples}, but the {data.name} "
                         f"test split holds {len(data.test_x)} samples")
    accuracy = evaluate(model, data, steps, _encoder(spec))
    draw = torch.randperm(len(data.test_x), generator=torch.Generator().manual_seed(spec.seed))
    frames = data.test_x[draw[: spec.samples]]
    where = f"{data.name} test split, {len(data.test_x)} samples"
    if steps is None:
        return PreparedInput(frames, 1, None, accuracy, where)
    encoder = _encoder(spec)
    return PreparedInput(encoder(frames, steps), None, encoder.output_encoding, accuracy,
                         f"{where}, {spec.encoder} encoding over {steps} steps")


def _dataset(spec: InputSpec) -> LabelledData:
    from neurocost.models.datasets import load_digits

    if spec.dataset == "digits":
        return load_digits()
    raise InputError(f"input.dataset={spec.dataset!r}: no such data set (known: digits)")
