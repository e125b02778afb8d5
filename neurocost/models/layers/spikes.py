"""Signed (ternary) spiking neurons: {-1, 0, +1} spikes times a learnable amplitude.

Bi-directional spikes let a spiking network carry negative values, as elastic bi-spiking
language models do (SpikeLM, Xing et al., ICML 2024): a neuron fires +1 when its membrane crosses
+threshold and -1 when it crosses -threshold, and the spike is scaled by an amplitude (learned
when ``learn_graded_spikes_factor=True``, the default here). Reset is by subtraction in the
direction of the spike. The next layer folds the scalar amplitude into its weights, so a signed
spike still costs one add or subtract per synapse (``SIGNED_SPIKE``).

The class extends ``snntorch.Leaky`` (membrane state, ``init_hidden``, ``snntorch.utils.reset``)
and only changes how it fires.
"""

from __future__ import annotations

from typing import Any

import snntorch as snn
import torch

from neurocost.models.encodings import SIGNED_SPIKE, Encoding


class TernaryLeaky(snn.Leaky):
    """Leaky integrate-and-fire neuron emitting ``amplitude * {-1, 0, +1}``."""

    output_encoding: Encoding = SIGNED_SPIKE

    def __init__(self, beta: float = 0.9, amplitude: float = 1.0, **kwargs: Any) -> None:
        kwargs.setdefault("learn_graded_spikes_factor", True)
        super().__init__(beta=beta, graded_spikes_factor=amplitude, **kwargs)

    def _crossing(self, mem: torch.Tensor) -> torch.Tensor:
        """+1 above +threshold, -1 below -threshold, 0 between (surrogate gradient on both)."""
        return self.spike_grad(mem - self.threshold) - self.spike_grad(-mem - self.threshold)

    def fire(self, mem: torch.Tensor) -> torch.Tensor:
        """The signed spike times the amplitude."""
        return self._crossing(mem) * self.graded_spikes_factor

    def mem_reset(self, mem: torch.Tensor) -> torch.Tensor:
        """Signed reset signal, detached: subtraction pulls the membrane back towards 0."""
        return self._crossing(mem).detach()
