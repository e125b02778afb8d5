"""Operand encodings: what a tensor's values *mean*, declared rather than guessed.

The tracer classifies every synaptic operation from the declared encodings of its two operands
(input activation x weight), never by sniffing values: a {0,1} spike meeting a weight is an
accumulate (AC), a +-1 activation meeting a +-1 weight is one XNOR-popcount bit-op (BOP), two
k-bit integers make a k-bit MAC. Layers declare encodings as class attributes (``input_encoding``,
``weight_encoding``, ``output_encoding``); spiking neurons emit ``SPIKE``; a model input defaults
to floating point (so a first layer fed real values is a MAC) unless the caller declares it.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurocost.errors import NeurocostError
from neurocost.vocabulary import EncodingKind, OpClass


@dataclass(frozen=True)
class Encoding:
    """How a tensor's values are represented.

    kind:
        ``spike``        values in {0, 1} (an event or none; a scalar graded amplitude may be
                         folded into the weights, so it still costs one AC)
        ``signed_spike`` values in {-1, 0, +1} (ternary spikes, times an optional scalar amplitude)
        ``binary``       values in {-1, +1}, stored as one bit
        ``ternary``      values in {-1, 0, +1} times a per-tensor or per-channel scale, stored in
                         two bits (ternary weights or activations, applied by add/subtract/skip)
        ``int``          signed ``bits``-bit integers (quantised activations or weights)
        ``fp``           floating point of ``bits`` bits
    bits: storage width of one element, in bits.
    """

    kind: EncodingKind
    bits: int

    def __post_init__(self) -> None:
        if self.bits < 1:
            raise ValueError(f"encoding {self.kind!r}: bits must be >= 1, got {self.bits}")

    def __str__(self) -> str:
        if self.kind in ("spike", "signed_spike", "binary", "ternary"):
            return self.kind
        return f"{self.kind}{self.bits}"

    def allowed_values(self) -> tuple[float, ...] | None:
        """The value set data should respect, for the consistency check (None: any value)."""
        return {"spike": (0.0, 1.0), "signed_spike": (-1.0, 0.0, 1.0), "binary": (-1.0, 1.0)}.get(
            self.kind
        )


SPIKE = Encoding("spike", 1)
SIGNED_SPIKE = Encoding("signed_spike", 2)
BINARY = Encoding("binary", 1)
TERNARY = Encoding("ternary", 2)
FP32 = Encoding("fp", 32)
FP16 = Encoding("fp", 16)


def int_(bits: int) -> Encoding:
    """A signed ``bits``-bit integer encoding."""
    return Encoding("int", bits)


def fp(bits: int) -> Encoding:
    """A floating-point encoding of ``bits`` bits."""
    return Encoding("fp", bits)


_NAMED = {
    "spike": SPIKE, "signed_spike": SIGNED_SPIKE, "ternary_spike": SIGNED_SPIKE, "binary": BINARY,
    "ternary": TERNARY,
}


class EncodingError(NeurocostError):
    """An operand encoding name that is not one of the declared kinds."""


def parse_encoding(spec: str | Encoding) -> Encoding:
    """Parse ``"spike"``, ``"signed_spike"``, ``"binary"``, ``"int4"``, ``"fp16"`` and so on."""
    if isinstance(spec, Encoding):
        return spec
    name = spec.strip().lower()
    if name in _NAMED:
        return _NAMED[name]
    for kind in ("int", "fp"):
        if name.startswith(kind) and name[len(kind) :].isdigit():
            return Encoding(kind, int(name[len(kind) :]))  # type: ignore[arg-type]
    raise EncodingError(
        f"unknown encoding {spec!r}: use spike, signed_spike, binary, int<bits> or fp<bits>"
    )


def op_class(a: Encoding, b: Encoding) -> OpClass:
    """The operation one (a, b) operand pair costs, from the two declared encodings.

    Symmetric in its arguments, so it serves (input, weight) pairs and activation x activation
    matmuls alike:

    - +-1 x +-1: one XNOR-popcount bit-op (``bop``);
    - a {0,1} spike on either side: the other operand is added or not (``ac``);
    - a {-1,0,1} spike, a ternary operand, or a +-1 operand against a multi-bit one: add,
      subtract or skip (``signed_ac``; a scale is applied once, after the accumulation);
    - otherwise a multiply-accumulate (``mac``) at the operands' widths.
    """
    kinds = {a.kind, b.kind}
    if kinds == {"binary"}:
        return "bop"
    if "spike" in kinds:
        return "ac"
    if kinds & {"signed_spike", "binary", "ternary"}:
        return "signed_ac"
    return "mac"
