"""The safety gate refuses hostile and broken files before any parser opens them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import hostile
import openpyxl
import pytest

from xl_brm.errors import InputError, UnsafeWorkbookError
from xl_brm.reader import MAX_GRID_CELLS, check_safety, read_workbook
from xl_brm.table import FormulaWithoutValue

ROOT = Path(__file__).resolve().parents[2]


def refused(path: Path, *words: str) -> UnsafeWorkbookError:
    with pytest.raises(UnsafeWorkbookError) as caught:
        check_safety(path)
    error = caught.value
    text = str(error)
    assert path.name in text, text
    assert error.hint, "every refusal says what to do"
    for word in words:
        assert word.lower() in text.lower(), text
    return error


def run_isolated(path: Path) -> subprocess.CompletedProcess[str]:
    """read_workbook in a child process: if a parser aborted, only the child would die."""
    code = textwrap.dedent(f"""
        from xl_brm.errors import UnsafeWorkbookError
        from xl_brm.reader import read_workbook
        try:
            read_workbook({str(path)!r})
        except UnsafeWorkbookError as error:
            print("REFUSED", error)
        else:
            print("READ")
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


# -- cells far from the data (python-calamine issue 693) --------------------------------------


@pytest.mark.parametrize("with_a1", [False, True], ids=["alone", "with-A1"])
def test_a_cell_at_xfd1048576_is_refused_before_calamine_opens_it(tmp_path: Path, with_a1: bool) -> None:
    path = hostile.far_cell(tmp_path, with_a1=with_a1)
    run = run_isolated(path)
    assert run.returncode == 0, f"the child died (rc={run.returncode}): {run.stderr[-500:]}"
    assert run.stdout.startswith("REFUSED"), run.stdout + run.stderr
    assert "XFD1048576" in run.stdout and "Ctrl+End" in run.stdout


def test_far_cell_refusal_names_sheet_and_cell(tmp_path: Path) -> None:
    error = refused(hostile.far_cell(tmp_path, "XFD5000", with_a1=True), "XFD5000")
    assert error.sheet == "Benefits" and error.cell == "XFD5000"


def test_far_cells_within_the_grid_limit_are_fine(tmp_path: Path) -> None:
    # One stray cell at Z5000 makes a 130,000-cell grid: harmless, so it is read.
    path = hostile.far_cell(tmp_path, "Z5000", with_a1=True)
    report = check_safety(path)
    assert report.sheets["Benefits"].max_row >= 5000
    assert report.sheets["Benefits"].max_col >= 26
    assert report.sheets["Benefits"].max_row * report.sheets["Benefits"].max_col <= MAX_GRID_CELLS


def test_a_cell_reference_beyond_excels_grid_is_refused(tmp_path: Path) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx")
    path = hostile.rewrite(base, tmp_path / "beyond.xlsx", {
        hostile.SHEET1: lambda d: d.replace(b'r="B2"', b'r="B99999999"')})
    refused(path, "beyond Excel's grid")


def test_a_lying_dimension_alone_does_not_refuse_a_small_sheet(tmp_path: Path) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx")
    path = hostile.rewrite(base, tmp_path / "dim.xlsx",
                           {hostile.SHEET1: hostile.set_dimension("A1:XFD1048576")})
    assert check_safety(path).sheets["Benefits"].max_row <= 9


def test_cells_without_r_and_prefixed_elements_take_the_exact_path(tmp_path: Path) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx")

    def strip_refs(data: bytes) -> bytes:
        return data.replace(b'<c r="B2"', b"<c").replace(b'<row r="2"', b'<row r="900"')
    path = hostile.rewrite(base, tmp_path / "norefs.xlsx", {hostile.SHEET1: strip_refs})
    scan = check_safety(path).sheets["Benefits"]
    assert scan.max_row == 900

    def prefixed(data: bytes) -> bytes:
        data = data.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=", 1)
        data = data.replace(b"</worksheet>", b"</x:worksheet>")
        data = data.replace(b'<c r="A1"', b'<x:c r="XFD1048576"', 1)
        return data.replace(b"</c></row>", b"</x:c></row>", 1)
    path = hostile.rewrite(base, tmp_path / "prefixed.xlsx", {hostile.SHEET1: prefixed})
    refused(path, "XFD1048576")


