"""Reading real-looking trust sheets: title rows, own headers, spacer, notes and totals rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import hostile
import openpyxl
import pytest

from xl_brm.reader import propose_mapping, read_workbook
from xl_brm.table import RawTable

HEADERS = ["Ref No", "Trust Code", "Programme", "Scheme", "Benefit Title", "BENEFIT   type",
           "Category", "Unit Value (£)", "Attribution %", "Target Date (dd/mm/yyyy)", "Owner",
           "Status", "RAG (local)", "Approved On"]


def trust_register(path: Path) -> Path:
    """A register as trusts keep them: title rows, merged title, own names, hidden column,
    blank spacer rows, a totals row and notes below the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefit Register"
    ws["A1"] = "Acme NHS Trust - GDE benefits register"
    ws.merge_cells("A1:H1")
    ws["A2"] = "Updated 01/04/2020"
    ws.append([])
    ws.append(HEADERS)  # row 4
    ws.append(["B1", "RJ1", "GDE", "EPMA", "Fewer errors", "Cash releasing", "Safety", 35.5, "80%",
               dt.date(2021, 3, 31), "Chief Pharmacist", "Approved", "G", "02/08/2019"])  # row 5
    ws.append([])  # row 6: spacer
    ws.append(["B2", "RJ1", "GDE", "PPID", "Time saved", "Non-cash releasing", "Staff", 12, 100,
               "31/03/2021", "Head of Nursing", "Draft", "A", None])  # row 7
    ws.append([None, None, None, None, "Total", None, None, 47.5])  # row 8: totals
    ws.append([])
    ws.append(["Notes: figures are provisional until Q4"])  # row 10
    ws.append(["Data from Datix"])  # row 11: a short note, still notes
    ws.column_dimensions["M"].hidden = True
    wb.save(path)
    return path


def values(table: RawTable, field: str) -> list[Any]:
    pos = table.position(field)
    assert pos is not None, field
    return [r.values[pos] for r in table.rows]


@pytest.fixture()
def register(tmp_path: Path) -> RawTable:
    raw = read_workbook(trust_register(tmp_path / "register.xlsx"))
    assert raw.findings == []
    return raw.tables["Benefits"]


def test_header_is_found_under_title_rows_and_a_merged_title(register: RawTable) -> None:
    assert register.sheet == "Benefit Register"
    assert register.header_row == 4


def test_headers_map_ignoring_case_spacing_punctuation_and_units(register: RawTable) -> None:
    by_header = {c.header: c.field for c in register.columns}
    assert by_header == {
        "Ref No": "benefit_id", "Trust Code": "trust_ods", "Programme": "programme",
        "Scheme": "project", "Benefit Title": "title", "BENEFIT type": "benefit_type",
        "Category": "category", "Unit Value (£)": "unit_value_gbp",
        "Attribution %": "attribution_pct", "Target Date (dd/mm/yyyy)": "target_date",
        "Owner": "benefit_owner", "Status": "approval_status", "RAG (local)": None,
        "Approved On": "approved_on",
    }
    assert [c.letter for c in register.columns][:3] == ["A", "B", "C"]


def test_local_and_hidden_columns_are_kept(register: RawTable) -> None:
    (rag,) = [i for i, c in enumerate(register.columns) if c.field is None]
    assert register.columns[rag].letter == "M"  # hidden in Excel, still read
    assert [r.values[rag] for r in register.rows] == ["G", "A"]


def test_spacer_totals_and_notes_rows_are_skipped(register: RawTable) -> None:
    assert [r.row for r in register.rows] == [5, 7]


def test_stored_types_are_kept_and_text_dates_stay_text(register: RawTable) -> None:
    assert values(register, "target_date") == [dt.date(2021, 3, 31), "31/03/2021"]
    assert values(register, "approved_on") == ["02/08/2019", None]  # UK text: not coerced
    assert values(register, "unit_value_gbp") == [35.5, 12.0]
    assert values(register, "attribution_pct") == ["80%", 100.0]
    assert register.cell(7, register.position("title") or 0) == "E7"


def test_times_and_datetimes_keep_their_types(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "t.xlsx", {"Measurements": [
        ["Benefit ID", "Period", "Value", "Note"],
        ["B1", dt.datetime(2019, 10, 1, 9, 30), 1.5, dt.time(10, 15)],
        ["B1", dt.date(2019, 11, 1), True, "x"],
    ]})
    rows = read_workbook(path).tables["Measurements"].rows
    assert rows[0].values == ("B1", dt.datetime(2019, 10, 1, 9, 30), 1.5, dt.time(10, 15))
    assert rows[1].values == ("B1", dt.date(2019, 11, 1), True, "x")


