"""Table rules (BRM4xx that look across rows): repeated IDs, the workbook's trust, and rows of
one sheet that name a benefit the Benefits sheet does not have.

Decisions where SPEC §6 is silent:
- The workbook's trust is `Defaults.trust_ods`, else the `BRM Settings` sheet, else the
  trust_ods most rows give; rows naming another trust get BRM406.
- A later row repeating a benefit_id is left out of the Register (BRM401); the first row wins.
- A Benefits sheet without a benefit_id column gets BRM101 once; its measurements are not
  each reported as belonging to no benefit (BRM402).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from xl_brm.enums import fold
from xl_brm.fields import MEASUREMENT_FIELD
from xl_brm.findings import Finding
from xl_brm.periods import Period
from xl_brm.rules import RULES
from xl_brm.rules._checks import check
from xl_brm.validate._shared import State, positions


def index_benefits(state: State) -> None:
    """`state.by_id` (the first row of each benefit_id) and `state.trust`, for the checks."""
    for b in state.benefits:
        bid = b.values.get("benefit_id")
        if bid is not None and bid not in state.by_id:
            state.by_id[bid] = b
    trust = state.default_values.get("trust_ods")
    source = state.default_source
    if trust is None:
        tally = Counter(b.values["trust_ods"] for b in state.benefits if "trust_ods" in b.values)
        if tally:
            trust = tally.most_common(1)[0][0]
            source = "given by most rows"
    state.trust, state.default_source = trust, source


@check("BRM401", scope="table")
def repeated_benefit_id(state: State) -> Iterator[Finding]:
    for b in state.benefits:
        bid = b.values.get("benefit_id")
        if bid is not None:
            first = state.by_id[bid]
            if first is not b:
                yield state.at_benefit("BRM401", b, "benefit_id", bid, {"first_row": first.row})


@check("BRM406", scope="table")
def other_trust(state: State) -> Iterator[Finding]:
    trust = state.trust
    if trust is None:
        return
    for b in state.benefits:
        own = b.values.get("trust_ods")
        if own is not None and own != trust:
            yield state.at_benefit(
                "BRM406", b, "trust_ods", own, {"trust": trust, "source": state.default_source}
            )


def measurements_checkable(state: State) -> bool:
    """True when Measurements rows can be matched to benefits (else the reader's or the cell
    stage's BRM101 said why, once)."""
    table, btable = state.mtable, state.btable
    if table is None or btable is None:
        return False
    pos = positions(table, MEASUREMENT_FIELD)
    return (
        all(n in pos for n in ("benefit_id", "period", "value")) and btable.position("benefit_id") is not None
    )


@check("BRM402", scope="table")
def measurement_of_unknown_benefit(state: State) -> Iterator[Finding]:
    table, btable = state.mtable, state.btable
    if state.single_row or table is None or btable is None or not measurements_checkable(state):
        return
    letter = table.columns[positions(table, MEASUREMENT_FIELD)["benefit_id"]].letter
    near = _NearestId(state.by_id)
    make = RULES["BRM402"].finding
    for bid, group in state.readings.items():
        if bid in state.by_id:
            continue
        state.dropped[bid] = {m.row for m in group if m.row is not None}
        nearest = near(bid)
        hint = f" (the register has '{nearest}')" if nearest else ""
        for m in group:
            row = m.row
            yield make(
                sheet=table.sheet,
                row=row,
                column="benefit_id",
                cell=f"{letter}{row}",
                value=bid,
                benefits_sheet=btable.sheet,
                nearest=hint,
            )


@check("BRM409", scope="table")
def plan_of_unknown_benefit(state: State) -> Iterator[Finding]:
    table, btable = state.ttable, state.btable
    if state.single_row or table is None or btable is None:
        return
    ib = table.position("benefit_id")
    if ib is None or table.position("period") is None:
        return  # a Trajectory sheet without those columns: the reader reported BRM101
    for bid, points in state.plans.items():
        if bid not in state.by_id:
            for _, _, row in points:
                yield RULES["BRM409"].finding(
                    sheet=table.sheet,
                    row=row,
                    column="benefit_id",
                    cell=table.cell(row, ib),
                    value=bid,
                    benefits_sheet=btable.sheet,
                )


@check("BRM410", scope="table")
def repeated_plan_period(state: State) -> Iterator[Finding]:
    table, btable = state.ttable, state.btable
    if state.single_row or table is None or btable is None:
        return
    ip = table.position("period")
    if table.position("benefit_id") is None or ip is None:
        return
    for bid, points in state.plans.items():
        if bid not in state.by_id:
            continue
        seen: dict[Period, int] = {}
        for per, _, row in points:
            if per in seen:
                yield RULES["BRM410"].finding(
                    sheet=table.sheet,
                    row=row,
                    column="period",
                    cell=table.cell(row, ip),
                    value=str(per),
                    benefit_id=bid,
                    period=str(per),
                    first_row=seen[per],
                )
            else:
                seen[per] = row


class _NearestId:
    """The register's benefit_id a measurement's unknown ID most likely means: the same once
    case, spaces, punctuation and leading zeros are set aside ('epma 1' -> 'EPMA-01'), if
    exactly one benefit reads so. Built on the first unknown ID."""

    def __init__(self, ids: Mapping[str, Any]) -> None:
        self._ids = ids
        self._by_key: dict[str, str | None] | None = None

    def __call__(self, bid: str) -> str | None:
        if self._by_key is None:
            self._by_key = {}
            for known in self._ids:
                key = _id_key(known)
                self._by_key[key] = None if key in self._by_key else known  # None: ambiguous
        found = self._by_key.get(_id_key(bid))
        return found if found != bid else None


def _id_key(text: str) -> str:
    return _LEADING_ZEROS.sub("", fold(text))


_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
