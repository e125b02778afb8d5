"""Binary GEMM references: the unpacked int64 matmul and the packed popcount routes agree."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocost.hw.reference.bgemm import (
    and_counts_packed,
    pm1_dot_from_and,
    pm1_dot_from_xor,
    pm1_dot_unpacked,
    sign_pack,
    xor_counts_packed,
)
from neurocost.hw.reference.layout import pack_bits, unpack_bits


def _random_bits(rng, shape, density=0.5):
    return (rng.random(shape) < density).astype(np.uint8)


def test_known_dot_product():
    # a = (+1, -1, +1), b = (+1, +1, -1): dot = 1 - 1 - 1 = -1.
    # AND form: popc(101 & 110) = 1, pa = 2, pb = 2, K = 3 -> 4 - 4 - 4 + 3 = -1.
    a = np.array([[1, 0, 1]])
    b = np.array([[1, 1, 0]])
    (aw, pa), (bw, pb) = pack_bits(a), pack_bits(b)
    assert pm1_dot_unpacked(a, b).tolist() == [[-1]]
    assert pm1_dot_from_and(and_counts_packed(aw, bw), pa, pb, 3).tolist() == [[-1]]


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 40),
    n=st.integers(1, 40),
    k=st.integers(1, 600),
    density=st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]),
    seed=st.integers(0, 2**31 - 1),
)
def test_packed_and_unpacked_routes_agree(m, n, k, density, seed):
    rng = np.random.default_rng(seed)
    a, b = _random_bits(rng, (m, k), density), _random_bits(rng, (n, k))
    (aw, pa), (bw, pb) = pack_bits(a), pack_bits(b)
    expected = pm1_dot_unpacked(a, b)
    np.testing.assert_array_equal(pm1_dot_from_and(and_counts_packed(aw, bw), pa, pb, k), expected)
    np.testing.assert_array_equal(pm1_dot_from_xor(xor_counts_packed(aw, bw), k), expected)
    np.testing.assert_array_equal(and_counts_packed(aw, bw), a.astype(np.int64) @ b.T)


def test_sign_pack_uses_per_column_thresholds():
    dot = np.array([[-2, 0, 3], [5, -1, 3]])
    words = sign_pack(dot, thresholds=np.array([0, 0, 4]))
    # row 0: [-2>=0, 0>=0, 3>=4] = 010 ; row 1: [5>=0, -1>=0, 3>=4] = 100
    np.testing.assert_array_equal(unpack_bits(words, 3), [[0, 1, 0], [1, 0, 0]])
