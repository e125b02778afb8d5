"""Counting conventions of papers, as named objects applied on top of the exact counts.

Papers state costs in conventions that are not hardware facts: Bi-Real Net and ReActNet report
``OPs = BOPs / 64 + FLOPs`` (a 64-bit CPU does 64 XNOR-popcounts per instruction); the BERT
family reports ``FLOPs = 2 x MACs``; op counters (thop, fvcore) count output elements x reduction
size; SNN papers report ``E = E_MAC x MACs + E_AC x ACs``. Each convention here has a name and a
version that every estimate carrying it states. The exact trace is never changed: a convention
reads it (``counts``) or, when it changes what is counted (``snn-energy`` with the encoding layer
counted once), adjusts the pricer's per-layer table (``adjust``).

Op counts use the trace's ``nominal_ops`` (output elements x reduction size, padding positions
included, as papers and op counters print them). The conventions here count synaptic rows only
(batch norm, activations, pooling, softmax and bias additions are not counted, as ``bireal`` and
the generic ``op-counter`` do); ``thop``, ``fvcore`` and ``mmengine``, which add element-wise
work by each tool's rules, live in ``neurocost.energy.counters``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neurocost.errors import NeurocostError
from neurocost.tracing.columns import ADDITIVE
from neurocost.tracing.trace_record import Trace
from neurocost.units import Quantity
from neurocost.vocabulary import ACCUMULATES, FLOPS, JOULE, OP_CLASSES, op_unit

BOPS_PER_OP = 64  # Bi-Real Net / ReActNet: one 64-bit XNOR-popcount instruction per 64 BOPs


class UnknownConventionError(NeurocostError, KeyError):
    """A convention name that is not registered."""

    def __str__(self) -> str:
        return str(self.args[0])


# A convention's border choice -> the trace column it counts: ``nominal`` (output elements x
# reduction size, padding positions included: what papers and FLOP counters print) or ``exact``
# (only the input x weight pairs that exist at convolution borders: the trace's dense ops).
BORDERS: dict[str, str] = {"nominal": "nominal_ops", "exact": "dense_ops"}


def _nominal(trace: Trace, classes: tuple[str, ...], column: str = "nominal_ops") -> float:
    df = trace.layers
    if column not in df.columns:
        raise ValueError(f"trace.layers lacks {column}, which paper conventions count")
    return float(df.loc[df["op_class"].isin(classes), column].sum()) / trace.batch_size


_NOT_BINARY = tuple(c for c in OP_CLASSES if c != "bop")


@dataclass(frozen=True)
class Convention:
    """A named way of counting; ``label`` (``name@version``) travels with every estimate."""

    name: str
    version: str
    summary: str
    border: str = "nominal"  # a key of BORDERS: which count of convolution borders it uses

    def __post_init__(self) -> None:
        if self.border not in BORDERS:
            raise ValueError(f"convention {self.name}: border must be one of {sorted(BORDERS)}, "
                             f"not {self.border!r}")

    @property
    def ops_column(self) -> str:
        """The trace column this convention's op counts come from."""
        return BORDERS[self.border]

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" + ("" if self.border == "nominal" else "[exact]")

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        """The convention's figures for ``trace`` (per sample, summed over steps)."""
        raise NotImplementedError

    def adjust(self, table: pd.DataFrame, steps: int) -> pd.DataFrame:
        """The pricer's per-layer table as this convention counts it (unchanged by default)."""
        return table


@dataclass(frozen=True)
class BiReal(Convention):
    """Bi-Real Net / ReActNet: ``OPs = BOPs / 64 + FLOPs``, one MAC counted as one FLOP.

    BOPs: binary x binary ops; FLOPs: every other synaptic op (real-valued first and last layers,
    downsampling shortcuts). BN, activations and pooling are not counted.
    """

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        bops = _nominal(trace, ("bop",), self.ops_column)
        flops = _nominal(trace, _NOT_BINARY, self.ops_column)
        return {"bops": Quantity(bops, op_unit("bop")), "flops": Quantity(flops, FLOPS),
                "ops": Quantity(bops / BOPS_PER_OP + flops, "OPs")}


@dataclass(frozen=True)
class Bert(Convention):
    """BERT family: ``FLOPs = 2 x MACs``; binarised ops enter as BOPs / 64 MACs (BiBERT, BiT).

    MACs: every non-binary synaptic op (linear layers and both attention matmuls); embedding
    lookups cost nothing; LayerNorm, softmax, GELU and bias additions are not counted.
    """

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        bops = _nominal(trace, ("bop",), self.ops_column)
        macs = _nominal(trace, _NOT_BINARY, self.ops_column)
        return {"macs": Quantity(macs, op_unit("mac")), "bops": Quantity(bops, op_unit("bop")),
                "flops": Quantity(2 * (macs + bops / BOPS_PER_OP), FLOPS)}


