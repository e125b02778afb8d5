"""The sweep's bridge to the energy model: one vectorised pricing call per (trace, profile).

Pricing arithmetic lives in ``neurocost.energy``; this module only asks it for the grid's rows
(and, where the spec asks, the simpy timing of each variant) and for the per-layer breakdown at
the profile's published parameters, and shapes both into results-store rows.

A profile that cannot run a model (a binary layer on a chip with no declared XNOR-popcount
energy, a MAC on a chip with no multiplier) still yields rows: energy and latency are left
unknown (NaN, never zero) and ``cannot_run`` says which field is missing, so a report shows the
gap instead of hiding it or pricing it as free.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from neurocost.energy.schema import Profile
from neurocost.sweeps.result_columns import ENERGY_COMPONENTS
from neurocost.sweeps.spec import expand_grid
from neurocost.tracing.trace_record import Trace

NO_CONVENTION = "none (exact counts)"
CANNOT_RUN = "cannot run"


def priced_rows(
    trace: Trace, profile: Profile, grid: dict[str, list[Any]], simulate: bool,
    convention: str | None,
) -> pd.DataFrame:
    """One row per grid point (in ``expand_grid`` order) with energy, latency and components."""
    from neurocost.energy.pricing import price_variants
    from neurocost.energy.resolve import PricingError

    try:
        points = math.prod(len(v) for v in grid.values())  # bounded by the spec's max_rows
        rows = price_variants(trace, profile, grid, convention=convention,
                              max_variants=points).reset_index(drop=True)
    except PricingError as err:
        return _unpriced_rows(profile, grid, convention, str(err))
    rows["cannot_run"] = None
    expected = len(expand_grid(grid))
    if len(rows) != expected:
        raise RuntimeError(
            f"profile {profile.id!r}: price_variants returned {len(rows)} rows for a grid of "
            f"{expected} points"
        )
    if "convention" not in rows.columns:
        rows["convention"] = NO_CONVENTION
    if simulate:
        rows = rows.join(_timing_rows(trace, profile, grid))
    return rows


def layer_rows(
    trace: Trace, profile: Profile, convention: str | None
) -> pd.DataFrame | None:
    """Per-layer energy by component at the profile's published parameters (J per inference);
    None when the profile cannot price the trace.

    Static energy belongs to the chip, not a layer: it arrives as a ``(chip)`` row, the
    per-core shares a mapped or simulated timing splits it into summed back into it (a report
    panel of 45 equal core bars says less than one chip bar).
    """
    from neurocost.energy.pricing import price
    from neurocost.energy.resolve import PricingError

    try:
        breakdown = price(trace, profile, convention=convention).breakdown
    except PricingError:
        return None
    components = [c for c in ENERGY_COMPONENTS if c in breakdown.columns]
    cores = breakdown["layer"].str.startswith("core:").to_numpy(dtype=bool)
    if cores.any():
        chip = (breakdown["layer"] == "(chip)").to_numpy(dtype=bool)
        breakdown = breakdown.copy()
        breakdown.loc[chip, components] += breakdown.loc[cores, components].sum().to_numpy()
        breakdown = breakdown[~cores].reset_index(drop=True)
    return breakdown[["layer", "kind", *components]]


def _unpriced_rows(
    profile: Profile, grid: dict[str, list[Any]], convention: str | None, reason: str
) -> pd.DataFrame:
    """Rows for a grid the profile cannot price: unknown figures and the reason, per point."""
    unknown = float("nan")
    n = len(expand_grid(grid))
    figures = {name: [unknown] * n for name in ("energy_j", "latency_s", *ENERGY_COMPONENTS)}
    return pd.DataFrame({
        **figures,
        "profile_id": profile.id,
        "profile_version": profile.version,
        "regime": CANNOT_RUN,
        "convention": convention or NO_CONVENTION,
        "cannot_run": reason,
    }, index=range(n))


def _timing_rows(trace: Trace, profile: Profile, grid: dict[str, list[Any]]) -> pd.DataFrame:
    """The simpy timing of every grid point: latency (s), utilisation (1), hops, critical layer."""
    from neurocost.energy.params import with_override
    from neurocost.sim.simulate import simulate

    rows = []
    for point in expand_grid(grid):
        timing = simulate(trace, with_override(profile, point))
        rows.append({
            "sim_latency_s": timing.latency_s,
            "sim_utilisation": timing.mean_utilisation,
            "sim_hops": timing.hops,
            "sim_critical_layer": timing.critical_layer,
        })
    return pd.DataFrame(rows)
