"""Register fragments of ``mma.sync.m16n8k256.row.col.s32.b1.b1.s32.and.popc``, emulated on the CPU.

Most tensor-core bugs are index bugs: which lane holds which bits. The formulas here are the
PTX ISA's fragment tables for the single-bit m16n8k256 shape (lane = 4 * group + thread_in_group)
and are the same expressions ``kernels/bgemm_bmma.cu`` uses to read shared memory, so the CPU
tests check the kernel's addressing (round trips, padding, the +-1 epilogue) without a GPU.

Tiles are in packed words: an A tile is 16 rows x 8 words (256 bits), a B tile is 8 columns x 8
words (B is "col" major: each column's K bits are contiguous), a C tile is 16 x 8 int32.
"""

from __future__ import annotations

import numpy as np

from neurocost.hw.reference.bgemm import pm1_dot_from_and

MMA_M, MMA_N, MMA_K_BITS = 16, 8, 256
MMA_K_WORDS = MMA_K_BITS // 32
LANES = 32
A_REGS, B_REGS, C_REGS = 4, 2, 4


def a_coords(lane: int, reg: int) -> tuple[int, int]:
    """(row, word) of the A tile held by register ``reg`` of ``lane``."""
    group, thread = lane >> 2, lane & 3
    return group + 8 * (reg & 1), thread + 4 * (reg >> 1)


def b_coords(lane: int, reg: int) -> tuple[int, int]:
    """(column, word) of the B tile held by register ``reg`` of ``lane``."""
    group, thread = lane >> 2, lane & 3
    return group, thread + 4 * reg


def c_coords(lane: int, reg: int) -> tuple[int, int]:
    """(row, column) of the C tile held by accumulator ``reg`` of ``lane``."""
    group, thread = lane >> 2, lane & 3
    return group + 8 * (reg >> 1), 2 * thread + (reg & 1)


def _index_table(coords, regs: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array([[coords(lane, reg) for reg in range(regs)] for lane in range(LANES)])
    return pairs[..., 0], pairs[..., 1]


_A_ROWS, _A_WORDS = _index_table(a_coords, A_REGS)
_B_COLS, _B_WORDS = _index_table(b_coords, B_REGS)
_C_ROWS, _C_COLS = _index_table(c_coords, C_REGS)


def scatter_a(tile: np.ndarray) -> np.ndarray:
    """A tile [16, 8] words -> per-lane registers [32, 4]."""
    return np.asarray(tile)[_A_ROWS, _A_WORDS]


def scatter_b(tile: np.ndarray) -> np.ndarray:
    """B tile [8 columns, 8 words] -> per-lane registers [32, 2]."""
    return np.asarray(tile)[_B_COLS, _B_WORDS]


def scatter_c(tile: np.ndarray) -> np.ndarray:
    """C tile [16, 8] -> per-lane accumulators [32, 4]."""
    return np.asarray(tile)[_C_ROWS, _C_COLS]


def gather_a(frags: np.ndarray) -> np.ndarray:
    """Per-lane A registers [32, 4] -> the A tile [16, 8] they stand for."""
    tile = np.zeros((MMA_M, MMA_K_WORDS), dtype=frags.dtype)
    tile[_A_ROWS, _A_WORDS] = frags
    return tile


def gather_b(frags: np.ndarray) -> np.ndarray:
    """Per-lane B registers [32, 2] -> the B tile [8 columns, 8 words]."""
    tile = np.zeros((MMA_N, MMA_K_WORDS), dtype=frags.dtype)
    tile[_B_COLS, _B_WORDS] = frags
    return tile


def gather_c(frags: np.ndarray) -> np.ndarray:
    """Per-lane accumulators [32, 4] -> the C tile [16, 8]."""
    tile = np.zeros((MMA_M, MMA_N), dtype=frags.dtype)
    tile[_C_ROWS, _C_COLS] = frags
    return tile


def mma_and_popc(a_frags: np.ndarray, b_frags: np.ndarray, c_frags: np.ndarray) -> np.ndarray:
    """What one warp-wide ``mma ... .and.popc`` does: D = C + popc(A AND B) per (row, column)."""
    a_tile, b_tile = gather_a(a_frags), gather_b(b_frags)
    counts = np.bitwise_count(a_tile[:, None, :] & b_tile[None, :, :]).sum(-1, dtype=np.int64)
    return c_frags + scatter_c(counts).astype(c_frags.dtype)


def bgemm_bmma_emulated(
    a_words: np.ndarray, b_words: np.ndarray, pa: np.ndarray, pb: np.ndarray, k_bits: int
) -> np.ndarray:
    """dot+-1 of every (A row, B row) the way ``bgemm_bmma`` computes it, tile by tile.

    Rows beyond M or N and words beyond the packed K read as zero, exactly as the kernel's
    guarded shared-memory loads do; the epilogue applies ``4*acc - 2*pa - 2*pb + K``.
    """
    m, kw = a_words.shape
    n = b_words.shape[0]
    steps = -(-kw // MMA_K_WORDS)
    padded_a = np.zeros((-(-m // MMA_M) * MMA_M, steps * MMA_K_WORDS), np.uint32)
    padded_b = np.zeros((-(-n // MMA_N) * MMA_N, steps * MMA_K_WORDS), np.uint32)
    padded_a[:m, :kw] = a_words
    padded_b[:n, :kw] = b_words
    acc = np.zeros((padded_a.shape[0], padded_b.shape[0]), np.int64)
    for r0 in range(0, padded_a.shape[0], MMA_M):
        for c0 in range(0, padded_b.shape[0], MMA_N):
            c_frags = np.zeros((LANES, C_REGS), np.int64)
            for s in range(steps):
                words = slice(s * MMA_K_WORDS, (s + 1) * MMA_K_WORDS)
                a_frags = scatter_a(padded_a[r0 : r0 + MMA_M, words])
                b_frags = scatter_b(padded_b[c0 : c0 + MMA_N, words])
                c_frags = mma_and_popc(a_frags, b_frags, c_frags)
            acc[r0 : r0 + MMA_M, c0 : c0 + MMA_N] = gather_c(c_frags)
    return pm1_dot_from_and(acc[:m, :n], pa, pb, k_bits)
