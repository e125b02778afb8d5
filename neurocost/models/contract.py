"""The layer contract: what a layer may declare about its operands and its weight storage.

Op classes and memory traffic come from declarations, never from values, so every reader of a
declaration (the tracer, static counts, model size, ONNX freezing, claims) must read it the
same way. This module is that one reader. A layer declares, as class or instance attributes,
any of:

``input_encoding``, ``weight_encoding``, ``output_encoding``
    an ``Encoding`` or its name (``"spike"``, ``"binary"``, ``"int4"`` ...);
``bits_per_weight``
    mean stored bits per entry of the weight it applies, when storage is mixed precision (a
    part that stores a masked share of a weight at ``b`` bits declares share x ``b``);
``stored_weight_elements``
    how many entries of its ``weight`` parameter are actually stored (a masked part stores only
    its own entries, each at its ``weight_encoding`` width);
``storage_overheads``
    bits stored beside the weight entries to decode them, by name: masks, indices, per-row or
    per-group scales (``{"scales": rows x 16, "mask": channels x 1}``); they count in the model
    size and in ``bits_per_weight``, since a checkpoint must hold them.

Anything undeclared falls back to the parameter's dtype width and, for encodings, to None (the
tracer's documented defaults apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import torch
from torch import nn

from neurocost.models.encodings import Encoding, parse_encoding

Role = Literal["input", "weight", "output"]


class DeclaresEncodings(Protocol):
    """A layer that declares its operands and storage (every attribute is optional)."""

    input_encoding: Encoding | str
    weight_encoding: Encoding | str
    output_encoding: Encoding | str
    bits_per_weight: float
    stored_weight_elements: int
    storage_overheads: dict[str, float]


def declared_encoding(module: nn.Module, role: Role) -> Encoding | None:
    """The encoding ``module`` declares for its input, weight or output, parsed; None if none."""
    value = getattr(module, f"{role}_encoding", None)
    return None if value is None else parse_encoding(value)


def declared_bits_per_weight(module: nn.Module) -> float | None:
    """The mean stored bits per weight entry ``module`` declares, or None."""
    value = getattr(module, "bits_per_weight", None)
    return None if value is None else float(value)


@dataclass(frozen=True)
class WeightStorage:
    """How one module's own ``weight`` parameter is stored: ``elements`` entries of
    ``bits_per_element`` bits each."""

    elements: int
    bits_per_element: float

    @property
    def bits(self) -> float:
        return self.elements * self.bits_per_element


def dtype_bits(tensor: torch.Tensor) -> int:
    """Storage width of one element of ``tensor``'s dtype."""
    info = torch.finfo if tensor.is_floating_point() else torch.iinfo
    return info(tensor.dtype).bits


def weight_storage(module: nn.Module) -> WeightStorage | None:
    """The storage of ``module``'s own ``weight`` parameter (None when it has none).

    Stored entries are ``stored_weight_elements`` when declared (each at the weight encoding's
    width), else all entries at the declared ``bits_per_weight``, else at the weight encoding's
    width, else at the dtype's.
    """
    weight = module._parameters.get("weight")
    if weight is None:
        return None
    encoding = declared_encoding(module, "weight")
    stored = getattr(module, "stored_weight_elements", None)
    if stored is not None and encoding is not None:
        return WeightStorage(int(stored), float(encoding.bits))
    declared = declared_bits_per_weight(module)
    if declared is not None:
        return WeightStorage(weight.numel(), declared)
    bits = encoding.bits if encoding is not None else dtype_bits(weight)
    return WeightStorage(weight.numel(), float(bits))


def storage_overheads(module: nn.Module) -> dict[str, float]:
    """The bits ``module`` declares it stores beside its weight entries, by name (empty if none).

    A negative or non-numeric entry is an error: it would silently shrink the model size.
    """
    declared = getattr(module, "storage_overheads", None) or {}
    out: dict[str, float] = {}
    for name, bits in dict(declared).items():
        value = float(bits)
        if not value >= 0:
            raise ValueError(f"{type(module).__name__}.storage_overheads[{name!r}] must be a "
                             f"number of bits >= 0, not {bits!r}")
        out[str(name)] = value
    return out
