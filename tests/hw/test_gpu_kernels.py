"""The CUDA kernels against the NumPy references, on fresh random data (GPU only).

Skipped without a CUDA device; on a GPU machine these are the correctness half of
``neurocost hw bench``. Inputs are random at the stated densities, never all zeros.
"""

import numpy as np
import pytest

from neurocost.hw.reference.bconv import bconv2d_im2col
from neurocost.hw.reference.bgemm import pm1_dot_unpacked, sign_pack
from neurocost.hw.reference.conv_geometry import ConvGeometry
from neurocost.hw.reference.layout import pack_bits, to_pm1
from neurocost.hw.reference.spikes import lif_steps, spike_gather_csr

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def _cuda(array):
    return torch.from_numpy(np.ascontiguousarray(array)).cuda()


def _words(array):
    return _cuda(np.asarray(array, np.uint32).view(np.int32))


def _host_words(tensor):
    return tensor.cpu().numpy().view(np.uint32)


@pytest.mark.parametrize("dtype", ["float32", "bool"])
@pytest.mark.parametrize("shape", [(1, 1), (37, 95), (130, 1000)])
def test_pack_bits_matches_reference(dtype, shape):
    from neurocost.hw.kernels import launch

    values = np.random.default_rng(1).normal(size=shape)
    host = values > 0 if dtype == "bool" else values.astype(np.float32)
    words, popcounts = launch.pack_bits(_cuda(host))
    expected_words, expected_pop = pack_bits(host)
    np.testing.assert_array_equal(_host_words(words), expected_words)
    np.testing.assert_array_equal(popcounts.cpu().numpy(), expected_pop)


@pytest.mark.parametrize("engine", ["popc", "bmma"])
@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (65, 70, 300), (128, 192, 1024), (200, 33, 777)])
def test_bgemm_matches_unpacked_reference(engine, m, n, k):
    from neurocost.hw.kernels import launch

    rng = np.random.default_rng(m * n + k)
    a, b = rng.random((m, k)) < 0.5, rng.random((n, k)) < 0.5
    (aw, pa), (bw, pb) = pack_bits(a), pack_bits(b)
    args = (_words(aw), _words(bw), _cuda(pa.astype(np.int32)), _cuda(pb.astype(np.int32)), k)
    expected = pm1_dot_unpacked(a, b)
    out = launch.bgemm(*args, engine=engine)
    np.testing.assert_array_equal(out.cpu().numpy(), expected)
    thresholds = rng.integers(-k // 4 - 1, k // 4 + 1, size=n).astype(np.int32)
    signs = launch.bgemm(*args, engine=engine, sign=True, thresholds=_cuda(thresholds))
    np.testing.assert_array_equal(_host_words(signs), sign_pack(expected, thresholds))


@pytest.mark.parametrize(
    "geometry,channels,c_out",
    [(ConvGeometry(7, 9, 3, 3, 1, 1, 1), 70, 65), (ConvGeometry(8, 8, 3, 3, 2, 1, 2), 256, 64)],
)
def test_bconv2d_matches_im2col(geometry, channels, c_out):
    from neurocost.hw.kernels import launch

    rng = np.random.default_rng(channels)
    x = rng.random((2, channels, geometry.in_h, geometry.in_w)) < 0.5
    w = rng.random((c_out, channels, geometry.kh, geometry.kw)) < 0.5
    xw, pa = pack_bits(x.transpose(0, 2, 3, 1))
    ww, pb = pack_bits(w.transpose(0, 2, 3, 1))
    out = launch.bconv2d(_words(xw), _cuda(pa.astype(np.int32)), _words(ww),
                         _cuda(pb.astype(np.int32)), channels, geometry)
    expected = bconv2d_im2col(to_pm1(x), to_pm1(w), geometry).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(out.cpu().numpy(), expected)


@pytest.mark.parametrize("t,b,n", [(1, 1, 1), (16, 3, 1000), (4, 2, 4096)])
def test_lif_steps_bit_exact(t, b, n):
    from neurocost.hw.kernels import launch

    rng = np.random.default_rng(n)
    currents = rng.normal(0.3, 0.7, size=(t, b, n)).astype(np.float32)
    v0 = rng.normal(0.0, 0.5, size=(b, n)).astype(np.float32)
    words, counts, v_final = launch.lif_steps(_cuda(currents), _cuda(v0), 0.9, 1.0)
    expected = lif_steps(currents, v0, 0.9, 1.0)
    np.testing.assert_array_equal(_host_words(words), expected.spike_words)
    np.testing.assert_array_equal(counts.cpu().numpy(), expected.counts)
    np.testing.assert_array_equal(v_final.cpu().numpy(), expected.v_final)


@pytest.mark.parametrize("dtype", ["float32", "float16", "int8"])
@pytest.mark.parametrize("density", [1e-4, 0.01, 0.5, 1.0])
def test_spike_gather_matches_csr_reference(dtype, density):
    from neurocost.hw.kernels import launch

    rng = np.random.default_rng(7)
    spikes = rng.random((4, 3000)) < density
    words, _ = pack_bits(spikes)
    if dtype == "int8":
        weights = rng.integers(-128, 128, size=(3000, 300), dtype=np.int8)
    else:
        weights = rng.normal(size=(3000, 300)).astype(dtype)
    y = launch.spike_gather(_words(words), _cuda(weights)).cpu().numpy()
    expected = spike_gather_csr(words, weights)
    if dtype == "int8":
        np.testing.assert_array_equal(y, expected)
    else:
        np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-3)
