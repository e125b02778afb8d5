"""``Trace``: the exact, hardware-independent activity record that every estimate is priced from."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neurocost.errors import NeurocostError
from neurocost.models.encodings import EncodingError, parse_encoding
from neurocost.tracing.columns import ADDITIVE, COLUMNS, LAYER_KEYS, text_column
from neurocost.tracing.elementwise import COLUMNS as ELEMENTWISE_COLUMNS
from neurocost.tracing.elementwise import frame as _elementwise_frame
from neurocost.units import Quantity
from neurocost.vocabulary import NEURON_OP_CLASS, OP_CLASSES, OP_PLURALS, op_unit

FORMAT_VERSION = 1

_TEXT_COLUMNS = ("layer", "kind", "op_class", "in_encoding", "weight_encoding")

def _groups(keys: list[list[Any]]) -> tuple[np.ndarray, list[int]]:
    """Each row's layer group (rows sharing the ``keys`` columns' values), numbered in order of
    first appearance, and the first row of each group. A dict over the key tuples: a trace has a
    row per layer and step, few enough that this beats factorising seven columns."""
    index: dict[tuple, int] = {}
    group = np.empty(len(keys[0]) if keys else 0, dtype=np.int64)
    first: list[int] = []
    for row, key in enumerate(zip(*keys, strict=True)):
        number = index.get(key)
        if number is None:
            number = index[key] = len(first)
            first.append(row)
        group[row] = number
    return group, first


def _key_values(column: pd.Series) -> list[Any]:
    """A key column as Python values, a missing value (NaN) as None: one key, as a group-by
    with ``dropna=False`` makes it (NaN is not equal to itself, so it could not be a key)."""
    return [v if v == v else None for v in column.tolist()]


class TraceInputError(NeurocostError):
    """An input or trace file whose counts would be meaningless (empty, NaN, negative, ...)."""


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
    # Exact class (``module.qualname``) of each layer counted at module level: counters that
    # dispatch on exact types (thop, ptflops) skip subclasses such as a binary Conv2d.
    module_types: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # per-sample figures divide by the batch; a trace of no sample or no step has none
        for name in ("batch_size", "steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise TraceInputError(f"trace {name} must be an integer >= 1, got {value!r}")

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
        # Grouped in NumPy and a dict rather than DataFrame.groupby: every price() starts here,
        # and the pandas group-by over text keys cost more than the pricing arithmetic after it.
        df = self.layers
        keys = {key: _key_values(df[key]) for key in LAYER_KEYS}
        group, first = _groups(list(keys.values()))
        groups, b = len(first), self.batch_size
        table: dict[str, Any] = {}
        for key, values in keys.items():
            picked = [values[row] for row in first]
            table[key] = text_column(picked) if pd.api.types.is_string_dtype(df[key].dtype) \
                else np.asarray(picked, dtype=df[key].dtype)
        counts = df[list(ADDITIVE)].to_numpy(dtype=np.float64)
        table.update({column: np.bincount(group, weights=counts[:, i], minlength=groups) / b
                      for i, column in enumerate(ADDITIVE)})
        table["calls"] = np.bincount(group, minlength=groups)
        names = list(ADDITIVE)
        act_bits = counts[:, names.index("act_bits_in")] + counts[:, names.index("act_bits_out")]
        for footprint, values in (("weight_footprint", counts[:, names.index("weight_bits_read")]),
                                  ("state_footprint", counts[:, names.index("state_bits_read")]),
                                  ("act_footprint", act_bits)):
            peak = np.full(groups, -np.inf)
            np.maximum.at(peak, group, values)
            table[footprint] = peak / b
        return pd.DataFrame(table, copy=False)

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
                     elementwise=elementwise,
                     module_types={k: v for k, v in self.module_types.items() if k in names})

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
            "module_types": dict(self.module_types),
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "<trace>") -> Trace:
        """The trace ``to_dict`` wrote, every field checked before it is priced: counts must be
        finite and >= 0 (a negative or NaN count would price to negative or zero energy), every
        row names a layer and a step, no column is unknown. Errors name ``source`` (a file, or
        ``<trace JSON text>``), the row and the column, and never quote the whole text."""
        where = source
        if not isinstance(data, dict) or data.get("format") != "neurocost.trace":
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise TraceInputError(f"{where}: not a neurocost trace (format={got!r})")
        if data.get("format_version") != FORMAT_VERSION:
            raise TraceInputError(
                f"{where}: trace format_version {data.get('format_version')!r} is not "
                f"{FORMAT_VERSION}; re-run the trace with this neurocost"
            )
        try:
            return cls(
                layers=_layers_from_records(where, data.get("layers")),
                batch_size=_count(where, "batch_size", data.get("batch_size")),
                steps=_count(where, "steps", data.get("steps")),
                model=str(data.get("model", "")),
                gaps=_gaps(where, data.get("gaps", [])),
                warnings=[str(w) for w in _list(where, "warnings", data.get("warnings", []))],
                elementwise=_elementwise_from_records(where, data.get("elementwise", [])),
                module_types=_module_types(where, data.get("module_types", {})),
            )
        except TraceInputError as err:
            if str(err).startswith(where):
                raise
            raise TraceInputError(f"{where}: {err}") from None

    def to_json(self, path: str | Path | None = None, indent: int | None = None) -> str:
        """Serialise to JSON; also write it to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=indent, default=_json_default)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> Trace:
        """Read a trace written by ``to_json`` (a path or the JSON text itself), checked as
        ``from_dict`` checks it."""
        is_path = _looks_like_path(source)
        where = str(source) if is_path else "<trace JSON text>"
        try:
            text = Path(source).read_text(encoding="utf-8") if is_path else str(source)
            data = json.loads(text)
        except OSError as err:
            raise TraceInputError(f"{where}: cannot read the trace ({err.strerror})") from None
        except (ValueError, RecursionError) as err:  # JSON syntax, UTF-8, nesting
            raise TraceInputError(f"{where}: not a neurocost trace JSON file ({err})") from None
        return cls.from_dict(data, where)


