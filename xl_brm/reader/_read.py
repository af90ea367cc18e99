"""Read a trust's workbook file into located raw cells (`RawWorkbook`) with python-calamine.

This module is the file end only: the safety gate, then python-calamine for the cell values,
then `xl_brm.reader.grid` (shared with the Excel layer) for everything after that.

Cells keep the type they were stored with: calamine gives str, float, bool, datetime, date, time
and timedelta as Excel stored them, and nothing here coerces them (a UK text date stays text for
the rule engine to read day-first). Blank cells become None, formula cells with no cached value
become `FormulaWithoutValue`, and row numbers are the Excel row numbers the user sees.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from xl_brm._gc import gc_paused
from xl_brm.errors import InputError
from xl_brm.parse_ahead import Ahead, parse_sheet, worksheet_names
from xl_brm.reader import _limits as lim
from xl_brm.reader._mapping import HeaderMapping
from xl_brm.reader._safety import SafetyReport, check_safety
from xl_brm.reader.grid import Merge, mapping_from_source, workbook_from_source
from xl_brm.sheet_choice import sheets_by_name
from xl_brm.table import FormulaWithoutValue, RawWorkbook


def read_workbook(
    path: str | Path, *, mapping: HeaderMapping | None = None,
    on_benefits: Callable[[RawWorkbook], None] | None = None,
) -> RawWorkbook:
    """Read a trust workbook: safety gate, sheets, header rows, columns and data rows.

    Raises `UnsafeWorkbookError` / `InputError` / `MappingError`; structural problems of the
    sheets (missing columns, no header row…) are BRM1xx findings on the result instead.
    `on_benefits`: see `workbook_from_source`.
    """
    return GatedReader.checked(path)(path, mapping=mapping, on_benefits=on_benefits)


def propose_mapping(path: str | Path) -> HeaderMapping:
    """What `xl-brm map FILE` saves: where each sheet and header row is, and what each header
    maps to. Unmapped headers are listed for the trust to fill in or leave local."""
    return GatedReader.checked(path).mapping()


class GatedReader:
    """Reads one workbook, handing over no cell before the safety gate has passed it.

    `gate()` gives the gate's report. `checked(path)` runs the gate first, in this process;
    `xl_brm.sandbox` instead gives a forked child a `gate` that waits for the report of the
    gate its parent runs meanwhile, so python-calamine may start parsing before the report is
    in: only a process that may crash may do that. Callable as a `xl_brm.api.Reader`.
    """

    def __init__(self, path: str | Path, gate: Callable[[], SafetyReport | None],
                 ahead: Ahead | None = None, kept: list[Any] | None = None) -> None:
        self.path = Path(path)
        self.gate = gate
        self.ahead = ahead
        """Sheets of `path` already being parsed (`parse_ahead`), taken over by the first read."""
        self.kept = kept
        """Where each workbook read (and its `on_benefits`) is kept to the end of a short-lived
        process: freeing millions of objects one by one takes longer than exiting."""

    @classmethod
    def checked(cls, path: str | Path) -> GatedReader:
        report = check_safety(path)
        return cls(path, lambda: report)

    def __call__(self, path: str | Path, *, mapping: HeaderMapping | None = None,
                 on_benefits: Callable[[RawWorkbook], None] | None = None) -> RawWorkbook:
        p = Path(path)
        ahead, self.ahead = (self.ahead, None) if p == self.path else (None, self.ahead)
        with _open(p) as wb:
            source = CalamineSheets(wb, p, self.gate, ahead)
            source.read_ahead(sheets_by_name(source.names(), path=str(p), mapping=mapping))
            raw = workbook_from_source(source, path=str(p), mapping=mapping, on_benefits=on_benefits)
        self.gate()  # whatever the sheets held, nothing leaves here before the gate has passed
        if self.kept is not None:
            self.kept.extend((raw, on_benefits))
        return raw

    def mapping(self) -> HeaderMapping:
        """What `propose_mapping` proposes for this reader's workbook."""
        with _open(self.path) as wb:
            proposed = mapping_from_source(CalamineSheets(wb, self.path, self.gate, self.ahead),
                                           path=str(self.path))
        self.gate()
        return proposed


# -- workbook and sheets -----------------------------------------------------------------------


@contextmanager
def _open(p: Path) -> Iterator[CalamineWorkbook]:
    try:
        wb = CalamineWorkbook.from_path(str(p))
    except (CalamineError, OSError, ValueError, UnicodeError) as exc:
        raise InputError(f"cannot be read as an Excel workbook ({exc})", path=p,
                         hint="open it in Excel and save it as an Excel Workbook (.xlsx)") from None
    try:
        yield wb
    finally:
        wb.close()


