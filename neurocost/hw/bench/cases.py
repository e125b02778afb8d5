"""Benchmark cases: one kernel at one size, with fresh random inputs, its work and a check.

A case owns ``buffers`` independent input sets (rotated so timing does not reuse a warm L2),
launches one of them per ``run(i)``, and checks a launch against the NumPy references on
sampled rows (full references of 8192-cubed problems would take minutes on a CPU; the sampled
rows use the packed route, which the CPU tests prove equal to the unpacked int64 matmul).
Inputs are random at the stated density and never all zeros.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurocost.hw.reference import work
from neurocost.hw.reference.bconv import bconv2d_implicit_gemm_emulated
from neurocost.hw.reference.bgemm import and_counts_packed, pm1_dot_from_and
from neurocost.hw.reference.conv_geometry import ConvGeometry
from neurocost.hw.reference.layout import pack_bits, to_pm1, words_for
from neurocost.hw.reference.spikes import lif_steps, spike_gather_csr

L2_BYTES = 50 * 2**20  # H100 SXM5 L2 (datasheet 50 MB); inputs rotate over >= 2x this
MAX_BUFFERS = 8
CHECK_ROWS = 64


@dataclass
class Case:
    """One benchmark case. ``ops`` is the logical work of one launch in ``op_class`` units."""

    kernel: str
    size: dict[str, float]
    op_class: str
    ops: int
    run: Callable[[int], Any]
    check: Callable[[], dict[str, Any]]
    buffers: int
    stream_bytes: int = 0  # bytes one launch must read at least (for bandwidth figures)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.kernel + ":" + ",".join(f"{k}={_fmt(v)}" for k, v in self.size.items())


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# kernel name -> (builder, default sizes); every builder takes (rng, torch, **size)
KERNELS: dict[str, tuple[Callable[..., Case], list[dict[str, float]]]] = {}


def _kernel(name: str, defaults: list[dict[str, float]]):
    def register(builder: Callable[..., Case]) -> Callable[..., Case]:
        KERNELS[name] = (builder, defaults)
        return builder
    return register


def _buffers(bytes_per_set: int) -> int:
    return int(min(MAX_BUFFERS, max(1, -(-2 * L2_BYTES // max(1, bytes_per_set)))))


def _dev(torch: Any, array: np.ndarray) -> Any:
    array = np.ascontiguousarray(array)
    if array.dtype == np.uint32:
        array = array.view(np.int32)
    return torch.from_numpy(array).cuda()


def _host_u32(tensor: Any) -> np.ndarray:
    return tensor.cpu().numpy().view(np.uint32)


def _random_words(rng: np.random.Generator, rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random bits packed directly (density 1/2): zero-padded words, int32 popcounts."""
    kw = words_for(k)
    words = rng.integers(0, 2**32, size=(rows, kw), dtype=np.uint32)
    if k % 32:
        words[:, -1] &= np.uint32((1 << (k % 32)) - 1)
    return words, np.bitwise_count(words).sum(-1, dtype=np.int64).astype(np.int32)


def _checked(ok: bool, what: str, **detail: Any) -> dict[str, Any]:
    if not ok:
        raise AssertionError(f"{what}: GPU result differs from the NumPy reference ({detail})")
    return {"passed": True, **detail}


_GEMM_SIZES = [{"m": 1024, "n": 1024, "k": 1024}, {"m": 8192, "n": 8192, "k": 8192}]


def _bgemm(engine: str):
    def build(rng: np.random.Generator, torch: Any, m: float, n: float, k: float) -> Case:
        from neurocost.hw.kernels import launch

        m, n, k = int(m), int(n), int(k)
        sets = []
        for _ in range(_buffers((m + n) * words_for(k) * 4)):
            (aw, pa), (bw, pb) = _random_words(rng, m, k), _random_words(rng, n, k)
            sets.append((aw, pa, bw, pb, [_dev(torch, x) for x in (aw, bw, pa, pb)]))

        def run(i: int) -> Any:
            a, b, pa_d, pb_d = sets[i % len(sets)][4]
            return launch.bgemm(a, b, pa_d, pb_d, k, engine=engine)

        def check() -> dict[str, Any]:
            aw, pa, bw, pb, _ = sets[0]
            out = run(0).cpu().numpy()
            rows = rng.choice(m, size=min(m, CHECK_ROWS), replace=False)
            expected = pm1_dot_from_and(and_counts_packed(aw[rows], bw), pa[rows], pb, k)
            return _checked(np.array_equal(out[rows], expected), f"bgemm_{engine}",
                            rows_checked=len(rows))

        return Case(f"bgemm_{engine}", {"m": m, "n": n, "k": k}, "bop",
                    work.bgemm_bops(m, n, k), run, check, len(sets))
    return build


