"""Opening a trust's workbook for a copy, and adding our own sheets beside theirs.

The annotated copy and the compute output both load the trust's file with openpyxl, add sheets
of ours and save under another name. These helpers keep that safe: formulas are kept as
formulas (nothing is evaluated), macros are kept for .xlsm, text is written as inert text, and
our sheet or table names never clash with the trust's own.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm.enums import Rag, fold
from xl_brm.errors import InputError, UsageError
from xl_brm.excel import _style as st
from xl_brm.fields import SHEET_SYNONYMS
from xl_brm.reader import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, check_safety
from xl_brm.table import column_index

COPYABLE = (".xlsx", ".xlsm")
_CHUNK = 4 * 1024 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def load_copy(src: Path, *, keep_vba: bool) -> Workbook:
    """Load `src` for writing a copy: formulas stay formulas, macros kept when asked."""
    if src.suffix.lower() not in COPYABLE:
        raise UsageError(
            f"{src.name}: only .xlsx and .xlsm workbooks can be copied with results",
            hint="save the workbook as .xlsx in Excel first",
        )
    if not src.is_file():
        raise InputError("file not found", path=src, hint="check the path")
    check_safety(src)  # the same gate as reading: no bombs, entities or absurd extents
    check_copyable(src)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not understand (slicers, extensions); it keeps
            # what it can, and those warnings mean nothing to a benefits lead.
            warnings.simplefilter("ignore")
            return load_workbook(src, keep_vba=keep_vba, data_only=False, rich_text=True, keep_links=True)
    except Exception as exc:  # openpyxl fails in many ways on damaged parts: one message for all
        raise InputError(
            f"cannot open the workbook to write a copy ({type(exc).__name__}: {exc})",
            path=src,
            hint="open and save it in Excel, then try again",
        ) from None


MAX_COPY_CELLS = 2_000_000
"""Most cells and rows a workbook may hold for a copy (annotated or computed). openpyxl makes
an object of a few hundred bytes for each and takes about 20 µs a cell: 2 million cells are
about 700 MB and 40 s. A 10,000-benefit register with 240,000 measurements holds 1.9 million."""

MAX_COPY_MERGED_CELLS = 1_000_000
"""Most cells a workbook's merged ranges may cover for a copy: openpyxl makes an object for
every merged cell, so `A1:XFD1048576` alone would be 17 billion of them."""

_MERGE_REF = re.compile(rb"<(?:[^\s<>/:]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_CORNER = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def check_copyable(src: Path) -> None:
    """Refuse a workbook openpyxl cannot load within reason, counting over every XML part
    (openpyxl finds sheets its own way): the cells and rows it would make objects for, and the
    cells its merged ranges cover. Only for a file the safety gate has passed."""
    cells = merged = 0
    try:
        with zipfile.ZipFile(src) as zf:
            for info in zf.infolist():
                if not info.filename.lower().endswith(".xml"):
                    continue
                with zf.open(info) as fh:
                    carry = b""
                    while block := fh.read(_CHUNK):
                        data = carry + block
                        cut = data.rfind(b"<")
                        data, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                        cells += sum(map(data.count, (b"<c", b":c ", b":c>", b"<row", b":row")))
                        if b"mergeCell" in data:
                            merged += sum(map(_merged_area, _MERGE_REF.findall(data)))
                    merged += sum(map(_merged_area, _MERGE_REF.findall(carry)))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise InputError(f"cannot open the workbook to write a copy ({exc})", path=src,
                         hint="open and save it in Excel, then try again") from None
    if cells > MAX_COPY_CELLS:
        raise InputError(
            f"holds about {cells:,} cells and rows, too many to copy with results (the limit is "
            f"{MAX_COPY_CELLS:,})", path=src,
            hint="the findings and figures are complete without a copy; split the register to "
                 "get one, or use --format csv")
    if merged > MAX_COPY_MERGED_CELLS:
        raise InputError(
            f"merges {merged:,} cells, too many to copy with results (the limit is "
            f"{MAX_COPY_MERGED_CELLS:,})", path=src,
            hint="unmerge the cells you do not need (Home > Merge & Center > Unmerge Cells), "
                 "save, and try again")


def _merged_area(ref: bytes) -> int:
    """Cells a merged range covers, within Excel's grid; 0 for a reference that does not read."""
    corners = [_CORNER.fullmatch(c.strip()) for c in ref.decode("ascii", "replace").split(":")]
    if not corners or len(corners) > 2 or any(c is None for c in corners):
        return 0
    points = [(column_index(m.group(1).upper()), int(m.group(2))) for m in corners if m is not None]
    (c1, r1), (c2, r2) = points[0], points[-1]
    rows = min(abs(r2 - r1) + 1, EXCEL_MAX_ROWS)
    cols = min(abs(c2 - c1) + 1, EXCEL_MAX_COLUMNS)
    return rows * cols


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def set_text(cell: Cell, value: Any) -> None:
    """Write a value; text that Excel would read as a formula is stored as inert text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"


def is_ours(sheet: Worksheet, header: Iterable[str]) -> bool:
    """A sheet we wrote earlier (its first row is exactly our header): safe to replace."""
    expected = list(header)
    found = [sheet.cell(row=1, column=i + 1).value for i in range(len(expected))]
    return found == expected


def place_sheet(
    workbook: Workbook, title: str, header: Iterable[str], *, index: int | None = None
) -> Worksheet:
    """A fresh sheet of ours: replaces an earlier one of ours, never a sheet of the trust's."""
    header = list(header)
    if title in workbook.sheetnames:
        existing = workbook[title]
        if isinstance(existing, Worksheet) and is_ours(existing, header):
            position = workbook.sheetnames.index(title)
            workbook.remove(existing)
            return workbook.create_sheet(title, position if index is None else index)
        title = unique_sheet_name(workbook, f"{title} (xl-brm)")
    return workbook.create_sheet(title, index)


