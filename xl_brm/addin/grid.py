"""A Benefits table handed to a cell function (a 2-D range) as the rule engine's RawTable.

Header matching and the skipping of blank, totals and notes rows are the reader's own
(`xl_brm.reader`), so `=BRM.ISSUES(A1:AC500)` sees the same columns and rows as
`xl-brm validate` does for the same sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xl_brm.fields import BENEFIT_FIELDS
from xl_brm.findings import Finding
from xl_brm.reader._read import _columns, _rows
from xl_brm.table import Column, RawRow, RawTable

BENEFITS = "Benefits"


def _blank_as_text(row: Sequence[Any]) -> list[Any]:
    """The reader's rows hold '' for a blank cell (as python-calamine gives them)."""
    return ["" if v is None else v for v in row]


def columns_for(headers: Sequence[Any] | None, width: int) -> list[Column]:
    """Columns of a row: from its header row, or the template's order when there is none."""
    if headers is None:
        return [Column(f.name, f.name, i) for i, f in enumerate(BENEFIT_FIELDS[:width])]
    return _columns(_blank_as_text(headers), BENEFITS, None, BENEFITS, 1, [])


def table_from_grid(rows: list[list[Any]], *, sheet: str = BENEFITS) -> tuple[RawTable, list[Finding]]:
    """`rows` as `cells.reader_rows` gives them ('' for blank); the first is the header and
    row numbers count from it as row 1."""
    findings: list[Finding] = []
    if not rows or all(v == "" for v in rows[0]):
        return RawTable(BENEFITS, sheet, 1, []), findings
    columns = _columns(rows[0], BENEFITS, None, sheet, 1, findings)
    if not columns:
        return RawTable(BENEFITS, sheet, 1, []), findings
    key = next((i for i, c in enumerate(columns) if c.field == "benefit_id"), None)
    data: list[RawRow] = _rows(rows, 0, [c.index for c in columns], key)
    return RawTable(BENEFITS, sheet, 1, columns, data), findings
