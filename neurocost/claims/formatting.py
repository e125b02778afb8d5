"""How claims print numbers: counts exact with digit grouping, everything with its unit."""

from __future__ import annotations


def format_value(value: float, unit: str) -> str:
    """``value`` with its unit (see ``format_number``); a ratio (unit ``1``) reads as ``56.3x``."""
    if unit == "1":
        return f"{value:.6g}x"
    return f"{format_number(value)} {unit}".rstrip()


def format_number(value: float) -> str:
    """Whole numbers with digit grouping (counts stay exact), others to 6 significant digits."""
    if float(value).is_integer() and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:.6g}"
