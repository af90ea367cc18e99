"""National exports (CSV and XLSX) that a spreadsheet can never execute.

Every text field goes through `inert`, in two steps and in this order:
1. control characters are removed (C0 except tab, CR and LF; DEL; C1; lone surrogates), so
   `\\x01=1+1` cannot turn into `=1+1` once a reader or a later step drops the `\\x01`;
2. every place where a spreadsheet could start a cell is made inert with an apostrophe before
   a formula trigger (`=`, `+`, `-`, `@`, tab, CR, LF, or their full-width forms): the start of
   the text, and each point after a `,` or `;` (Excel in many locales splits CSV on `;`), a tab,
   CR or LF, with any spaces or quote marks in between (importers trim spaces).
So `x;=1+1` is written `x;'=1+1`: split on `;` it gives the text `'=1+1`. In the XLSX every text
cell is also stored as a string cell, never a formula. `tests/national/test_export_libreoffice.py`
opens both exports in LibreOffice, with comma and semicolon separators, and finds no formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

TRIGGERS = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\u2212\ufe62\ufe63\ufe66"
"""ASCII triggers, their full-width forms (＝ ＋ － ＠), the minus sign and small forms."""
SEPARATORS = ",;\t\r\n"
"""Where a spreadsheet may start a new cell inside one field: CSV separators and line breaks."""

_CONTROL = dict.fromkeys(
    [
        *(i for i in range(0x20) if chr(i) not in "\t\r\n"),
        0x7F,
        *range(0x80, 0xA0),
        *range(0xD800, 0xE000),
    ]
)
"""Characters removed before the trigger check: no spreadsheet shows them, and XML forbids most."""
_CELL_START = re.compile(
    rf"(?<![^{re.escape(SEPARATORS)}])([^\S\t\r\n]*\"?[^\S\t\r\n]*)(?=[{re.escape(TRIGGERS)}])"
)
"""At the start or after a separator: optional spaces and a quote mark, then a trigger."""
MAX_CELL = 32_767
"""Excel's limit on the characters of one cell."""
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(value: Any) -> Any:
    """`value`, or for text, the same text with control characters removed and an apostrophe
    before every formula trigger that could start a cell. Other values are returned as they are."""
    if not isinstance(value, str):
        return value
    text = value.translate(_CONTROL)
    return _CELL_START.sub(r"\1'", text)


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return inert(value)


def csv_chunks(header: Iterable[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text in chunks (UTF-8 BOM first, so Excel reads the encoding right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([inert(h) for h in header])
    for i, row in enumerate(rows, start=1):
        writer.writerow([_text(v) for v in row])
        if i % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(header: Iterable[str], rows: Iterable[list[Any]], *, sheet: str = "Benefits") -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet)
    ws.append([_string_cell(ws, h) for h in header])
    for row in rows:
        ws.append([_string_cell(ws, v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _string_cell(ws: Any, text: str) -> WriteOnlyCell:
    """A string cell (never a formula, whatever it starts with) holding the inert text."""
    cell = WriteOnlyCell(ws, value=inert(text)[:MAX_CELL])
    cell.data_type = "s"
    return cell
