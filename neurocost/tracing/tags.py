"""Encoding tags carried by tensors while a model is traced.

A producer that knows what its output means (a spiking neuron, a binary activation, an encoder,
the caller for the model input) tags the tensor; ops that only move or select values (views,
reshapes, pooling by max, concatenation, padding with zeros) pass the tag on. Arithmetic drops it,
and an untagged operand counts as floating point of its dtype width.
"""

from __future__ import annotations

import torch

from neurocost.models.encodings import SPIKE, Encoding, fp

_ATTR = "_neurocost_encoding"


def tag(tensor: torch.Tensor, encoding: Encoding) -> torch.Tensor:
    setattr(tensor, _ATTR, encoding)
    return tensor


def tag_of(tensor: object) -> Encoding | None:
    return getattr(tensor, _ATTR, None)


def encoding_of(tensor: torch.Tensor) -> Encoding:
    """The declared encoding, or floating point of the tensor's width when none was declared."""
    declared = tag_of(tensor)
    if declared is not None:
        return declared
    if tensor.dtype == torch.bool:
        return SPIKE
    return fp(torch.finfo(tensor.dtype).bits if tensor.is_floating_point() else
              torch.iinfo(tensor.dtype).bits)


_aten = torch.ops.aten

# Ops whose output holds (a selection of) the input's values, so the input's encoding survives.
PRESERVING = {
    _aten.view, _aten._unsafe_view, _aten.reshape, _aten.alias, _aten.clone, _aten.contiguous,
    _aten.t, _aten.transpose, _aten.permute, _aten.expand, _aten.squeeze, _aten.unsqueeze,
    _aten.flatten, _aten.select, _aten.slice, _aten.narrow, _aten.index_select, _aten.index,
    _aten.detach, _aten.lift_fresh, _aten._to_copy, _aten.to, _aten.repeat, _aten.unfold,
    _aten.max_pool1d, _aten.max_pool2d, _aten.max_pool2d_with_indices,
    _aten.max_pool1d_with_indices, _aten.adaptive_max_pool2d, _aten.constant_pad_nd,
    _aten.split, _aten.split_with_sizes, _aten.chunk, _aten.unbind, _aten.cat, _aten.stack,
    _aten.roll, _aten.flip, _aten.clamp_max, _aten.gather,
}


def propagate(packet: object, args: tuple, out: object) -> None:
    """Pass the encoding shared by all tensor inputs of a value-preserving op on to its outputs."""
    if packet not in PRESERVING:
        return
    encodings = {tag_of(t) for t in _tensors(args)}
    if len(encodings) != 1:
        return
    (encoding,) = encodings
    pass_on(encoding, out)


def pass_on(encoding: Encoding | None, out: object) -> None:
    """Tag every tensor in ``out`` (a tensor, or a tuple or list of them) with ``encoding``."""
    if encoding is None:
        return
    for t in _tensors((out,)):
        setattr(t, _ATTR, encoding)


def _tensors(items: tuple) -> list[torch.Tensor]:
    found: list[torch.Tensor] = []
    for item in items:
        if isinstance(item, torch.Tensor):
            found.append(item)
        elif isinstance(item, (list, tuple)):
            found.extend(_tensors(tuple(item)))
    return found
