"""The columns of a sweep's results: names, units and meaning shared by the engine and the reports.

A results row is one (model variant, profile, parameter setting). Figures are per inference
(one sample, summed over its time steps) unless a name says otherwise. Trace totals
(``effective_macs``, ``weight_bits_read`` ...) are copied onto every row with the units the
trace gives them, so a row stands alone.
"""

from __future__ import annotations

from neurocost.vocabulary import (
    BIT,
    COMPONENT_LABELS,
    COMPONENTS,
    OP_CLASSES,
    OP_LABELS,
    OP_PLURALS,
    component_column,
)

# Identity and provenance columns: name -> meaning.
IDENTITY: dict[str, str] = {
    "key": "row identity: hash of (model, variant, input, profile, parameters, simulate, seed)",
    "unit_key": "identity of the unit of work (model variant x profile) the row was priced in",
    "sweep": "the sweep spec's name",
    "model": "model label",
    "model_source": "model spec (zoo:NAME, package.module:factory, file)",
    "model_variant": "factory keyword arguments of this model variant, as JSON",
    "input": "what the model was traced on, as JSON",
    "profile": "profile as named in the spec",
    "profile_id": "profile identifier",
    "profile_version": "profile data version",
    "overrides": "profile overrides of this row by dotted path, as JSON",
    "regime": "execution regime the profile prices in",
    "convention": "counting convention the figures follow",
    "accuracy_source": "where the accuracy comes from",
    "cannot_run": "why the profile cannot price this model (empty when priced; figures unknown)",
    "simulate": "whether the simpy timing simulation ran",
    "seed": "the sweep's seed",
    "neurocost_version": "neurocost version that computed the row",
}

# Energy components in the order reports stack them: column -> label.
ENERGY_COMPONENTS: dict[str, str] = {component_column(c): COMPONENT_LABELS[c] for c in COMPONENTS}

# Figures with fixed names: column -> (unit, meaning).
FIGURES: dict[str, tuple[str, str]] = {
    "energy_j": ("J", "energy per inference"),
    "latency_s": ("s", "latency per inference"),
    **{c: ("J", f"{label} energy per inference") for c, label in ENERGY_COMPONENTS.items()},
    "accuracy": ("1", "top-1 accuracy on the traced data set (fraction)"),
    "coverage": ("1", "fraction of dense synaptic work in ops the tracer understood"),
    "samples": ("samples", "inputs in the traced batch"),
    "steps": ("steps", "time steps per inference"),
    "sim_latency_s": ("s", "latency per inference from the simpy simulation"),
    "sim_utilisation": ("1", "mean utilisation of the used cores in the simulation"),
    "sim_hops": ("hops", "mesh hops of spike packets per inference in the simulation"),
}

# Synaptic op classes for the op-mix figure: trace-total column -> label.
OP_MIX: dict[str, str] = {f"effective_{OP_PLURALS[c]}": OP_LABELS[c] for c in OP_CLASSES}

# Prefix of the columns holding memory traffic per memory level, in bits per inference.
MEMORY_LEVEL_PREFIX = "memory_bits."


def column_units(columns: list[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Column -> unit for every figure column among ``columns`` (``extra`` adds or overrides)."""
    units = {name: unit for name, (unit, _) in FIGURES.items() if name in columns}
    units.update({c: BIT for c in columns if c.startswith(MEMORY_LEVEL_PREFIX)})
    units.update(extra or {})
    return units
