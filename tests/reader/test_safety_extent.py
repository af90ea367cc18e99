"""The gate's fast extent check never vouches for a sheet the exact pass would refuse.

Property tests build sheet XML from generated rows and cells (rows out of order, cells whose
`r` lies beyond their row's, cells without `r`, a second `r`, single quotes, prefixed cells),
feed it in arbitrary chunks to both passes and to a small model of where python-calamine puts
each cell, and check: the exact pass bounds the model, and the fast pass, when it answers at
all, bounds the exact pass. End-to-end tests then send the spellings that slipped past the old
gate through `check_safety`, and the worst one through a real read in a child process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import hostile
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_brm.errors import UnsafeWorkbookError
from xl_brm.reader import _limits as lim
from xl_brm.reader import check_safety
from xl_brm.reader._safety import _ExactExtent, _Extent, _FastExtent, _Gate
from xl_brm.table import column_letter

ROOT = Path(__file__).resolve().parents[2]
SPELLINGS = ("canonical", "styled", "none", "lower", "single", "spaced", "dup", "prefixed",
             "r_last", "tab")


@dataclass(frozen=True)
class Cell:
    row: int
    col: int  # 1-based
    spelling: str
    decoy_col: int  # the first `r` of a "dup" cell (the reader takes the last)


@dataclass(frozen=True)
class Row:
    number: int | None
    cells: tuple[Cell, ...]


def _ref(col: int, row: int) -> str:
    return f"{column_letter(col - 1)}{row}"


def _cell_xml(cell: Cell) -> str:
    ref = _ref(cell.col, cell.row)
    start = {
        "canonical": f'<c r="{ref}" t="n">',
        "styled": f'<c r="{ref}" s="3" t="s">',
        "none": '<c t="n">',
        "lower": f'<c r="{ref.lower()}">',
        "single": f"<c r='{ref}'>",
        "spaced": f'<c r = "{ref}">',
        "dup": f'<c r="{_ref(cell.decoy_col, 1)}" t="n" r="{ref}">',
        "prefixed": f'<x:c r="{ref}">',
        "r_last": f'<c t="n" r="{ref}">',
        "tab": f'<c\tr="{ref}">',
    }[cell.spelling]
    end = "</x:c>" if cell.spelling == "prefixed" else "</c>"
    return f"{start}<v>1</v>{end}"


def sheet_xml(rows: list[Row]) -> bytes:
    body = "".join(
        (f'<row r="{row.number}">' if row.number is not None else "<row>")
        + "".join(_cell_xml(c) for c in row.cells) + "</row>"
        for row in rows)
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://'
            b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + body.encode() + b"</sheetData></worksheet>")


def model_extent(rows: list[Row]) -> tuple[int, int]:
    """Where python-calamine puts the cells: the last `r`, else after the previous cell."""
    max_row = max_col = row_no = 0
    for row in rows:
        row_no = row.number if row.number is not None else row_no + 1
        col = 0
        for cell in row.cells:
            r, col = (row_no, col + 1) if cell.spelling == "none" else (cell.row, cell.col)
            max_row, max_col = max(max_row, r), max(max_col, col)
    return max_row, max_col


@st.composite
def sheets(draw: st.DrawFn) -> list[Row]:
    far = st.integers(1, 1_100_000)
    near = st.integers(1, 60)
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        number = draw(st.one_of(st.none(), near, far))
        cells = []
        for _ in range(draw(st.integers(0, 5))):
            # Mostly ordinary cells so the fast path often answers; sometimes far or odd ones.
            row = draw(st.one_of(st.just(number or 1), near, far))
            col = draw(st.one_of(st.integers(1, 30), st.integers(1, 17_000)))
            spelling = draw(st.sampled_from(SPELLINGS[:2] * 6 + SPELLINGS))
            cells.append(Cell(row, col, spelling, draw(st.integers(1, 30))))
        rows.append(Row(number, tuple(cells)))
    return rows


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """Split after '>' characters near the given positions, as the gate's reader does."""
    chunks, start = [], 0
    for cut in sorted(cuts):
        end = data.find(b">", max(cut, start)) + 1
        if end > start:
            chunks.append(data[start:end])
            start = end
    return [*chunks, data[start:]] if start < len(data) else chunks


