"""Money and shares are rounded half-up wherever they are shown (SPEC §5), never half-even.

Python's `round()` and float formatting round the binary value, so £2.675 shows as £2.67 and
0.125 as 0.12; a hand calculation, a trust's finance team and Excel's ROUND give £2.68 and 0.13.
Every value below sits exactly on a half, where the two ways differ (issue 12).

Hand-worked register, as of 2019-04 (straight-line plan Apr-Jul 2019, N = 4):
  B1 cash-releasing, decrease, baseline 100, target 96, £2.675 a unit, 100% attributed.
     April actual 99 -> d = 1, planned level 99 -> pd = 1: realised £2.675, planned £2.675,
     both shown £2.68 (Python's round: £2.67).
  B2 non-cash-releasing, increase, baseline 0, target 400, £1 a unit, 100% attributed.
     April actual 12.25 -> realised £12.25; pd = 100 -> planned £100: 12.25% of plan, shown
     12.3% (Python's round: 12.2%).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from xl_brm import display
from xl_brm.addin.actions import _summary_rows
from xl_brm.calc import compute_register, round_half_up
from xl_brm.charts import cumulative_value_by_period
from xl_brm.computation import Computation
from xl_brm.model import Benefit, Measurement, Register
from xl_brm.national.views import Column, Table
from xl_brm.periods import parse_period
from xl_brm.report import Facts, Section, board_report, statement
from xl_brm.report import Table as ReportTable

HALVES = [(2.675, 2, 2.68), (0.125, 2, 0.13), (1.005, 2, 1.01), (-2.675, 2, -2.68), (12.25, 1, 12.3),
          (0.05, 1, 0.1), (2.5, 0, 3.0), (3 * 2.675, 2, 8.03)]
"""(value, places, half-up): each a value whose decimal ends in 5 at the next place (3 x £2.675
is 8.024999999999999 as a float: float noise must not turn a half down either)."""

AS_OF = parse_period("2019-04")
COMMON: dict[str, Any] = {
    "trust_ods": "RJ1", "programme": "GDE", "project": "EPMA", "category": "safety_quality",
    "benefit_owner": "Chief Pharmacist", "approval_status": "draft",
    "realisation_start": "2019-04-01", "target_date": "2019-07-31", "attribution_pct": 100,
}


def computation() -> Computation:
    benefits = [
        Benefit(benefit_id="B1", title="Fewer duplicate tests", benefit_type="cash_releasing",
                direction="decrease", baseline_value=100, target_value=96, unit_value_gbp=2.675,
                **COMMON),
        Benefit(benefit_id="B2", title="Time released", benefit_type="non_cash_releasing",
                direction="increase", baseline_value=0, target_value=400, unit_value_gbp=1,
                **COMMON),
    ]
    measurements = {"B1": [Measurement(benefit_id="B1", period="2019-04", value=99)],
                    "B2": [Measurement(benefit_id="B2", period="2019-04", value=12.25)]}
    register = Register(benefits=benefits, measurements=measurements)
    figures = compute_register(register, as_of=AS_OF)
    return Computation(register=register, figures=figures, as_of=AS_OF, as_of_given=True)


@pytest.mark.parametrize(("value", "places", "expected"), HALVES)
def test_the_one_helper_rounds_half_up(value: float, places: int, expected: float) -> None:
    assert round_half_up(value, places) == expected


def test_pythons_round_is_the_trap() -> None:
    """Why the helper exists: the built-in disagrees on most of these halves."""
    differ = [v for v, places, expected in HALVES if round(v, places) != expected]
    assert len(differ) >= 5, differ


@pytest.mark.parametrize(("value", "places", "expected"), HALVES)
def test_display_shows_halves_rounded_up(value: float, places: int, expected: float) -> None:
    assert display.number(value, places) == display.number(expected, places)
    assert display.number(value, places) == f"{expected:,.{places}f}"
    if places == 2:
        sign = "-" if expected < 0 else ""
        assert display.money(value) == f"{sign}£{abs(expected):,.2f}"


def test_display_percent_and_quantity() -> None:
    assert display.percent(12.25) == "12.3%"
    assert display.quantity(1.005) == "1.01"
    assert display.quantity(0.125) == "0.13"
    assert display.money(1234.565) == "£1,234.57"


def test_the_hand_worked_register_has_halves_to_round() -> None:
    """The figures below really sit on halves before anything rounds them."""
    computed = computation()
    by_id = {f.benefit_id: f for f in computed.figures}
    assert computed.gbp_per_unit("B1") == 2.675
    assert by_id["B1"].realised_value_gbp == 2.675
    assert by_id["B2"].realised_value_gbp == 12.25


def test_chart_values_round_half_up() -> None:
    rows = dict(cumulative_value_by_period(computation()))
    april = rows["2019-04"]
    assert (april["planned_cash"], april["realised_cash"]) == (2.68, 2.68)
    assert (april["planned_noncash"], april["realised_noncash"]) == (100.0, 12.25)


def _facts(section: Section) -> dict[str, str]:
    found = {}
    for block in section.blocks:
        if isinstance(block, Facts):
            found.update(dict(block.items))
    for sub in section.subsections:
        found.update(_facts(sub))
    return found


def _tables(section: Section) -> list[ReportTable]:
    found = [b for b in section.blocks if isinstance(b, ReportTable)]
    for sub in section.subsections:
        found += _tables(sub)
    return found


def test_statement_rounds_the_attributed_pound_and_the_planned_value_half_up() -> None:
    document = statement(computation(), now=datetime(2019, 5, 1))
    b1 = next(s for section in document.sections for s in [section, *section.subsections]
              if s.key == "planned-B1")
    assert _facts(b1)["Attributed £ per unit"] == "£2.68"
    plan = next(t for t in _tables(b1) if t.key == "plan-B1")
    money = [c.name for c in plan.columns].index("Planned value (£)")
    assert [row[money] for row in plan.rows] == [2.68, 5.35, 8.03, 10.7]  # pd 1, 2, 3, 4 x £2.675


def test_board_share_of_plan_rounds_half_up() -> None:
    document = board_report(computation(), now=datetime(2019, 5, 1))
    headline = next(t for section in document.sections for t in _tables(section)
                    if t.caption == "Realised against planned value to date")
    shares = {row[0]: row[4] for row in headline.rows}
    assert shares[display.TYPE_LABEL[computation().register.benefits[1].benefit_type]] == 12.3
    assert shares[display.TYPE_LABEL[computation().register.benefits[0].benefit_type]] == 100.0


def test_ribbon_summary_rounds_half_up() -> None:
    computed = computation()
    lines = _summary_rows(computed.figures, computed.as_of)
    cash = next(line for line in lines if line and line[0] == "Cash-releasing")
    assert cash[1:3] == [1, 2.68]


def test_national_exports_round_money_half_up() -> None:
    table = Table(key="t", caption="Values", columns=[Column("Trust"), Column("Realised £", "money")],
                  rows=[["RJ1", 2.675], ["RRV", 1.005], ["RXX", 0.125], ["RYY", None]])
    assert [row[1] for row in table.export_rows()] == [2.68, 1.01, 0.13, None]