_kernel("bgemm_popc", _GEMM_SIZES)(_bgemm("popc"))
_kernel("bgemm_bmma", _GEMM_SIZES)(_bgemm("bmma"))


@_kernel("bconv2d", [{"batch": 256, "c": 256, "h": 14, "w": 14, "cout": 256, "kh": 3,
                      "stride": 1, "pad": 1}])
def _bconv(rng: np.random.Generator, torch: Any, batch: float, c: float, h: float, w: float,
           cout: float, kh: float, stride: float = 1, pad: float = 1) -> Case:
    from neurocost.hw.kernels import launch

    batch, c, h, w, cout, kh = (int(v) for v in (batch, c, h, w, cout, kh))
    g = ConvGeometry(h, w, kh, kh, int(stride), int(pad), 1)
    xw, pa = _random_words(rng, batch * h * w, c)
    xw, pa = xw.reshape(batch, h, w, -1), pa.reshape(batch, h, w)
    ww, pb = _random_words(rng, cout * kh * kh, c)
    ww, pb = ww.reshape(cout, kh, kh, -1), pb.reshape(cout, kh, kh)
    args = [_dev(torch, xw), _dev(torch, pa), _dev(torch, ww), _dev(torch, pb)]

    def run(i: int) -> Any:
        return launch.bconv2d(args[0], args[1], args[2], args[3], c, g)

    def check() -> dict[str, Any]:
        out = run(0).cpu().numpy()
        n0 = int(rng.integers(batch))
        expected = bconv2d_implicit_gemm_emulated(xw[n0 : n0 + 1], pa[n0 : n0 + 1], ww, pb, c, g)
        return _checked(np.array_equal(out[n0 : n0 + 1], expected), "bconv2d", images_checked=1)

    size = {"batch": batch, "c": c, "h": h, "w": w, "cout": cout, "kh": kh, "stride": g.stride,
            "pad": g.padding}
    return Case("bconv2d", size, "bop", work.bconv2d_bops(batch, c, cout, g), run, check, 1)


@_kernel("lif", [{"t": 16, "b": 64, "n": 65536}])
def _lif(rng: np.random.Generator, torch: Any, t: float, b: float, n: float) -> Case:
    from neurocost.hw.kernels import launch

    t, b, n = int(t), int(b), int(n)
    currents = rng.normal(0.3, 0.7, size=(t, b, n)).astype(np.float32)
    v0 = rng.normal(0.0, 0.5, size=(b, n)).astype(np.float32)
    dev = [_dev(torch, currents), _dev(torch, v0)]

    def run(i: int) -> Any:
        return launch.lif_steps(dev[0], dev[1], 0.9, 1.0)

    def check() -> dict[str, Any]:
        words, counts, v_final = run(0)
        ref = lif_steps(currents, v0, 0.9, 1.0)
        same = (np.array_equal(_host_u32(words), ref.spike_words)
                and np.array_equal(counts.cpu().numpy(), ref.counts)
                and np.array_equal(v_final.cpu().numpy(), ref.v_final))
        return _checked(same, "lif_steps", spikes=int(ref.counts.sum()))

    return Case("lif", {"t": t, "b": b, "n": n}, "neuron_update", work.neuron_updates(t, b, n),
                run, check, 1, stream_bytes=currents.nbytes)


