"""The front door: a model reference and the input it runs on, built one way for every caller.

The command line, sweeps and claims all start from "this model, on this input". ``ModelRef``
names the model (``zoo:NAME``, ``package.module:factory``, ``file.py:factory``, an ``.onnx`` or
``.nir`` file) with its factory keywords; ``InputSpec`` says what it runs on; ``prepare`` turns
the two into a ``Workload``: the built model, its input tensor, how it is driven and what the
input values mean. One rule decides every choice:

- **How the model is driven** (``call``): a model that keeps state between calls (snnTorch
  neurons, or any module with a reset rule; ``neurocost.models.state.is_stepwise``) is called
  once per time step on ``x[t]`` (``per_step``); any other model is called ``once`` on the whole
  input. ``call`` in the spec overrides the rule (a spiking model that loops over time itself is
  called ``once`` and runs ``steps`` steps).
- **Time steps** (``steps``) of a per-step model: the spec's, else the zoo entry's default, else
  ``DEFAULT_STEPS``.
- **Where the input comes from**: a tensor the caller gives; else a seeded draw of a data set's
  test split (``dataset``, with the model's accuracy on the whole split); else the zoo entry's
  seeded example input; else uniform [0, 1) values of ``shape`` (one sample, one step).
- **Frames of a per-step model** come from one static frame through the spec's ``encoder``
  (``direct`` repeats it; ``rate``, ``latency``, ``delta`` emit spikes); the encoder's output
  encoding is declared to the tracer. A time-first tensor given by the caller, or a zoo example
  input under ``direct``, is used as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from neurocost.errors import NeurocostError
from neurocost.models.encodings import Encoding, parse_encoding
from neurocost.vocabulary import EncoderName

if TYPE_CHECKING:  # torch is imported when a workload is prepared, so specs validate without it
    import torch
    from torch import nn

    from neurocost.models.datasets import LabelledData
    from neurocost.tracing.trace_record import Trace

Call = Literal["per_step", "once"]
NOT_MEASURED = "not measured (seeded example input)"
_ZOO = "zoo:"


class InputError(NeurocostError):
    """An input that does not fit its model; the message names the model and the field."""


class ModelRef(BaseModel):
    """Which model: ``source`` (as on the command line) and ``variant``, the factory's keyword
    arguments (``{layers: 12, d_model: 768}``). A bare string is the ``source``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1, validation_alias=AliasChoices("source", "spec"))
    variant: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"source": data} if isinstance(data, str) else data

    @property
    def zoo_name(self) -> str | None:
        """The zoo entry's name for ``zoo:NAME`` sources, else None."""
        return self.source[len(_ZOO):] if self.source.startswith(_ZOO) else None

    def build(self) -> nn.Module:
        """The module, built by its factory with ``variant``, in eval mode."""
        from neurocost.interchange.loading import load_model

        return load_model(self.source, **self.variant).eval()


