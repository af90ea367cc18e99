"""Plausibility rules of one benefit row (BRM5xx): warnings about likely slips, not errors.

The series' plausibility rules (spikes, gaps) are in `xl_brm.validate.series`.

Decisions where SPEC §6 is silent:
- The baseline window of BRM503/BRM307 is the calculations' window (`xl_brm.calc`): months of
  baseline_start to baseline_end, a blank end meaning "up to realisation_start".
"""

from __future__ import annotations

from collections.abc import Iterator

from xl_brm.enums import ApprovalStatus, BenefitType
from xl_brm.rules._checks import check
from xl_brm.validate._shared import Hit, day
from xl_brm.validate.rows import COMPUTED, RowView, points_in_window

MIN_BASELINE_POINTS = 3
UNIT_VALUE_LIMIT = 1_000_000.0
PLAUSIBLE_YEARS = (2000, 2100)


@check("BRM502", scope="row")
def unit_value_very_large(r: RowView) -> Iterator[Hit]:
    unit_value = r.values.get("unit_value_gbp")
    if unit_value is not None and abs(unit_value) > UNIT_VALUE_LIMIT:
        yield "unit_value_gbp", unit_value, {}


@check("BRM505", scope="row")
def date_implausible(r: RowView) -> Iterator[Hit]:
    low, high = PLAUSIBLE_YEARS
    for name in ("baseline_start", "baseline_end", "target_date", "realisation_start", "approved_on"):
        d = r.values.get(name)
        if d is not None and not low <= d.year <= high:
            yield name, d, {"year": d.year}


@check("BRM503", scope="benefit")
def few_baseline_points(r: RowView) -> Iterator[Hit]:
    """A computed baseline (mean, median, last) from fewer than MIN_BASELINE_POINTS measurements
    in its window; none at all on an approved benefit without a baseline_value is BRM307's."""
    v = r.values
    method = v.get("baseline_method")
    bt = v.get("benefit_type")
    if r.measurements is None or method not in COMPUTED or bt is None or bt is BenefitType.QUALITATIVE:
        return
    count = points_in_window(v, r.measurements)
    if count >= MIN_BASELINE_POINTS:
        return
    approved = v.get("approval_status") is ApprovalStatus.APPROVED
    if count == 0 and (v.get("baseline_value") is not None or (approved and r.missing("baseline_value"))):
        return
    start, end = v.get("baseline_start"), v.get("baseline_end")
    window = f" ({day(start) if start else '…'} to {day(end) if end else '…'})" if start or end else ""
    yield "baseline_method", method.value, {"method": method.value, "count": count, "window": window}
