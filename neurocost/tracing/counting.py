"""Exact synaptic-op counting without running any layer twice.

Effective ops are (non-zero input element x non-zero weight) pairs that a layer combines. For a
layer with fixed weights they factor as ``<input non-zero mask, fan-out map>``, where the fan-out
map says, for every input element, how many non-zero weights it meets (convolution borders,
stride, dilation and groups included). The map is computed once per (layer, input shape) in
closed form from the weight's zero pattern and the convolution's geometry (``conv_fanout``), so
each step costs one comparison and one dot product over the input: O(input size), not O(MACs).

All sums are done in int64, so counts stay exact integers however large they get.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from functools import cached_property

import torch


@dataclass(frozen=True)
class ConvConnectivity:
    """The parameters of an N-d convolution (N = 1 or 2) that decide who meets whom."""

    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int


@dataclass(frozen=True)
class FanOut:
    """Per-input-element fan-out of one layer at one input shape (batch dimension excluded).

    ``effective``: how many non-zero weights each input element meets (flattened, float64:
    integers stay exact below 2**53 and the per-call dot product runs in BLAS).
    ``dense``: the same with every weight counted (exact borders).
    ``nominal_per_sample``: output elements x reduction size (padding included).
    ``effective_per_sample``: the sum of ``effective``, what one sample meets when every input
    element is non-zero.
    """

    effective: torch.Tensor
    dense_per_sample: int
    nominal_per_sample: int

    @cached_property
    def effective_per_sample(self) -> int:
        return int(self.effective.sum().item())


def linear_fanout(weight_shape: tuple[int, ...],
                  weight_nonzero: torch.Tensor | None = None) -> FanOut:
    """Fan-out of a linear layer ``y = x W^T``: input feature k meets nnz(W[:, k]) weights.

    ``weight_nonzero`` is None when every weight is non-zero (a +-1 or shapes-only weight): each
    feature then meets all ``out_features`` weights, with no pass over the weight.
    """
    out_features, in_features = weight_shape
    if weight_nonzero is None:
        per_feature = torch.full((in_features,), float(out_features), dtype=torch.float64)
    else:
        per_feature = weight_nonzero.sum(dim=0, dtype=torch.int64).to(torch.float64)
    return FanOut(per_feature, in_features * out_features, in_features * out_features)


def conv_output_size(length: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Output positions of a convolution along one dimension (torch.nn.Conv docs' formula)."""
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_fanout(weight_shape: tuple[int, ...], in_shape: tuple[int, ...],
                geometry: ConvConnectivity, weight_nonzero: torch.Tensor | None = None) -> FanOut:
    """Fan-out of a 1-d or 2-d convolution for one sample of shape ``(C_in, *spatial)``.

    Closed form, no convolution run. Along each spatial dimension d, ``reads_d[i, k]`` is 1 when
    kernel tap k reads input position i at some output position (at most one: ``o * stride -
    padding + k * dilation = i``). An input element (c, i, j) then meets
    ``sum_{k,l} taps[c, k, l] reads_h[i, k] reads_w[j, l]`` weights, where ``taps[c, k, l]``
    counts the non-zero weights at tap (k, l) of input channel c over the output channels of its
    group. ``weight_nonzero`` is None when every weight is non-zero: ``taps`` is then
    ``C_out / groups`` everywhere. Dense ops use that all-non-zero ``taps`` and need only the sums
    of ``reads_d``.
    """
    out_channels, per_group_in, *kernel = weight_shape
    spatial = in_shape[1:]
    groups = geometry.groups
    per_group_out = out_channels // groups
    reads = []
    out_shape = [out_channels]
    dense = in_shape[0] * per_group_out
    for d, length in enumerate(spatial):
        size = conv_output_size(length, kernel[d], geometry.stride[d], geometry.padding[d],
                                geometry.dilation[d])
        table, pairs = _reads(length, kernel[d], size, geometry.stride[d], geometry.padding[d],
                              geometry.dilation[d])
        reads.append(table)
        dense *= pairs
        out_shape.append(size)
    if weight_nonzero is None:
        taps = torch.full((in_shape[0], *kernel), float(per_group_out), dtype=torch.float64)
    else:  # [G, C_out/G, C_in/G, *K] summed over each group's output channels -> [C_in, *K]
        taps = weight_nonzero.reshape(groups, per_group_out, per_group_in, *kernel) \
            .sum(dim=1, dtype=torch.int64).reshape(in_shape[0], *kernel).to(torch.float64)
    effective = taps @ reads[-1].T  # [C, (K1,) W]
    if len(spatial) == 2:
        effective = reads[0] @ effective  # [H, K1] @ [C, K1, W] -> [C, H, W]
    nominal = math.prod(out_shape) * per_group_in * math.prod(kernel)
    return FanOut(effective.reshape(-1), dense, nominal)


@functools.lru_cache(maxsize=1024)
def _reads(length: int, kernel: int, out_size: int, stride: int, padding: int,
           dilation: int) -> tuple[torch.Tensor, int]:
    """``[length, kernel]`` float64, 1 where tap k reads input position i at a valid output, and
    its number of ones. A function of its integers only, so kept across layers and traces
    (callers only read the table)."""
    offset = torch.arange(length).unsqueeze(1) + padding - torch.arange(kernel) * dilation
    hit = (offset >= 0) & (offset < out_size * stride) & (offset % stride == 0)
    return hit.to(torch.float64), int(hit.sum().item())


def nonzero_counts(x: torch.Tensor, per_row: int) -> torch.Tensor:
    """How often each of the ``per_row`` trailing elements is non-zero across all rows of ``x``.

    ``|sign(x)|`` is 1 exactly where x is non-zero; summing it in float32 over the rows is exact
    (each count is an integer no larger than the number of rows) and runs as vectorised float
    arithmetic, several times faster than an integer reduction over a bool mask.
    """
    rows = x.numel() // per_row
    if rows == 1:
        return _indicator(x).reshape(per_row)
    return _indicator(x).reshape(rows, per_row).sum(dim=0)


def count_nonzero(x: torch.Tensor) -> int:
    """Non-zero elements of ``x`` (same fast path as ``nonzero_counts``; float64 sum, exact)."""
    return int(_indicator(x).sum(dtype=torch.float64).item())


def _indicator(x: torch.Tensor) -> torch.Tensor:
    """1.0 where ``x`` is non-zero, 0.0 elsewhere."""
    if x.is_floating_point():
        return x.sign().abs_()  # in place on the fresh sign tensor: one allocation, not two
    return (x != 0).to(torch.float32)


def effective_ops(counts: torch.Tensor, fanout: FanOut) -> tuple[int, int]:
    """(effective ops, non-zero inputs): sum of count x fan-out, and sum of counts."""
    counts64 = counts.reshape(-1).to(torch.float64)
    return int(torch.dot(counts64, fanout.effective).item()), int(counts64.sum().item())


def matmul_effective_ops(a_nonzero: torch.Tensor, b_nonzero: torch.Tensor) -> int:
    """Exact non-zero pairs of a batched product ``A @ B``: sum over k of nnz(A[:, k]) nnz(B[k, :]).

    ``a_nonzero``: [..., M, K] and ``b_nonzero``: [..., K, N] boolean masks, broadcast on the
    leading dimensions as ``torch.matmul`` does.
    """
    col_counts = a_nonzero.sum(dim=-2, dtype=torch.int64)  # [..., K]
    row_counts = b_nonzero.sum(dim=-1, dtype=torch.int64)  # [..., K]
    return int((col_counts * row_counts).sum().item())
