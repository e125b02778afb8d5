"""Exact synaptic-op counting without running any layer twice.

Effective ops are (non-zero input element x non-zero weight) pairs that a layer combines. For a
layer with fixed weights they factor as ``<input non-zero mask, fan-out map>``, where the fan-out
map says, for every input element, how many non-zero weights it meets (convolution borders,
stride, dilation and groups included). The map is computed once per (layer, input shape) as a
transposed convolution of ones with the weight mask, so each step costs one comparison and one
dot product over the input: O(input size), not O(MACs).

All sums are done in int64, so counts stay exact integers however large they get.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


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
    """

    effective: torch.Tensor
    dense_per_sample: int
    nominal_per_sample: int


def linear_fanout(weight_nonzero: torch.Tensor) -> FanOut:
    """Fan-out of a linear layer ``y = x W^T``: input feature k meets nnz(W[:, k]) weights."""
    out_features, in_features = weight_nonzero.shape
    per_feature = weight_nonzero.sum(dim=0, dtype=torch.int64).to(torch.float64)
    return FanOut(per_feature, in_features * out_features, in_features * out_features)


def conv_fanout(
    weight_nonzero: torch.Tensor, in_shape: tuple[int, ...], geometry: ConvConnectivity
) -> FanOut:
    """Fan-out of a 1-d or 2-d convolution for one sample of shape ``(C_in, *spatial)``.

    A transposed convolution of an all-ones output with the weight mask scatters, to each input
    element, the number of (output element, weight) pairs that read it. ``output_padding`` restores
    input rows and columns that no output reads (they get fan-out 0).
    """
    spatial_dims = len(in_shape) - 1
    transpose = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[spatial_dims]
    conv = {1: F.conv1d, 2: F.conv2d}[spatial_dims]
    mask = weight_nonzero.to(torch.float64)
    ones_in = torch.ones((1, *in_shape), dtype=torch.float64)
    # Output shape from a real (tiny, float64) convolution keeps the arithmetic in one place.
    out_shape = conv(ones_in, mask, None, geometry.stride, geometry.padding, geometry.dilation,
                     geometry.groups).shape[1:]
    ones_out = torch.ones((1, *out_shape), dtype=torch.float64)
    kernel = weight_nonzero.shape[2:]
    output_padding = []
    for d in range(spatial_dims):
        reach = (out_shape[d + 1] - 1) * geometry.stride[d] - 2 * geometry.padding[d] + \
            geometry.dilation[d] * (kernel[d] - 1) + 1
        output_padding.append(in_shape[d + 1] - reach)

    def scatter(weights: torch.Tensor) -> torch.Tensor:
        return transpose(ones_out, weights, None, geometry.stride, geometry.padding,
                         tuple(output_padding), geometry.groups, geometry.dilation)[0]

    effective = scatter(mask).round().reshape(-1)
    dense = int(scatter(torch.ones_like(mask)).sum().round().item())
    reduction = weight_nonzero[0].numel()  # C_in / groups x kernel elements
    nominal = int(torch.Size(out_shape).numel()) * reduction
    return FanOut(effective, dense, nominal)


def nonzero_counts(x: torch.Tensor, per_row: int) -> torch.Tensor:
    """How often each of the ``per_row`` trailing elements is non-zero across all rows of ``x``.

    ``|sign(x)|`` is 1 exactly where x is non-zero; summing it in float32 over the rows is exact
    (each count is an integer no larger than the number of rows) and runs as vectorised float
    arithmetic, several times faster than an integer reduction over a bool mask.
    """
    rows = x.numel() // per_row
    return _indicator(x).reshape(rows, per_row).sum(dim=0)


def count_nonzero(x: torch.Tensor) -> int:
    """Non-zero elements of ``x`` (same fast path as ``nonzero_counts``; float64 sum, exact)."""
    return int(_indicator(x).sum(dtype=torch.float64).item())


def _indicator(x: torch.Tensor) -> torch.Tensor:
    """1.0 where ``x`` is non-zero, 0.0 elsewhere."""
    if x.is_floating_point():
        return x.sign().abs()
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
