"""Improvement, realised quantity and realised value of one period (SPEC §5.2)."""

from __future__ import annotations

from xl_brm.calc._numbers import finite
from xl_brm.enums import Direction, parse_enum
from xl_brm.errors import UsageError


def as_direction(direction: Direction | str) -> Direction:
    """A Direction from the enum or a human spelling ("Lower is better")."""
    if isinstance(direction, Direction):
        return direction
    parsed = parse_enum(Direction, str(direction))
    if parsed is None:
        raise UsageError(
            f"'{direction}' is not a direction",
            hint="write increase or decrease (which way is better)",
        )
    return parsed


def improvement(baseline: float, actual: float, direction: Direction | str) -> float:
    """d(p): a(p) - b when an increase is better, b - a(p) when a decrease is better."""
    if as_direction(direction) is Direction.INCREASE:
        return finite(actual - baseline, "improvement")
    return finite(baseline - actual, "improvement")


def realised_quantity(d: float, attribution_pct: float = 100.0) -> float:
    """q(p) = d(p) x attribution_pct / 100: the share of the change owed to the initiative."""
    if not 0 <= attribution_pct <= 100:
        raise UsageError(
            f"attribution {attribution_pct:g}% is outside 0-100",
            hint="write a percentage such as 80",
        )
    return finite(d * attribution_pct / 100, "realised quantity")


def realised_value(q: float, unit_value_gbp: float) -> float:
    """v(p) = q(p) x unit_value_gbp, in pounds (cash and non-cash releasing benefits only)."""
    return finite(q * unit_value_gbp, "realised value")
