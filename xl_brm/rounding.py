"""Rounding for display, half-up as a hand calculation rounds: its own small module, so that
what only shows figures (`xl_brm.display`, the CLI's tables) need not load the calculations."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import overload


@overload
def round_half_up(value: float, places: int) -> float: ...
@overload
def round_half_up(value: None, places: int) -> None: ...
@overload
def round_half_up(value: float | None, places: int) -> float | None: ...
def round_half_up(value: float | None, places: int) -> float | None:
    """Round for display the way a hand calculation does: 2.675 -> 2.68, and 3 x £2.675 -> £8.03.

    The value is read to 15 significant figures first, as Excel shows a number, so the noise a
    float product carries in its 16th-17th figures (3 * 2.675 == 8.024999999999999) does not
    turn a half down.
    """
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    rounded = float(Decimal(format(value, ".15g")).quantize(quantum, rounding=ROUND_HALF_UP))
    return rounded + 0.0  # turn -0.0 into 0.0
