"""Every rule fires at the right cell, and a clean register produces no finding at all.

Each scenario starts from the clean register of `rules_workbooks.clean_parts`, changes one
thing, and names the sheet, field and data row where the rule must fire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from rules_workbooks import (
    CLEAN_BENEFIT,
    clean_parts,
    codes,
    months,
    of,
    validate,
    workbook,
)

from xl_brm.rules import RULES
from xl_brm.table import FormulaWithoutValue, column_letter
from xl_brm.validate import Defaults

Parts = dict[str, list[dict[str, Any]]]

READER_ONLY = {"BRM100", "BRM102", "BRM103", "BRM104", "BRM105", "BRM107", "BRM108", "BRM109",
               "BRM411", "BRM412", "BRM413"}
"""Emitted by the reader, the API or `xl-brm actuals import`, never by the engine itself."""


@dataclass(frozen=True)
class Scenario:
    code: str
    change: Callable[[Parts], None]
    kind: str
    field: str | None
    index: int | None
    """0-based data row of the sheet (Excel row = index + 2), or None for a sheet-wide finding."""
    defaults: Defaults | None = None


def b(**changes: Any) -> Callable[[Parts], None]:
    """Change fields of the first (cash-releasing) benefit."""

    def change(parts: Parts) -> None:
        parts["Benefits"][0].update(changes)

    return change


def q(**changes: Any) -> Callable[[Parts], None]:
    """Change fields of the second (qualitative) benefit."""

    def change(parts: Parts) -> None:
        parts["Benefits"][1].update(changes)

    return change


def m(index: int, **changes: Any) -> Callable[[Parts], None]:
    def change(parts: Parts) -> None:
        parts["Measurements"][index].update(changes)

    return change


def add_measurement(**row: Any) -> Callable[[Parts], None]:
    def change(parts: Parts) -> None:
        base = {"benefit_id": "EPMA-01", "source": "Datix", "evidence_grade": "Measured", "note": None}
        parts["Measurements"].append({**base, **row})

    return change


def drop_field(name: str) -> Callable[[Parts], None]:
    def change(parts: Parts) -> None:
        for row in parts["Benefits"]:
            row.pop(name, None)

    return change


def both(*changes: Callable[[Parts], None]) -> Callable[[Parts], None]:
    def change(parts: Parts) -> None:
        for c in changes:
            c(parts)

    return change


def add_plans(*rows: tuple[str, str, float]) -> Callable[[Parts], None]:
    def change(parts: Parts) -> None:
        parts["Trajectory"] = [
            {"benefit_id": bid, "period": period, "planned_value": value} for bid, period, value in rows
        ]

    return change


def gap(parts: Parts) -> None:
    del parts["Measurements"][4:8]  # 2019-08 .. 2019-11 missing: four periods


def spike(parts: Parts) -> None:
    parts["Measurements"][9]["value"] = 9000.0  # 2020-01


SCENARIOS = [
    Scenario("BRM101", drop_field("title"), "Benefits", "title", None),
    Scenario(
        "BRM106", b(baseline_value=FormulaWithoutValue("AVERAGE(M4:M9)")), "Benefits", "baseline_value", 0
    ),
    Scenario("BRM201", b(baseline_value="n/a"), "Benefits", "baseline_value", 0),
    Scenario("BRM201", m(3, value=datetime(2019, 7, 1)), "Measurements", "value", 3),
    Scenario("BRM202", b(target_date="31/02/2020"), "Benefits", "target_date", 0),
    Scenario(
        "BRM203", both(b(target_date="02/08/2021"), q(approved_on="12/31/2020")), "Benefits", "target_date", 0
    ),
    Scenario("BRM204", b(benefit_type="Financial (maybe)"), "Benefits", "benefit_type", 0),
    Scenario("BRM204", m(2, evidence_grade="Guessed"), "Measurements", "evidence_grade", 2),
    Scenario("BRM205", b(trust_ods="Guy's"), "Benefits", "trust_ods", 0),
    Scenario("BRM206", b(attribution_pct="120%"), "Benefits", "attribution_pct", 0),
    Scenario("BRM207", b(attribution_pct=0.8), "Benefits", "attribution_pct", 0),
    Scenario("BRM208", b(title='=HYPERLINK("http://x","Click")'), "Benefits", "title", 0),
    Scenario("BRM208", m(1, note="-5 on last month"), "Measurements", "note", 1),
    Scenario("BRM209", b(benefit_id="X" * 65), "Benefits", "benefit_id", 0),
    Scenario("BRM210", b(benefit_owner="  "), "Benefits", "benefit_owner", 0),
    Scenario("BRM210", m(5, period=None), "Measurements", "period", 5),
    Scenario("BRM211", b(is_disbenefit="maybe"), "Benefits", "is_disbenefit", 0),
    Scenario("BRM212", m(0, period="Spring 2019"), "Measurements", "period", 0),
    Scenario("BRM213", b(baseline_value="#DIV/0!"), "Benefits", "baseline_value", 0),
    Scenario("BRM214", b(unit_value_gbp=9.9e307), "Benefits", "unit_value_gbp", 0),
    Scenario("BRM214", b(unit_value_gbp="£1,500,000,000"), "Benefits", "unit_value_gbp", 0),
    Scenario("BRM214", b(baseline_value="1e400"), "Benefits", "baseline_value", 0),
    Scenario("BRM214", m(3, value=float("inf")), "Measurements", "value", 3),
    Scenario("BRM214", m(3, value=-2e12), "Measurements", "value", 3),
    Scenario("BRM215", b(title="Fewer\x00errors"), "Benefits", "title", 0),
    Scenario("BRM215", q(evidence="Survey\x1b[31m"), "Benefits", "evidence", 1),
    Scenario("BRM215", m(2, note="checked\x07"), "Measurements", "note", 2),
    Scenario("BRM215", m(13, value="Ward\x00survey"), "Measurements", "value", 13),
    Scenario("BRM216", m(0, period="9999-12"), "Measurements", "period", 0),
    Scenario("BRM216", m(0, period="Mar-00"), "Measurements", "period", 0),
    Scenario("BRM216", m(0, period=datetime(1999, 12, 1)), "Measurements", "period", 0),
    Scenario("BRM217", b(category="Quality / Efficiency"), "Benefits", "category", 0),
    Scenario(
        "BRM301", b(baseline_start="01/04/2019", baseline_end="31/03/2019"), "Benefits", "baseline_end", 0
    ),
    Scenario("BRM302", b(target_value=150.0), "Benefits", "target_value", 0),
    Scenario("BRM302", b(target_value=120.0), "Benefits", "target_value", 0),
    Scenario("BRM303", b(unit_value_gbp=None), "Benefits", "unit_value_gbp", 0),
    Scenario("BRM304", b(approved_by=None), "Benefits", "approved_by", 0),
    Scenario("BRM304", b(approved_on=""), "Benefits", "approved_on", 0),
    Scenario("BRM305", b(approved_on="15/01/2099"), "Benefits", "approved_on", 0),
    Scenario("BRM306", q(evidence=None), "Benefits", "evidence", 1),
    Scenario("BRM307", b(baseline_value=None), "Benefits", "baseline_value", 0),
    Scenario(
        "BRM307",
        b(
            baseline_value=None,
            baseline_method="Mean",
            baseline_start="01/01/2018",
            baseline_end="31/03/2018",
        ),
        "Benefits",
        "baseline_value",
        0,
    ),
    Scenario("BRM308", b(target_date="31/03/2019"), "Benefits", "target_date", 0),
    Scenario("BRM309", b(direction=None), "Benefits", "direction", 0),
    Scenario("BRM309", b(measure=""), "Benefits", "measure", 0),
    Scenario("BRM309", b(target_value=None), "Benefits", "target_value", 0),
    Scenario("BRM401", lambda p: p["Benefits"].append(dict(CLEAN_BENEFIT)), "Benefits", "benefit_id", 2),
    Scenario("BRM402", m(4, benefit_id="EPMA-1"), "Measurements", "benefit_id", 4),
    Scenario("BRM403", add_measurement(period="2019-06", value=121.0), "Measurements", "period", 14),
    Scenario("BRM403", add_measurement(period="Jun-19", value=121.0), "Measurements", "period", 14),
    Scenario("BRM404", add_measurement(period="2009-04", value=120.0), "Measurements", "period", 14),
    Scenario("BRM405", add_measurement(period="2030-04", value=80.0), "Measurements", "period", 14),
    Scenario("BRM406", b(trust_ods="RRV"), "Benefits", "trust_ods", 0, Defaults(trust_ods="RJ1")),
    Scenario("BRM407", m(6, value="about 110"), "Measurements", "value", 6),
    Scenario("BRM408", m(13, value=4.0), "Measurements", "value", 13),
    Scenario(
        "BRM409",
        add_plans(("EPMA-01", "2020-01", 100.0), ("EPMA-9", "2020-01", 1.0)),
        "Trajectory",
        "benefit_id",
        1,
    ),
    Scenario(
        "BRM410",
        add_plans(("EPMA-01", "2020-01", 100.0), ("EPMA-01", "Jan-20", 90.0)),
        "Trajectory",
        "period",
        1,
    ),
    Scenario("BRM501", spike, "Measurements", "value", 9),
    Scenario("BRM502", b(unit_value_gbp="£2,400,000"), "Benefits", "unit_value_gbp", 0),
    Scenario(
        "BRM503",
        b(baseline_method="Mean", baseline_start="01/04/2019", baseline_end="31/05/2019"),
        "Benefits",
        "baseline_method",
        0,
    ),
    Scenario("BRM504", gap, "Measurements", "period", 4),
    Scenario("BRM505", b(realisation_start="01/10/1919"), "Benefits", "realisation_start", 0),
    Scenario("BRM506", b(baseline_value=2.5e9, target_value=1e9), "Benefits", "baseline_value", 0),
    Scenario("BRM506", m(3, value=-5e11), "Measurements", "value", 3),
]


def _id(s: Scenario) -> str:
    return f"{s.code}-{s.field}-{s.index}"


def test_clean_register_has_no_findings() -> None:
    result = validate(clean_parts())
    assert result.findings == []
    assert result.ok
    assert [b.benefit_id for b in result.register.benefits] == ["EPMA-01", "QUAL-01"]
    assert result.register.measurement_count == 14
    assert result.register.trust_ods == "RJ1"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_id)
def test_rule_fires_at_the_cell(scenario: Scenario) -> None:
    parts = clean_parts()
    scenario.change(parts)
    raw = workbook(parts)
    result = validate(parts, defaults=scenario.defaults)
    hits = of(result.findings, scenario.code)
    assert hits, f"{scenario.code} did not fire; got {codes(result.findings)}"
    rule = RULES[scenario.code]
    table = raw.tables[scenario.kind]
    if scenario.index is None:
        expected = [(table.sheet, None, scenario.field, None)]
    else:
        pos = table.position(scenario.field or "")
        assert pos is not None
        row = scenario.index + 2
        expected = [(table.sheet, row, scenario.field, f"{column_letter(pos)}{row}")]
    assert [(f.sheet, f.row, f.column, f.cell) for f in hits] == expected
    for f in hits:
        assert f.severity == rule.severity
        assert "?" not in f.message.replace("(maybe)", ""), f.message  # every parameter filled
    # one change, one kind of complaint: nothing else fires but closely related rules
    others = {c for c in codes(result.findings) if c != scenario.code}
    assert others <= ALSO.get(scenario.code, set()), others


ALSO: dict[str, set[str]] = {
    "BRM201": {"BRM307"},  # an unreadable baseline leaves no usable baseline... reported once
    "BRM214": {"BRM303", "BRM307", "BRM504"},  # ...as is a refused number, or a refused value
    "BRM216": {"BRM503", "BRM504"},  # a refused baseline-window period leaves fewer points
    "BRM506": {"BRM501"},  # a huge measurement is far from its neighbours too
    "BRM106": set(),
    "BRM213": set(),
    "BRM203": {"BRM202"},  # the month-first-only date that is the evidence
    "BRM204": {"BRM303", "BRM306", "BRM309"},
    "BRM402": set(),
    "BRM401": set(),
    "BRM404": {"BRM504", "BRM403"},
    "BRM405": {"BRM504"},
    "BRM501": set(),
    "BRM307": {"BRM503"},
    "BRM309": set(),
    "BRM209": {"BRM402"},  # the too-long ID cannot be read, so its measurements look orphaned
    "BRM503": set(),
}


def test_every_engine_rule_has_a_scenario() -> None:
    covered = {s.code for s in SCENARIOS}
    assert set(RULES) - READER_ONLY - covered == set()


def test_findings_carry_the_raw_value() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["baseline_value"] = "n/a"
    (finding,) = validate(parts).findings
    assert finding.value == "n/a"
    assert "'n/a'" in finding.message
    assert finding.to_json()["cell"] == finding.cell


def test_sheet_names_are_the_workbooks_own() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["baseline_value"] = "n/a"
    parts["Measurements"][0]["period"] = "Spring"
    result = validate(parts, sheets={"Benefits": "Register 2019", "Measurements": "Actuals"})
    assert {(f.code, f.sheet) for f in result.findings} == {
        ("BRM201", "Register 2019"),
        ("BRM212", "Actuals"),
    }


def test_months_helper_rolls_over_the_year() -> None:
    rows = months("X", (2019, 12), [1.0, 2.0])
    assert [r["period"] for r in rows] == ["2019-12", "2020-01"]
