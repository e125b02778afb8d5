"""``Trace``: the exact, hardware-independent activity record that every estimate is priced from."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from neurocost.tracing.columns import ADDITIVE, COLUMNS, LAYER_KEYS
from neurocost.tracing.elementwise import frame as _elementwise_frame
from neurocost.units import Quantity
from neurocost.vocabulary import OP_CLASSES, OP_PLURALS, op_unit

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Gap:
    """An op or module the tracer did not understand and, with ``strict=False``, left uncounted.

    ``dense_ops`` is our best shape-only estimate of the work it hides (0 when even that is
    unknown); it lowers ``Trace.coverage``.
    """

    where: str
    what: str
    dense_ops: int
    calls: int = 1


@dataclass
class Trace:
    """Per (layer, step) activity of one model on one input batch.

    ``layers`` has the columns documented in ``neurocost.tracing.columns``; counts in a row are
    summed over the batch. ``totals()`` gives per-sample figures summed over steps. ``coverage``
    is the fraction of dense synaptic work that sits in understood ops (1.0 when nothing was
    skipped).
    """

    layers: pd.DataFrame
    batch_size: int
    steps: int
    model: str = ""
    gaps: list[Gap] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Element-wise work (bias, norm, softmax, activation, add, mul, pool, upsample), one row per
    # call; columns in ``neurocost.tracing.elementwise.COLUMNS``. Kept apart from ``layers`` so
    # that pricing reads synaptic and neuron rows only; counting conventions read both.
    elementwise: pd.DataFrame = field(default_factory=lambda: _elementwise_frame([]))

    @property
    def coverage(self) -> float:
        understood = float(self.layers["dense_ops"].sum()) if len(self.layers) else 0.0
        hidden = float(sum(g.dense_ops for g in self.gaps))
        if understood + hidden == 0:
            return 0.0 if self.gaps else 1.0
        return understood / (understood + hidden)

    def by_layer(self) -> pd.DataFrame:
        """One row per layer, the one per-layer view every consumer reads.

        Columns: the layer's identity (``LAYER_KEYS``), every additive count per sample summed
        over steps, ``calls`` (the steps the layer ran), and its footprints per sample, the
        largest per-step value: ``weight_footprint`` (weight bits), ``state_footprint`` (neuron
        state bits) and ``act_footprint`` (activation bits in and out of one call), which decide
        the memory level a profile places each on.
        """
        df = self.layers
        grouped = df.assign(act_bits=df["act_bits_in"] + df["act_bits_out"]).groupby(
            LAYER_KEYS, sort=False, dropna=False)
        table = grouped[list(ADDITIVE)].sum() / self.batch_size
        table["calls"] = grouped.size()
        peaks = grouped[["weight_bits_read", "state_bits_read", "act_bits"]].max()
        table["weight_footprint"] = peaks["weight_bits_read"] / self.batch_size
        table["state_footprint"] = peaks["state_bits_read"] / self.batch_size
        table["act_footprint"] = peaks["act_bits"] / self.batch_size
        return table.reset_index()

    def per_layer(self) -> pd.DataFrame:
        """One row per layer: its encodings and additive counts per sample, summed over steps."""
        keys = ["layer", "kind", "op_class", "in_encoding", "weight_encoding"]
        return self.by_layer()[[*keys, *ADDITIVE]]

    def only(self, layers: Iterable[str]) -> Trace:
        """This trace restricted to ``layers`` (same batch and steps, no gaps): what those
        layers alone count or cost."""
        names = list(layers)
        keep = self.layers["layer"].isin(names)
        elementwise = self.elementwise[self.elementwise["layer"].isin(names)]
        return Trace(self.layers[keep], self.batch_size, self.steps, self.model,
                     elementwise=elementwise)

    def totals(self) -> dict[str, Quantity]:
        """Per-sample figures summed over steps, each with its unit."""
        df = self.layers
        b = self.batch_size
        out: dict[str, Quantity] = {}
        for name in ("dense_ops", "effective_ops"):
            out[name] = Quantity(float(df[name].sum()) / b, "ops")
        for cls in OP_CLASSES:
            rows = df[df["op_class"] == cls]
            suffix, unit = OP_PLURALS[cls], op_unit(cls)
            out[f"dense_{suffix}"] = Quantity(float(rows["dense_ops"].sum()) / b, unit)
            out[f"effective_{suffix}"] = Quantity(float(rows["effective_ops"].sum()) / b, unit)
        neuron_rows = df[df["op_class"] == ""]
        per_step_neurons = neuron_rows.groupby("layer", sort=False)["neurons"].max()
        out["neurons"] = Quantity(float(per_step_neurons.sum()) / b, "neurons", "per sample")
        out["neuron_updates"] = Quantity(float(df["neuron_updates"].sum()) / b, "updates")
        out["spikes"] = Quantity(float(df["spikes_out"].sum()) / b, "spikes")
        for name in ("weight_bits_read", "weight_bits_read_event", "state_bits_read",
                     "state_bits_written", "act_bits_in", "act_bits_out"):
            out[name] = Quantity(float(df[name].sum()) / b, "bit")
        out["state_bits_rw"] = Quantity(
            out["state_bits_read"].value + out["state_bits_written"].value, "bit"
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "neurocost.trace",
            "format_version": FORMAT_VERSION,
            "model": self.model,
            "batch_size": self.batch_size,
            "steps": self.steps,
            "coverage": self.coverage,
            "totals": {k: q.to_dict() for k, q in self.totals().items()},
            "gaps": [g.__dict__ for g in self.gaps],
            "warnings": list(self.warnings),
            "layers": self.layers[COLUMNS].to_dict(orient="records"),
            "elementwise": self.elementwise.to_dict(orient="records"),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "trace") -> Trace:
        """The trace ``to_dict`` wrote (``source`` names it in errors)."""
        if data.get("format") != "neurocost.trace":
            raise ValueError(f"{source}: not a neurocost trace (format={data.get('format')!r})")
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{source}: trace format_version {data.get('format_version')} is not "
                f"{FORMAT_VERSION}; re-run the trace with this neurocost"
            )
        layers = pd.DataFrame.from_records(data["layers"], columns=COLUMNS)
        return cls(
            layers=layers,
            batch_size=int(data["batch_size"]),
            steps=int(data["steps"]),
            model=data.get("model", ""),
            gaps=[Gap(**g) for g in data.get("gaps", [])],
            warnings=list(data.get("warnings", [])),
            elementwise=_elementwise_frame(data.get("elementwise", [])),
        )

    def to_json(self, path: str | Path | None = None, indent: int | None = None) -> str:
        """Serialise to JSON; also write it to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=indent, default=_json_default)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> Trace:
        """Read a trace written by ``to_json`` (a path or the JSON text itself)."""
        text = Path(source).read_text() if _looks_like_path(source) else str(source)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"{source}: not a neurocost trace JSON file ({err})") from err
        return cls.from_dict(data, str(source))


def _looks_like_path(source: str | Path) -> bool:
    return isinstance(source, Path) or not str(source).lstrip().startswith("{")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
