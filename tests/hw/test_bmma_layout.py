"""m16n8k256 fragment mapping: every tile bit belongs to exactly one (lane, register)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocost.hw.reference import bmma_layout as frag
from neurocost.hw.reference.bgemm import pm1_dot_unpacked
from neurocost.hw.reference.layout import pack_bits


def _unique_tile(shape):
    return np.arange(np.prod(shape), dtype=np.int64).reshape(shape)


def test_a_fragments_cover_the_tile_once():
    tile = _unique_tile((16, 8))
    frags = frag.scatter_a(tile)
    assert sorted(frags.ravel().tolist()) == list(range(128))
    np.testing.assert_array_equal(frag.gather_a(frags), tile)


def test_b_fragments_cover_the_tile_once():
    tile = _unique_tile((8, 8))
    frags = frag.scatter_b(tile)
    assert sorted(frags.ravel().tolist()) == list(range(64))
    np.testing.assert_array_equal(frag.gather_b(frags), tile)


def test_c_fragments_cover_the_tile_once():
    tile = _unique_tile((16, 8))
    frags = frag.scatter_c(tile)
    assert sorted(frags.ravel().tolist()) == list(range(128))
    np.testing.assert_array_equal(frag.gather_c(frags), tile)


def test_lane_zero_holds_row_0_and_8_words_0_and_4():
    # PTX ISA m16n8k256 .b1 A fragment: a0 row groupID, a1 row groupID+8, a2/a3 the upper
    # 128 bits; lane 0 has groupID 0, threadID_in_group 0.
    assert [frag.a_coords(0, r) for r in range(4)] == [(0, 0), (8, 0), (0, 4), (8, 4)]
    assert [frag.c_coords(5, r) for r in range(4)] == [(1, 2), (1, 3), (9, 2), (9, 3)]


@settings(max_examples=25, deadline=None)
@given(
    m=st.integers(1, 40),
    n=st.integers(1, 20),
    k=st.integers(1, 700),
    seed=st.integers(0, 2**31 - 1),
)
def test_emulated_bmma_gemm_matches_reference(m, n, k, seed):
    rng = np.random.default_rng(seed)
    a = (rng.random((m, k)) < 0.5).astype(np.uint8)
    b = (rng.random((n, k)) < 0.5).astype(np.uint8)
    (aw, pa), (bw, pb) = pack_bits(a), pack_bits(b)
    np.testing.assert_array_equal(
        frag.bgemm_bmma_emulated(aw, bw, pa, pb, k), pm1_dot_unpacked(a, b)
    )