class CalamineSheets:
    """The `SheetSource` of an open file: worksheets read by python-calamine, with the formula
    cells the safety gate found without a cached value put back in (they would otherwise read
    as blank).

    Calamine parses a whole sheet to hand any of it over, without holding Python's lock, so the
    sheets the reader will want are parsed ahead on threads of their own, side by side (each
    with its own handle on the file: a handle serves one thread at a time). Any other sheet is
    parsed when asked for. A parsed sheet is kept until its rows are taken, then let go.
    """

    def __init__(self, wb: CalamineWorkbook, p: Path, gate: Callable[[], SafetyReport | None],
                 ahead: Ahead | None = None) -> None:
        self._wb = wb
        self._p = p
        self._gate = gate
        self._last: tuple[str, CalamineSheet] | None = None
        self._ahead: Ahead = ahead if ahead is not None else {}  # taken over: emptied as read
        self._merged: dict[str, Sequence[Merge]] = {}

    def read_ahead(self, names: Sequence[str]) -> None:
        """Start parsing these sheets now, each on its own thread."""
        for name in names:
            if name not in self._ahead:
                self._ahead[name] = parse_sheet(self._p, name)

    def names(self) -> list[str]:
        return worksheet_names(self._wb)

    def head(self, name: str) -> list[list[Any]]:
        """The top of a sheet, enough to find its header row."""
        sheet = self._sheet(name)
        start = sheet.start
        if start is None:
            return []
        return self._rows(sheet, nrows=start[0] + lim.HEADER_SCAN_ROWS)

    def rows(self, name: str) -> list[list[Any]]:
        sheet = self._sheet(name)
        rows = self._rows(sheet)
        # calamine's own copy of the cells is not needed again: let it go before the rows are
        # turned into tables (a 1M-row sheet holds a few hundred MB there)
        self._merged[name] = sheet.merged_cell_ranges or []
        self._ahead.pop(name, None)
        self._last = None
        del sheet
        _release_freed_memory()
        report = self._gate()
        if report is not None:
            lost: dict[tuple[int, int], Any] = {
                cell: FormulaWithoutValue(text) for cell, text in report.formulas(name).items()}
            lost.update(report.errors(name))
            if lost:
                _put_back(rows, lost)
        return rows

    def merged(self, name: str) -> Sequence[Merge]:
        if name in self._merged:
            return self._merged[name]
        return self._sheet(name).merged_cell_ranges or []

    def percent_cells(self, name: str, columns: Collection[int]) -> Mapping[int, Collection[int]]:
        report = self._gate()  # the gate found them while it scanned the sheet
        scan = report.sheets.get(name) if report is not None else None
        if scan is None or not scan.percent:
            return {}
        return {c: scan.percent[c] for c in columns if c in scan.percent}

    def _sheet(self, name: str) -> CalamineSheet:
        if self._last is not None and self._last[0] == name:
            return self._last[1]
        try:
            ahead = self._ahead.get(name)
            sheet = ahead.result() if ahead is not None else self._wb.get_sheet_by_name(name)
        except (CalamineError, ValueError, UnicodeError) as exc:
            raise InputError(f"cannot be read ({exc})", path=self._p, sheet=name,
                             hint="open the workbook in Excel and save it again") from None
        self._last = (name, sheet)
        return sheet

    def _rows(self, sheet: CalamineSheet, nrows: int | None = None) -> list[list[Any]]:
        """A sheet's cells from A1 (no offset to track), or InputError if calamine cannot read it."""
        try:
            with gc_paused():
                if nrows is None:
                    return sheet.to_python(skip_empty_area=False)
                return sheet.to_python(skip_empty_area=False, nrows=nrows)
        except (CalamineError, ValueError, UnicodeError) as exc:
            raise InputError(f"cannot be read ({exc})", path=self._p, sheet=sheet.name,
                             hint="open the workbook in Excel and save it again") from None


def _release_freed_memory() -> None:
    """Hand memory the C allocator holds but no longer uses back to the system (glibc only).

    calamine's copy of a sheet lives in the C heap, which keeps freed blocks for reuse; Python
    builds its objects elsewhere, so without this a freed 1M-row sheet still counts in the
    process's memory while the rule engine runs."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _glibc() if sys.platform.startswith("linux") else None


def _put_back(rows: list[list[Any]], cells: dict[tuple[int, int], Any]) -> None:
    """Put back what calamine reads as blank: formulas with no cached value and Excel error
    cells (growing the grid if it must)."""
    need_rows = max(r for r, _ in cells) + 1
    need_cols = max(c for _, c in cells) + 1
    width = len(rows[0]) if rows else 0
    if need_cols > width:
        for row in rows:
            row.extend([""] * (need_cols - width))
        width = need_cols
    while len(rows) < need_rows:
        rows.append([""] * width)
    for (r, c), value in cells.items():
        if rows[r][c] == "":
            rows[r][c] = value
