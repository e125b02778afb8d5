"""NumPy references for the spiking kernels: fused LIF steps and event-driven accumulation.

The LIF reference repeats the kernel's float32 arithmetic in the same order with no fused
multiply-add (the kernel uses ``__fmul_rn``/``__fadd_rn``/``__fsub_rn``), so spikes and membrane
potentials agree bit for bit. The gather reference builds CSR lists of active inputs from the
packed spike words and sums weight rows, independently of the dense matmul it is checked with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurocost.hw.reference.layout import pack_bits, unpack_bits


@dataclass(frozen=True)
class LifResult:
    """Outputs of T fused LIF steps.

    spike_words [T, B, ceil(N/32)] uint32 (bit n of sample b at step t = spike), counts [T, B]
    int64 (spikes per sample per step), v_final [B, N] float32 (membrane after the last step).
    """

    spike_words: np.ndarray
    counts: np.ndarray
    v_final: np.ndarray


def lif_steps(currents: np.ndarray, v0: np.ndarray, beta: float, threshold: float) -> LifResult:
    """T steps of a leaky integrate-and-fire neuron with reset by subtraction (snnTorch ``Leaky``).

    v_t = beta * v_{t-1} + I_t - threshold * s_{t-1},   s_t = [v_t > threshold],
    with s_{-1} = [v0 > threshold]. All arithmetic in float32, rounded after each operation.
    """
    currents = np.asarray(currents, np.float32)
    if currents.ndim != 3:
        raise ValueError(f"currents must be [T, B, N], got shape {currents.shape}")
    v = np.array(v0, np.float32, copy=True)
    if v.shape != currents.shape[1:]:
        raise ValueError(f"v0 shape {v.shape} does not match currents' [B, N] {currents.shape[1:]}")
    beta32, theta = np.float32(beta), np.float32(threshold)
    fired = v > theta
    spikes = np.empty(currents.shape, bool)
    for t in range(currents.shape[0]):
        v = (beta32 * v + currents[t]) - np.where(fired, theta, np.float32(0))
        fired = v > theta
        spikes[t] = fired
    words, counts = pack_bits(spikes)
    return LifResult(spike_words=words, counts=counts, v_final=v)


def active_inputs_csr(spike_words: np.ndarray, k_inputs: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR lists of active inputs per sample from packed spikes [B, ceil(K/32)].

    Returns ``(row_ptr [B + 1], indices)``: sample b's active inputs, ascending, are
    ``indices[row_ptr[b]:row_ptr[b + 1]]`` (the order the gather kernel visits them in).
    """
    bits = unpack_bits(np.asarray(spike_words, np.uint32), k_inputs)
    rows, cols = np.nonzero(bits)
    row_ptr = np.zeros(bits.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=bits.shape[0]), out=row_ptr[1:])
    return row_ptr, cols.astype(np.int64)


def spike_gather_csr(spike_words: np.ndarray, weights_t: np.ndarray) -> np.ndarray:
    """y[b, :] = sum over active inputs k of weights_t[k, :] (weights_t is [K, N_out]).

    Sums in float64 for float weights and int64 for integer weights.
    """
    weights_t = np.asarray(weights_t)
    row_ptr, indices = active_inputs_csr(spike_words, weights_t.shape[0])
    acc = np.int64 if np.issubdtype(weights_t.dtype, np.integer) else np.float64
    out = np.zeros((len(row_ptr) - 1, weights_t.shape[1]), acc)
    for b in range(len(row_ptr) - 1):
        out[b] = weights_t[indices[row_ptr[b] : row_ptr[b + 1]]].astype(acc).sum(0)
    return out


def spike_matmul_dense(spikes01: np.ndarray, weights_t: np.ndarray) -> np.ndarray:
    """The dense definition: {0, 1} spikes [B, K] @ weights_t [K, N] in float64."""
    return np.asarray(spikes01, np.float64) @ np.asarray(weights_t, np.float64)
