"""National exports (CSV and XLSX) that a spreadsheet can never execute.

Trust-supplied text that starts like a formula (`=`, `+`, `-`, `@`, tab, CR, LF, or their
full-width forms) is written with a leading apostrophe, so Excel, LibreOffice and Sheets show
it as text. In the XLSX every such cell is also stored as a string cell, never a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

DANGEROUS_FIRST = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\u2212\ufe62\ufe63\ufe66")
"""ASCII triggers, their full-width forms (＝ ＋ － ＠), the minus sign and small forms."""


def inert(value: Any) -> Any:
    """`value`, or for text that could run as a formula, the same text made inert."""
    if isinstance(value, str) and value and value[0] in DANGEROUS_FIRST:
        return "'" + value
    return value


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


_ILLEGAL = {i for i in range(32) if i not in (9, 10, 13)}


def _clean(text: str) -> str:
    """openpyxl refuses XML-illegal control characters: drop them instead of failing."""
    return "".join(ch for ch in text if ord(ch) not in _ILLEGAL)


def xlsx_bytes(header: Iterable[str], rows: Iterable[list[Any]], *, sheet: str = "Benefits") -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet)
    ws.append([inert(h) for h in header])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(ws, value=_clean(inert(value)))
                cell.data_type = "s"  # a string cell, whatever it starts with
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
