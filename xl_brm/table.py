"""What the reader hands the rule engine: sheets as located raw cells, nothing parsed yet.

Cells keep the type they were stored with (str, float, int, bool, datetime, date, time, None):
a cell's stored type decides how it is read (SPEC §4). The HTTP store and the cell functions
build the same structures, so one engine reports the same codes at the same cells everywhere.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, overload

from xl_brm.findings import Finding

if TYPE_CHECKING:
    from xl_brm.reader.wide import Source


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
    rows: Sequence[RawRow] = field(default_factory=list)
    """A list, or the reader's `SheetRows`."""
    origin: Origin | None = None
    """Where the rows really are, for a table the reader assembled from several places (periods
    across the page, further sheets): rows from `origin.first` on stand for cells elsewhere."""

    def position(self, field_name: str) -> int | None:
        """Index into `RawRow.values` of a canonical field, or None if the sheet lacks it."""
        for i, col in enumerate(self.columns):
            if col.field == field_name:
                return i
        return None

    def cell(self, row: int, position: int) -> str:
        """A1 reference of a value: `cell(12, pos)` -> 'L12'."""
        return f"{self.columns[position].letter}{row}"


class Origin:
    """The real places of an assembled table's rows (see `xl_brm.reader.wide`).

    Row `first + k` of the table is entry k: a row of one of `sheets`, whose cells for each field
    are in that sheet's `fixed` columns, except the measured cell itself (the period's column of
    a wide sheet), which is per entry. Arrays, not objects: a wide register has 240k cells.
    """

    __slots__ = ("_at", "_column", "_row", "first", "fixed", "header_rows", "headings", "sheets")

    def __init__(self, first: int) -> None:
        self.first = first
        self.sheets: list[str] = []
        self.fixed: list[dict[str, int]] = []
        """Per sheet: field -> 0-based column of the cells that do not change along a row."""
        self.header_rows: list[int] = []
        self.headings: list[dict[int, str]] = []
        """Per sheet: 0-based column -> its heading as the trust wrote it ('Q1 19/20')."""
        self._at = array("i")
        self._row = array("i")
        self._column = array("i")

    def add_sheet(self, sheet: str, fixed: dict[str, int], header_row: int,
                  headings: dict[int, str] | None = None) -> int:
        self.sheets.append(sheet)
        self.fixed.append(fixed)
        self.header_rows.append(header_row)
        self.headings.append(headings or {})
        return len(self.sheets) - 1

    def add(self, sheet: int, row: int, column: int) -> int:
        """Record an entry (Excel `row`, 0-based `column` of its measured cell); its row number."""
        self._at.append(sheet)
        self._row.append(row)
        self._column.append(column)
        return self.first + len(self._row) - 1

    def __len__(self) -> int:
        return len(self._row)

    def _state(self) -> tuple[Any, ...]:
        return (self.first, self.sheets, self.fixed, self.header_rows, self._at.tolist(), self._row.tolist(),
                self._column.tolist())

    def __eq__(self, other: object) -> bool:
        return self._state() == other._state() if isinstance(other, Origin) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        first, sheets, fixed, header_rows, at, rows, columns = self._state()
        return (f"Origin(first={first}, sheets={sheets!r}, fixed={fixed!r}, header_rows={header_rows!r}, "
                f"entries={list(zip(at, rows, columns, strict=True))!r})")

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int) and self.first <= row < self.first + len(self._row)

    def place(self, row: int, field_name: str | None) -> tuple[str, int, str]:
        """(sheet, Excel row, A1 cell) of a field of the entry at `row`; a field without a
        column of its own (period, value) is the measured cell."""
        at, excel_row, column = self.locate(row, field_name)
        return self.sheets[at], excel_row, f"{column_letter(column)}{excel_row}"

    def heading(self, row: int, field_name: str | None) -> str | None:
        """The trust's heading over a field's cell of the entry at `row` (for a wide sheet's
        value or period: its period column's heading, e.g. 'Q1 19/20')."""
        at, _row, column = self.locate(row, field_name)
        return self.headings[at].get(column)

    def locate(self, row: int, field_name: str | None) -> tuple[int, int, int]:
        """(index into `sheets`, Excel row, 0-based column) of a field of the entry at `row`."""
        k = row - self.first
        at = self._at[k]
        return at, self._row[k], self.fixed[at].get(field_name or "", self._column[k])