def run_fast(chunks: list[bytes]) -> _Extent | None:
    fast = _FastExtent()
    for chunk in chunks:
        fast.feed(chunk)
    return fast.extent()


def run_exact(chunks: list[bytes]) -> tuple[_Extent, bool]:
    exact = _ExactExtent()
    for chunk in chunks:
        if not exact.feed(chunk):
            break
    extent = exact.extent()
    return extent, exact.readable


@settings(max_examples=400, deadline=None)
@given(rows=sheets(), cuts=st.lists(st.integers(0, 4000), max_size=6))
def test_fast_bounds_exact_and_exact_bounds_the_reader(rows: list[Row], cuts: list[int]) -> None:
    chunks = chunked(sheet_xml(rows), cuts)
    model_row, model_col = model_extent(rows)
    exact, readable = run_exact(chunks)
    assert readable
    assert exact.max_row >= model_row and exact.max_col >= model_col
    fast = run_fast(chunks)
    if fast is not None:
        assert fast.max_row >= exact.max_row and fast.max_col >= exact.max_col
        assert fast.acceptable <= exact.acceptable  # never lets through what exact refuses


@settings(max_examples=200, deadline=None)
@given(rows=sheets(), cuts=st.lists(st.integers(0, 4000), max_size=6))
def test_fast_answers_for_canonical_sheets_with_tight_bounds(rows: list[Row], cuts: list[int]) -> None:
    plain = [Row(row.number, tuple(Cell(c.row, min(c.col, 16_384), "canonical", 1)
                                   for c in row.cells)) for row in rows]
    model_row, model_col = model_extent(plain)
    fast = run_fast(chunked(sheet_xml(plain), cuts))
    if model_row > 9_999_999:
        return
    assert fast is not None
    assert model_row <= fast.max_row < 2 * model_row + 1 or model_row == fast.max_row == 0
    assert model_col <= fast.max_col


def test_a_tag_the_exact_pass_cannot_read_is_unreadable() -> None:
    data = sheet_xml([Row(1, (Cell(1, 1, "canonical", 1),))])
    broken = data.replace(b'<c r="A1" t="n">', b'<c r="A1" t="<n">')
    assert run_fast([broken]) is None
    assert not run_exact([broken])[1]


def test_a_value_with_a_closing_bracket_does_not_hide_a_second_r() -> None:
    data = sheet_xml([Row(1, (Cell(1, 1, "canonical", 1),))])
    crafted = data.replace(b'<c r="A1" t="n">', b'<c r="A1" t="x>" r="XFD1048576">')
    for cut in range(len(crafted)):
        chunks = chunked(crafted, [cut])
        assert run_fast(chunks) is None
        exact, readable = run_exact(chunks)
        assert readable and (exact.max_row, exact.max_col) == (1_048_576, 16_384)


# -- end to end --------------------------------------------------------------------------------

BYPASSES = {
    "second r": b'r="B2" r="XFD1048576"',
    "single quotes": b"r='XFD1048576'",
    "spaces around =": b'r = "XFD1048576"',
}


@pytest.mark.parametrize("spelling", BYPASSES, ids=list(BYPASSES))
def test_other_spellings_of_a_far_cell_are_refused(tmp_path: Path, spelling: str) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx", {"Benefits": [["a", "b"], ["c", "d"]]})
    path = hostile.rewrite(base, tmp_path / "far.xlsx", {
        hostile.SHEET1: lambda d: d.replace(b'r="B2"', BYPASSES[spelling])})
    with pytest.raises(UnsafeWorkbookError, match="XFD1048576"):
        check_safety(path)


@pytest.mark.parametrize("binding", [b' xmlns:x="urn:anything"', b""], ids=["bound", "unbound"])
def test_a_prefixed_far_cell_is_refused_whatever_its_namespace(tmp_path: Path, binding: bytes) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx", {"Benefits": [["a", "b"], ["c", "d"]]})

    def edit(data: bytes) -> bytes:
        data = data.replace(b"<worksheet ", b"<worksheet" + binding + b" ", 1)
        return data.replace(b'<c r="B2" t="inlineStr"><is><t>d</t></is></c>',
                            b'<x:c r="XFD1048576" t="inlineStr"><is><t>d</t></is></x:c>')
    path = hostile.rewrite(base, tmp_path / "prefixed.xlsx", {hostile.SHEET1: edit})
    with pytest.raises(UnsafeWorkbookError, match="XFD1048576"):
        check_safety(path)


