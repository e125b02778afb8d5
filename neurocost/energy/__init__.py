"""Energy: hardware profiles as sourced data, the energy model and counting conventions.

``registry.load_profile`` reads a profile (``schema``), ``pricing.price`` turns a trace into an
``Estimate`` through the equations of ``equations``, ``pricing.price_variants`` prices many profile
variants at once, and ``conventions`` holds the papers' counting conventions (exported as
``neurocost.conventions``).
"""

from neurocost.energy import conventions

__all__ = ["conventions"]
