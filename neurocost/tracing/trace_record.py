"""``Trace``: the exact, hardware-independent activity record that every estimate is priced from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from neurocost.tracing.columns import ADDITIVE, COLUMNS
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

    @property
    def coverage(self) -> float:
        understood = float(self.layers["dense_ops"].sum()) if len(self.layers) else 0.0
        hidden = float(sum(g.dense_ops for g in self.gaps))
        if understood + hidden == 0:
            return 0.0 if self.gaps else 1.0
        return understood / (understood + hidden)

    def per_layer(self) -> pd.DataFrame:
        """One row per layer: additive columns summed over steps, divided by the batch size."""
        keys = ["layer", "kind", "op_class", "in_encoding", "weight_encoding"]
        grouped = self.layers.groupby(keys, sort=False, dropna=False)[list(ADDITIVE)].sum()
        per_sample = grouped / self.batch_size
        return per_sample.reset_index()

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
        }

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
        )


def _looks_like_path(source: str | Path) -> bool:
    return isinstance(source, Path) or not str(source).lstrip().startswith("{")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
