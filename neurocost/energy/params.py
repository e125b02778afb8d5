"""Profiles as flat parameter tables, so many variants are priced as arrays.

A profile flattens to ``{dotted path: value}``: every ``Sourced`` constant becomes its SI value
(``compute.ac.any`` -> 2.36e-11), plain fields stay as they are (``execution.style`` ->
``"dense"``). A sweep overrides paths (``memory.sram_8k.capacity=16``: the number is read in the
unit the profile states for that field, here KiB); the overridden path then holds one value per
variant, a NumPy array, and the energy equations broadcast over it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import numpy as np
from pydantic import BaseModel

from neurocost.energy.schema import Profile
from neurocost.errors import NeurocostError
from neurocost.provenance import UNITS, Sourced

# Sub-trees the pricer never reads (the simulator's data, free text).
_NOT_PRICED = ("architecture", "notes")
# Fields that decide which constants price a row (or name the profile), not a value to sweep.
_STRUCTURAL = ("id", "version", "description", "kind", "status", "compute.int_accumulator_bits",
               "compute.width_rule", "technology.scaling")


class OverrideError(NeurocostError):
    """An override naming a path the profile does not have, or a value it cannot take."""


class Params:
    """Flat SI parameters of one profile, some of them with one value per variant.

    ``get(path)`` returns a scalar (same for every variant) or an array of shape ``(n, 1)`` that
    broadcasts against per-layer arrays of shape ``(L,)``.
    """

    def __init__(self, profile: Profile, n: int = 1) -> None:
        self.profile = profile
        self.n = n
        self.values: dict[str, Any] = {}
        self.units: dict[str, str] = {}
        self.sources: dict[str, str] = {}
        self.undeclared: set[str] = set()  # sourced fields left null in the profile
        self.read: set[str] = set()  # paths the equations asked for: an override elsewhere is idle
        _flatten(profile, self)

    def get(self, path: str) -> Any:
        try:
            value = self.values[path]
        except KeyError:
            raise KeyError(f"profile {self.profile.id}: no field {path}") from None
        self.read.add(path)
        return value

    def declared(self, path: str) -> bool:
        return self.values.get(path) is not None

    def set_column(self, path: str, column: np.ndarray) -> None:
        """Give ``path`` one value per variant (already in SI for sourced fields)."""
        self.values[path] = np.asarray(column).reshape(self.n, 1)


def _holds_constant(annotation: Any) -> bool:
    """Whether a field's type is (optionally) a Sourced constant."""
    if isinstance(annotation, type):
        return issubclass(annotation, Sourced)
    return any(_holds_constant(arg) for arg in get_args(annotation))


def walk(node: Any, prefix: str = "") -> Iterator[tuple[str, Any, bool]]:
    """Leaves of a profile as ``(dotted path, value, may hold a constant)``; a ``Sourced`` value
    is a leaf, and sub-trees the pricer never reads (architecture, notes) are skipped.
    """
    if isinstance(node, dict):
        children = [(f"{prefix}.{key}", value, True) for key, value in node.items()]
    else:
        children = [(f"{prefix}.{name}" if prefix else name, getattr(node, name),
                     _holds_constant(info.annotation))
                    for name, info in type(node).model_fields.items() if name not in _NOT_PRICED]
    for path, value, holds_constant in children:
        if isinstance(value, dict) or (isinstance(value, BaseModel)
                                       and not isinstance(value, Sourced)):
            yield from walk(value, path)
        else:
            yield path, value, holds_constant


_LEAVES: dict[int, tuple[Profile, list[tuple[str, Any, bool]]]] = {}
_LEAVES_KEPT = 64  # profiles whose leaves are remembered (a sweep prices a handful)


def leaves(profile: Profile) -> list[tuple[str, Any, bool]]:
    """``walk(profile)`` as a list, remembered per profile object: profiles are frozen, and
    every ``price`` call reads all of them, so walking the model tree each time was a fixed cost
    of its own."""
    kept = _LEAVES.get(id(profile))
    if kept is not None and kept[0] is profile:
        return kept[1]
    if len(_LEAVES) >= _LEAVES_KEPT:
        _LEAVES.pop(next(iter(_LEAVES)))
    found = list(walk(profile))
    _LEAVES[id(profile)] = (profile, found)
    return found


