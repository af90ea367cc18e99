"""Small numeric helpers shared by the calculation modules (never rounding)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

TOLERANCE = 1e-9
"""Relative slack when comparing a ratio with a threshold, so float noise never flips a RAG."""


def as_number(value: object) -> float | None:
    """A finite number as float, or None for text, blanks, booleans, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def round_half_up(value: float | None, places: int) -> float | None:
    """Round for display the way a hand calculation does (2.675 -> 2.68), via the shortest repr."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    rounded = float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    return rounded + 0.0  # turn -0.0 into 0.0
