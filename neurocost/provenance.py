"""Sourced constants: a number, its unit, and where it comes from.

Every hardware constant in neurocost (energy per op, clock, bandwidth, static power, core sizes)
is a ``Sourced`` value, so a report can always say which paper, table and technology node a
figure rests on. Units are checked against ``UNITS`` and converted to SI once, at load time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# unit -> (dimension, factor to the SI base of that dimension)
UNITS: dict[str, tuple[str, float]] = {
    "J": ("energy", 1.0), "mJ": ("energy", 1e-3), "uJ": ("energy", 1e-6), "nJ": ("energy", 1e-9),
    "pJ": ("energy", 1e-12), "fJ": ("energy", 1e-15),
    "W": ("power", 1.0), "mW": ("power", 1e-3), "uW": ("power", 1e-6), "nW": ("power", 1e-9),
    "s": ("time", 1.0), "ms": ("time", 1e-3), "us": ("time", 1e-6), "ns": ("time", 1e-9),
    "Hz": ("frequency", 1.0), "kHz": ("frequency", 1e3), "MHz": ("frequency", 1e6),
    "GHz": ("frequency", 1e9),
    "bit": ("information", 1.0), "B": ("information", 8.0), "KiB": ("information", 8.0 * 1024),
    "MiB": ("information", 8.0 * 1024**2), "GiB": ("information", 8.0 * 1024**3),
    "kB": ("information", 8e3), "MB": ("information", 8e6), "GB": ("information", 8e9),
    "B/s": ("bandwidth", 8.0), "GB/s": ("bandwidth", 8e9), "TB/s": ("bandwidth", 8e12),
    "bit/s": ("bandwidth", 1.0),
    "pJ/bit": ("energy_per_bit", 1e-12), "fJ/bit": ("energy_per_bit", 1e-15),
    "V": ("voltage", 1.0), "nm": ("length", 1e-9),
    "cycles": ("count", 1.0), "count": ("count", 1.0), "ops/s": ("rate", 1.0),
    "1": ("ratio", 1.0),
}

Basis = Literal[
    "measured", "simulated", "datasheet", "all-in", "derived", "assumption", "convention"
]


class Sourced(BaseModel):
    """A constant with its unit and provenance.

    ``basis`` says what kind of number it is: measured on silicon, simulated pre-silicon, a
    datasheet figure, an *all-in* figure (whole-chip power divided by events, so static and
    routing are already inside), derived by arithmetic from other sourced values, a stated
    assumption, or a community convention. ``si`` is the value in the SI base unit.

    ``value`` must be finite: YAML's ``.nan`` and ``.inf`` are numbers to PyYAML, and a NaN
    constant used to price a model at 0 J (pricing fills missing figures with 0). Which signs
    and ranges a field takes is the field's business (``energy.schema``: every hardware
    constant > 0).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(allow_inf_nan=False)
    unit: str
    source: str
    basis: Basis = "measured"
    note: str | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(UNITS)}")
        return unit

    @field_validator("source")
    @classmethod
    def _has_source(cls, source: str) -> str:
        if not source.strip():
            raise ValueError("source must name a paper/datasheet, table or figure, and node")
        return source

    @property
    def dimension(self) -> str:
        return UNITS[self.unit][0]

    @property
    def si(self) -> float:
        return self.value * UNITS[self.unit][1]