@dataclass(frozen=True)
class OpCounter(Convention):
    """thop/fvcore-style op counters: MACs = output elements x reduction size per conv, linear
    and matmul (padding positions included, bias, norms, activations and pooling not counted),
    whatever the operand types; ``FLOPs = 2 x MACs`` where a paper doubles them.
    """

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        macs = _nominal(trace, OP_CLASSES, self.ops_column)
        return {"macs": Quantity(macs, op_unit("mac")), "flops": Quantity(2 * macs, FLOPS)}


@dataclass(frozen=True)
class SnnEnergy(Convention):
    """SNN papers' compute-only energy: ``E = E_MAC x MACs + E_AC x ACs``.

    E_MAC and E_AC are read from the ``snn-45nm-ac-mac`` profile (4.6 / 0.9 pJ, Horowitz 2014
    45 nm fp32). MACs: real-valued (encoding) layers, as op counters print them; ACs: the exact
    synaptic events (effective ops of spike-driven layers), so the firing rate is applied once.
    ``encoding_times_steps``: papers differ on whether the encoding layer, fed the same input every
    step, is counted T times (True, the default and what a stepwise trace records) or once.
    """

    encoding_times_steps: bool = True
    profile: str = "snn-45nm-ac-mac"

    @property
    def label(self) -> str:
        once = "" if self.encoding_times_steps else "[encoding once]"
        return super().label + once

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        from neurocost.energy.registry import load_profile

        compute = load_profile(self.profile).compute
        df = trace.layers
        macs = _nominal(trace, ("mac",), self.ops_column)
        if not self.encoding_times_steps:
            calls = df[df["op_class"] == "mac"].groupby("layer")["step"].nunique()
            macs = sum(_nominal_of(trace, layer, self.ops_column) / n
                       for layer, n in calls.items())
        acs = float(df.loc[df["op_class"].isin(ACCUMULATES), "effective_ops"].sum())
        acs /= trace.batch_size
        energy = compute.mac["any"].si * macs + compute.ac["any"].si * acs
        return {"macs": Quantity(macs, op_unit("mac")), "acs": Quantity(acs, op_unit("ac")),
                "energy": Quantity(energy, JOULE)}

    def adjust(self, table: pd.DataFrame, steps: int) -> pd.DataFrame:
        if self.encoding_times_steps:
            return table
        out = table.copy()
        encoding = out["op_class"] == "mac"
        additive = list(ADDITIVE)
        out.loc[encoding, additive] = out.loc[encoding, additive].div(
            out.loc[encoding, "calls"], axis=0)
        out.loc[encoding, "calls"] = 1
        return out


def _nominal_of(trace: Trace, layer: str, column: str) -> float:
    df = trace.layers
    return float(df.loc[df["layer"] == layer, column].sum()) / trace.batch_size


_REGISTRY: dict[str, Convention] = {
    c.name: c
    for c in (
        BiReal("bireal", "1", "Bi-Real/ReActNet: OPs = BOPs/64 + FLOPs, 1 MAC = 1 FLOP"),
        Bert("bert", "1", "BERT family: FLOPs = 2 x MACs, binary ops as BOPs/64"),
        OpCounter("op-counter", "1", "every conv/linear/matmul as output elements x reduction "
                  "MACs, FLOPs = 2 x MACs (no element-wise work)"),
        SnnEnergy("snn-energy", "1", "SNN papers: E = 4.6 pJ x MACs + 0.9 pJ x ACs"),
    )
}


def _register_counters() -> None:
    """The conventions that mirror real FLOP counters (``neurocost.energy.counters``)."""
    from neurocost.energy import counters

    for convention in counters.CONVENTIONS:
        _REGISTRY[convention.name] = convention


_register_counters()


def defined_metrics(spec: str | Convention) -> set[str]:
    """The figures a convention gives (its ``counts`` keys), found on an empty trace so that a
    claims file can be checked before anything runs."""
    from neurocost.tracing.columns import COLUMNS
    from neurocost.tracing.elementwise import frame

    empty = Trace(pd.DataFrame(columns=COLUMNS), batch_size=1, steps=1, elementwise=frame([]))
    return set(get_convention(spec).counts(empty))


def names() -> list[str]:
    """Registered convention names."""
    return list(_REGISTRY)


def get_convention(spec: str | Convention) -> Convention:
    """A registered convention by name, or ``spec`` itself when it already is one."""
    if isinstance(spec, Convention):
        return spec
    try:
        return _REGISTRY[spec]
    except KeyError:
        raise UnknownConventionError(
            f"unknown convention {spec!r}; known: {', '.join(_REGISTRY)}"
        ) from None
