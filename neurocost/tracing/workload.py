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
- **Where the input comes from**: a tensor the caller gives; else the user's tensor ``file``
  (with labels, the model's accuracy on all of them); else a seeded draw of a data set's test
  split (``dataset``, with the model's accuracy on the whole split); else the zoo entry's seeded
  example input; else uniform [0, 1) values of ``shape`` (one sample, one step).
- **Frames of a per-step model** come from one static frame through the spec's ``encoder``
  (``direct`` repeats it; ``rate``, ``latency``, ``delta`` emit spikes); the encoder's output
  encoding is declared to the tracer. A time-first tensor (given by the caller or read from a
  file, see ``time_first``), event data binned into ``steps`` spike frames, or a zoo example
  input under ``direct``, is used as it is.
- **Relative paths** (``file``, ``root``) are resolved against ``prepare``'s ``base_dir``: the
  sweep spec's folder, the claims file's folder, the working directory on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from neurocost.errors import NeurocostError
from neurocost.models.encodings import Encoding, parse_encoding
from neurocost.vocabulary import DatasetName, EncoderName

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
    file: a tensor file the user has: ``torch.save`` of a tensor or of a dict ``{x, y}`` with
        labels ``y`` (one integer class per sample), ``.npy``, or ``.npz`` with arrays ``x`` and
        optionally ``y``. With labels, accuracy is measured on every sample of the file. The
        traced batch is the whole file, or a seeded draw of ``samples`` of it when ``samples``
        is given.
    time_first: how ``file`` is laid out. ``true``: time-first
        ``[T, B, ...]``, used as it is (``T`` is the number of steps; labels count along B).
        ``false``: static frames ``[B, ...]``, which the ``encoder`` turns into ``steps``
        frames for a per-step model (``direct`` repeats each) and a model called once takes as
        they are. Unset: time-first when the model is called once per step with the ``direct``
        encoder, static frames otherwise (the rule a tensor given to ``prepare`` follows).
    dataset: ``digits`` draws the traced samples from the shipped 8x8 digits test split and
        measures accuracy on the whole split. ``nmnist``, ``shd`` and ``dvsgesture`` do the same
        on the test split of that event data set under ``root``, read with tonic (never
        downloaded) and binned into ``steps`` spike frames (``neurocost.models.event_datasets``).
    root: the folder holding the event data set as tonic lays it out (``ROOT/NMNIST/Test/...``,
        ``ROOT/SHD/shd_test.h5``, ``ROOT/DVSGesture/ibmGestureTest/...``).
    seed: seed of example, random and data-set inputs, of a rate encoder's spikes, and of the
        initial weights of a model ``prepare`` builds (a zoo entry keeps its own ``seed``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    samples: int = Field(default=1, ge=1, validation_alias=AliasChoices("samples", "batch"))
    steps: int | None = Field(default=None, ge=1)
    call: Call | None = None
    encoder: EncoderName = "direct"
    encoding: str | None = None
    shape: tuple[int, ...] | None = None
    file: str | None = Field(default=None, min_length=1)
    time_first: bool | None = None
    dataset: DatasetName | None = None
    root: str | None = Field(default=None, min_length=1)
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

    @model_validator(mode="after")
    def _one_source(self) -> InputSpec:
        sources = [name for name in ("file", "dataset", "shape") if getattr(self, name) is not None]
        if len(sources) > 1:
            raise ValueError(f"give one of {' or '.join(sources)}: each is where the input "
                             "comes from")
        if self.time_first is not None and self.file is None:
            raise ValueError("time_first says how input.file is laid out; give a file")
        if self.time_first and self.encoder != "direct":
            raise ValueError(f"time-first frames are used as they are; encoder {self.encoder!r} "
                             "expands static frames [B, ...] (set time_first: false)")
        if self.dataset in (None, "digits") and self.root is not None:
            raise ValueError(f"root locates an event data set; dataset is {self.dataset!r} "
                             "(nmnist, shd or dvsgesture read from root)")
        if self.dataset not in (None, "digits"):
            if self.root is None:
                raise ValueError(f"dataset {self.dataset!r} is read from files you have: give "
                                 "root, the folder tonic's layout starts in")
            if self.encoder != "direct":
                raise ValueError(f"dataset {self.dataset!r} is already spikes over time; "
                                 f"encoder {self.encoder!r} would encode them again")
        return self


@dataclass(frozen=True)
class Workload:
    """A built model and its input, ready to trace.

    x: time-first ``[T, B, ...]`` when ``call`` is ``per_step``, else what the one call takes.
    steps: time steps of the inference (1 for a model called once that runs no steps itself).
    encoding: declared encoding of ``x`` (None: floating point, the tracer's default).
    accuracy: top-1 accuracy on the data set's test split or the file's labelled samples
        (fraction), None without labels.
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
            x: torch.Tensor | None = None, label: str | None = None,
            base_dir: Path | None = None) -> Workload:
    """The ``Workload`` of ``ref`` on ``spec``: ``model`` when already built (trained weights),
    ``x`` when the caller has the input tensor (laid out by the unset ``time_first`` rule), relative
    ``file`` and ``root`` paths resolved against ``base_dir`` (default: the working directory)."""
    from neurocost.models.state import is_stepwise

    label = label or ref.source
    model = _built(ref, spec.seed) if model is None else model
    call = spec.call or ("per_step" if is_stepwise(model) else "once")
    steps = _steps(label, ref, spec, call)
    declared = parse_encoding(spec.encoding) if spec.encoding is not None else None
    run = _Run(label, model, call, steps, spec, declared)
    if x is not None:
        return run.on_tensor(x, None, "the given input", draw=False, check=False)
    if spec.file is not None:
        return run.on_file(_located(spec.file, base_dir))
    if spec.dataset is not None:
        return run.on_data(*_dataset(spec, steps, call, base_dir))
    if ref.zoo_name is not None:
        return _example(label, ref, model, call, steps, spec, declared)
    if spec.shape is None:
        raise InputError(f"model {label!r} is not a zoo model and has no input: give the input "
                         "shape (one sample, one step), a data set, a file or an input tensor")
    import torch

    frame = torch.rand((spec.samples, *spec.shape),
                       generator=torch.Generator().manual_seed(spec.seed))
    return _framed(label, model, frame, call, steps, spec, declared)


def _located(path: str, base_dir: Path | None) -> Path:
    located = Path(path).expanduser()
    return located if located.is_absolute() else (base_dir or Path.cwd()) / located


def _built(ref: ModelRef, seed: int) -> nn.Module:
    """``ref``'s model, its initial weights drawn from ``seed`` (without touching the caller's
    random state): the same spec builds the same untrained model every time, so a file exported
    from it traces to the counts the model itself gives."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ref.build()


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


_LAYOUT_HINT = ("; a per-step model takes time-first [T, B, ...] (input.time_first: true) or "
                "static frames [B, ...] it is fed at every step (input.time_first: false)")


@dataclass(frozen=True)
class _Run:
    """A model, how it is driven and the spec: turns samples (a file's, a data set's, the
    caller's) into its ``Workload``, with the accuracy on them where they have labels."""

    label: str
    model: nn.Module
    call: Call
    steps: int
    spec: InputSpec
    declared: Encoding | None

    def on_file(self, path: Path) -> Workload:
        from neurocost.models.input_files import InputFileError, read_input_file
        from neurocost.models.weights import TensorFileError

        try:
            x, y = read_input_file(path, "input.file")
        except (InputFileError, TensorFileError) as err:
            raise InputError(f"model {self.label!r}: {err}") from None
        return self.on_tensor(x, y, f"input.file {str(path)!r}",
                              draw="samples" in self.spec.model_fields_set)

    def on_tensor(self, x: torch.Tensor, y: torch.Tensor | None, where: str, draw: bool,
                  check: bool = True) -> Workload:
        """A tensor laid out as ``spec.time_first`` says (see ``InputSpec``); ``check`` runs
        the model on one of its samples first (``_check_fits``)."""
        import torch

        from neurocost.models.datasets import LabelledData

        spec = self.spec
        time_first = spec.time_first if spec.time_first is not None else \
            self.call == "per_step" and spec.encoder == "direct"
        if time_first and x.dim() < 2:
            raise InputError(f"model {self.label!r}: {where} must be time-first [T, B, ...], "
                             f"got shape {list(x.shape)}")
        samples = x.transpose(0, 1) if time_first else x
        labels = y if y is not None else torch.zeros(len(samples), dtype=torch.long)
        if y is not None and len(y) != len(samples):
            axis = "B of time-first [T, B, ...]" if time_first else "the first axis"
            raise InputError(f"model {self.label!r}: {where} holds {len(y)} labels for "
                             f"{len(samples)} samples (counted along {axis})")
        data = LabelledData(where, samples[:0], labels[:0], samples, labels,
                            classes=int(labels.max()) + 1 if len(labels) else 0,
                            has_time_axis=time_first)
        where = f"{where}, {len(samples)} labelled samples" if y is not None else NOT_MEASURED
        return self.on_data(data, where, measure=y is not None, draw=draw, check=check,
                            hint=_LAYOUT_HINT)

    def on_data(self, data: LabelledData, where: str, frames: Encoding | None = None,
                measure: bool = True, draw: bool = True, check: bool = True,
                hint: str = "") -> Workload:
        """A seeded draw of ``spec.samples`` (all of them unless ``draw``) of ``data``'s test
        split, time-first frames declared as ``frames`` unless the spec declares an encoding;
        with ``measure``, the accuracy on the whole split, from ``where``; ``hint`` ends the
        message when the model does not take the samples."""
        import torch

        spec = self.spec
        total = len(data.test_x)
        if draw and spec.samples > total:
            raise InputError(f"model {self.label!r}: input.samples={spec.samples}, but "
                             f"{data.name} holds {total} samples")
        steps = self._steps_of(data)
        if check:
            self._check_fits(data, hint)
        if measure and self.call == "per_step" and not data.has_time_axis:
            where = f"{where}, {spec.encoder} encoding over {steps} steps"
        accuracy = self._accuracy(data, steps) if measure else None
        order = torch.randperm(total, generator=torch.Generator().manual_seed(spec.seed))
        chosen = data.test_x[order[: spec.samples]] if draw else data.test_x
        if not data.has_time_axis:
            return _framed(self.label, self.model, chosen, self.call, steps, spec,
                           self.declared or frames, accuracy, where)
        return Workload(self.label, self.model, chosen.transpose(0, 1), self.call, steps,
                        self.declared or frames, accuracy, where)

    def _steps_of(self, data: LabelledData) -> int:
        """Steps of a per-step model: the data's own time axis when they have one."""
        if self.call == "once" or not data.has_time_axis:
            return self.steps
        frames = data.test_x.shape[1]
        if self.spec.steps is not None and self.spec.steps != frames:
            raise InputError(f"model {self.label!r}: input.steps={self.spec.steps}, but "
                             f"{data.name} holds {frames} time-first frames per sample")
        return frames

    def _check_fits(self, data: LabelledData, hint: str) -> None:
        """Run the model on one sample, one step: a shape it does not take is an input error
        naming the data, not a traceback from inside the model."""
        import torch

        from neurocost.models.state import reset_state

        if any(p.is_meta for p in self.model.parameters()):
            return  # built on the meta device for static counting: shapes only
        one = data.test_x[:1]
        if data.has_time_axis:
            one = one.transpose(0, 1)
            one = one[0] if self.call == "per_step" else one
        reset_state(self.model)
        try:
            with torch.no_grad():
                self.model(one)
        except (RuntimeError, ValueError, IndexError, TypeError) as err:
            first = (str(err).strip().splitlines() or [""])[0][:200]
            layout = "time-first [T, B, ...] frames" if data.has_time_axis else \
                "static frames [B, ...]"
            raise InputError(
                f"model {self.label!r} does not take {data.name} read as {layout} "
                f"(one step of one sample has shape {list(one.shape)}: {first}){hint}") from None
        finally:
            reset_state(self.model)

    def _accuracy(self, data: LabelledData, steps: int) -> float:
        from neurocost.models.encoders import make_encoder
        from neurocost.models.training import evaluate

        per_step = self.call == "per_step"
        return evaluate(self.model, data, steps if per_step else None,
                        make_encoder(self.spec.encoder, self.spec.seed))


def _dataset(spec: InputSpec, steps: int, call: Call,
             base_dir: Path | None) -> tuple[LabelledData, str, Encoding | None]:
    """The data set, how its accuracy is described, and what its time-first frames are."""
    from neurocost.models.datasets import LabelledData, load_digits

    if spec.dataset == "digits":
        data = load_digits()
        return data, f"digits test split, {len(data.test_x)} samples", None
    from neurocost.models.encodings import SPIKE
    from neurocost.models.event_datasets import EventDataError, load_event_test_split

    root = _located(spec.root or "", base_dir)
    try:
        data = load_event_test_split(str(spec.dataset), root, steps, "input.root")
    except EventDataError as err:
        raise InputError(str(err)) from None
    where = f"{data.name} test split under {str(root)!r}, {len(data.test_x)} samples"
    if call == "once" and steps == 1:  # one frame of the whole recording: static
        data = LabelledData(data.name, data.train_x[:, 0], data.train_y, data.test_x[:, 0],
                            data.test_y, data.classes)
    return data, where, SPIKE
