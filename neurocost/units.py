"""A number with its unit and scope, so no figure leaves neurocost without them."""

from __future__ import annotations

from dataclasses import dataclass

PER_SAMPLE = "per sample, summed over steps"


@dataclass(frozen=True)
class Quantity:
    """``value`` in ``unit``; ``scope`` says what it is counted over (see ``PER_SAMPLE``)."""

    value: float
    unit: str
    scope: str = PER_SAMPLE

    def __float__(self) -> float:
        return float(self.value)

    def to_dict(self) -> dict[str, float | str]:
        return {"value": self.value, "unit": self.unit, "scope": self.scope}

    def __str__(self) -> str:
        return f"{self.value:.6g} {self.unit} ({self.scope})"
