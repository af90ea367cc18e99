"""Small numeric helpers shared by the calculation modules (never rounding)."""

from __future__ import annotations

import math

from xl_brm.errors import UsageError
from xl_brm.normalise import MAX_MAGNITUDE, MAX_UNIT_VALUE_GBP

TOLERANCE = 1e-9
"""Relative slack when comparing a ratio with a threshold, so float noise never flips a RAG."""


def as_number(value: object) -> float | None:
    """A finite number as float, or None for text, blanks, booleans, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def finite(value: float, what: str) -> float:
    """`value` if finite; otherwise a UsageError, so no calculation ever hands on inf or NaN.

    Inputs within the plausible bounds (SPEC §2.1) never get here; a building block called with
    wilder numbers (a cell function fed 1e308) does.
    """
    if math.isfinite(value):
        return value
    raise UsageError(
        f"the {what} is too large to work out (the inputs multiply beyond any real figure)",
        hint="check the inputs: measurements and baselines within ±1e12, unit values within £1bn",
    )


def within(value: float | None, limit: float, what: str) -> float | None:
    """`value` (None passes) if within ±limit, else a UsageError naming it: the calculations'
    own check of the plausible bounds that the cell parsers enforce (SPEC §2.1)."""
    if value is None or -limit <= value <= limit:
        return value
    raise UsageError(
        f"{what} {value!r} is beyond the plausible limit of ±{limit:,.0f}",
        hint="check the figure and its unit",
    )


BOUNDS = (
    ("baseline_value", MAX_MAGNITUDE),
    ("target_value", MAX_MAGNITUDE),
    ("unit_value_gbp", MAX_UNIT_VALUE_GBP),
)
"""Benefit fields and the magnitude each may have (SPEC §2.1), checked before calculating."""
