"""``estimate``: trace a model, optionally simulate it on the chip, and price it, in one call."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from neurocost.energy.conventions import Convention
from neurocost.energy.estimate_record import Estimate
from neurocost.energy.pricing import ProfileSpec, price
from neurocost.energy.registry import load_profile


def estimate(model: nn.Module | str, x: torch.Tensor, profile: ProfileSpec = "cmos45", *,
             simulate: bool = False, engine: str = "simpy",
             convention: str | Convention | None = None, **trace_kw: Any) -> Estimate:
    """Energy (J) and latency (s) per sample of ``model`` on input ``x`` on ``profile``.

    ``trace_kw`` go to ``nc.trace`` (``steps``, ``strict``, ``input_encoding``). With
    ``simulate=True`` the latency, hop count and per-core rows come from the simpy simulation
    of the profile's ``architecture`` instead of the mapped analytic model; ``engine="sanafe"``
    runs that simulation on SANA-FE (``neurocost[sanafe]``).
    """
    from neurocost.tracing.trace import trace

    prof = load_profile(profile)
    recorded = trace(model, x, **trace_kw)
    timing = None
    if simulate:
        from neurocost.sim.simulate import simulate as run_simulation

        timing = run_simulation(recorded, prof, engine=engine)
    return price(recorded, prof, convention=convention, timing=timing)