class InputSpec(BaseModel):
    """What a model runs on (every field optional; see the module docstring for the rules).

    samples: inputs in the traced batch (figures are per sample: this sets precision, not scale).
    steps: time steps (per-step models; or the steps a model called ``once`` runs by itself).
    call: ``per_step`` or ``once``; unset, decided by whether the model keeps state.
    encoder: how a per-step model's static frame becomes ``steps`` frames.
    encoding: what the input values mean (``spike``, ``binary``, ``int8``, ``fp32`` ...) when no
        encoder declares it; unset, the zoo entry's declaration, else floating point.
    shape: one sample's shape at one step, for models without an example input.
    dataset: ``digits`` draws the traced samples from the shipped 8x8 digits test split and
        measures accuracy on the whole split.
    seed: seed of example, random and data-set inputs and of a rate encoder's spikes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    samples: int = Field(default=1, ge=1, validation_alias=AliasChoices("samples", "batch"))
    steps: int | None = Field(default=None, ge=1)
    call: Call | None = None
    encoder: EncoderName = "direct"
    encoding: str | None = None
    shape: tuple[int, ...] | None = None
    dataset: Literal["digits"] | None = None
    seed: int = 0

    @field_validator("shape")
    @classmethod
    def _positive_shape(cls, shape: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if shape is not None and (not shape or any(n < 1 for n in shape)):
            raise ValueError(f"shape {list(shape)} must be a non-empty list of positive sizes")
        return shape

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, encoding: str | None) -> str | None:
        if encoding is not None:
            parse_encoding(encoding)
        return encoding


@dataclass(frozen=True)
class Workload:
    """A built model and its input, ready to trace.

    x: time-first ``[T, B, ...]`` when ``call`` is ``per_step``, else what the one call takes.
    steps: time steps of the inference (1 for a model called once that runs no steps itself).
    encoding: declared encoding of ``x`` (None: floating point, the tracer's default).
    accuracy: top-1 accuracy on the data set's test split (fraction), None without a data set.
    """

    label: str
    model: nn.Module
    x: torch.Tensor
    call: Call
    steps: int
    encoding: Encoding | None
    accuracy: float | None = None
    accuracy_source: str = NOT_MEASURED

    @property
    def trace_steps(self) -> int | None:
        """``trace``'s ``steps`` argument: None for a per-step model (one call per ``x[t]``)."""
        return None if self.call == "per_step" else self.steps

    def trace(self, strict: bool = True) -> Trace:
        from neurocost.tracing.trace import trace

        return trace(self.model, self.x, self.trace_steps, strict, call=self.call,
                     input_encoding=self.encoding)


def prepare(ref: ModelRef, spec: InputSpec, *, model: nn.Module | None = None,
            x: torch.Tensor | None = None, label: str | None = None) -> Workload:
    """The ``Workload`` of ``ref`` on ``spec``: ``model`` when already built (trained weights),
    ``x`` when the caller has the input tensor (time-first for a per-step model unless an
    encoder other than ``direct`` turns its static frame into steps)."""
    from neurocost.models.state import is_stepwise

    label = label or ref.source
    model = ref.build() if model is None else model
    call = spec.call or ("per_step" if is_stepwise(model) else "once")
    steps = _steps(label, ref, spec, call)
    declared = parse_encoding(spec.encoding) if spec.encoding is not None else None
    if x is not None:
        return _given(label, model, x, call, steps, spec, declared)
    if spec.dataset is not None:
        return _measured(label, model, call, steps, spec)
    if ref.zoo_name is not None:
        return _example(label, ref, model, call, steps, spec, declared)
    if spec.shape is None:
        raise InputError(f"model {label!r} is not a zoo model and has no input: give the input "
                         "shape (one sample, one step), a data set or an input tensor")
    import torch

    frame = torch.rand((spec.samples, *spec.shape),
                       generator=torch.Generator().manual_seed(spec.seed))
    return _framed(label, model, frame, call, steps, spec, declared)


def _steps(label: str, ref: ModelRef, spec: InputSpec, call: Call) -> int:
    from neurocost.models.state import DEFAULT_STEPS

    if call == "once" and spec.call is None and spec.steps not in (None, 1):
        raise InputError(f"model {label!r} ({ref.source}): input.steps={spec.steps}, but the "
                         "model keeps no state between calls, so it is called once; drop "
                         "input.steps, or set input.call to once if it loops over time itself")
    if spec.steps is not None:
        return spec.steps
    if call == "once":
        return 1
    if ref.zoo_name is not None:
        from neurocost.models import zoo

        return zoo.entry(ref.zoo_name).default_steps
    return DEFAULT_STEPS


def _given(label: str, model: nn.Module, x: torch.Tensor, call: Call, steps: int,
           spec: InputSpec, declared: Encoding | None) -> Workload:
    """A caller's tensor: a static frame an encoder expands, else used as it is."""
    if call == "per_step" and spec.encoder != "direct":
        return _framed(label, model, x, call, spec.steps or 1, spec, declared)
    if call == "per_step":
        if x.dim() < 2:
            raise InputError(f"model {label!r} is called once per time step: its input must be "
                             f"time-first [T, B, ...], got shape {tuple(x.shape)}")
        steps = x.shape[0]
    return Workload(label, model, x, call, steps, declared)


def _framed(label: str, model: nn.Module, frame: torch.Tensor, call: Call, steps: int,
            spec: InputSpec, declared: Encoding | None, accuracy: float | None = None,
            accuracy_source: str = NOT_MEASURED) -> Workload:
    """One static frame ``[B, ...]``: as it is for a model called once, else ``steps`` frames
    from the encoder, whose output encoding is then what the input means."""
    if call == "once":
        return Workload(label, model, frame, call, steps, declared, accuracy, accuracy_source)
    from neurocost.models.encoders import make_encoder

    encoder = make_encoder(spec.encoder, spec.seed)
    encoding = declared if spec.encoder == "direct" and declared is not None \
        else encoder.output_encoding
    return Workload(label, model, encoder(frame, steps), call, steps, encoding, accuracy,
                    accuracy_source)


def _example(label: str, ref: ModelRef, model: nn.Module, call: Call, steps: int,
             spec: InputSpec, declared: Encoding | None) -> Workload:
    """The zoo entry's seeded example input, sized by the variant's size keywords."""
    from neurocost.models import zoo

    name = ref.zoo_name or ""
    entry = zoo.entry(name)
    declared = declared or entry.input_encoding
    # the model's size keywords shape its input; its weight seed is not the input's seed
    sizes = {k: v for k, v in ref.variant.items() if k != "seed"}
    if call == "once" or spec.encoder == "direct":  # the entry says what its frames are
        x = zoo.example_input(name, batch=spec.samples, steps=steps if entry.stepwise else None,
                              seed=spec.seed, **sizes)
        if call == "per_step" and not entry.stepwise:
            x = x.unsqueeze(0).expand(steps, *x.shape)
        return Workload(label, model, x, call, steps, declared)
    frame = zoo.example_input(name, batch=spec.samples, steps=1, seed=spec.seed, **sizes)[0]
    return _framed(label, model, frame, call, steps, spec, None)


def _measured(label: str, model: nn.Module, call: Call, steps: int,
              spec: InputSpec) -> Workload:
    """Accuracy on the whole test split; a seeded draw of ``spec.samples`` test images."""
    import torch

    from neurocost.models.encoders import make_encoder
    from neurocost.models.training import evaluate

    data = _dataset(spec)
    if spec.samples > len(data.test_x):
        raise InputError(f"model {label!r}: input.samples={spec.samples}, but the {data.name} "
                         f"test split holds {len(data.test_x)} samples")
    per_step = call == "per_step"
    accuracy = evaluate(model, data, steps if per_step else None,
                        make_encoder(spec.encoder, spec.seed))
    draw = torch.randperm(len(data.test_x), generator=torch.Generator().manual_seed(spec.seed))
    frames = data.test_x[draw[: spec.samples]]
    where = f"{data.name} test split, {len(data.test_x)} samples"
    if per_step:
        where = f"{where}, {spec.encoder} encoding over {steps} steps"
    return _framed(label, model, frames, call, steps, spec, None, accuracy, where)


def _dataset(spec: InputSpec) -> LabelledData:
    from neurocost.models.datasets import load_digits

    if spec.dataset == "digits":
        return load_digits()
    raise InputError(f"input.dataset={spec.dataset!r}: no such data set (known: digits)")
