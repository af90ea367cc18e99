"""End to end: a real .xlsx written with openpyxl, read by the reader, checked by the engine."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from rules_workbooks import CLEAN_BENEFIT, CLEAN_QUALITATIVE, TODAY, months

from xl_brm.fields import BENEFIT_FIELDS, MEASUREMENT_FIELDS
from xl_brm.validate import validate_workbook

reader = pytest.importorskip("xl_brm.reader")


def write_register(path: Path, *, changes: dict[str, object] | None = None) -> None:
    """A trust-style workbook: a title row and a blank row above the header of the register."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Benefits Register"
    ws.append(["Anytown NHS Trust - GDE benefits register"])
    ws.append([])
    names = [f.name for f in BENEFIT_FIELDS]
    ws.append([n.replace("_", " ").title() for n in names])
    for row in (dict(CLEAN_BENEFIT, **(changes or {})), CLEAN_QUALITATIVE):
        ws.append([row.get(n) for n in names])
    ms = wb.create_sheet("Measurements")
    mnames = [f.name for f in MEASUREMENT_FIELDS]
    ms.append([n.replace("_", " ").title() for n in mnames])
    values = [120, 118, 121, 119, 122, 120, 110, 100, 95, 90, 88, 85]
    rows = months("EPMA-01", (2019, 4), values) + months("QUAL-01", (2019, 10), ["Survey done"])
    for row in rows:
        ms.append([row.get(n) for n in mnames])
    ms["B2"] = datetime(2019, 4, 1)  # a real date cell for the first period
    wb.save(path)


def test_clean_trust_workbook(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(path)
    raw = reader.read_workbook(path)
    result = validate_workbook(raw, today=TODAY)
    assert result.findings == []
    assert [b.benefit_id for b in result.register.benefits] == ["EPMA-01", "QUAL-01"]
    assert result.register.measurement_count == 13


def test_findings_name_the_cell_the_user_sees(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(path, changes={"baseline_value": "n/a", "target_date": "31/02/2021"})
    result = validate_workbook(reader.read_workbook(path), today=TODAY)
    found = {(f.code, f.sheet, f.cell, f.value) for f in result.findings}
    assert found == {
        ("BRM201", "Benefits Register", "O4", "n/a"),
        ("BRM202", "Benefits Register", "T4", "31/02/2021"),
    }


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "workbooks" / "examples").glob("*.xlsx"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_starting_on_the_benefits_while_reading_changes_nothing(path: Path) -> None:
    # api.load checks the Benefits table while the other sheets are still being read; the
    # findings (and their order), counts and Register must be those of validating afterwards.
    from xl_brm.api import load, placed
    from xl_brm.reader import read_workbook

    _raw, early = load(path)
    raw = read_workbook(path)
    after = placed(raw, validate_workbook(raw))  # a wide register's findings at their own cells
    assert early.findings == after.findings and early.findings
    assert (early.trust_ods, early.benefit_count, early.measurement_count) == (
        after.trust_ods, after.benefit_count, after.measurement_count)
    assert early.register == after.register
