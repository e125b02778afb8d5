"""Questions asked of a results table: the Pareto front, the cheapest row that is accurate enough.

Pure pandas over the columns in ``neurocost.sweeps.result_columns``; the figures, the Markdown
summary and ``neurocost demo`` all answer from here, so they cannot disagree.
"""

from __future__ import annotations

import math

import pandas as pd


def priced(results: pd.DataFrame) -> pd.DataFrame:
    """Rows with a known energy: a profile that cannot run a model leaves its energy unknown."""
    return results.dropna(subset=["energy_j"])


def cannot_run(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, profile) the profile cannot price, with the reason, sorted."""
    if "cannot_run" not in results.columns:
        return pd.DataFrame(columns=["model", "profile", "cannot_run"])
    rows = results.dropna(subset=["cannot_run"])[["model", "profile", "cannot_run"]]
    return rows.drop_duplicates(["model", "profile"]).sort_values(["model", "profile"])


def pareto_front(results: pd.DataFrame) -> pd.DataFrame:
    """Rows no other row beats on both energy (lower) and accuracy (higher), by rising energy.

    A row is on the front when every cheaper row is strictly less accurate; among rows of equal
    energy the most accurate is kept. Rows without a measured accuracy or a known energy are
    left out.
    """
    rated = results.dropna(subset=["accuracy", "energy_j"])
    ordered = rated.sort_values(["energy_j", "accuracy"], ascending=[True, False], kind="stable")
    best_so_far = -math.inf
    keep = []
    for index, accuracy in ordered["accuracy"].items():
        if accuracy > best_so_far:
            keep.append(index)
            best_so_far = accuracy
    return ordered.loc[keep]


def best_at_accuracy(results: pd.DataFrame, min_accuracy: float) -> pd.Series | None:
    """The lowest-energy row with ``accuracy >= min_accuracy`` (None when no row qualifies)."""
    known = priced(results)
    qualified = known[known["accuracy"].fillna(-math.inf) >= min_accuracy]
    if qualified.empty:
        return None
    return qualified.loc[qualified["energy_j"].idxmin()]


def best_per_group(results: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The lowest-energy row of each group (e.g. each model x profile), in group order; groups
    whose energy is unknown throughout are left out."""
    known = priced(results)
    index = known.groupby(by, sort=True)["energy_j"].idxmin()
    return known.loc[index.to_numpy()].reset_index(drop=True)


def provenance_line(rows: pd.DataFrame) -> str:
    """Which profiles (id, version, regime) and conventions a set of rows rests on, in words."""
    profiles = (
        rows[["profile_id", "profile_version", "regime"]]
        .drop_duplicates()
        .sort_values(["profile_id", "profile_version"])
    )
    described = [
        f"{r.profile_id} v{r.profile_version} ({r.regime})" for r in profiles.itertuples()
    ]
    conventions = sorted(rows["convention"].dropna().unique())
    return f"profiles: {', '.join(described)}; convention: {', '.join(conventions) or 'none'}"


def format_si(value: float, unit: str) -> str:
    """``3.2e-06, 'J'`` -> ``'3.2 µJ'``: an engineering prefix so figures read at a glance."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == 0:
        return f"0 {unit}"
    prefixes = [(1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"),
                (1e-9, "n"), (1e-12, "p"), (1e-15, "f")]
    for scale, prefix in prefixes:
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}"
    scale, prefix = prefixes[-1]
    return f"{value / scale:.3g} {prefix}{unit}"