class SheetRows(Sequence[RawRow]):
    """The data rows of a sheet the reader read: RawRows built from its grid when first asked.

    The rule engine's hot path (`row_cells`) reads the cells straight from the grid instead:
    for a 240k-row Measurements sheet, building a RawRow per row first cost a tenth of a run.
    The grid is the reader's ('' for blank, from A1, row i is Excel row i + `offset`); its data
    rows start at `start`, and `skipped` lists the grid rows that are not data (notes, totals).
    """

    __slots__ = ("_built", "_columns", "_grid", "_offset", "_positions", "_skipped", "_start", "_stop")

    def __init__(self, grid: list[list[Any]], *, start: int, positions: Sequence[int],
                 offset: int = 1, skipped: Iterable[int] = (), stop: int | None = None) -> None:
        self._grid = grid
        self._start = start
        self._stop = len(grid) if stop is None else stop
        """Grid rows from `stop` on are another part's (see `part`)."""
        self._positions = list(positions)
        self._offset = offset
        self._skipped = sorted(s for s in skipped if start <= s < self._stop)
        self._built: list[RawRow] | None = None
        self._columns: dict[int, tuple[Any, ...]] = {}

    @property
    def offset(self) -> int:
        """The Excel row of grid row 0."""
        return self._offset

    def part(self, first: int, stop: int) -> SheetRows:
        """Data rows `first` to `stop` (not included) of these, on the same grid."""
        return SheetRows(self._grid, start=self.grid_index(first), positions=self._positions,
                         offset=self._offset, skipped=self._skipped, stop=self.grid_index(stop))

    def grid_index(self, k: int) -> int:
        """Index into the grid of data row `k` (past the last: where the rows stop)."""
        if k >= len(self):
            return self._stop
        return self._start + k if not self._skipped else self.grid_rows()[k]

    def cells(self) -> tuple[list[int], Iterator[tuple[int, Sequence[Any]]]]:
        """(where each column's cell is in a grid row, (Excel row, grid row) per data row)."""
        return self._positions, zip(*self._numbered(), strict=False)  # the numbers never end

    def values(self) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
        """A grid row's `RawRow.values`: its columns' cells, None for blank."""
        pick, blank = _picker(self._positions), _BLANK

        def values(row: Sequence[Any]) -> tuple[Any, ...]:
            picked = pick(row)
            return tuple(map(blank, picked, picked))

        return values

    def column(self, position: int) -> tuple[Any, ...]:
        """One column's cells, a data row at a time, None for blank (kept: the reader and the
        rule engine both read the key column)."""
        cells = self._columns.get(position)
        if cells is None:
            picked = list(map(itemgetter(self._positions[position]), self._numbered()[1]))
            cells = self._columns[position] = tuple(map(_BLANK, picked, picked))
        return cells

    def last_row(self) -> int:
        """The Excel row number of the grid's last row (data or not)."""
        return len(self._grid) + self._offset - 1

    def grid_rows(self) -> list[int]:
        """Indices into the grid of the data rows, in order."""
        if not self._skipped:
            return list(range(self._start, self._stop))
        out = set(self._skipped)
        return [i for i in range(self._start, self._stop) if i not in out]

    def _numbered(self) -> tuple[Iterator[int], Iterator[list[Any]]]:
        grid, start, offset = self._grid, self._start, self._offset
        if not self._skipped:
            return count(start + offset), islice(grid, start, self._stop)
        out = set(self._skipped)
        kept = [i for i in range(start, self._stop) if i not in out]
        return map(offset.__add__, kept), map(grid.__getitem__, kept)

    def _rows(self) -> list[RawRow]:
        if self._built is None:
            pick, blank = _picker(self._positions), _BLANK
            numbers, rows = self._numbered()
            values = [tuple(map(blank, picked, picked)) for picked in map(pick, rows)]
            self._built = list(map(RawRow, numbers, values))
        return self._built

    def __len__(self) -> int:
        return max(self._stop - self._start, 0) - len(self._skipped)

    @overload
    def __getitem__(self, index: int) -> RawRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[RawRow]: ...
    def __getitem__(self, index: int | slice) -> RawRow | list[RawRow]:
        return self._rows()[index]

    def __iter__(self) -> Iterator[RawRow]:
        return iter(self._rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SheetRows | list):
            return self._rows() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SheetRows({self._rows()!r})"


_BLANK: Callable[[Any, Any], Any] = {"": None}.get


def _picker(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    if len(positions) == 1:
        only = positions[0]
        return lambda row: (row[only],)
    return itemgetter(*positions) if positions else lambda _row: ()


def row_cells(table: RawTable) -> tuple[list[int], Iterable[tuple[int, Sequence[Any]]],
                                        Callable[[Sequence[Any]], tuple[Any, ...]]]:
    """A table's cells for a hot loop, without building RawRows: (positions, pairs, values).
    `pairs` gives each data row as (Excel row, cells); column j's cell is `cells[positions[j]]`
    (blank: None or ''); `values(cells)` is the row's `RawRow.values`, for a closer look."""
    rows = table.rows
    if isinstance(rows, SheetRows):
        positions, pairs = rows.cells()
        return positions, pairs, rows.values()
    return list(range(len(table.columns))), ((rr.row, rr.values) for rr in rows), tuple


def rows_part(rows: Sequence[RawRow], first: int, stop: int) -> Sequence[RawRow]:
    """A table's data rows `first` to `stop` (not included), as the same kind of sequence."""
    if isinstance(rows, SheetRows):
        return rows.part(first, stop)
    return list(rows[first:stop])


def row_number(rows: Sequence[RawRow], k: int) -> int:
    """The Excel row of a table's data row `k`, without building RawRows."""
    if isinstance(rows, SheetRows):
        return rows.grid_index(k) + rows.offset
    return rows[k].row


def column_cells(table: RawTable, position: int) -> Sequence[Any]:
    """One column's cells, a data row at a time (None for blank), without building RawRows."""
    rows = table.rows
    if isinstance(rows, SheetRows):
        return rows.column(position)
    return [rr.values[position] for rr in rows]


@dataclass(slots=True)
class RawWorkbook:
    path: str
    tables: dict[str, RawTable]
    """Canonical kind -> table, for the kinds found."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Workbook-wide defaults from a `BRM Settings` sheet, canonical key -> raw value."""
    findings: list[Finding] = field(default_factory=list)
    """Structural findings (BRM1xx) met while reading."""
    sources: list[Source] = field(default_factory=list, repr=False)
    """The sheets with a column per period, as the reader found them (blank cells too)."""


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