def test_a_utf16_sheet_is_refused(tmp_path: Path) -> None:
    base = hostile.workbook(tmp_path / "base.xlsx")

    def edit(data: bytes) -> bytes:
        return b"\xff\xfe" + data.decode("utf-8").encode("utf-16-le")
    path = hostile.rewrite(base, tmp_path / "utf16.xlsx", {hostile.SHEET1: edit})
    with pytest.raises(UnsafeWorkbookError, match="UTF-8"):
        check_safety(path)


def test_a_second_r_at_xfd1048576_is_refused_before_calamine_opens_it(tmp_path: Path) -> None:
    # python-calamine takes the last `r`: with A1 present this cell makes it abort the process.
    base = hostile.workbook(tmp_path / "base.xlsx", {"Benefits": [["a", "b"], ["c", "d"]]})
    path = hostile.rewrite(base, tmp_path / "dup.xlsx", {
        hostile.SHEET1: lambda d: d.replace(b'r="B2"', BYPASSES["second r"])})
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
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert run.returncode == 0, f"the child died (rc={run.returncode}): {run.stderr[-500:]}"
    assert run.stdout.startswith("REFUSED"), run.stdout + run.stderr


def test_ordinary_excel_spellings_stay_on_the_fast_path() -> None:
    data = (b'<worksheet><sheetData><row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>0</v></c>'
            b'<c r="B1" s="2"/><c r="C1" t="str"><f>A1&amp;"x"</f><v>ax</v></c></row>'
            b"</sheetData></worksheet>")
    assert run_fast([data]) == _Extent(1, 3)


def test_a_sheet_past_a_million_rows_is_measured_exactly_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fast bounds say "7 digits led by 1": up to 1,999,999 rows, beyond Excel's grid. The
    # first pass refines them on its way, so a real 1M-row register is not refused, and
    # neither a second pass nor the slow exact pass (8 s on a 1M-row sheet) is needed.
    def slow(*_args: object) -> None:
        raise AssertionError("a second pass ran")

    monkeypatch.setattr(_Gate, "_exact_extent", slow)
    monkeypatch.setattr(_Gate, "_refined", slow)
    report = check_safety(hostile.far_cell(tmp_path, "C1000001", with_a1=True))
    scan = report.sheets["Benefits"]
    assert (scan.max_row, scan.max_col) == (1_000_001, 3)


def test_a_band_reached_before_the_bounds_were_too_coarse_stays_coarse() -> None:
    # Columns AA-AZ turn up in the first chunk, rows of 6 digits led by 8 in the second: only
    # then are the bounds too coarse (899,999 x 52 cells), so the first pass can pin down the
    # rows (their band began in that chunk) but not the columns: AB1 in the first chunk was
    # skipped unread, and AA, the farthest column of the second, is not the farthest. It keeps
    # their coarse bound rather than guess.
    fast = run_fast([b'<c r="AB1" t="s"><v>0</v></c>', b'<c r="AA800000"><v>1</v></c>'])
    assert fast == _Extent(800_000, 52)


def test_a_coarse_band_is_refined_by_a_second_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same shape in a real file read in small chunks: the second pass finds column AB, and
    # 500,000 x 28 cells are within what a reader may allocate (the bounds, 599,999 x 52, not).
    monkeypatch.setattr(lim, "SCAN_CHUNK_BYTES", 64)
    path = tmp_path / "wide-then-long.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws["A1"], ws["AB1"] = "Benefit ID", "x"
    for row in range(2, 40):
        ws.cell(row, 1, f"B{row:04d}")
    ws["AA500000"] = "last"
    wb.save(path)
    scan = check_safety(path).sheets["Benefits"]
    assert (scan.max_row, scan.max_col) == (500_000, 28)


def test_refining_never_lets_through_a_grid_too_big_to_read(tmp_path: Path) -> None:
    # 1,000,000 rows x 26 columns = 26M cells, over MAX_GRID_CELLS (16.8M): refused, naming the cell.
    with pytest.raises(UnsafeWorkbookError, match="Z1000000"):
        check_safety(hostile.far_cell(tmp_path, "Z1000000", with_a1=True))
