"""Row rules (BRM3xx): one benefit's fields taken together.

Each check is a function of one row (`RowView`) that yields (field, value, parameters) for
each place its rule fires; the engine turns those into findings at the row's cells. A row
check sees the values as read (a cell that could not be read is absent from `values` and
named in `bad`, and was reported already), after workbook defaults.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any

from xl_brm.enums import ApprovalStatus, BaselineMethod, BenefitType, Direction
from xl_brm.rules._checks import check
from xl_brm.validate._shared import Hit, Reading, window

FINANCIAL = (BenefitType.CASH_RELEASING, BenefitType.NON_CASH_RELEASING)
COMPUTED = (BaselineMethod.MEAN, BaselineMethod.MEDIAN, BaselineMethod.LAST)


class RowView:
    """What a row check sees: one benefit row's values and what else is known of it."""

    __slots__ = ("bad", "measurements", "today", "values")

    def __init__(
        self,
        values: Mapping[str, Any],
        bad: AbstractSet[str],
        today: date,
        measurements: Sequence[Reading] | None = None,
    ) -> None:
        self.values = values
        self.bad = bad
        """Fields whose cell could not be read (reported already)."""
        self.today = today
        self.measurements = measurements
        """The benefit's usable measurements in period order ("benefit" checks only); None when
        not known: a single row (BRM_VALIDATE), or a row repeating an earlier row's benefit_id."""

    def missing(self, name: str) -> bool:
        """Blank (not merely unreadable: an unreadable cell was reported already)."""
        return self.values.get(name) is None and name not in self.bad

    def quantitative(self) -> bool:
        bt = self.values.get("benefit_type")
        return bt is not None and bt is not BenefitType.QUALITATIVE

    def approved(self) -> bool:
        return self.values.get("approval_status") is ApprovalStatus.APPROVED


@check("BRM301", scope="row")
def baseline_end_before_start(r: RowView) -> Iterator[Hit]:
    start, end = r.values.get("baseline_start"), r.values.get("baseline_end")
    if start is not None and end is not None and end < start:
        yield "baseline_end", end, {"start": start}


@check("BRM302", scope="row")
def target_wrong_way(r: RowView) -> Iterator[Hit]:
    get = r.values.get
    base, target, direction = get("baseline_value"), get("target_value"), get("direction")
    if base is None or target is None or direction is None or not r.quantitative() or get("is_disbenefit"):
        return
    up = direction is Direction.INCREASE
    if (up and target <= base) or (not up and target >= base):
        yield (
            "target_value",
            target,
            {"baseline": base, "direction": direction.value, "relation": "above" if up else "below"},
        )


@check("BRM303", scope="row")
def unit_value_missing(r: RowView) -> Iterator[Hit]:
    bt = r.values.get("benefit_type")
    if bt in FINANCIAL and r.missing("unit_value_gbp"):
        yield "unit_value_gbp", None, {"benefit_type": bt.value}


@check("BRM304", scope="row")
def approval_incomplete(r: RowView) -> Iterator[Hit]:
    if r.approved():
        for name in ("approved_by", "approved_on"):
            if r.missing(name):
                yield name, None, {}


@check("BRM305", scope="row")
def approved_in_future(r: RowView) -> Iterator[Hit]:
    approved_on = r.values.get("approved_on")
    if approved_on is not None and approved_on > r.today:
        yield "approved_on", approved_on, {"today": r.today}


@check("BRM306", scope="row")
def qualitative_without_evidence(r: RowView) -> Iterator[Hit]:
    if r.approved() and r.values.get("benefit_type") is BenefitType.QUALITATIVE and r.missing("evidence"):
        yield "evidence", None, {}


@check("BRM307", scope="benefit")
def no_baseline(r: RowView) -> Iterator[Hit]:
    """An approved quantitative benefit needs a baseline: given, or computed from measurements
    in the baseline window (the latter checked only where the measurements are known)."""
    v = r.values
    if not r.approved() or not r.quantitative() or "baseline_method" in r.bad:
        return
    method = v.get("baseline_method") or BaselineMethod.GIVEN
    if method is BaselineMethod.GIVEN:
        if r.missing("baseline_value"):
            yield "baseline_value", None, {"reason": "baseline_method is given but baseline_value is blank"}
    elif (
        method in COMPUTED
        and r.measurements is not None
        and r.missing("baseline_value")
        and points_in_window(v, r.measurements) == 0
    ):
        yield (
            "baseline_value",
            None,
            {
                "reason": f"baseline_method is {method.value} but there are no measurements "
                "in the baseline window and no baseline_value"
            },
        )


@check("BRM308", scope="row")
def target_date_before_realisation(r: RowView) -> Iterator[Hit]:
    realise, target_date = r.values.get("realisation_start"), r.values.get("target_date")
    if realise is not None and target_date is not None and target_date < realise:
        yield "target_date", target_date, {"start": realise}


_MEASURE_NEEDS = dict.fromkeys(("measure", "unit", "direction")).keys()
_PLANNED_NEEDS = dict.fromkeys((*_MEASURE_NEEDS, "target_value", "target_date")).keys()
"""What a quantitative benefit needs (BRM309), a planned one a target too: as dict keys, so
they are ordered and compare as sets with a row's keys."""


@check("BRM309", scope="row")
def quantitative_incomplete(r: RowView) -> Iterator[Hit]:
    if not r.quantitative():
        return
    v = r.values
    needed = _PLANNED_NEEDS if v.get("planned", True) is not False else _MEASURE_NEEDS
    if not v.keys() >= needed:  # the usual row has them all (values hold no blanks)
        for name in needed:
            if r.missing(name):
                yield name, None, {"benefit_type": v["benefit_type"].value}


def points_in_window(v: Mapping[str, Any], kept: Sequence[Reading]) -> int:
    """Numeric measurements inside the calculations' baseline window (BRM307, BRM503)."""
    first, last = window(v)
    return sum(
        1
        for m in kept
        if type(m.value) is float
        and (first is None or m.period.index >= first)
        and (last is None or m.period.index + m.period.months - 1 <= last)
    )