def unique_sheet_name(workbook: Workbook, title: str) -> str:
    taken = {name.lower() for name in workbook.sheetnames}
    candidate, n = title[:31], 2
    while candidate.lower() in taken:
        suffix = f" {n}"
        candidate, n = f"{title[: 31 - len(suffix)]}{suffix}", n + 1
    return candidate


def unique_table_name(workbook: Workbook, name: str) -> str:
    taken = {t.lower() for ws in workbook.worksheets for t in ws.tables}
    taken |= {n.lower() for n in workbook.defined_names}
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}{n}", n + 1
    return candidate


def write_header(sheet: Worksheet, header: Iterable[str], *, row: int = 1) -> None:
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=row, column=col, value=name)
        cell.fill = st.OPTIONAL_HEADER_FILL
        cell.font = st.OPTIONAL_HEADER_FONT
        cell.alignment = st.HEADER_ALIGN
        width = sheet.column_dimensions[get_column_letter(col)].width or 0
        sheet.column_dimensions[get_column_letter(col)].width = max(width, 12, len(name) + 3)


def add_rag_formatting(sheet: Worksheet, column: int, *, first_row: int = 2, last_row: int) -> None:
    """Colour a RAG column by its value (green, amber, red, not_started, no_data, qualitative)."""
    letter = get_column_letter(column)
    cells = f"{letter}{first_row}:{letter}{max(first_row, last_row)}"
    for rag in Rag:
        sheet.conditional_formatting.add(
            cells,
            CellIsRule(
                operator="equal",
                formula=[f'"{rag.value}"'],
                fill=st.RAG_FILL[rag.value],
                font=st.RAG_FONT[rag.value],
            ),
        )


def find_sheet(workbook: Workbook, name: str | None) -> Worksheet | None:
    """The sheet a finding names: exact name, then folded name, then a canonical kind's synonyms."""
    if not name:
        return None
    if name in workbook.sheetnames:
        sheet = workbook[name]
        return sheet if isinstance(sheet, Worksheet) else None
    by_fold = {fold(s.title): s for s in workbook.worksheets}
    if (sheet := by_fold.get(fold(name))) is not None:
        return sheet
    for synonym in SHEET_SYNONYMS.get(name, ()):
        if (sheet := by_fold.get(fold(synonym))) is not None:
            return sheet
    return None


NOTE_FONT = Font(italic=True, color="595959")
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def valid_a1(ref: str | None) -> str | None:
    """`ref` as a plain A1 reference if it is one inside Excel's grid, else None."""
    if not ref:
        return None
    match = _A1.match(ref.strip())
    if not match:
        return None
    letters, digits = match.group(1).upper(), int(match.group(2))
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    if not (1 <= col <= 16_384 and 1 <= digits <= 1_048_576):
        return None
    return f"{letters}{digits}"
