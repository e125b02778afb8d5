"""Technology-node and supply-voltage scaling of dynamic energy.

Dynamic energy per op is about alpha x C x V^2, so at a fixed node energy scales with V^2 (rule
``cv2``; first order only: at 45 nm, 0.9 -> 0.75 V, Stillmaker & Baas's fits give x0.74 where V^2
gives x0.69). Across nodes, gains are far smaller than the feature-size ratio, so node scaling is
a table: ``NODE_ENERGY_AT_0V9`` gives energy relative to 45 nm at 0.9 V, derived in the
reference notes (shared/reference/energy-sources.md section 3) from the per-node fits of
Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS device performance from
180 nm to 7 nm", Integration 58:74-81, 2017, as implemented in Accelergy's HWComponents
(``techscaling.py``). Between listed nodes the factor is interpolated linearly; outside the table
scaling is refused. Off-chip memory (set by its interface, not the logic node) and static power
are never scaled, nor are profiles whose rule is ``none`` (measured or all-in figures).
"""

from __future__ import annotations

import numpy as np

from neurocost.errors import NeurocostError

# node (nm) -> dynamic energy relative to 45 nm, both at Vdd = 0.9 V ([D] from Stillmaker 2017).
NODE_ENERGY_AT_0V9: dict[float, float] = {
    7: 0.10, 10: 0.13, 14: 0.15, 16: 0.19, 20: 0.24, 32: 0.64, 45: 1.0, 65: 1.25,
}


class ScalingError(NeurocostError):
    """A requested operating point the profile's scaling rule cannot reach."""


def node_factor(node_nm):
    """Energy at ``node_nm`` relative to 45 nm (same voltage); array-friendly."""
    nodes = np.array(sorted(NODE_ENERGY_AT_0V9))
    node = np.asarray(node_nm, dtype=float)
    outside = (node < nodes[0]) | (node > nodes[-1])
    if np.any(outside):
        raise ScalingError(
            f"node {node[outside].flat[0]:g} nm is outside the scaling table "
            f"({nodes[0]:g}-{nodes[-1]:g} nm)"
        )
    return np.interp(node, nodes, [NODE_ENERGY_AT_0V9[n] for n in nodes])


def energy_factor(rule: str, reference_nm, reference_v, node_nm, voltage_v):
    """Multiplier on dynamic energy when pricing at (``node_nm``, ``voltage_v``) instead of the
    reference technology the constants were taken at; None or NaN targets mean 'the reference'.
    Every argument but ``rule`` may be an array over sweep variants.
    """
    if rule == "none":
        return 1.0
    node = _or_reference(node_nm, reference_nm)
    volt = _or_reference(voltage_v, reference_v)
    factor = (volt / reference_v) ** 2
    if rule == "stillmaker2017":
        return factor * node_factor(node) / node_factor(reference_nm)
    if np.any(node != reference_nm):
        raise ScalingError(
            f"technology.scaling is 'cv2' (voltage only); it cannot move from "
            f"{np.ravel(reference_nm)[0]:g} nm to {np.ravel(node)[0]:g} nm"
        )
    return factor


def _or_reference(value, reference: float):
    if value is None:
        return reference
    array = np.asarray(value, dtype=float)
    return np.where(np.isnan(array), reference, array)
