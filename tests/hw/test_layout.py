"""The packed-bit layout: LSB-first little-endian uint32 words, bit 1 = +1 / spike."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocost.hw.reference.layout import pack_bits, unpack_bits, words_for


def test_bit_j_of_word_w_is_element_32w_plus_j():
    # Elements 0, 5 and 33 set: word 0 = 2**0 + 2**5 = 33, word 1 = 2**(33 - 32) = 2.
    row = np.zeros(40)
    row[[0, 5, 33]] = 1
    words, popcount = pack_bits(row)
    assert words.dtype == np.uint32
    assert words.tolist() == [33, 2]
    assert popcount == 3


def test_pm1_and_spike_data_pack_alike():
    pm1 = np.array([[-1.0, 1.0, 1.0, -1.0]])
    spikes = np.array([[0, 1, 1, 0]], dtype=bool)
    assert pack_bits(pm1)[0].tolist() == pack_bits(spikes)[0].tolist() == [[6]]


def test_words_for_rounds_up():
    assert [words_for(k) for k in (0, 1, 32, 33, 64, 65)] == [0, 1, 1, 2, 2, 3]


def test_unpack_refuses_more_bits_than_stored():
    with pytest.raises(ValueError, match="exceeds the 32 bits"):
        unpack_bits(np.zeros((1, 1), np.uint32), 33)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 5),
    k=st.integers(1, 300),
    density=st.sampled_from([0.0, 0.01, 0.5, 1.0]),
    seed=st.integers(0, 2**31 - 1),
)
def test_pack_unpack_round_trip_with_zero_padding(rows, k, density, seed):
    bits = (np.random.default_rng(seed).random((rows, k)) < density).astype(np.uint8)
    words, popcounts = pack_bits(bits)
    assert words.shape == (rows, words_for(k))
    np.testing.assert_array_equal(unpack_bits(words, k), bits)
    np.testing.assert_array_equal(popcounts, bits.sum(1))
    # the padding bits past K are zero, so AND/XOR with them adds nothing
    assert not unpack_bits(words, words.shape[1] * 32)[:, k:].any()