def _gather(dtype: str):
    def build(rng: np.random.Generator, torch: Any, b: float, k: float, n: float,
              density: float) -> Case:
        from neurocost.hw.kernels import launch

        b, k, n = int(b), int(k), int(n)
        spikes = rng.random((b, k)) < density
        if not spikes.any():
            spikes[0, int(rng.integers(k))] = True  # never time an all-zero input
        words, _ = pack_bits(spikes)
        if dtype == "int8":
            weights = rng.integers(-128, 128, size=(k, n), dtype=np.int8)
        else:
            weights = rng.normal(size=(k, n)).astype(dtype)
        dev = [_dev(torch, words), _dev(torch, weights)]
        events = work.synaptic_events(words, n)

        def run(i: int) -> Any:
            return launch.spike_gather(dev[0], dev[1])

        def check() -> dict[str, Any]:
            y = run(0).cpu().numpy()
            expected = spike_gather_csr(words, weights)
            same = (np.array_equal(y, expected) if dtype == "int8"
                    else np.allclose(y, expected, rtol=1e-4, atol=1e-3))
            return _checked(same, f"spike_gather_{dtype}")

        return Case(f"gather_{dtype}", {"b": b, "k": k, "n": n, "density": density},
                    f"ac_{_short(dtype)}", events, run, check, 1,
                    stream_bytes=events * np.dtype(dtype).itemsize)
    return build


def _short(dtype: str) -> str:
    return {"float32": "fp32", "float16": "fp16", "int8": "int8"}[dtype]


_GATHER_SIZES = [{"b": 32, "k": 16384, "n": 16384, "density": 0.01},
                 {"b": 32, "k": 16384, "n": 16384, "density": 0.1}]
for _dtype in ("float32", "float16", "int8"):
    _kernel(f"gather_{_dtype}", _GATHER_SIZES)(_gather(_dtype))


def _torch_matmul(dtype: str):
    def build(rng: np.random.Generator, torch: Any, m: float, n: float, k: float) -> Case:
        from neurocost.hw.bench import baselines

        m, n, k = int(m), int(n), int(k)
        a = to_pm1(rng.random((m, k)) < 0.5)
        b = to_pm1(rng.random((k, n)) < 0.5)
        run_fn, np_dtype = {
            "fp16": (baselines.dense_matmul_fp16, np.float16),
            "bf16": (baselines.dense_matmul_bf16, np.float32),
            "int8": (baselines.int8_pm1_matmul, np.int8),
        }[dtype]
        dev = [_dev(torch, a.astype(np_dtype)), _dev(torch, b.astype(np_dtype))]

        def run(i: int) -> Any:
            return run_fn(dev[0], dev[1])

        def check() -> dict[str, Any]:
            out = run(0).float().cpu().numpy()
            rows = rng.choice(m, size=min(m, CHECK_ROWS), replace=False)
            expected = a[rows] @ b  # exact: +-1 sums accumulate exactly in fp32 / int32
            # the result is rounded once to the output type: fp16 keeps 11 significant bits,
            # bf16 8, int8 inputs give an exact int32
            rtol = {"fp16": 2.0**-11, "bf16": 2.0**-8, "int8": 0.0}[dtype]
            same = np.allclose(out[rows], expected, rtol=rtol, atol=0.0)
            return _checked(same, f"torch_{dtype}", rows_checked=len(rows))

        return Case(f"torch_{dtype}", {"m": m, "n": n, "k": k}, f"mac_{dtype}", m * n * k, run,
                    check, 1)
    return build


for _dtype in ("fp16", "bf16", "int8"):
    _kernel(f"torch_{_dtype}", _GEMM_SIZES)(_torch_matmul(_dtype))


@_kernel("torch_spike_dense", _GATHER_SIZES)
def _dense_spikes(rng: np.random.Generator, torch: Any, b: float, k: float, n: float,
                  density: float) -> Case:
    from neurocost.hw.bench import baselines

    b, k, n = int(b), int(k), int(n)
    spikes = (rng.random((b, k)) < density).astype(np.float32)
    weights = rng.normal(size=(k, n)).astype(np.float32)
    dev = [_dev(torch, spikes), _dev(torch, weights)]

    def run(i: int) -> Any:
        return baselines.dense_spike_matmul(dev[0], dev[1])

    def check() -> dict[str, Any]:
        y = run(0).float().cpu().numpy()
        expected = spikes.astype(np.float64) @ weights.astype(np.float64)
        # bf16 operands: weights rounded to 8 mantissa bits, so compare loosely
        return _checked(np.allclose(y, expected, rtol=2e-2, atol=0.5), "torch_spike_dense")

    return Case("torch_spike_dense", {"b": b, "k": k, "n": n, "density": density}, "mac_bf16",
                b * k * n, run, check, 1)
