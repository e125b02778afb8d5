"""NumPy references for the binary convolution kernel.

``bconv2d_im2col`` is the plain definition on unpacked +-1 values (zero padding, int64), written
independently of any bit trick. ``bconv2d_implicit_gemm_emulated`` walks the kernel's own loop
(kernel tap by tap, packed channel words, AND-popcount, per-tap +-1 correction over the taps that
land inside the image), so a border or indexing mistake in that scheme shows up on the CPU.
Layouts follow the kernel: activations NHWC with channels packed into words, weights
[C_out, kh, kw, C_words]; NCHW is used only for the unpacked reference.
"""

from __future__ import annotations

import numpy as np

from neurocost.hw.reference.bgemm import and_counts_packed
from neurocost.hw.reference.conv_geometry import ConvGeometry


def bconv2d_im2col(x_pm1: np.ndarray, w_pm1: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """Convolution of +-1 inputs [N, C, H, W] with +-1 weights [C_out, C, kh, kw] -> int64 NCHW.

    Out-of-image taps read 0, so they add nothing to the sum.
    """
    x = np.asarray(x_pm1, np.int64)
    w = np.asarray(w_pm1, np.int64)
    n, c, h, wd = x.shape
    _check_shapes(x.shape, w.shape, geometry)
    g = geometry
    padded = np.zeros((n, c, h + 2 * g.padding, wd + 2 * g.padding), np.int64)
    padded[:, :, g.padding : g.padding + h, g.padding : g.padding + wd] = x
    columns = np.empty((n, g.out_h, g.out_w, c, g.kh, g.kw), np.int64)
    for r in range(g.kh):
        rows = g.input_rows(r) + g.padding
        for s in range(g.kw):
            cols = g.input_cols(s) + g.padding
            columns[..., r, s] = padded[:, :, rows[:, None], cols[None, :]].transpose(0, 2, 3, 1)
    out = columns.reshape(n, g.out_h, g.out_w, -1) @ w.reshape(w.shape[0], -1).T
    return out.transpose(0, 3, 1, 2)


def bconv2d_implicit_gemm_emulated(
    x_words: np.ndarray,
    pa_pixel: np.ndarray,
    w_words: np.ndarray,
    pb_tap: np.ndarray,
    channels: int,
    geometry: ConvGeometry,
) -> np.ndarray:
    """The kernel's computation, tap by tap, on packed data -> int64 [N, H_out, W_out, C_out].

    x_words [N, H, W, C_words] and pa_pixel [N, H, W] come from packing each pixel's channels;
    w_words [C_out, kh, kw, C_words] and pb_tap [C_out, kh, kw] from packing each tap's channels.
    For every tap inside the image: acc += 4*popc(x AND w) - 2*pa - 2*pb + C.
    """
    g = geometry
    n, h, wd, cw = x_words.shape
    c_out = w_words.shape[0]
    acc = np.zeros((n, g.out_h, g.out_w, c_out), np.int64)
    for r in range(g.kh):
        rows = g.input_rows(r)
        for s in range(g.kw):
            cols = g.input_cols(s)
            valid = ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < wd))[None, :]
            rr = np.clip(rows, 0, h - 1)[:, None]
            cc = np.clip(cols, 0, wd - 1)[None, :]
            patch = np.where(valid[None, :, :, None], x_words[:, rr, cc, :], 0).astype(np.uint32)
            pa = np.where(valid[None], pa_pixel[:, rr, cc], 0)
            counts = and_counts_packed(patch.reshape(-1, cw), w_words[:, r, s, :])
            correction = 2 * pa.reshape(-1, 1) + 2 * pb_tap[None, :, r, s] - channels
            inside = np.broadcast_to(valid, (n, *valid.shape)).reshape(-1, 1)
            tap = 4 * counts - inside * correction
            acc += tap.reshape(acc.shape)
    return acc


def _check_shapes(x_shape: tuple, w_shape: tuple, geometry: ConvGeometry) -> None:
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise ValueError(
            f"expected x [N, C, H, W] and w [C_out, C, kh, kw], got {x_shape} and {w_shape}"
        )
    if x_shape[1] != w_shape[1]:
        raise ValueError(f"channel mismatch: x has {x_shape[1]}, w has {w_shape[1]}")
    if (x_shape[2], x_shape[3], w_shape[2], w_shape[3]) != (
        geometry.in_h, geometry.in_w, geometry.kh, geometry.kw
    ):
        raise ValueError(f"shapes x {x_shape}, w {w_shape} do not match {geometry}")
