"""Which profile constants price each trace row: op energy, op time and neuron update energy.

A row's op energy is a weighted sum of profile fields (a *formula*), e.g. an int4 x int4 MAC on
``cmos45`` is ``0.25 x compute.mult.int8 + 1 x compute.add.int32``. Keeping it symbolic lets one
resolution serve every sweep variant: the formula is evaluated on parameter arrays.

Precision keys: a MAC is keyed by its wider operand (any floating-point operand makes it ``fp``);
an accumulate by the operand that is added (the weight for a spike input; the multi-bit operand
of a signed accumulate); a 1-bit operand counts as ``int1``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from neurocost.energy.params import Params
from neurocost.energy.schema import Compute, Connection, Profile
from neurocost.errors import NeurocostError
from neurocost.models.encodings import Encoding, parse_encoding
from neurocost.vocabulary import OP_LABELS

# Operands that only select add / subtract / skip: the accumulation runs at the other
# operand's width (int1 when both are such operands).
_ONE_BIT_KINDS = ("spike", "signed_spike", "binary", "ternary")


class PricingError(NeurocostError):
    """A trace the profile cannot price (the message names profile, layer and missing field)."""


@dataclass(frozen=True)
class Formula:
    """A cost as ``sum(coefficient x parameter)``; ``includes`` are the terms its constants hold."""

    terms: tuple[tuple[float, str], ...]
    includes: frozenset[str] = frozenset()

    def evaluate(self, params: Params):
        return sum(coef * params.get(path) for coef, path in self.terms)

    @property
    def label(self) -> str:
        return " + ".join(path if coef == 1 else f"{coef:g} x {path}" for coef, path in self.terms)


def _key(enc: Encoding) -> str:
    return "int1" if enc.kind in _ONE_BIT_KINDS else f"{enc.kind}{enc.bits}"


def _mac_key(a: Encoding, b: Encoding) -> str:
    floats = [e.bits for e in (a, b) if e.kind == "fp"]
    if floats:
        return f"fp{max(floats)}"
    return f"int{max(a.bits, b.bits)}"


def _accumulated_key(a: Encoding, b: Encoding) -> str:
    multi_bit = [e for e in (a, b) if e.kind not in _ONE_BIT_KINDS]
    return _key(max(multi_bit, key=lambda e: e.bits)) if multi_bit else "int1"


def _lookup(table: dict, key: str, field: str) -> tuple[str, object] | None:
    for name in (key, "any"):
        if name in table:
            return f"{field}.{name}", table[name]
    return None


def _single(path: str, value) -> Formula:
    return Formula(((1.0, path),), frozenset(value.includes))


def _add_formula(compute: Compute, key: str) -> tuple[tuple[float, str], ...] | None:
    accumulator = key if key.startswith("fp") else f"int{compute.int_accumulator_bits}"
    if accumulator in compute.add:
        return ((1.0, f"compute.add.{accumulator}"),)
    return None


def _mult_terms(compute: Compute, a: Encoding, b: Encoding, key: str):
    if key in compute.mult and (key.startswith("fp") or a.bits == b.bits):
        return ((1.0, f"compute.mult.{key}"),)
    if key.startswith("int") and compute.width_rule:
        ints = [int(k[3:]) for k in compute.mult if k.startswith("int")]
        if ints:
            target = math.sqrt(a.bits * b.bits)
            ref = min(ints, key=lambda r: abs(math.log2(r) - math.log2(target)))
            return ((a.bits * b.bits / (ref * ref), f"compute.mult.int{ref}"),)
    return None


def connection_of(kind: str) -> Connection:
    """How a synaptic layer's connections are stored: ``conv`` for convolutions (a shared
    kernel), ``dense`` for linear layers and matmuls (a weight matrix)."""
    return "conv" if kind.startswith("conv") else "dense"


def op_energy(profile: Profile, layer: str, op_class: str, in_enc: str, w_enc: str,
              kind: str = "linear") -> Formula:
    """Energy of one op of a synaptic row (layer ``kind``: ``linear``, ``conv2d``, ...), as a
    formula over profile fields."""
    compute = profile.compute
    a, b = parse_encoding(in_enc), parse_encoding(w_enc)
    if op_class == "bop":
        if compute.bop is None:
            raise _missing(profile, layer, op_class, a, b, ["compute.bop"])
        return _single("compute.bop", compute.bop)
    if op_class == "mac":
        key, table, field = _mac_key(a, b), compute.mac, "compute.mac"
    else:
        key, table, field = _accumulated_key(a, b), compute.ac, "compute.ac"
        connection = connection_of(kind)
        by_connection = compute.ac_by_connection.get(connection, {})
        found = _lookup(by_connection, key, f"compute.ac_by_connection.{connection}")
        if found is not None:
            return _single(*found)
    found = _lookup(table, key, field)
    if found is not None:
        return _single(*found)
    add = _add_formula(compute, key)
    if op_class != "mac" and add is not None:
        return Formula(add)
    mult = _mult_terms(compute, a, b, key) if op_class == "mac" else None
    if mult is not None and add is not None:
        return Formula(mult + add)
    tried = [f"{field}.{key}", f"{field}.any", "compute.add (+ compute.mult for a MAC)"]
    raise _missing(profile, layer, op_class, a, b, tried)


def op_time_path(profile: Profile, op_class: str, in_enc: str, w_enc: str) -> str | None:
    """The ``throughput`` field giving one op's time for a synaptic row (None: undeclared)."""
    throughput = profile.throughput
    if op_class == "bop":
        return "throughput.bop" if throughput.bop is not None else None
    a, b = parse_encoding(in_enc), parse_encoding(w_enc)
    if op_class == "mac":
        found = _lookup(throughput.mac, _mac_key(a, b), "throughput.mac")
    else:
        found = _lookup(throughput.ac, _accumulated_key(a, b), "throughput.ac")
    return found[0] if found else None


def neuron_energy(profile: Profile, layer: str, kind: str,
                  table_name: str = "update") -> Formula | None:
    """Energy of one update (``table_name="access"``: one access) of a neuron row; None when the
    profile declares no such table."""
    table = getattr(profile.neuron, table_name)
    if not table:
        return None
    field = f"neuron.{table_name}"
    found = _lookup(table, kind, field) or _lookup(table, "default", field)
    if found is None:
        raise PricingError(
            f"profile {profile.id}: layer {layer!r} is a {kind} neuron, but neither "
            f"{field}.{kind} nor {field}.default is declared "
            f"(declared: {', '.join(table)})"
        )
    return _single(*found)


def op_notes(profile: Profile, op_class: str) -> list[str]:
    """The profile's notes about pricing ``op_class`` (they name it: "MAC", "BOP", "AC"), which
    an error cites when a row of that class cannot be priced."""
    word = re.compile(rf"\b{re.escape(OP_LABELS[op_class])}s?\b", re.IGNORECASE)
    return [note for note in profile.notes if word.search(note)]


def _missing(profile: Profile, layer: str, op_class: str, a: Encoding, b: Encoding,
             tried: list[str]) -> PricingError:
    notes = op_notes(profile, op_class) or op_notes(profile, "mac")
    hint = f" Profile note: {notes[0]}" if notes else ""
    return PricingError(
        f"profile {profile.id}: layer {layer!r} needs a {op_class} ({a} x {b}) price, but none "
        f"of {', '.join(tried)} is declared.{hint}"
    )
