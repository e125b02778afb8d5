"""neurocost: exact activity traces and sourced energy/latency estimates for SNNs and BNNs.

Trace once, price anywhere: ``nc.trace`` records what a model does, exactly and independently
of hardware; profiles turn that record into joules and seconds. Public names are loaded lazily,
so ``import neurocost`` stays light and never needs CUDA.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "load_profile": "neurocost.energy.registry",
    "Profile": "neurocost.energy.schema",
    "price": "neurocost.energy.pricing",
    "price_variants": "neurocost.energy.pricing",
    "estimate": "neurocost.energy.estimating",
    "Estimate": "neurocost.energy.estimate_record",
    "conventions": "neurocost.energy",
    "sweep": "neurocost.reports.sweep",
    "trace": "neurocost.sim.trace",
    "load_model": "neurocost.models.loading",
    "count_static": "neurocost.sim.static",
    "model_size": "neurocost.sim.static",
    "Trace": "neurocost.sim.trace_record",
    "Quantity": "neurocost.units",
    "simulate": "neurocost.sim.simulate",
    "Timing": "neurocost.sim.timing",
    "Architecture": "neurocost.sim.architecture",
    "check_claims": "neurocost.claims.runner",
    "load_claims": "neurocost.claims.files",
    "Claim": "neurocost.claims.schema",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'neurocost' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
