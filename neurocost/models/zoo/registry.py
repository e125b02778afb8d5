"""The zoo registry: named model factories with the default input each one is traced on.

A zoo entry is a factory plus what a caller needs to run it without reading its code: whether the
model is *stepwise* (a snnTorch network called once per time step with ``x[t]``, so its input is
time-first ``[T, B, ...]``) or *called once* (an ANN or binary network, input ``[B, ...]``,
traced with ``steps=1``), and how to make a seeded example input of the right shape and dtype.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from neurocost.errors import NeurocostError
from neurocost.models.encodings import Encoding

# (batch, generator, model parameters: the factory's defaults updated by the caller's keywords)
InputMaker = Callable[[int, torch.Generator, dict[str, Any]], torch.Tensor]


class UnknownModelError(NeurocostError, KeyError):
    """A zoo name that is not registered."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class ZooEntry:
    """One zoo model.

    name: the registry key (``zoo:NAME`` on the command line).
    factory: builds the module; keyword arguments resize it (``layers=2, d_model=64`` ...).
    make_input: ``(batch, generator, params) -> tensor`` of one time step (stepwise) or one call;
        ``params`` are the factory's defaults updated by the keywords given to ``get``, so an
        input always fits the model built with the same keywords.
    stepwise: True for snnTorch networks called once per time step with ``x[t]``.
    default_steps: time steps of the example input (1 for models called once).
    input_encoding: declared encoding of the example input (None: floating point, the tracer's
        default; a first layer fed it costs MACs).
    twin: name of the fp32 ANN with the same architecture, or None when this is an ANN.
    summary: one line for ``neurocost zoo list``.
    """

    name: str
    factory: Callable[..., nn.Module]
    make_input: InputMaker
    stepwise: bool
    default_steps: int
    summary: str
    input_encoding: Encoding | None = None
    twin: str | None = None


_ENTRIES: dict[str, ZooEntry] = {}


def register(entry: ZooEntry) -> ZooEntry:
    """Add ``entry`` to the zoo; a duplicate name is a programming error."""
    if entry.name in _ENTRIES:
        raise ValueError(f"zoo entry {entry.name!r} is registered twice")
    _ENTRIES[entry.name] = entry
    return entry


def register_with_twin(
    name: str,
    factory: Callable[..., nn.Module],
    make_input: InputMaker,
    summary: str,
    *,
    stepwise: bool,
    default_steps: int = 1,
    input_encoding: Encoding | None = None,
) -> ZooEntry:
    """Register ``name`` and its fp32 ANN twin ``<name>_ann`` (the factory with ``ann=True``).

    The twin is called once on one frame of the same input (no time axis).
    """
    twin = f"{name}_ann"
    register(
        ZooEntry(
            name=twin,
            factory=functools.partial(factory, ann=True),
            make_input=make_input,
            stepwise=False,
            default_steps=1,
            summary=f"fp32 ANN twin of {name}",
        )
    )
    return register(
        ZooEntry(name, factory, make_input, stepwise, default_steps, summary, input_encoding, twin)
    )


def entry(name: str) -> ZooEntry:
    """The registered entry called ``name`` (``UnknownModelError`` listing the known names)."""
    try:
        return _ENTRIES[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown zoo model {name!r}; known: {', '.join(sorted(_ENTRIES))}"
        ) from None


def names() -> list[str]:
    """Registered zoo names, sorted."""
    return sorted(_ENTRIES)


def get(name: str, **kw: object) -> nn.Module:
    """Build zoo model ``name`` (weights seeded by ``seed=``, default 0) in eval mode."""
    model = entry(name).factory(**kw)
    return model.eval()


def example_input(
    name: str, batch: int = 1, steps: int | None = None, seed: int = 0, **model_kw: Any
) -> torch.Tensor:
    """A seeded example input for ``name``: ``[T, B, ...]`` if stepwise, else ``[B, ...]``.

    Stepwise inputs are direct-encoded: the same frame repeated at every step (use
    ``neurocost.models.encoders`` for rate, latency or delta spike trains). ``model_kw`` are the
    keywords the model was built with (``vocab=``, ``seq=``, ``image_size=`` ...).

    ``steps`` defaults to the entry's ``default_steps``; asking a called-once model for more than
    one step is an error, since such a model has no time axis.
    """
    spec = entry(name)
    if batch < 1:
        raise ValueError(f"zoo model {name!r}: batch must be >= 1, got {batch}")
    generator = torch.Generator().manual_seed(seed)
    params = _factory_defaults(spec.factory) | model_kw
    if not spec.stepwise:
        if steps not in (None, 1):
            raise ValueError(f"zoo model {name!r} is called once; steps must be 1, got {steps}")
        return spec.make_input(batch, generator, params)
    steps = spec.default_steps if steps is None else steps
    if steps < 1:
        raise ValueError(f"zoo model {name!r}: steps must be >= 1, got {steps}")
    frame = spec.make_input(batch, generator, params)
    return frame.unsqueeze(0).repeat(steps, *([1] * frame.dim()))


def _factory_defaults(factory: Callable[..., nn.Module]) -> dict[str, Any]:
    return {
        key: param.default
        for key, param in inspect.signature(factory).parameters.items()
        if param.default is not inspect.Parameter.empty
    }
