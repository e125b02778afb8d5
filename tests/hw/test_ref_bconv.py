"""Binary convolution: the kernel's packed implicit-GEMM scheme equals im2col, borders included."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocost.hw.reference.bconv import bconv2d_im2col, bconv2d_implicit_gemm_emulated
from neurocost.hw.reference.conv_geometry import ConvGeometry
from neurocost.hw.reference.layout import pack_bits, to_pm1


def test_corner_pixel_sees_only_the_taps_inside():
    # 3x3 kernel of +1 over a 2x2 image of +1, padding 1: output (0, 0) covers image pixels
    # (0,0), (0,1), (1,0), (1,1) only, so it is 4 (the 5 padded taps add nothing).
    geometry = ConvGeometry(in_h=2, in_w=2, kh=3, kw=3, padding=1)
    out = bconv2d_im2col(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), geometry)
    assert out[0, 0].tolist() == [[4, 4], [4, 4]]


def test_output_size_formula():
    # (7 + 2*1 - 2*(3-1) - 1) // 2 + 1 = 3
    assert ConvGeometry(in_h=7, in_w=7, kh=3, kw=3, stride=2, padding=1, dilation=2).out_h == 3


def test_empty_output_is_refused():
    with pytest.raises(ValueError, match="empty output"):
        ConvGeometry(in_h=2, in_w=2, kh=5, kw=5)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 2),
    c=st.integers(1, 70),
    c_out=st.integers(1, 9),
    hw=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.integers(1, 2),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
    seed=st.integers(0, 2**31 - 1),
)
def test_implicit_gemm_emulation_matches_im2col(
    n, c, c_out, hw, k, stride, padding, dilation, seed
):
    try:
        geometry = ConvGeometry(hw[0], hw[1], k[0], k[1], stride, padding, dilation)
    except ValueError:
        return  # kernel larger than the padded image: no output to compare
    rng = np.random.default_rng(seed)
    x01 = (rng.random((n, c, *hw)) < 0.5).astype(np.uint8)
    w01 = (rng.random((c_out, c, *k)) < 0.5).astype(np.uint8)
    x_words, pa_pixel = pack_bits(x01.transpose(0, 2, 3, 1))
    w_words, pb_tap = pack_bits(w01.transpose(0, 2, 3, 1))
    emulated = bconv2d_implicit_gemm_emulated(x_words, pa_pixel, w_words, pb_tap, c, geometry)
    expected = bconv2d_im2col(to_pm1(x01), to_pm1(w01), geometry)
    np.testing.assert_array_equal(emulated, expected.transpose(0, 2, 3, 1))
