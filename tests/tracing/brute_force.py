"""Brute-force reference counts: enumerate every input event and every weight it meets.

Deliberately naive (explicit loops over output positions and kernel taps) so that it shares no
arithmetic with the fan-out maps the tracer uses. Only for small layers.
"""

from __future__ import annotations

import itertools

import numpy as np


def linear_pairs(x: np.ndarray, w: np.ndarray) -> tuple[int, int]:
    """(effective, dense) pairs of ``x @ w.T`` over all leading dims of x."""
    rows = x.reshape(-1, x.shape[-1])
    effective = 0
    for row in rows:
        for k in np.flatnonzero(row):
            effective += int(np.count_nonzero(w[:, k]))
    return effective, rows.shape[0] * w.size


def conv_pairs(x: np.ndarray, w: np.ndarray, stride, padding, dilation, groups) -> tuple[int, int]:
    """(effective, dense) pairs of an N-d convolution (N = 1 or 2), batch first.

    Walks every output element and kernel tap; a tap that lands in the padding reads nothing.
    """
    nd = x.ndim - 2
    batch, c_in = x.shape[:2]
    c_out = w.shape[0]
    kernel = w.shape[2:]
    in_sp = x.shape[2:]
    out_sp = [(in_sp[d] + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) // stride[d] + 1
              for d in range(nd)]
    per_group_in = c_in // groups
    per_group_out = c_out // groups
    effective = dense = 0
    for o in range(c_out):
        g = o // per_group_out
        for out_pos in itertools.product(*[range(n) for n in out_sp]):
            for ci in range(per_group_in):
                c = g * per_group_in + ci
                for tap in itertools.product(*[range(k) for k in kernel]):
                    pos = [out_pos[d] * stride[d] - padding[d] + tap[d] * dilation[d]
                           for d in range(nd)]
                    if any(p < 0 or p >= in_sp[d] for d, p in enumerate(pos)):
                        continue
                    dense += batch
                    if w[(o, ci, *tap)] != 0:
                        effective += int(np.count_nonzero(x[(slice(None), c, *pos)]))
    return effective, dense


def matmul_pairs(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(effective, dense) pairs of a batched ``a @ b`` (same leading dims)."""
    a2 = a.reshape(-1, *a.shape[-2:])
    b2 = b.reshape(-1, *b.shape[-2:])
    effective = 0
    for am, bm in zip(a2, b2, strict=True):
        for i, k, j in itertools.product(range(am.shape[0]), range(am.shape[1]),
                                         range(bm.shape[1])):
            effective += int(am[i, k] != 0 and bm[k, j] != 0)
    return effective, a2.shape[0] * a2.shape[1] * a2.shape[2] * b2.shape[2]
