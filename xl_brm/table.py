"""What the reader hands the rule engine: sheets as located raw cells, nothing parsed yet.

Cells keep the type they were stored with (str, float, int, bool, datetime, date, time, None):
a cell's stored type decides how it is read (SPEC §4). The HTTP store and the cell functions
build the same structures, so one engine reports the same codes at the same cells everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xl_brm.findings import Finding


@dataclass(frozen=True, slots=True)
class FormulaWithoutValue:
    """A formula cell with no cached result (written by a script, never recalculated).

    Never read as blank: the engine reports it so the user can open and save the file in Excel.
    """

    formula: str

    def __str__(self) -> str:
        return f"={self.formula.lstrip('=')}"


@dataclass(frozen=True, slots=True)
class Column:
    field: str | None
    """Canonical field name, or None for a trust's own (local) column."""
    header: str
    """The header text as the trust wrote it."""
    index: int
    """0-based column index in the sheet."""

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(slots=True)
class RawRow:
    row: int
    """Excel row number, 1-based, as the user sees it."""
    values: tuple[Any, ...]
    """Raw cell values aligned with `RawTable.columns`."""


@dataclass(slots=True)
class RawTable:
    kind: str
    """Canonical sheet kind: 'Benefits', 'Measurements' or 'Trajectory'."""
    sheet: str
    """The sheet's name in the workbook."""
    header_row: int
    columns: list[Column]
    rows: list[RawRow] = field(default_factory=list)

    def position(self, field_name: str) -> int | None:
        """Index into `RawRow.values` of a canonical field, or None if the sheet lacks it."""
        for i, col in enumerate(self.columns):
            if col.field == field_name:
                return i
        return None

    def cell(self, row: int, position: int) -> str:
        """A1 reference of a value: `cell(12, pos)` -> 'L12'."""
        return f"{self.columns[position].letter}{row}"


@dataclass(slots=True)
class RawWorkbook:
    path: str
    tables: dict[str, RawTable]
    """Canonical kind -> table, for the kinds found."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Workbook-wide defaults from a `BRM Settings` sheet, canonical key -> raw value."""
    findings: list[Finding] = field(default_factory=list)
    """Structural findings (BRM1xx) met while reading."""


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', 16383 -> 'XFD'."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """'A' -> 0, 'XFD' -> 16383."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1
