"""Report figures as inline SVG text: Pareto front, per-layer energy, op mix, memory by level.

Each figure comes back with a caption that states its unit, the profiles (id, version, regime)
and the counting convention behind it, because a number without them cannot be compared with a
paper's. SVG keeps text as outlines (no font files to fetch), drops the XML prolog and metadata
so it can sit inside an HTML page, and gets a per-figure id salt so element ids of two figures
never collide. Text that came from users is escaped by matplotlib's SVG writer.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import EngFormatter  # noqa: E402

from neurocost.reports.analysis import (  # noqa: E402
    best_per_group,
    pareto_front,
    priced,
    provenance_line,
)
from neurocost.sweeps.result_columns import (  # noqa: E402
    ENERGY_COMPONENTS,
    MEMORY_LEVEL_PREFIX,
    OP_MIX,
)

_MAX_PANELS = 6  # models or profiles per axis of a small-multiples figure
_MARKERS = "osD^vP*Xh<>p"
_TEXT = 8  # smallest font size (pt) in a figure: readable at the page's width
_PALETTE = [f"C{i}" for i in range(10)]


@dataclass(frozen=True)
class Figure:
    """One report figure: an id for anchors, a title, the SVG markup and its caption."""

    id: str
    title: str
    svg: str
    caption: str


def pareto_figure(results: pd.DataFrame) -> Figure | None:
    """Energy per inference against accuracy for every row, with the Pareto front drawn."""
    rated = results.dropna(subset=["accuracy", "energy_j"])
    if rated.empty:
        return None
    fig, ax = plt.subplots(figsize=(10.5, 4.8))
    models = sorted(rated["model"].unique())
    for p_index, (profile, rows) in enumerate(rated.groupby("profile", sort=True)):
        color = _PALETTE[p_index % len(_PALETTE)]
        for m_index, model in enumerate(models):
            points = rows[rows["model"] == model]
            if len(points):
                # compute-only estimates leave most of the work out: drawn hollow, off the front
                partial = (points["regime"] == "compute-only").all()
                ax.scatter(points["energy_j"], points["accuracy"], alpha=0.8,
                           facecolors="none" if partial else color, edgecolors=color,
                           marker=_MARKERS[m_index % len(_MARKERS)],
                           label=f"{model} on {profile}" + (" (compute-only)" if partial else ""))
    full = rated[rated["regime"] != "compute-only"]
    front = pareto_front(full if len(full) else rated)
    ax.step(front["energy_j"], front["accuracy"], where="post", color="black", linewidth=1,
            label="Pareto front")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(EngFormatter(unit="J"))
    ax.set_xlabel("energy per inference (log scale)", fontsize=_TEXT + 1)
    ax.set_ylabel("accuracy (fraction)", fontsize=_TEXT + 1)
    ax.tick_params(labelsize=_TEXT)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=_TEXT, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    basis = ("full-system rows only; compute-only rows are hollow" if len(full) < len(rated)
             and len(full) else "all rows")
    caption = (
        f"Energy per inference (J) against accuracy; {len(rated)} rows, "
        f"{len(front)} on the front ({basis}). {provenance_line(rated)}."
    )
    return Figure("pareto", "Energy vs accuracy", _svg(fig, "pareto"), caption)


def layer_breakdown_figure(layers: pd.DataFrame, results: pd.DataFrame) -> Figure | None:
    """Per-layer energy by component as stacked bars, one panel per (model, profile)."""
    if layers.empty:
        return None
    models = sorted(layers["model"].unique())[:_MAX_PANELS]
    profiles = sorted(layers["profile"].unique())[:_MAX_PANELS]
    components = [c for c in ENERGY_COMPONENTS if c in layers.columns]
    fig, axes = plt.subplots(len(models), len(profiles), squeeze=False,
                             figsize=(3.6 * len(profiles) + 1, 3.0 * len(models) + 0.6))
    for row, model in enumerate(models):
        for col, profile in enumerate(profiles):
            ax = axes[row][col]
            panel = layers[(layers["model"] == model) & (layers["profile"] == profile)]
            ax.set_title(f"{model} on {profile}", fontsize=_TEXT + 1)
            if panel.empty:  # the profile cannot run the model: say so, draw no zero bars
                ax.text(0.5, 0.5, "not priced:\nsee 'Models a profile\ncannot run'",
                        ha="center", va="center", fontsize=_TEXT, transform=ax.transAxes)
                ax.set_axis_off()
                continue
            bottom = pd.Series(0.0, index=panel.index)
            labels = _layer_labels(panel)
            for c_index, component in enumerate(components):
                ax.bar(labels, panel[component], bottom=bottom, color=_PALETTE[c_index],
                       label=ENERGY_COMPONENTS[component])
                bottom = bottom + panel[component]
            ax.yaxis.set_major_formatter(EngFormatter(unit="J"))
            ax.tick_params(axis="x", labelrotation=60, labelsize=_TEXT - 1)
            ax.tick_params(axis="y", labelsize=_TEXT)
            if col == 0:
                ax.set_ylabel("energy per inference", fontsize=_TEXT)
    axes[0][0].legend(fontsize=_TEXT - 1)
    fig.tight_layout()
    known = priced(results)
    shown = known[known["model"].isin(models) & known["profile"].isin(profiles)]
    caption = (
        "Energy per inference (J) of each layer, stacked by component, at each profile's "
        f"published parameters (no sweep overrides). {provenance_line(shown)}."
        + _truncation_note(layers)
    )
    return Figure("layers", "Per-layer energy breakdown", _svg(fig, "layers"), caption)


def op_mix_figure(results: pd.DataFrame) -> Figure | None:
    """Effective synaptic ops per inference by class (MAC, AC, BOP) for each model.

    Op counts come from the trace, so they do not depend on the profile: one bar group per model.
    """
    ops = [c for c in OP_MIX if c in results.columns]
    if not ops:
        return None
    per_model = results.groupby("model", sort=True)[ops].first()
    fig, ax = plt.subplots(figsize=(9.0, 3.8))
    width = 0.8 / len(ops)
    positions = range(len(per_model))
    for o_index, op in enumerate(ops):
        ax.bar([p + o_index * width for p in positions], per_model[op].clip(lower=0),
               width=width, label=OP_MIX[op], color=_PALETTE[o_index])
    ax.set_xticks([p + width * (len(ops) - 1) / 2 for p in positions], per_model.index,
                  rotation=20, fontsize=_TEXT)
    ax.set_yscale("symlog", linthresh=1)
    ax.set_ylabel("effective ops per inference (log scale)", fontsize=_TEXT + 1)
    ax.tick_params(axis="y", labelsize=_TEXT)
    ax.legend(fontsize=_TEXT, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="operands")
    fig.tight_layout()
    caption = (
        "Effective synaptic operations per inference (ops: exact counts of non-zero input x "
        "non-zero weight pairs, summed over time steps), by operand class. "
        f"{provenance_line(priced(results))}."
    )
    return Figure("opmix", "Op mix", _svg(fig, "opmix"), caption)


def memory_levels_figure(results: pd.DataFrame) -> Figure | None:
    """Memory traffic per inference by level, for the cheapest row of each model x profile."""
    levels = [c for c in results.columns if c.startswith(MEMORY_LEVEL_PREFIX)]
    if not levels:
        return None
    best = best_per_group(results, ["model", "profile"])
    labels = [f"{r.model}\n{r.profile}" for r in best.itertuples()]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(best) + 2), 4.0))
    bottom = pd.Series(0.0, index=best.index)
    colours = _level_colours([level[len(MEMORY_LEVEL_PREFIX):] for level in levels])
    for level in levels:
        values = best[level].fillna(0.0)
        name = level[len(MEMORY_LEVEL_PREFIX):]
        ax.bar(labels, values, bottom=bottom, label=name, color=colours[name])
        bottom = bottom + values
    ax.yaxis.set_major_formatter(EngFormatter(unit="bit"))
    ax.set_ylabel("memory traffic per inference", fontsize=_TEXT + 1)
    ax.tick_params(axis="x", labelsize=_TEXT)
    ax.tick_params(axis="y", labelsize=_TEXT)
    ax.legend(fontsize=_TEXT, title="level", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    caption = (
        "Memory traffic per inference (bit) by memory level, for the lowest-energy parameter "
        f"setting of each model on each profile. {provenance_line(best)}."
    )
    return Figure("memory", "Memory traffic by level", _svg(fig, "memory"), caption)


def all_figures(results: pd.DataFrame, layers: pd.DataFrame) -> list[Figure]:
    """Every figure the data supports, in report order."""
    made = [
        pareto_figure(results),
        layer_breakdown_figure(layers, results),
        op_mix_figure(results),
        memory_levels_figure(results),
    ]
    return [figure for figure in made if figure is not None]


def _layer_labels(panel: pd.DataFrame) -> list[str]:
    """A layer's name with its kind (``0 conv2d``, ``3 Leaky``), so a Sequential's index reads."""
    if "kind" not in panel.columns:
        return [str(layer) for layer in panel["layer"]]
    return [f"{layer} {kind}".strip() if kind and kind not in str(layer) else str(layer)
            for layer, kind in zip(panel["layer"], panel["kind"].fillna(""), strict=True)]


def _level_colours(names: list[str]) -> dict[str, str]:
    """A colour per memory level that follows its name, not its position, so a level keeps its
    colour from report to report; two names wanting one colour take the next free one."""
    colours: dict[str, str] = {}
    for name in sorted(names):
        index = zlib.crc32(name.encode()) % len(_PALETTE)
        while _PALETTE[index] in colours.values() and len(colours) < len(_PALETTE):
            index = (index + 1) % len(_PALETTE)
        colours[name] = _PALETTE[index]
    return colours


def _truncation_note(layers: pd.DataFrame) -> str:
    if layers["model"].nunique() > _MAX_PANELS or layers["profile"].nunique() > _MAX_PANELS:
        return f" Only the first {_MAX_PANELS} models and profiles (by name) are drawn."
    return ""


_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)


def _svg(fig: plt.Figure, salt: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1))
