"""The closed-form fan-out maps equal a transposed convolution and brute-force enumeration.

``conv_fanout`` builds its map from per-dimension "which tap reads which input position" tables;
the references here get the same map two other ways: a transposed convolution of an all-ones
output with the weight mask (each input element receives one count per (output, weight) pair
that reads it) and the explicit loops of ``tests.tracing.brute_force``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neurocost.tracing.counting import (
    ConvConnectivity,
    conv_fanout,
    conv_output_size,
    linear_fanout,
)
from tests.tracing.brute_force import conv_pairs

_RNG = np.random.default_rng(16)


def _random_case(spatial_dims: int) -> tuple[tuple[int, ...], tuple[int, ...], ConvConnectivity]:
    """A random (weight shape, input shape, geometry) that torch accepts."""
    while True:
        groups = int(_RNG.choice([1, 2, 3]))
        c_in, c_out = groups * int(_RNG.integers(1, 4)), groups * int(_RNG.integers(1, 4))
        kernel = tuple(int(k) for k in _RNG.integers(1, 5, spatial_dims))
        stride = tuple(int(s) for s in _RNG.integers(1, 4, spatial_dims))
        padding = tuple(int(p) for p in _RNG.integers(0, 3, spatial_dims))
        dilation = tuple(int(d) for d in _RNG.integers(1, 3, spatial_dims))
        sizes = tuple(int(n) for n in _RNG.integers(1, 10, spatial_dims))
        geometry = ConvConnectivity(stride, padding, dilation, groups)
        if all(conv_output_size(n, k, s, p, d) >= 1 for n, k, s, p, d in
               zip(sizes, kernel, stride, padding, dilation, strict=True)):
            return (c_out, c_in // groups, *kernel), (c_in, *sizes), geometry


def _transposed_reference(mask: torch.Tensor, in_shape: tuple[int, ...],
                          geometry: ConvConnectivity) -> torch.Tensor:
    """The fan-out map as a transposed convolution of ones with the weight mask."""
    nd = len(in_shape) - 1
    conv = {1: F.conv1d, 2: F.conv2d}[nd]
    transpose = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[nd]
    weights = mask.to(torch.float64)
    ones_in = torch.ones((1, *in_shape), dtype=torch.float64)
    out = conv(ones_in, weights, None, geometry.stride, geometry.padding, geometry.dilation,
               geometry.groups)
    reach = [(out.shape[2 + d] - 1) * geometry.stride[d] - 2 * geometry.padding[d]
             + geometry.dilation[d] * (mask.shape[2 + d] - 1) + 1 for d in range(nd)]
    output_padding = tuple(in_shape[1 + d] - reach[d] for d in range(nd))
    return transpose(torch.ones_like(out), weights, None, geometry.stride, geometry.padding,
                     output_padding, geometry.groups, geometry.dilation)[0].reshape(-1)


@pytest.mark.parametrize("spatial_dims", [1, 2])
@pytest.mark.parametrize("case", range(40))
def test_conv_fanout_equals_transposed_convolution(spatial_dims: int, case: int) -> None:
    weight_shape, in_shape, geometry = _random_case(spatial_dims)
    zero_fraction = (0.0, 0.5, 1.0)[case % 3]
    mask = torch.from_numpy(_RNG.random(weight_shape) >= zero_fraction)
    got = conv_fanout(weight_shape, in_shape, geometry, mask)
    assert torch.equal(got.effective, _transposed_reference(mask, in_shape, geometry))


@pytest.mark.parametrize("spatial_dims", [1, 2])
@pytest.mark.parametrize("case", range(15))
def test_conv_dense_and_nominal_counts_equal_brute_force(spatial_dims: int, case: int) -> None:
    weight_shape, in_shape, geometry = _random_case(spatial_dims)
    ones_x = np.ones((1, *in_shape))
    ones_w = np.ones(weight_shape)
    _, dense = conv_pairs(ones_x, ones_w, geometry.stride, geometry.padding, geometry.dilation,
                          geometry.groups)
    got = conv_fanout(weight_shape, in_shape, geometry)
    assert got.dense_per_sample == dense
    out_sizes = [conv_output_size(n, *args) for n, *args in zip(
        in_shape[1:], weight_shape[2:], geometry.stride, geometry.padding, geometry.dilation,
        strict=True)]
    assert got.nominal_per_sample == weight_shape[0] * int(np.prod(out_sizes)) * \
        int(np.prod(weight_shape[1:]))


@pytest.mark.parametrize("spatial_dims", [1, 2])
def test_conv_fanout_without_a_mask_counts_every_weight(spatial_dims: int) -> None:
    """No mask (a +-1 or shapes-only weight) gives the map of an all-non-zero mask."""
    for _ in range(10):
        weight_shape, in_shape, geometry = _random_case(spatial_dims)
        full = conv_fanout(weight_shape, in_shape, geometry, torch.ones(weight_shape, dtype=bool))
        assert torch.equal(conv_fanout(weight_shape, in_shape, geometry).effective,
                           full.effective)


def test_conv_fanout_with_zeros_counts_fewer_than_without() -> None:
    """A zero weight is not met: one zeroed tap of a 1x3 kernel lowers every reader's count."""
    mask = torch.ones((1, 1, 3), dtype=torch.bool)
    mask[0, 0, 1] = False
    geometry = ConvConnectivity((1,), (1,), (1,), 1)
    with_zero = conv_fanout((1, 1, 3), (1, 4), geometry, mask).effective.tolist()
    assert with_zero == [1.0, 2.0, 2.0, 1.0]  # taps 0 and 2 read positions i+1 and i-1
    assert conv_fanout((1, 1, 3), (1, 4), geometry).effective.tolist() == [2.0, 3.0, 3.0, 2.0]


def test_linear_fanout_counts_non_zeros_per_input_feature() -> None:
    mask = torch.tensor([[True, False, True], [True, False, False]])
    assert linear_fanout((2, 3), mask).effective.tolist() == [2.0, 0.0, 1.0]
    assert linear_fanout((2, 3)).effective.tolist() == [2.0, 2.0, 2.0]