def _module_types(where: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                            for k, v in raw.items()):
        raise TraceInputError(f"{where}: field 'module_types' must map layer names to class "
                              "names")
    return dict(raw)


def _count(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TraceInputError(f"{where}: field {name!r} must be an integer >= 1, got {value!r}")
    return value


def _list(where: str, name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TraceInputError(f"{where}: field {name!r} must be a list, got {type(value).__name__}")
    return value


def _gaps(where: str, raw: Any) -> list[Gap]:
    gaps = []
    for index, gap in enumerate(_list(where, "gaps", raw)):
        try:
            made = Gap(**gap)
        except TypeError as err:
            raise TraceInputError(f"{where}: gaps[{index}]: {err}") from None
        if not isinstance(made.dense_ops, int) or made.dense_ops < 0:
            raise TraceInputError(f"{where}: gaps[{index}].dense_ops must be an integer >= 0")
        gaps.append(made)
    return gaps


def _check_row(at: str, row: Any, columns: Iterable[str], text: Iterable[str],
               counts: Iterable[str], counts_at: str | None = None) -> None:
    """One record of a trace file: a mapping with exactly ``columns``, text where text is due
    and finite counts >= 0 (``counts_at`` names the row in count errors, default ``at``)."""
    if not isinstance(row, dict):
        raise TraceInputError(f"{at} must be a mapping")
    columns = list(columns)
    unknown = sorted(set(row) - set(columns))
    if unknown:
        raise TraceInputError(f"{at}: unknown column {unknown[0]!r}")
    missing = [name for name in columns if name not in row]
    if missing:
        raise TraceInputError(f"{at}: column {missing[0]!r} is missing")
    for name in text:
        if not isinstance(row[name], str):
            raise TraceInputError(f"{at}: {name} must be text, got {row[name]!r}")
    for name in counts:
        value = row[name]
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or value < 0:
            raise TraceInputError(
                f"{counts_at or at}: {name} must be a finite count >= 0, got {value!r}")


def _layers_from_records(where: str, raw: Any) -> pd.DataFrame:
    """The ``layers`` rows of a trace file as a frame, every row and count checked."""
    records = _list(where, "layers", raw)
    counts = ("step", "batch", "in_bits", "weight_bits", *ADDITIVE)
    for index, row in enumerate(records):
        at = f"{where}: layers[{index}]"
        named = f"{at} ({row.get('layer')!r}, step {row.get('step')!r})" \
            if isinstance(row, dict) else at
        _check_row(at, row, COLUMNS, _TEXT_COLUMNS, counts, named)
        if row["op_class"] not in (NEURON_OP_CLASS, *OP_CLASSES):
            raise TraceInputError(
                f"{at}: op_class {row['op_class']!r} is not one of "
                f"{', '.join(OP_CLASSES)} (or empty for a neuron row)"
            )
        if row["op_class"]:
            for name in ("in_encoding", "weight_encoding"):
                try:
                    parse_encoding(row[name])
                except EncodingError as err:
                    raise TraceInputError(f"{at}: {name}: {err}") from None
    return pd.DataFrame.from_records(records, columns=COLUMNS)


_ELEMENTWISE_TEXT = ("layer", "kind", "op", "source", "module_type", "in_encoding",
                     "weight_encoding")
_ELEMENTWISE_COUNTS = ("step", "in_elems", "out_elems", "reduce", "batch")


def _elementwise_from_records(where: str, raw: Any) -> pd.DataFrame:
    """The ``elementwise`` rows of a trace file, checked as the layer rows are."""
    records = _list(where, "elementwise", raw)
    for index, row in enumerate(records):
        at = f"{where}: elementwise[{index}]"
        _check_row(at, row, ELEMENTWISE_COLUMNS, _ELEMENTWISE_TEXT, _ELEMENTWISE_COUNTS)
        if not isinstance(row["affine"], bool):
            raise TraceInputError(f"{at}: affine must be true or false, got {row['affine']!r}")
    return _elementwise_frame(records)


def _looks_like_path(source: str | Path) -> bool:
    return isinstance(source, Path) or not str(source).lstrip().startswith("{")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
