"""``price``: a trace on one profile -> Estimate; ``price_variants``: one trace on many variants.

Both run the same array equations (``neurocost.energy.equations``): ``price`` is the one-variant
case with a per-layer breakdown; ``price_variants`` broadcasts dotted-path overrides as NumPy
columns, so thousands of variants cost a handful of array operations, not a Python loop.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neurocost.energy.conventions import Convention, get_convention
from neurocost.energy.counts import layer_counts
from neurocost.energy.equations import Costs, Network, compute_costs
from neurocost.energy.estimate_record import Estimate, PriceTable
from neurocost.energy.params import OverrideError, Params, leaves, override_paths, to_si
from neurocost.energy.registry import load_profile
from neurocost.energy.resolve import op_notes
from neurocost.energy.schema import Profile
from neurocost.provenance import Sourced
from neurocost.tracing.columns import text_column
from neurocost.tracing.trace_record import Trace
from neurocost.vocabulary import (
    CHIP_COMPONENTS,
    COMPONENTS,
    LAYER_COMPONENTS,
    OP_CLASSES,
    component_column,
)

# variants one price_variants call may expand a cartesian grid to (the sweep spec's max_rows
# default too): 10,000 price in about 2 s, so this is minutes of work and ~1 GB of rows
MAX_VARIANTS = 1_000_000

ProfileSpec = str | Path | Profile
Grid = dict[str, list[Any]] | list[dict[str, Any]]


def price(trace: Trace, profile: ProfileSpec, *, convention: str | Convention | None = None,
          timing: Any = None) -> Estimate:
    """Energy (J) and latency (s) per sample of ``trace`` on ``profile``.

    convention: a counting convention (``"bireal"``, ``"snn-energy"``, a ``Convention``); its
        figures go to ``Estimate.counts`` and its name@version to ``Estimate.convention``; a
        convention that changes what is counted (``snn-energy`` with the encoding layer counted
        once) adjusts the counts before pricing.
    timing: a ``neurocost.sim.timing.Timing`` from the simulator; its ``latency_s`` replaces the
        analytic latency (static energy), its ``packets`` and ``hops`` price routing, and static
        energy is split over its ``cores`` (one breakdown row per core, equal shares). Without
        one, a profile with an event-driven architecture is timed by the mapped analytic model
        (same mapping and per-core parallelism as the simulation; ``latency_source="mapped"``),
        any other by its throughput model (``"analytic"``).
    """
    prof = load_profile(profile)
    conv = get_convention(convention) if convention is not None else None
    table = _counts(trace, conv)
    mapped_notes: tuple[str, ...] = ()
    if timing is None:
        timing, mapped_notes = mapped_or_none(trace, prof)
    params = Params(prof)
    costs = _costs(table, params, trace.steps, timing)
    breakdown = _breakdown(table, costs, timing)
    return Estimate(
        latency_s=float(costs.latency_s[0]),
        breakdown=breakdown,
        regime=costs.regime,
        profile_id=prof.id,
        profile_version=prof.version,
        profile_status=prof.status,
        steps=trace.steps,
        latency_source=costs.latency_source,
        convention=None if conv is None else conv.label,
        counts={} if conv is None else conv.counts(trace),
        notes=(*trace.warnings, *getattr(timing, "notes", ()), *mapped_notes, *costs.notes,
               *_profile_notes(prof, table)),
        sources=costs.sources,
        timing=timing,
        prices=PriceTable(costs.formulas, _constants(params)),
    )


def _profile_notes(profile: Profile, table: pd.DataFrame) -> list[str]:
    """The profile's notes, less those about op classes this trace does not perform (e.g. how
    to avoid MACs on a chip without a MAC path, for a trace that has none)."""
    present = {c for c in table["op_class"] if c}
    absent = {n for c in OP_CLASSES if c not in present for n in op_notes(profile, c)}
    relevant = {n for c in present for n in op_notes(profile, c)}
    return [n for n in profile.notes if n not in absent - relevant]


def _constants(params: Params) -> pd.DataFrame:
    """Every sourced profile field the equations read, as the profile states it."""
    stated = {path: value for path, value, _ in leaves(params.profile)
              if isinstance(value, Sourced)}
    rows = [(path, stated[path].value, stated[path].unit, stated[path].source,
             stated[path].basis) for path in sorted(params.read) if path in stated]
    return pd.DataFrame(rows, columns=["path", "value", "unit", "source", "basis"])


def _counts(trace: Trace, conv: Convention | None) -> pd.DataFrame:
    table = layer_counts(trace)
    return table if conv is None else conv.adjust(table, trace.steps)


def mapped_or_none(trace: Trace, prof: Profile) -> tuple[Any, tuple[str, ...]]:
    """The mapped analytic timing (``neurocost.sim.simulate.mapped_timing``) of an event-driven
    profile, so the analytic latency has the simulation's mapping and per-core parallelism;
    ``None`` (throughput model) for other profiles, or with a note when the network does not
    fit the chip."""
    architecture = prof.architecture
    if architecture is None or architecture.style != "event_driven":
        return None, ()
    from neurocost.sim.core_work import CoreWorkError
    from neurocost.sim.mapping import MappingError
    from neurocost.sim.simulate import mapped_timing

    try:
        return mapped_timing(trace, architecture), ()
    except (MappingError, CoreWorkError) as err:
        return None, (f"latency from the throughput model (all work on one core): the network "
                      f"cannot be mapped onto {prof.id} ({err})",)


def _costs(table: pd.DataFrame, params: Params, steps: int, timing: Any, *,
           formulas: bool = True) -> Costs:
    """The equations with a timing's latency, packets, hops and cores (or none); ``formulas``
    also writes each row's formula (an estimate shows them, a grid of variants does not)."""
    if timing is None:
        return compute_costs(table, params, steps, formulas=formulas)
    mode = getattr(timing, "mode", "")
    source = mode if mode in ("mapped", "sanafe") else "simulation"
    return compute_costs(table, params, steps, network=_network(timing),
                         latency_s=float(timing.latency_s), latency_source=source,
                         formulas=formulas)