def _flatten(profile: Profile, params: Params) -> None:
    for path, value, holds_constant in leaves(profile):
        if isinstance(value, Sourced):
            params.values[path] = value.si
            params.units[path] = value.unit
            params.sources[path] = value.source
        else:
            params.values[path] = value
            if value is None and holds_constant:
                params.undeclared.add(path)


def sweepable(profile: Profile) -> list[tuple[str, Any, str]]:
    """Every path a sweep or ``price_variants`` may override, with its current value (in the unit
    the profile states, the unit grid values are read in) and that unit (empty for settings)."""
    keys = []
    for path, value, holds_constant in walk(profile):
        if path in _STRUCTURAL or path.endswith(".holds"):
            continue
        if isinstance(value, Sourced):
            keys.append((path, value.value, value.unit))
        elif value is not None or not holds_constant:
            keys.append((path, value, ""))
    return keys


def override_paths(params: Params, paths: list[str]) -> list[str]:
    """Normalise override paths (``x.value`` -> ``x``) and check each names a profile field."""
    normalised = []
    for path in paths:
        key = path[: -len(".value")] if path.endswith(".value") else path
        if key in _STRUCTURAL or key.endswith(".holds"):
            raise OverrideError(
                f"profile {params.profile.id}: {path!r} cannot be swept: it decides which "
                "constants price a row (or names the profile); write a profile variant instead"
            )
        if key in params.undeclared:
            raise OverrideError(
                f"profile {params.profile.id}: override {path!r}: the field is undeclared; "
                "declare it in the YAML (with unit and source) before sweeping it"
            )
        if key not in params.values:
            close = [p for p in params.values if p.split(".")[-1] == key.split(".")[-1]]
            hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
            raise OverrideError(
                f"profile {params.profile.id}: override {path!r} names no field of the "
                f"profile{hint}"
            )
        normalised.append(key)
    return normalised


def to_si(params: Params, path: str, values: np.ndarray) -> np.ndarray:
    """Convert override values given in the profile's unit for ``path`` to SI (plain fields as is).

    Plain (non-sourced) fields are checked by re-validating the profile, so a sweep fails before
    pricing on e.g. ``execution.style=sparse``: with every distinct value for categorical fields,
    with the smallest and largest for numeric ones (their constraints are bounds).
    """
    if path in params.units:
        try:
            numbers = np.asarray(values, dtype=float)
        except (TypeError, ValueError) as err:
            raise OverrideError(f"override {path}: values must be numbers ({err})") from None
        if not np.all(np.isfinite(numbers)):
            raise OverrideError(f"override {path}: values must be finite numbers")
        if numbers.size:  # the schema's ranges (> 0 ...) hold at the extremes, or fail here
            for value in {float(numbers.min()), float(numbers.max())}:
                with_override(params.profile, {path: value})
        return numbers * UNITS[params.units[path]][1]
    distinct = set(np.asarray(values, dtype=object).ravel().tolist())
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in distinct):
        distinct = {min(distinct), max(distinct)}
    for value in distinct:
        with_override(params.profile, {path: value})
    return np.asarray(values, dtype=object)


def with_override(profile: Profile, overrides: dict[str, Any]) -> Profile:
    """A validated copy of ``profile`` with dotted-path overrides (sourced values in their unit).

    An overridden constant keeps its unit; its source says it was overridden.
    """
    from neurocost.energy.registry import profile_from_dict

    data = profile.model_dump(mode="python", by_alias=True)
    for path, value in overrides.items():
        key = path[: -len(".value")] if path.endswith(".value") else path
        parts = key.split(".")
        node = data
        for part in parts[:-1]:
            if not isinstance(node, dict) or part not in node or node[part] is None:
                raise OverrideError(f"profile {profile.id}: override {path!r}: no field {part!r}")
            node = node[part]
        leaf = parts[-1]
        if not isinstance(node, dict) or leaf not in node:
            raise OverrideError(f"profile {profile.id}: override {path!r}: no field {leaf!r}")
        if isinstance(node[leaf], dict) and "source" in node[leaf]:
            node[leaf] = {**node[leaf], "value": value,
                          "source": f"override of: {node[leaf]['source']}"}
        else:
            node[leaf] = value
    return profile_from_dict(data, origin=f"profile {profile.id} with overrides {overrides}")
