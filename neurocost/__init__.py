"""neurocost: exact activity traces and sourced energy/latency estimates for SNNs and BNNs.

Trace once, price anywhere: ``nc.trace`` records what a model does, exactly and independently
of hardware; profiles turn that record into joules and seconds. Public names are loaded lazily,
so ``import neurocost`` stays light and never needs CUDA.
"""

from __future__ import annotations

from neurocost._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "load_profile": "neurocost.energy.registry",
    "Profile": "neurocost.energy.schema",
    "price": "neurocost.energy.pricing",
    "price_variants": "neurocost.energy.pricing",
    "estimate": "neurocost.energy.estimating",
    "Estimate": "neurocost.energy.estimate_record",
    "sweep": "neurocost.sweeps.sweep",
    "trace": "neurocost.tracing.trace",
    "load_model": "neurocost.interchange.loading",
    "reset_state": "neurocost.models.state",
    "quantize": "neurocost.models.quantize",
    "register_state_reset": "neurocost.models.state",
    "count_static": "neurocost.tracing.static",
    "model_size": "neurocost.tracing.static",
    "Trace": "neurocost.tracing.trace_record",
    "Quantity": "neurocost.units",
    "simulate": "neurocost.sim.simulate",
    "Timing": "neurocost.sim.timing",
    "Architecture": "neurocost.sim.architecture",
    "check_claims": "neurocost.claims.runner",
    "load_claims": "neurocost.claims.files",
    "Claim": "neurocost.claims.schema",
}


# public name -> module that is itself the export
_MODULES: dict[str, str] = {
    "conventions": "neurocost.energy.conventions",
    **{part: f"neurocost.{part}"
       for part in ("models", "interchange", "tracing", "sim", "energy", "sweeps", "reports",
                    "claims", "hw")},
}

__getattr__, __dir__ = lazy_exports("neurocost", _EXPORTS, _MODULES)
