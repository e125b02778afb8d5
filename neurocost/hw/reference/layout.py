"""Bit layout shared by every hw/ kernel and its NumPy reference.

One convention everywhere, so a packed tensor can travel between the GPU kernels, the CPU
references and the tests unchanged: bits are LSB-first inside little-endian uint32 words (bit j
of word w holds element 32*w + j, which is what ``__ballot_sync`` produces lane by lane), a
row of K elements takes ``ceil(K / 32)`` words padded with zero bits, and a set bit means +1
(binary networks) or "spike" (spiking networks). An element is packed as 1 exactly when its
value is > 0, so {-1, +1} and {0, 1} data pack the same way.
"""

from __future__ import annotations

import numpy as np

WORD_BITS = 32


def words_for(bits: int) -> int:
    """Number of uint32 words that hold ``bits`` packed elements (zero-padded at the end)."""
    if bits < 0:
        raise ValueError(f"bit count must be >= 0, got {bits}")
    return -(-bits // WORD_BITS)


def pack_bits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pack the last axis of ``values`` into uint32 words; also return each row's popcount.

    Returns ``(words, popcounts)``: ``words`` has shape ``values.shape[:-1] + (words_for(K),)``
    and dtype uint32; ``popcounts`` (int64, shape ``values.shape[:-1]``) counts the set bits per
    row, the ``pa``/``pb`` terms of the +-1 correction.
    """
    values = np.asarray(values)
    if values.ndim < 1:
        raise ValueError("pack_bits needs at least one axis (the packed one)")
    k = values.shape[-1]
    bits = (values > 0).astype(np.uint8)
    pad = words_for(k) * WORD_BITS - k
    if pad:
        bits = np.concatenate([bits, np.zeros(values.shape[:-1] + (pad,), np.uint8)], axis=-1)
    packed = np.packbits(bits, axis=-1, bitorder="little")
    words = np.ascontiguousarray(packed).view("<u4").astype(np.uint32, copy=False)
    return words, bits.sum(axis=-1, dtype=np.int64)


def unpack_bits(words: np.ndarray, length: int) -> np.ndarray:
    """Inverse of ``pack_bits``: the first ``length`` bits of each row as a {0, 1} uint8 array."""
    words = np.asarray(words)
    if words.dtype != np.uint32:
        raise TypeError(f"unpack_bits expects uint32 words, got {words.dtype}")
    if length > words.shape[-1] * WORD_BITS:
        raise ValueError(
            f"length {length} exceeds the {words.shape[-1] * WORD_BITS} bits held by "
            f"{words.shape[-1]} words"
        )
    as_bytes = np.ascontiguousarray(words.astype("<u4", copy=False)).view(np.uint8)
    return np.unpackbits(as_bytes, axis=-1, bitorder="little")[..., :length]


def to_pm1(bits01: np.ndarray) -> np.ndarray:
    """{0, 1} bits as {-1, +1} int64 values (bit 1 means +1)."""
    return 2 * np.asarray(bits01, dtype=np.int64) - 1
