"""Hand-built results rows, so report and store tests need no model or profile.

The figures here are made-up inputs for the renderer and the store (not claims about any
hardware); tests check how they are stored and presented and derive expected values from them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from neurocost.reports.render import ReportFiles

NASTY = "<script>alert('x')</script> | *bold* -->"


def results_rows(models: list[str], profiles: list[str]) -> pd.DataFrame:
    """One row per (model, profile, capacity) with energies that grow with each index."""
    rows = []
    for m, model in enumerate(models):
        for p, profile in enumerate(profiles):
            for c, capacity in enumerate([64, 256]):
                energy = (1 + m) * (1 + p) * (1 + c) * 1e-6
                rows.append({
                    "key": f"{m}-{p}-{c}", "unit_key": f"{m}-{p}", "sweep": "unit-test",
                    "model": model, "model_source": f"zoo:{model}", "model_variant": "{}",
                    "input": json.dumps({"dataset": "digits"}), "profile": profile,
                    "profile_id": profile, "profile_version": "1", "regime": "event-driven",
                    "overrides": json.dumps({"memory.sram.capacity_kib": capacity}),
                    "memory.sram.capacity_kib": capacity, "convention": "exact",
                    "accuracy_source": "digits test split", "simulate": False, "seed": 0,
                    "neurocost_version": "0.1.0", "energy_j": energy, "latency_s": 1e-3 * (1 + c),
                    "compute_j": energy / 2, "memory_j": energy / 4, "neuron_j": energy / 8,
                    "routing_j": energy / 16, "static_j": energy / 16,
                    "accuracy": 0.8 + 0.05 * m, "effective_macs": 100.0 * (m + 1),
                    "effective_acs": 1000.0, "effective_bops": 0.0,
                    "memory_bits.sram": 5e4 * (1 + c), "memory_bits.dram": 1e3,
                })
    return pd.DataFrame(rows)


def layer_rows(models: list[str], profiles: list[str]) -> pd.DataFrame:
    rows = []
    for model in models:
        for profile in profiles:
            for layer in ("conv1", "lif1", "fc"):
                rows.append({"unit_key": f"{model}-{profile}", "model": model,
                             "profile": profile, "layer": layer, "compute_j": 1e-7,
                             "memory_j": 2e-7, "neuron_j": 0.0, "routing_j": 1e-8,
                             "static_j": 1e-8})
    return pd.DataFrame(rows)


def render_fake_report(root: Path) -> ReportFiles:
    """One rendered report of three models (one with a hostile name) on two profiles."""
    from neurocost.reports.render import write_report
    from neurocost.sweeps.result_columns import column_units
    from neurocost.sweeps.store import ResultsStore

    models, profiles = ["scnn", "bnn", NASTY], ["loihi", "gpu"]
    rows = results_rows(models, profiles)
    store = ResultsStore(root / "store")
    store.append(rows, column_units(list(rows.columns)), layer_rows(models, profiles))
    return write_report(store.root, root / "out")
