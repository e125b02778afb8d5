"""Spiking references: LIF dynamics and event-driven accumulation."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocost.hw.reference.layout import pack_bits, unpack_bits
from neurocost.hw.reference.spikes import (
    active_inputs_csr,
    lif_steps,
    spike_gather_csr,
    spike_matmul_dense,
)


def test_lif_fires_and_resets_by_subtraction():
    # beta 0.5, threshold 1, constant input 0.8 from v0 = 0:
    # t0: v = 0.8 (no spike); t1: v = 0.4 + 0.8 = 1.2 > 1 -> spike;
    # t2: v = 0.6 + 0.8 - 1 = 0.4 (reset by subtraction, no spike).
    result = lif_steps(np.full((3, 1, 1), 0.8), np.zeros((1, 1)), beta=0.5, threshold=1.0)
    assert unpack_bits(result.spike_words, 1)[:, 0, 0].tolist() == [0, 1, 0]
    assert result.counts[:, 0].tolist() == [0, 1, 0]
    np.testing.assert_allclose(result.v_final, [[0.4]], rtol=1e-6)


def test_lif_matches_snntorch_leaky():
    import snntorch as snn
    import torch

    rng = np.random.default_rng(3)
    currents = rng.normal(0.4, 0.6, size=(12, 3, 50)).astype(np.float32)
    neuron = snn.Leaky(beta=0.8, threshold=1.0)
    mem = torch.zeros(3, 50)
    spikes = []
    for t in range(12):
        spk, mem = neuron(torch.from_numpy(currents[t]), mem)
        spikes.append(spk.numpy())
    result = lif_steps(currents, np.zeros((3, 50)), beta=0.8, threshold=1.0)
    np.testing.assert_array_equal(unpack_bits(result.spike_words, 50), np.stack(spikes))
    np.testing.assert_allclose(result.v_final, mem.numpy(), rtol=1e-5, atol=1e-6)


def test_csr_lists_are_ascending_per_sample():
    words, _ = pack_bits(np.array([[0, 1, 0, 1], [1, 0, 0, 0]]))
    row_ptr, indices = active_inputs_csr(words, 4)
    assert row_ptr.tolist() == [0, 2, 3]
    assert indices.tolist() == [1, 3, 0]


@settings(max_examples=40, deadline=None)
@given(
    b=st.integers(1, 6),
    k=st.integers(1, 200),
    n=st.integers(1, 40),
    density=st.sampled_from([0.0, 1e-4, 0.01, 0.5, 1.0]),
    seed=st.integers(0, 2**31 - 1),
)
def test_csr_gather_equals_dense_matmul(b, k, n, density, seed):
    rng = np.random.default_rng(seed)
    spikes = (rng.random((b, k)) < density).astype(np.uint8)
    words, _ = pack_bits(spikes)
    w_float = rng.normal(size=(k, n)).astype(np.float32)
    np.testing.assert_allclose(
        spike_gather_csr(words, w_float), spike_matmul_dense(spikes, w_float), rtol=1e-12, atol=1e-9
    )
    w_int8 = rng.integers(-128, 128, size=(k, n), dtype=np.int8)
    np.testing.assert_array_equal(
        spike_gather_csr(words, w_int8), spikes.astype(np.int64) @ w_int8.astype(np.int64)
    )