def _network(timing: Any) -> Network:
    """Packets cores send, hops (input packets' included) and cores used from a ``Timing``;
    packets injected from off-chip are the I/O's cost, not a core's."""
    if timing is None:
        return Network()
    return Network(packets=float(timing.packets), hops=float(timing.hops),
                   cores_used=len(timing.cores))


def _breakdown(table: pd.DataFrame, costs: Costs, timing: Any) -> pd.DataFrame:
    """Layers, then ``(chip)``, then one ``core:<k>`` row per simulated core; one column per
    component and their sum. Built column by column in NumPy: a DataFrame per row group and a
    concat cost more than the pricing itself."""
    n_layers = len(table)
    cores = [] if timing is None or not len(timing.cores) else \
        [f"core:{c}" for c in timing.cores["core"]]
    rows = n_layers + 1 + len(cores)
    step, io, static = (float(costs.chip[c][0]) for c in CHIP_COMPONENTS)
    tail = {"layer": ["(chip)", *cores], "kind": [""] * (rows - n_layers),
            "op_class": [""] * (rows - n_layers)}
    columns: dict[str, Any] = {name: text_column([*table[name].tolist(), *tail[name]])
                               for name in tail}
    for component in LAYER_COMPONENTS:
        values = np.zeros(rows)
        values[:n_layers] = costs.per_layer[component][0]
        columns[component_column(component)] = values
    for component, value in (("step", step), ("io", io)):
        values = np.zeros(rows)
        values[n_layers] = value
        columns[component_column(component)] = values
    statics = np.zeros(rows)
    if cores:
        statics[n_layers + 1:] = static / len(cores)
    else:
        statics[n_layers] = static
    columns[component_column("static")] = statics
    columns["energy_j"] = sum(columns[component_column(c)] for c in COMPONENTS)
    return pd.DataFrame(columns, copy=False)


