"""Logical work of each kernel, counted the way ``nc.trace`` counts the equivalent layer.

Throughput (ops/s) and energy per op need a count of the work a launch did. These are the
counts the references imply, in the simulator's units, so a measured time or energy can be
set against a trace row without conversion:

- binary GEMM / convolution: bit-MACs (one XNOR-popcount per (activation bit, weight bit) pair,
  a ``bop`` in the trace); NVIDIA's INT1 "TOPS" counts 2 ops per bit-MAC, see ``TOPS_PER_BOP``;
- event-driven accumulation: synaptic events (one weight added per active input per output,
  an ``ac``), i.e. input events x fan-out;
- LIF: neuron updates (one per neuron per sample per step).
"""

from __future__ import annotations

import numpy as np

from neurocost.hw.reference.conv_geometry import ConvGeometry

TOPS_PER_BOP = 2  # vendor tensor-op figures count a multiply and an add per bit-MAC


def bgemm_bops(m: int, n: int, k_bits: int) -> int:
    """Bit-MACs of an [M, K] x [K, N] binary GEMM: every one of the M*N outputs sums K bits."""
    return m * n * k_bits


def bconv2d_bops(batch: int, c_in: int, c_out: int, geometry: ConvGeometry) -> int:
    """Bit-MACs of a binary convolution, taps in the padding excluded (they combine nothing)."""
    return batch * c_in * c_out * geometry.valid_taps()


def synaptic_events(spike_words: np.ndarray, fan_out: int) -> int:
    """Accumulations of an event-driven layer: set spike bits x output columns each one reaches."""
    return int(np.bitwise_count(np.asarray(spike_words, np.uint32)).sum()) * fan_out


def neuron_updates(steps: int, batch: int, neurons: int) -> int:
    """Time-driven LIF work: every neuron of every sample is updated once per step."""
    return steps * batch * neurons
