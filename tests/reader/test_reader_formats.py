"""A number shown as a percentage reads as what the user sees: python-calamine gives 1.5 for a
cell Excel shows as 150%, and only the cell's number format says which (real .xlsx files)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rules"))
from rules_workbooks import CLEAN_BENEFIT

from xl_brm.api import load
from xl_brm.calc import compute_register
from xl_brm.periods import Period
from xl_brm.reader import check_safety, read_workbook
from xl_brm.reader._formats import _shows_percent
from xl_brm.validate import validate_workbook

HEADER = ["Benefit ID", "Title", "Attribution %", "Local share"]


def register(tmp_path: Path, cells: list[tuple[Any, str | None]]) -> Path:
    """A Benefits sheet with one attribution cell per row, each with its own number format, and
    a local column formatted 0% throughout."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(HEADER)
    for i, (value, fmt) in enumerate(cells, start=2):
        ws.append([f"B{i}", "Fewer falls", value, 0.5])
        if fmt is not None:
            ws.cell(i, 3).number_format = fmt
        ws.cell(i, 4).number_format = "0%"
    path = tmp_path / "percent.xlsx"
    wb.save(path)
    return path


def test_percent_formatted_cells_read_as_shown_and_others_as_stored(tmp_path: Path) -> None:
    path = register(tmp_path, [(1.5, "0%"), (0.8, "0%"), (0.125, "0.0%"), (0.8, None), (80, None),
                               (0.5, '0.0"%"')])
    table = read_workbook(path).tables["Benefits"]
    at = table.position("attribution_pct")
    local = [c.index for c in table.columns].index(3)
    assert [r.values[at] for r in table.rows] == ["150%", "80%", "12.5%", 0.8, 80.0, 0.5]
    assert {r.values[local] for r in table.rows} == {0.5}  # only percent fields are read so


def test_a_percent_formatted_150_is_out_of_range_and_80_needs_no_guess(tmp_path: Path) -> None:
    raw = read_workbook(register(tmp_path, [(1.5, "0%"), (0.8, "0%"), (0.8, None)]))
    found = validate_workbook(raw).findings
    assert [(f.code, f.cell) for f in found if f.column == "attribution_pct"] == [
        ("BRM206", "C2"), ("BRM207", "C4")]  # 150% refused; the unformatted 0.8 is a guess


@pytest.mark.parametrize(("code", "percent"), [
    ("0%", True), ("0.00%", True), ("#,##0.0%;[Red]-#,##0.0%", True), ('0.0"%"', False),
    ("0.0\\%", False), ("[$%-809]0.00", False), ("General", False), ("0.00", False)])
def test_which_format_codes_show_a_percentage(code: str, percent: bool) -> None:
    assert _shows_percent(code) is percent


# -- figures shown as percentages: measurements, baselines, targets, period columns ---------------

PERCENT_BENEFIT: dict[str, Any] = CLEAN_BENEFIT | {
    "benefit_type": "Quantitative", "measure": "discharge summaries sent within 24 hours",
    "unit": "percent", "direction": "Increase", "baseline_value": "61.5%", "target_value": 0.9,
    "unit_value_gbp": None, "attribution_pct": "100%", "realisation_start": dt.datetime(2019, 10, 1)}
"""A percent measure whose baseline is typed as text and whose target is a number shown as 90%."""
SHOWN = [61.5, 64.0, 70.25, 75.0, 80.5, 88.5]
"""What the measurement cells show, in per cent, for Oct-19 to Mar-20."""
MONTHS = [dt.date(2019, 10 + k, 1) if k < 3 else dt.date(2020, k - 2, 1) for k in range(6)]


def percent_register(path: Path, layout: str) -> Path:
    """The one percent benefit, its measurements a number formatted 0.0% (0.885 shows 88.5%)
    or typed as text ('88.5%'), laid out long ('Month', 'Actual') or wide (a column per month)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(list(PERCENT_BENEFIT))
    ws.append(list(PERCENT_BENEFIT.values()))
    ws.cell(2, list(PERCENT_BENEFIT).index("target_value") + 1).number_format = "0%"
    typed = layout.endswith("text")
    cells = [f"{v:g}%" if typed else v / 100 for v in SHOWN]
    if layout.startswith("long"):
        ms = wb.create_sheet("Measurements")
        ms.append(["Benefit ID", "Month", "Actual"])
        for month, value in zip(MONTHS, cells, strict=True):
            ms.append(["EPMA-01", month.strftime("%b-%y"), value])
            ms.cell(ms.max_row, 3).number_format = "0.0%"
    else:
        ms = wb.create_sheet("Tracker")
        ms.append(["Benefit ID", *(m.strftime("%b-%y") for m in MONTHS)])
        ms.append(["EPMA-01", *cells])
        for j in range(2, len(MONTHS) + 2):
            ms.cell(2, j).number_format = "0.0%"
    wb.save(path)
    return path


def figures(path: Path) -> list[dict[str, Any]]:
    _raw, validation = load(path)
    assert [f for f in validation.findings if f.severity == "error"] == []
    return [f.to_json() for f in compute_register(validation.register, as_of=Period.month(2020, 3))]


def test_measurements_shown_as_percentages_read_as_shown_long_and_wide_alike(tmp_path: Path) -> None:
    long_numbers, wide_numbers, typed = (figures(percent_register(tmp_path / f"{layout}.xlsx", layout))
                                         for layout in ("long", "wide", "long text"))
    assert long_numbers == wide_numbers == typed
    (benefit,) = long_numbers
    assert (benefit["baseline"], benefit["latest"]) == (61.5, 88.5)
    assert benefit["percent_of_target"] == pytest.approx((88.5 - 61.5) / (90 - 61.5) * 100, abs=1e-6)


def test_a_figure_shown_as_a_percentage_reads_as_the_number_shown_and_unformatted_ones_as_stored(
        tmp_path: Path) -> None:
    path = percent_register(tmp_path / "wide.xlsx", "wide")
    raw = read_workbook(path)
    measured = raw.tables["Measurements"]
    at = measured.position("value")
    assert [r.values[at] for r in measured.rows] == SHOWN
    benefits = raw.tables["Benefits"]
    row = benefits.rows[0].values
    assert [row[benefits.position(f)] for f in ("baseline_value", "target_value")] == ["61.5%", 90.0]
    plain = openpyxl.load_workbook(path)
    for j in range(2, len(MONTHS) + 2):
        plain["Tracker"].cell(2, j).number_format = "General"
    plain.save(path)
    again = read_workbook(path).tables["Measurements"]
    assert [r.values[at] for r in again.rows] == [v / 100 for v in SHOWN]


def test_the_gate_finds_the_percent_cells_of_every_column_in_its_one_pass(tmp_path: Path) -> None:
    path = register(tmp_path, [(0.5, "0%"), (0.25, None), (0.75, "0.00%")])
    scan = check_safety(path).sheets["Benefits"]
    assert {column: sorted(rows) for column, rows in scan.percent.items()} == {2: [1, 3], 3: [1, 2, 3]}


def test_no_cell_is_looked_for_when_no_style_shows_a_percentage(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Benefit ID", "Baseline"])
    wb.active.append(["B1", 0.5])
    wb.active.cell(2, 2).number_format = "0.00"
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    assert [scan.percent for scan in check_safety(path).sheets.values()] == [{}]