def test_a_table_away_from_a1_keeps_excel_rows_and_letters(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Measurements"
    ws["C5"], ws["D5"], ws["E5"] = "Benefit ID", "Month", "Actual"
    ws["C6"], ws["D6"], ws["E6"] = "B1", "2019-10", 4
    ws["C8"], ws["D8"], ws["E8"] = "B1", "2019-11", 5
    wb.save(tmp_path / "offset.xlsx")
    table = read_workbook(tmp_path / "offset.xlsx").tables["Measurements"]
    assert table.header_row == 5
    assert [(c.field, c.letter) for c in table.columns] == [
        ("benefit_id", "C"), ("period", "D"), ("value", "E")]
    assert [(r.row, r.values) for r in table.rows] == [(6, ("B1", "2019-10", 4.0)),
                                                       (8, ("B1", "2019-11", 5.0))]
    assert table.cell(8, 2) == "E8"


def test_vertically_merged_cells_fill_each_row_they_span(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Actuals"
    for row in (["Benefit ID", "Period", "Value"], ["B1", "2019-10", 1], [None, "2019-11", 2],
                [None, "2019-12", 3], ["B2", "2019-10", 9]):
        ws.append(row)
    ws.merge_cells("A2:A4")
    wb.save(tmp_path / "merged.xlsx")
    table = read_workbook(tmp_path / "merged.xlsx").tables["Measurements"]
    assert values(table, "benefit_id") == ["B1", "B1", "B1", "B2"]


def test_totals_label_in_the_id_column_and_footnotes(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "tot.xlsx", {"Measurements": [
        ["Benefit ID", "Period", "Value"],
        ["B1", "2019-10", 1], ["B2", "2019-10", 2],
        ["TOTAL", None, 3],
        ["* values are estimates"],
        ["1. see the data dictionary"],
    ]})
    table = read_workbook(path).tables["Measurements"]
    assert [r.row for r in table.rows] == [2, 3]


def test_a_footer_below_the_table_in_any_column_is_not_a_benefit(tmp_path: Path) -> None:
    # after the last benefit and a blank row, one text cell anywhere is a footer; an
    # incomplete row directly under the table is still data (a benefit being typed in)
    path = hostile.workbook(tmp_path / "footer.xlsx", {"Benefits": [
        ["Benefit ID", "Title", "Owner", "Project"],
        ["B1", "Fewer falls", "CNO", "EPMA"],
        [None, None, None, "Falls work"],
        [None],
        [None, None, None, "End of register"],
        [None, None, "Prepared by the PMO"],
    ]})
    table = read_workbook(path).tables["Benefits"]
    assert [r.row for r in table.rows] == [2, 3]


def two_tier(path: Path, above: list[tuple[str, str]]) -> Path:
    """A Benefits sheet whose header cells sit under labels merged across them in the row above
    (`above`: (label, range) pairs), under a title row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(["Northshire benefits register"])
    ws.append([None] * 8)
    ws.append(["Ref", "Benefit Title", "Value", "Start", "Value", "Date", "Status", "By"])
    ws.append(["B1", "Fewer falls", 10, "01/04/2023", 5, "31/03/2026", "Approved", "CNO"])
    for label, cells in above:
        ws[cells.split(":")[0].replace("1", "2")] = label
        ws.merge_cells(cells.replace("1", "2"))
    wb.save(path)
    return path


def test_a_header_under_merged_group_labels_reads_each_cell_with_its_label(tmp_path: Path) -> None:
    path = two_tier(tmp_path / "tiers.xlsx", [("Baseline", "C1:D1"), ("Target", "E1:F1"),
                                              ("Approval", "G1:H1")])
    table = read_workbook(path).tables["Benefits"]
    assert table.header_row == 3
    assert [(c.header, c.field) for c in table.columns] == [
        ("Ref", "benefit_id"), ("Benefit Title", "title"), ("Baseline Value", "baseline_value"),
        ("Baseline Start", "baseline_start"), ("Target Value", "target_value"),
        ("Target Date", "target_date"), ("Approval Status", "approval_status"),
        ("Approval By", "approved_by")]
    assert propose_mapping(path).sheets["Benefits"].columns["Baseline Start"] == "baseline_start"


def test_a_title_merged_across_the_whole_header_is_not_a_group_label(tmp_path: Path) -> None:
    path = two_tier(tmp_path / "title.xlsx", [("Benefits we track", "A1:H1")])
    table = read_workbook(path).tables["Benefits"]
    assert [c.header for c in table.columns][:3] == ["Ref", "Benefit Title", "Value"]


def test_incomplete_data_rows_are_kept_for_the_rule_engine(tmp_path: Path) -> None:
    # A blank ID, a lone ID, or a title that merely starts with "Total": data, not trailers.
    path = hostile.workbook(tmp_path / "inc.xlsx", {"Benefits": [
        ["Benefit ID", "Title", "Owner"],
        [None, "Total staff hours saved", "COO"],
        ["B7"],
        [None, "Notes app rollout", "CIO"],
    ]})
    table = read_workbook(path).tables["Benefits"]
    assert [r.row for r in table.rows] == [2, 3, 4]


def test_section_band_rows_between_benefits_are_not_benefits(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "bands.xlsx", {"Benefits": [
        ["Benefit ID", "Title", "Owner"],
        ["Workstream: EPMA"],  # a band, usually merged across the row
        ["B1", "Fewer drug errors", "CNO"],
        ["Workstream: Digital Dictation"],
        ["B2", "Faster letters", "COO"],
        ["B3"],  # a benefit with only its ID is data: the engine reports what is missing
    ]})
    table = read_workbook(path).tables["Benefits"]
    assert [r.row for r in table.rows] == [3, 5, 6]


def test_sheets_are_found_by_synonym_and_by_content(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "s.xlsx", {
        "Sheet1": [["Ref", "Benefit Title", "Benefit Type", "Owner"], ["B1", "x", "Qualitative", "me"]],
        "Monthly Data": [["Ref", "Month", "Actual"], ["B1", "2019-10", 3]],
        "Lookups": [["a", "b"]],
    })
    raw = read_workbook(path)
    assert raw.tables["Benefits"].sheet == "Sheet1"
    assert raw.tables["Measurements"].sheet == "Monthly Data"
    assert "Trajectory" not in raw.tables


def test_settings_sheet_gives_workbook_defaults(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "set.xlsx", {
        "Benefits": [["Benefit ID", "Title"], ["B1", "x"]],
        "BRM Settings": [["Setting", "Value"], ["Trust ODS", " RJ1 "], ["Programme", "GDE"],
                         ["Reporting lead", "Jo Bloggs"]],
    })
    assert read_workbook(path).settings == {"trust_ods": "RJ1", "programme": "GDE",
                                            "reportinglead": "Jo Bloggs"}


# -- structural findings -----------------------------------------------------------------------


def codes(path: Path) -> list[tuple[str, str | None, str | None]]:
    return [(f.code, f.column, f.cell) for f in read_workbook(path).findings]


def test_missing_benefits_sheet_is_brm105(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "m.xlsx", {"Notes": [["hello"]]})
    (finding,) = read_workbook(path).findings
    assert finding.code == "BRM105" and finding.severity == "error"
    assert "Benefits" in finding.message


def test_header_not_found_is_brm103(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "h.xlsx", {"Benefits": [["Our list"], ["thing one", 3]]})
    raw = read_workbook(path)
    assert [f.code for f in raw.findings] == ["BRM103"]
    assert "Benefits" not in raw.tables


def test_empty_sheet_and_header_only_sheet_are_brm104(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "e.xlsx", {"Benefits": []})
    assert [f.code for f in read_workbook(path).findings] == ["BRM104"]
    path = hostile.workbook(tmp_path / "e2.xlsx", {"Benefits": [["Benefit ID", "Title"]]})
    raw = read_workbook(path)
    assert [f.code for f in raw.findings if f.code != "BRM101"] == ["BRM104"]
    assert raw.tables["Benefits"].rows == []


def test_duplicate_column_is_brm102_and_the_second_is_kept_local(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "d.xlsx", {"Benefits": [
        ["Benefit ID", "Baseline", "Title", "Baseline Value"], ["B1", 1, "x", 2]]})
    raw = read_workbook(path)
    dup = [f for f in raw.findings if f.code == "BRM102"]
    assert [(f.column, f.cell, f.row) for f in dup] == [("baseline_value", "D1", 1)]
    assert "B 'Baseline'" in dup[0].message and "D 'Baseline Value'" in dup[0].message
    table = raw.tables["Benefits"]
    assert [c.field for c in table.columns] == ["benefit_id", "baseline_value", "title", None]


def test_missing_required_columns_are_brm101_except_defaultable_ones(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "r.xlsx", {"Benefits": [["Benefit ID", "Title"], ["B1", "x"]]})
    missing = {f.column for f in read_workbook(path).findings if f.code == "BRM101"}
    assert missing == {"project", "benefit_type", "category", "benefit_owner", "approval_status"}
