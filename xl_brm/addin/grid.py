"""A Benefits table handed to a cell function (a 2-D range) as the rule engine's RawTable.

Header matching and the skipping of blank, totals and notes rows are the reader's own
(`xl_brm.reader.grid`), so `=BRM.ISSUES(A1:AC500)` sees the same columns and rows as
`xl-brm validate` does for the same sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xl_brm.fields import BENEFIT_FIELDS
from xl_brm.findings import Finding
from xl_brm.reader.grid import header_columns
from xl_brm.reader.grid import table_from_grid as reader_table
from xl_brm.table import Column, RawTable

BENEFITS = "Benefits"


def columns_for(headers: Sequence[Any] | None, width: int) -> list[Column]:
    """Columns of a row: from its header row, or the template's order when there is none."""
    if headers is None:
        return [Column(f.name, f.name, i) for i, f in enumerate(BENEFIT_FIELDS[:width])]
    return header_columns(BENEFITS, headers, sheet=BENEFITS)


def table_from_grid(
    rows: Sequence[Sequence[Any]], *, sheet: str = BENEFITS
) -> tuple[RawTable, list[Finding]]:
    """`rows` as `cells.reader_rows` gives them ('' for blank); the first is the header and
    row numbers count from it as row 1."""
    return reader_table(BENEFITS, sheet, rows)
