"""Cells the engine's fast paths must still hand to the parser, found by the mutation harness
(`tests/rules/mutate.py`): each test pins a comparison that decides whether a cell is read
the quick way, whose mutants otherwise changed findings without any test noticing."""

from __future__ import annotations

import copy
from typing import Any

from rules_workbooks import CLEAN_BENEFIT, TODAY, clean_parts, months, validate, workbook

from xl_brm.findings import Finding
from xl_brm.validate import validate_workbook


def findings(parts: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str]]:
    return [(f.code, f.cell or "") for f in validate(parts).findings]


STEADY = [120.0, 118.0, 121.0, 119.0]


def second_benefit(values: list[Any], **cells: Any) -> dict[str, list[dict[str, Any]]]:
    """EPMA-01's readings Apr-Jul 2019 (rows 2-5), then a second benefit's for the same months
    (rows 6-9) with `cells` set on its second reading (row 7). By then every ID, period, source
    and grade has been seen, so the second benefit's rows take the fast path unless a cell
    needs the parser: what these tests are about."""
    parts = clean_parts()
    second = copy.deepcopy(CLEAN_BENEFIT)
    second["benefit_id"] = "EPMA-02"
    parts["Benefits"].insert(1, second)
    rows = months("EPMA-01", (2019, 4), STEADY) + months("EPMA-02", (2019, 4), values)
    rows[5].update(cells)
    parts["Measurements"] = rows
    return parts


def test_a_note_or_source_that_would_run_as_a_formula_is_reported_among_clean_readings() -> None:
    found = findings(second_benefit(STEADY, note="=HYPERLINK(\"http://example.invalid\")"))
    assert found == [("BRM208", "F7")], found
    found = findings(second_benefit(STEADY, source="+cmd"))
    assert found == [("BRM208", "D7")], found


def test_a_bad_evidence_grade_is_reported_among_clean_readings() -> None:
    assert findings(second_benefit(STEADY, evidence_grade="Guess")) == [("BRM204", "E7")]


def test_a_gbp_amount_in_a_reading_is_a_number_not_text() -> None:
    """'GBP 118' reads as 118 (no BRM407 for a quantitative benefit); 'Good' stays text."""
    assert findings(second_benefit([120.0, "GBP 118", "gbp 121", 119.0])) == []
    found = findings(second_benefit([120.0, "Good", 121.0, 119.0]))
    assert [c for c in found if c[0] == "BRM407"] == [("BRM407", "C7")], found


def test_false_and_zero_in_one_number_column_are_read_apart() -> None:
    """A dict takes False for 0: the column's FALSE is not a number (BRM201), its 0 is."""
    parts = clean_parts()
    second = copy.deepcopy(CLEAN_BENEFIT)
    second.update(benefit_id="EPMA-02", baseline_value=0.0, target_value=-5.0)
    parts["Benefits"][0]["baseline_value"] = False
    parts["Benefits"].append(second)
    found = [c for c in findings(parts) if c[0] == "BRM201"]
    assert len(found) == 1 and found[0][1].endswith("2"), found  # the first benefit's row only


def test_a_missing_measurement_column_the_reader_reported_is_not_reported_again() -> None:
    parts = clean_parts()
    parts["Measurements"] = [{"benefit_id": "EPMA-01", "period": "2019-04", "source": "x"}]
    raw = workbook(parts)
    told = Finding(code="BRM101", severity="error", message="no value column",
                   sheet="Measurements", column="value")
    raw.findings.append(told)
    found = [f for f in validate_workbook(raw, today=TODAY).findings if f.code == "BRM101"]
    assert found == [told]


def test_a_plan_row_with_an_unreadable_value_does_not_count_as_the_periods_plan() -> None:
    """The first row for 2019-10 is unreadable (BRM201), so the second is not a repeat."""
    parts = clean_parts()
    parts["Trajectory"] = [
        {"benefit_id": "EPMA-01", "period": "2019-10", "planned_value": "about 110"},
        {"benefit_id": "EPMA-01", "period": "2019-10", "planned_value": 110.0},
    ]
    codes = [c for c, _cell in findings(parts)]
    assert "BRM201" in codes and "BRM410" not in codes, codes


def test_a_repeated_cell_seen_before_is_moved_only_when_it_spoils_its_row() -> None:
    """A bad value repeated down a column is said once and moved (`seen_before`) when it makes
    its row unusable; a repeated warning (a reading beyond 1e9, kept) must not lose its reading,
    nor may a second odd cell in the row go unreported."""
    parts = second_benefit([120.0, 5e9, 121.0, 119.0])
    parts["Measurements"][1]["value"] = 5e9  # EPMA-01's May reading: the warning seen first
    parts["Measurements"][2]["period"] = "31/02/2020"  # a bad month, seen first in row 4 ...
    parts["Measurements"][7]["period"] = "31/02/2020"  # ... and again in row 9,
    parts["Measurements"][3]["evidence_grade"] = "Guess"  # a bad grade, seen first in row 5 ...
    parts["Measurements"][7]["evidence_grade"] = "Guess"  # ... and again in row 9, both seen before
    for _ in range(2):  # a blank ID, twice (rows 10 and 11)
        parts["Measurements"].append({**parts["Measurements"][0], "benefit_id": None})
    fast = validate_workbook(workbook(parts), today=TODAY)
    plain = validate_workbook(workbook(parts), today=TODAY, plain=True)
    assert [(f.code, f.cell) for f in fast.findings] == [(f.code, f.cell) for f in plain.findings]
    assert fast.measurement_count == plain.measurement_count == 5
    found = {(f.code, f.cell) for f in fast.findings}
    moved = {("BRM212", "B4"), ("BRM204", "E5"), ("BRM212", "B9"), ("BRM204", "E9"), ("BRM210", "A11")}
    assert moved <= found