def price_variants(trace: Trace, profile: ProfileSpec, grid: Grid, *,
                   convention: str | Convention | None = None,
                   max_variants: int = MAX_VARIANTS) -> pd.DataFrame:
    """Price ``trace`` on every variant of ``profile`` described by ``grid``, as array arithmetic.

    grid: ``{dotted.path: [values]}`` (cartesian product) or ``[{dotted.path: value}, ...]``.
    Sourced constants are overridden in the unit the profile states for them
    (``memory.sram_8k.capacity=16`` -> 16 KiB); plain fields take plain values
    (``execution.style="dense"``, ``operating_point.voltage_v=0.7``).

    Returns one row per variant: the override columns, then ``energy_j, latency_s, compute_j,
    memory_j, neuron_j, routing_j, step_j, io_j, static_j, profile_id, profile_version,
    regime``, and
    ``memory_bits.<level>`` (bits read and written on each memory level, per sample).
    max_variants: the most variants a cartesian grid may expand to, checked from the list lengths
        before anything is allocated (a grid of 1e9 points used to run until ``MemoryError``).
    """
    prof = load_profile(profile)
    conv = get_convention(convention) if convention is not None else None
    columns = _variant_columns(grid, max_variants)
    n = len(next(iter(columns.values()))) if columns else 1
    params = Params(prof, n=n)
    paths = override_paths(params, list(columns))
    for path, values in zip(paths, columns.values(), strict=True):
        params.set_column(path, to_si(params, path, values))
    timing, _ = mapped_or_none(trace, prof)
    costs = _costs(_counts(trace, conv), params, trace.steps, timing, formulas=False)
    out = pd.DataFrame({name: values for name, values in columns.items()})
    per_component = {c: costs.per_layer[c].sum(axis=1) for c in LAYER_COMPONENTS}
    for component in CHIP_COMPONENTS:
        per_component[component] = np.broadcast_to(costs.chip[component], (n,))
    out["energy_j"] = sum(per_component.values())
    out["latency_s"] = np.broadcast_to(costs.latency_s, (n,))
    for component in COMPONENTS:
        out[component_column(component)] = per_component[component]
    out["profile_id"] = prof.id
    out["profile_version"] = prof.version
    out["regime"] = costs.regime
    for level, bits in costs.memory_bits.items():
        out[f"memory_bits.{level}"] = np.broadcast_to(bits, (n,))
    if conv is not None:
        out["convention"] = conv.label
    _refuse_idle_overrides(prof.id, params, dict(zip(columns, paths, strict=True)))
    return out


def _refuse_idle_overrides(profile_id: str, params: Params, paths: dict[str, str]) -> None:
    """An override the equations never read changes no figure: the grid would report identical
    rows, so it is refused rather than returned as a result."""
    for column, path in paths.items():
        if path in params.read:
            continue
        hint = (" technology.* states where the profile's constants were measured and only "
                "matters against an operating point; sweep operating_point.* to price at another "
                "node or voltage." if path.startswith("technology.") else "")
        raise OverrideError(
            f"profile {profile_id}: override {column!r} changes nothing: pricing this trace on "
            f"the profile never reads {path}.{hint}"
        )


def _variant_columns(grid: Grid, max_variants: int) -> dict[str, np.ndarray]:
    """Override columns, one value per variant, from a cartesian grid or a list of overrides."""
    if isinstance(grid, dict):
        for name, values in grid.items():
            if isinstance(values, str) or not hasattr(values, "__len__") or len(values) == 0:
                raise OverrideError(f"grid {name!r}: give a non-empty list of values")
        variants = math.prod(len(values) for values in grid.values())
        if variants > max_variants:
            raise OverrideError(
                f"grid: {variants:,} variants is more than max_variants = {max_variants:,}; "
                "shrink the grid or pass a larger max_variants"
            )
        axes = [_column(list(values)) for values in grid.values()]
        if not axes:
            return {}
        # cartesian product, first path varying slowest (itertools.product order)
        index = np.indices([len(a) for a in axes]).reshape(len(axes), -1)
        return {name: axis[i] for name, axis, i in zip(grid, axes, index, strict=True)}
    if not grid:
        raise OverrideError("grid: the list of variants is empty")
    names = list(dict.fromkeys(k for variant in grid for k in variant))
    for i, variant in enumerate(grid):
        absent = [k for k in names if k not in variant]
        if absent:
            raise OverrideError(f"grid variant {i}: missing {', '.join(absent)} (every variant "
                                "must set the same paths)")
    return {name: _column([variant[name] for variant in grid]) for name in names}


def _column(values: list[Any]) -> np.ndarray:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return np.asarray(values, dtype=float if numeric else object)
