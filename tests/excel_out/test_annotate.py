"""The annotated copy: highlights, notes and an Issues sheet; the original never changes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xl_brm.errors import UsageError
from xl_brm.excel import _style as st
from xl_brm.excel import annotate_copy
from xl_brm.excel.annotate import ISSUES_COLUMNS
from xl_brm.findings import Finding

from .conftest import VBA_BYTES, add_fake_vba, all_values, sha256

FINDINGS = [
    Finding(
        "BRM201",
        "error",
        "Baseline 'n/a' is not a number",
        "Benefits Register",
        5,
        "baseline_value",
        "D5",
        "n/a",
    ),
    Finding(
        "BRM301",
        "error",
        "Approved without approved_by",
        "Benefits Register",
        5,
        "approved_by",
        "F5",
    ),
    Finding(
        "BRM204",
        "warning",
        "ODS code 'rj1' should be upper case",
        "Benefits Register",
        6,
        "trust_ods",
        "B6",
        "rj1",
    ),
    Finding(
        "BRM520",
        "info",
        "Second finding on the same cell",
        "Benefits Register",
        5,
        "baseline_value",
        "D5",
        "n/a",
    ),
    Finding(
        "BRM402",
        "error",
        "Measurement for unknown benefit 'GDE-09'",
        "Monthly Data",
        3,
        "benefit_id",
        "A3",
        "GDE-09",
    ),
    Finding(
        "BRM210",
        "warning",
        "Text that Excel would run as a formula",
        "Benefits Register",
        5,
        None,
        "G5",
        "=cmd|' /C calc'!A0",
    ),
    Finding(
        "BRM101",
        "error",
        "Required column benefit_type missing",
        "Benefits Register",
        3,
        None,
        None,
    ),
    Finding("BRM102", "warning", "Header found on the merged title", "Benefits Register", 1, None, "C1"),
]


def _fix(code: str) -> str:
    return f"fix for {code}"


def test_original_is_byte_identical_and_every_value_survives(trust_xlsx: Path, tmp_path: Path) -> None:
    before = sha256(trust_xlsx)
    values = all_values(trust_xlsx)
    out = annotate_copy(trust_xlsx, tmp_path / "annotated", FINDINGS, fix_for=_fix)
    assert sha256(trust_xlsx) == before
    assert out == tmp_path / "annotated" / "register.xlsx"
    assert all_values(out, sheets=list(values)) == values
    wb = load_workbook(out)
    assert wb.sheetnames == ["Issues", "Benefits Register", "Monthly Data", "Our notes"]
    assert wb["Benefits Register"]["D7"].value == "=SUM(D4:D6)"


def test_offending_cells_are_filled_by_worst_severity_with_notes(trust_xlsx: Path, tmp_path: Path) -> None:
    out = annotate_copy(trust_xlsx, tmp_path / "annotated", FINDINGS, fix_for=_fix)
    ws = load_workbook(out)["Benefits Register"]
    assert ws["D5"].fill.start_color.rgb.endswith(st.SEVERITY_FILL["error"].start_color.rgb[-6:])
    assert ws["B6"].fill.start_color.rgb.endswith(st.SEVERITY_FILL["warning"].start_color.rgb[-6:])
    note = ws["D5"].comment.text
    assert "BRM201 (error): Baseline 'n/a' is not a number" in note
    assert "Fix: fix for BRM201" in note
    assert "BRM520 (info)" in note and note.index("BRM201") < note.index("BRM520")
    assert ws["F5"].comment.text.startswith("BRM301 (error)")
    assert ws["F5"].value is None
    untouched = ws["C4"]
    assert untouched.comment is None and untouched.fill.fill_type is None
    data = load_workbook(out)["Monthly Data"]
    assert "GDE-09" in data["A3"].comment.text


def test_a_trusts_own_note_is_kept(trust_xlsx: Path, tmp_path: Path) -> None:
    finding = Finding("BRM204", "warning", "check", "Benefits Register", 4, "trust_ods", "B4", "RJ1")
    out = annotate_copy(trust_xlsx, tmp_path / "a", [finding], fix_for=_fix)
    text = load_workbook(out)["Benefits Register"]["B4"].comment.text
    assert text.startswith("Checked by PMO")
    assert "BRM204 (warning): check" in text


def test_merged_cells_are_noted_on_their_top_left_cell(trust_xlsx: Path, tmp_path: Path) -> None:
    out = annotate_copy(trust_xlsx, tmp_path / "a", FINDINGS, fix_for=_fix)
    ws = load_workbook(out)["Benefits Register"]
    assert "BRM102" in ws["A1"].comment.text
    assert ws["A1"].value == "Example Trust — benefits register"


def test_issues_sheet_lists_every_finding_with_links(trust_xlsx: Path, tmp_path: Path) -> None:
    out = annotate_copy(trust_xlsx, tmp_path / "a", FINDINGS, fix_for=_fix)
    ws = load_workbook(out)["Issues"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(ISSUES_COLUMNS)
    body = rows[1:]
    assert len(body) == len(FINDINGS)
    severities = [r[5] for r in body]
    assert severities == sorted(severities, key=lambda s: st.SEVERITY_RANK[s])
    by_code = {r[4]: r for r in body}
    assert by_code["BRM402"][:4] == ("Monthly Data", 3, "benefit_id", "A3")
    assert by_code["BRM101"][3] == "A3"  # a row-level finding links to the row
    links = {c.value: c.hyperlink.location for c in ws["D"][1:] if c.hyperlink is not None}
    assert links["A3"] in ("'Monthly Data'!A3", "'Benefits Register'!A3")
    assert links["D5"] == "'Benefits Register'!D5"
    assert "Issues" in ws.parent.sheetnames and ws.tables


def test_text_that_looks_like_a_formula_stays_text(trust_xlsx: Path, tmp_path: Path) -> None:
    out = annotate_copy(trust_xlsx, tmp_path / "a", FINDINGS, fix_for=_fix)
    ws = load_workbook(out)["Issues"]
    cell = next(c for c in ws["H"] if c.value == "=cmd|' /C calc'!A0")
    assert cell.data_type == "s"
    with zipfile.ZipFile(out) as z:
        issues_xml = next(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>" not in issues_xml


def test_refuses_to_overwrite_the_original(trust_xlsx: Path) -> None:
    before = sha256(trust_xlsx)
    with pytest.raises(UsageError, match="overwrite"):
        annotate_copy(trust_xlsx, trust_xlsx.parent, FINDINGS, fix_for=_fix)
    assert sha256(trust_xlsx) == before


def test_xlsm_keeps_its_macros(trust_xlsx: Path, tmp_path: Path) -> None:
    xlsm = add_fake_vba(trust_xlsx)
    before = sha256(xlsm)
    out = annotate_copy(xlsm, tmp_path / "a", FINDINGS, fix_for=_fix)
    assert out.suffix == ".xlsm" and sha256(xlsm) == before
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/vbaProject.bin") == VBA_BYTES
        assert b"macroEnabled" in z.read("[Content_Types].xml")
    assert all_values(out, sheets=["Benefits Register"]) == all_values(xlsm, sheets=["Benefits Register"])


def test_no_findings_still_gives_an_issues_sheet(trust_xlsx: Path, tmp_path: Path) -> None:
    out = annotate_copy(trust_xlsx, tmp_path / "a", [], fix_for=_fix)
    ws = load_workbook(out)["Issues"]
    assert ws["A3"].value == "No issues found."


def test_annotating_an_annotated_copy_replaces_our_issues_sheet(trust_xlsx: Path, tmp_path: Path) -> None:
    first = annotate_copy(trust_xlsx, tmp_path / "one", FINDINGS, fix_for=_fix)
    second = annotate_copy(first, tmp_path / "two", FINDINGS[:1], fix_for=_fix)
    wb = load_workbook(second)
    assert wb.sheetnames.count("Issues") == 1
    assert wb["Issues"].max_row == 2


def test_a_trust_sheet_called_issues_is_left_alone(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Issues"
    wb.active["A1"] = "Our risks and issues log"
    src = tmp_path / "log.xlsx"
    wb.save(src)
    out = annotate_copy(src, tmp_path / "a", FINDINGS[:1], fix_for=_fix)
    copy = load_workbook(out)
    assert copy["Issues"]["A1"].value == "Our risks and issues log"
    assert copy.sheetnames[0] == "Issues (xl-brm)"


def test_unreadable_file_is_a_clear_input_error(tmp_path: Path) -> None:
    from xl_brm.errors import InputError

    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"broken\.xlsx"):
        annotate_copy(bad, tmp_path / "a", FINDINGS, fix_for=_fix)
    assert not (tmp_path / "a" / "broken.xlsx").exists()


def test_hostile_workbook_is_refused_before_openpyxl_sees_it(trust_xlsx: Path, tmp_path: Path) -> None:
    from xl_brm.errors import UnsafeWorkbookError

    hostile = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(trust_xlsx) as src, zipfile.ZipFile(hostile, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;">]>' + data
            dst.writestr(item, data)
    with pytest.raises(UnsafeWorkbookError, match=r"laughs\.xlsx"):
        annotate_copy(hostile, tmp_path / "a", FINDINGS, fix_for=_fix)
    assert not (tmp_path / "a").exists()
