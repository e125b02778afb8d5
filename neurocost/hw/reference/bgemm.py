"""NumPy references for binary GEMM: two independent routes to the same exact integers.

Route A works on unpacked {0, 1} bits with an int64 matmul; route B works on packed words with
``np.bitwise_count``, the way the kernels do. The +-1 dot product follows from AND counts by

    dot+-1 = 4*popc(a AND b) - 2*pa - 2*pb + K        (pa, pb: popcounts of the two rows)

because popc(a XOR b) = pa + pb - 2*popc(a AND b) and dot+-1 = K - 2*popc(a XOR b). Hopper's
tensor cores run only the AND form natively (``.xor.popc`` is emulated with two ANDs), so every
kernel uses it; the XOR form is kept here as a cross-check.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from neurocost.hw.reference.layout import pack_bits, to_pm1

_CHUNK_ELEMENTS = 1 << 22  # bound the [rows, N, words] temporary to ~32 MiB of uint64


def pm1_dot_unpacked(a01: np.ndarray, b01: np.ndarray) -> np.ndarray:
    """dot+-1 of every row of ``a01`` [M, K] with every row of ``b01`` [N, K] (int64 matmul)."""
    return to_pm1(a01) @ to_pm1(b01).T


def and_counts_packed(a_words: np.ndarray, b_words: np.ndarray) -> np.ndarray:
    """popc(a AND b) for every (A row, B row) pair of packed words, int64 [M, N]."""
    return _packed_counts(a_words, b_words, np.bitwise_and)


def xor_counts_packed(a_words: np.ndarray, b_words: np.ndarray) -> np.ndarray:
    """popc(a XOR b) for every (A row, B row) pair of packed words, int64 [M, N]."""
    return _packed_counts(a_words, b_words, np.bitwise_xor)


def pm1_dot_from_and(
    and_counts: np.ndarray, pa: np.ndarray, pb: np.ndarray, k_bits: int | np.ndarray
) -> np.ndarray:
    """The AND-popcount correction: ``4*and - 2*pa - 2*pb + K`` (pa per row, pb per column)."""
    pa = np.asarray(pa, np.int64)
    pb = np.asarray(pb, np.int64)
    return 4 * np.asarray(and_counts, np.int64) - 2 * pa[:, None] - 2 * pb[None, :] + k_bits


def pm1_dot_from_xor(xor_counts: np.ndarray, k_bits: int) -> np.ndarray:
    """The XNOR-popcount form: ``K - 2*popc(a XOR b)``."""
    return k_bits - 2 * np.asarray(xor_counts, np.int64)


def sign_pack(dot: np.ndarray, thresholds: np.ndarray | None = None) -> np.ndarray:
    """Fused sign epilogue: bit (m, n) = 1 where ``dot[m, n] >= thresholds[n]`` (default 0).

    A BNN's next layer needs sign(BN(dot)); with BN folded into a per-column threshold the sign
    is a comparison, and the result is packed along N like any other activation row.
    """
    dot = np.asarray(dot)
    limit = np.zeros(dot.shape[-1], np.int64) if thresholds is None else np.asarray(thresholds)
    if limit.shape != (dot.shape[-1],):
        raise ValueError(f"thresholds must have shape ({dot.shape[-1]},), got {limit.shape}")
    words, _ = pack_bits((dot >= limit).astype(np.int8))
    return words


def _packed_counts(
    a_words: np.ndarray, b_words: np.ndarray, op: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    a_words = np.asarray(a_words, np.uint32)
    b_words = np.asarray(b_words, np.uint32)
    if a_words.shape[-1] != b_words.shape[-1]:
        raise ValueError(
            f"packed K differs: A has {a_words.shape[-1]} words per row, B has {b_words.shape[-1]}"
        )
    m, n = a_words.shape[0], b_words.shape[0]
    out = np.zeros((m, n), np.int64)
    rows = max(1, _CHUNK_ELEMENTS // max(1, n * a_words.shape[-1]))
    for r0 in range(0, m, rows):
        block = op(a_words[r0 : r0 + rows, None, :], b_words[None, :, :])
        out[r0 : r0 + rows] = np.bitwise_count(block).sum(-1, dtype=np.int64)
    return out