def test_the_bounds_are_proved_for_a_big_sheet_in_reasonable_time(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Measurements")
    ws.append(["Benefit ID", "Period", "Value"])
    for i in range(30_000):
        ws.append([f"B{i % 100:03d}", "2019-10", float(i)])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    start = time.perf_counter()
    scan = check_safety(path).sheets["Measurements"]
    elapsed = time.perf_counter() - start
    assert 30_001 <= scan.max_row < 2 * 30_001 and scan.max_col == 3
    assert elapsed < 5, elapsed  # generous: shared CI machines; ~0.05 s on a quiet laptop


# -- zip bombs and damaged zips ----------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    refused(hostile.zip_bomb(tmp_path), "zip bomb", "sheet1.xml")


def test_declared_sizes_are_checked_before_decompressing(tmp_path: Path) -> None:
    refused(hostile.declared_bomb(tmp_path), "zip bomb")


def test_a_part_bigger_than_declared_is_refused(tmp_path: Path) -> None:
    # Declares 100 bytes for a sheet that is really longer: a lying header.
    path = hostile.declared_bomb(tmp_path, declared=100)
    refused(path)


def test_encrypted_or_legacy_xls_files_are_refused_with_what_to_do(tmp_path: Path) -> None:
    error = refused(hostile.ole_encrypted(tmp_path), "password-protected", ".xls")
    assert "Save" in error.hint or "save" in error.hint


def test_a_truncated_workbook_is_refused(tmp_path: Path) -> None:
    refused(hostile.truncated(tmp_path), "damaged or incomplete")


def test_a_csv_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    refused(hostile.csv_renamed(tmp_path), "not an Excel workbook", "CSV")


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "empty.xlsx").write_bytes(b"")
    refused(tmp_path / "empty.xlsx", "empty")
    with pytest.raises(InputError, match="not found"):
        check_safety(tmp_path / "nope.xlsx")
    with pytest.raises(InputError, match="folder"):
        check_safety(tmp_path)


def test_an_ods_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    refused(path, "OpenDocument")


# -- XML entities ------------------------------------------------------------------------------


def test_xxe_is_refused(tmp_path: Path) -> None:
    refused(hostile.xxe(tmp_path), "DOCTYPE", "XXE")


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "docProps/core.xml"])
def test_billion_laughs_is_refused_in_any_part(tmp_path: Path, part: str) -> None:
    refused(hostile.billion_laughs(tmp_path, part=part), "entities", part)


def test_comments_and_cdata_are_not_entity_declarations(tmp_path: Path) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx")
    path = hostile.rewrite(base, tmp_path / "comment.xlsx", {
        hostile.SHEET1: lambda d: d.replace(b"<sheetData>", b"<!-- a comment! --><sheetData>")})
    check_safety(path)


# -- macros and formulas -----------------------------------------------------------------------


def test_xlsm_with_macros_is_read_and_noted(tmp_path: Path) -> None:
    path = hostile.with_macros(tmp_path)
    assert check_safety(path).has_macros
    raw = read_workbook(path)
    assert raw.tables["Benefits"].rows[0].values == ("B1", "Fewer errors")


def test_formula_cells_without_a_cached_value_are_reported_not_blank(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "f.xlsx", {"Benefits": [
        ["Benefit ID", "Title", "Baseline", "Target"],
        ["B1", "Fewer errors", "=AVERAGE(10,20)", '=IF(C2>1,"a&b",0)'],
        ["B2", "More time", 5, 3],
    ]})
    scan = check_safety(path).sheets["Benefits"]
    assert scan.formulas == {(1, 2): "AVERAGE(10,20)", (1, 3): 'IF(C2>1,"a&b",0)'}
    row = read_workbook(path).tables["Benefits"].rows[0]
    assert row.values[2] == FormulaWithoutValue("AVERAGE(10,20)")
    assert str(row.values[3]) == '=IF(C2>1,"a&b",0)'


def test_formulas_with_cached_values_or_cached_empty_text_are_values(tmp_path: Path) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx", {"Benefits": [
        ["Benefit ID", "Title", "Baseline"], ["B1", "x", 1]]})

    def cached(data: bytes) -> bytes:
        return (data.replace(b'<c r="C2" t="n"><v>1</v></c>', b'<c r="C2"><f>1+0</f><v>1</v></c>'
                             b'<c r="D2" t="str"><f>IF(1,"","")</f><v></v></c>'))
    path = hostile.rewrite(base, tmp_path / "cached.xlsx", {hostile.SHEET1: cached})
    assert check_safety(path).sheets["Benefits"].formulas == {}


@pytest.mark.parametrize("quote", ["both", "single"])
def test_excel_error_cells_are_read_as_their_error_not_blank(tmp_path: Path, quote: str) -> None:
    """python-calamine reads a cell stored as an Excel error as ''; the gate puts the error back
    so the rules report a broken formula (BRM213) at its cell. `single`: the only error cell's
    attributes are in single quotes, which the gate's quick look must not miss."""
    source = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(["Benefit ID", "Title", "Baseline"])
    ws.append(["B1", "Fewer errors", 1])
    ws.append(["B2", "Shorter stays", 2])
    wb.save(source)
    target = tmp_path / "errors.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if quote == "both":
                    data = data.replace(b'<c r="C2" t="n"><v>1</v></c>',
                                        b'<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
                data = data.replace(b'<c r="C3" t="n"><v>2</v></c>', b"<c r='C3' t='e'><v>#N/A</v></c>")
                assert b"#N/A" in data and (b'"e"' in data) == (quote == "both")
            zout.writestr(item, data)
    from xl_brm.reader import read_workbook

    table = read_workbook(target).tables["Benefits"]
    baseline = table.position("baseline_value")
    first = "#DIV/0!" if quote == "both" else 1
    assert [row.values[baseline] for row in table.rows] == [first, "#N/A"]
