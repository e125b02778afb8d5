"""Thin launchers: torch CUDA tensors in, torch CUDA tensors out, on torch's current stream.

Packed words travel as int32 tensors (the bit patterns of the uint32 words; torch's uint32
support is partial). Each launcher checks shapes and dtypes and names the offending argument;
the arithmetic lives in the kernels (``kernels/*.cu``) and is specified by the NumPy references
in ``ref_bgemm``, ``ref_bconv`` and ``ref_spikes``.
"""

from __future__ import annotations

from typing import Any, Literal

from neurocost.hw.kernels.runtime import launch, require_cuda
from neurocost.hw.reference.conv_geometry import ConvGeometry
from neurocost.hw.reference.layout import words_for

_TILE = 64  # output tile of every GEMM-shaped kernel (OUT_TILE in common.cuh)
_BLOCK_THREADS = {"popc": 256, "bmma": 128}
_GATHER_ENTRY = {"float32": "spike_gather_f32", "float16": "spike_gather_f16",
                 "int8": "spike_gather_i8"}


def pack_bits(values: Any) -> tuple[Any, Any]:
    """Pack the last axis of a 2-D float32/bool/uint8 CUDA tensor -> (words, popcounts), int32."""
    torch, _ = require_cuda()
    _check(values, "values", ndim=2, dtypes=("float32", "bool", "uint8"))
    rows, k = values.shape
    source = values.view(torch.uint8) if values.dtype == torch.bool else values
    entry = "pack_bits_f32" if values.dtype == torch.float32 else "pack_bits_u8"
    words = torch.empty((rows, words_for(k)), dtype=torch.int32, device=values.device)
    popcounts = torch.empty((rows,), dtype=torch.int32, device=values.device)
    warps_per_block = 8
    launch("pack_bits.cu", entry, (-(-rows // warps_per_block),), (32 * warps_per_block,),
           (source, rows, k, words, popcounts))
    return words, popcounts


def bgemm(
    a_words: Any, b_words: Any, pa: Any, pb: Any, k_bits: int, *,
    engine: Literal["popc", "bmma"] = "bmma", sign: bool = False, thresholds: Any = None,
) -> Any:
    """dot+-1 of every row of A [M, Kw] with every row of B [N, Kw] (both packed along K).

    Returns int32 [M, N], or with ``sign=True`` packed bits [M, ceil(N/32)] (int32 words) where
    bit (m, n) = dot >= thresholds[n] (0 when no thresholds). ``engine`` picks CUDA cores
    (``popc``) or tensor cores (``bmma``).
    """
    torch, _ = require_cuda()
    if engine not in _BLOCK_THREADS:
        raise ValueError(f"engine must be one of {sorted(_BLOCK_THREADS)}, got {engine!r}")
    _check(a_words, "a_words", ndim=2, dtypes=("int32",))
    _check(b_words, "b_words", ndim=2, dtypes=("int32",))
    (m, kw), n = a_words.shape, b_words.shape[0]
    if b_words.shape[1] != kw or words_for(k_bits) != kw:
        raise ValueError(f"packed K mismatch: a_words {tuple(a_words.shape)}, b_words "
                         f"{tuple(b_words.shape)}, k_bits {k_bits} needs {words_for(k_bits)} words")
    _check(pa, "pa", shape=(m,), dtypes=("int32",))
    _check(pb, "pb", shape=(n,), dtypes=("int32",))
    if thresholds is not None:
        _check(thresholds, "thresholds", shape=(n,), dtypes=("int32",))
    out_shape = (m, words_for(n)) if sign else (m, n)
    out = torch.empty(out_shape, dtype=torch.int32, device=a_words.device)
    grid = (-(-n // _TILE), -(-m // _TILE))
    launch(f"bgemm_{engine}.cu", f"bgemm_{engine}", grid, (_BLOCK_THREADS[engine],),
           (a_words, b_words, pa, pb, m, n, kw, k_bits, None if sign else out,
            out if sign else None, thresholds))
    return out


def bconv2d(
    x_words: Any, pa_pixel: Any, w_words: Any, pb_tap: Any, channels: int,
    geometry: ConvGeometry, *, sign: bool = False,
    thresholds: Any = None,
) -> Any:
    """Binary convolution, NHWC packed: x [N, H, W, Cw] * w [C_out, kh, kw, Cw] -> NHWC int32.

    ``pa_pixel`` [N, H, W] and ``pb_tap`` [C_out, kh, kw] are the popcounts from packing. Out of
    image taps contribute nothing. With ``sign=True`` the output is packed sign bits
    [N, H_out, W_out, ceil(C_out/32)] as in ``bgemm``.
    """
    torch, _ = require_cuda()
    _check(x_words, "x_words", ndim=4, dtypes=("int32",))
    _check(w_words, "w_words", ndim=4, dtypes=("int32",))
    batch, h, w, cw = x_words.shape
    c_out = w_words.shape[0]
    g = geometry
    if (h, w, w_words.shape[1], w_words.shape[2]) != (g.in_h, g.in_w, g.kh, g.kw):
        raise ValueError(f"x_words {tuple(x_words.shape)} / w_words {tuple(w_words.shape)} "
                         f"do not match {g}")
    if w_words.shape[3] != cw or words_for(channels) != cw:
        raise ValueError(f"channel words mismatch: x has {cw}, w has {w_words.shape[3]}, "
                         f"{channels} channels need {words_for(channels)}")
    _check(pa_pixel, "pa_pixel", shape=(batch, h, w), dtypes=("int32",))
    _check(pb_tap, "pb_tap", shape=(c_out, g.kh, g.kw), dtypes=("int32",))
    if thresholds is not None:
        _check(thresholds, "thresholds", shape=(c_out,), dtypes=("int32",))
    pixels = batch * g.out_h * g.out_w
    last = words_for(c_out) if sign else c_out
    out = torch.empty((batch, g.out_h, g.out_w, last), dtype=torch.int32, device=x_words.device)
    grid = (-(-c_out // _TILE), -(-pixels // _TILE))
    launch("bconv2d.cu", "bconv2d_popc", grid, (256,),
           (x_words, pa_pixel, w_words, pb_tap, batch, h, w, cw, channels, c_out, g.kh, g.kw,
            g.stride, g.padding, g.dilation, g.out_h, g.out_w, None if sign else out,
            out if sign else None, thresholds))
    return out


def lif_steps(currents: Any, v0: Any, beta: float, threshold: float) -> tuple[Any, Any, Any]:
    """T fused LIF steps: currents [T, B, N] float32, v0 [B, N] -> (spike words, counts, v_final).

    spike words int32 [T, B, ceil(N/32)], counts int32 [T, B], v_final float32 [B, N]; the
    dynamics are those of ``ref_spikes.lif_steps``.
    """
    torch, _ = require_cuda()
    _check(currents, "currents", ndim=3, dtypes=("float32",))
    steps, batch, n = currents.shape
    _check(v0, "v0", shape=(batch, n), dtypes=("float32",))
    words = torch.empty((steps, batch, words_for(n)), dtype=torch.int32, device=currents.device)
    counts = torch.zeros((steps, batch), dtype=torch.int32, device=currents.device)
    v_final = torch.empty_like(v0)
    launch("lif_step.cu", "lif_steps", (-(-n // 256), batch), (256,),
           (currents, v0, steps, batch, n, float(beta), float(threshold), words, counts, v_final))
    return words, counts, v_final


def spike_gather(spike_words: Any, weights_t: Any) -> Any:
    """y[b, :] = sum over set bits k of spike_words[b] of weights_t[k, :] (weights_t [K, N]).

    float32/float16 weights give float32 y (summed in ascending k), int8 weights give int32 y.
    """
    torch, _ = require_cuda()
    _check(spike_words, "spike_words", ndim=2, dtypes=("int32",))
    dtype = str(weights_t.dtype).removeprefix("torch.")
    if dtype not in _GATHER_ENTRY:
        raise ValueError(f"weights_t dtype must be one of {sorted(_GATHER_ENTRY)}, got {dtype}")
    _check(weights_t, "weights_t", ndim=2, dtypes=(dtype,))
    batch, kw = spike_words.shape
    k, n = weights_t.shape
    if words_for(k) != kw:
        raise ValueError(f"spike_words has {kw} words per row but weights_t has {k} rows "
                         f"({words_for(k)} words)")
    out_dtype = torch.int32 if dtype == "int8" else torch.float32
    y = torch.empty((batch, n), dtype=out_dtype, device=weights_t.device)
    source = weights_t.view(torch.int16) if dtype == "float16" else weights_t
    launch("spike_gather.cu", _GATHER_ENTRY[dtype], (-(-n // 256), batch), (256,),
           (spike_words, kw, source, n, y))
    return y


def _check(tensor: Any, name: str, *, ndim: int | None = None, shape: tuple | None = None,
           dtypes: tuple[str, ...]) -> None:
    if not hasattr(tensor, "is_cuda") or not tensor.is_cuda:
        raise ValueError(f"{name} must be a CUDA tensor, got {type(tensor).__name__}"
                         f"{'' if not hasattr(tensor, 'device') else ' on ' + str(tensor.device)}")
    if ndim is not None and tensor.dim() != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(tensor.shape)}")
    if shape is not None and tuple(tensor.shape) != shape:
        raise ValueError(f"{name} must have shape {shape}, got {tuple(tensor.shape)}")
    if str(tensor.dtype).removeprefix("torch.") not in dtypes:
        raise ValueError(f"{name} must be {' or '.join(dtypes)}, got {tensor.dtype}")
    if not tensor.is_contiguous():
        raise ValueError(f"{name} must be contiguous")
