"""Start python-calamine parsing a workbook's sheets, each on a thread of its own, before
anything else is known or loaded.

`xl-brm validate FILE` forks its reader first thing (`xl_brm.sandbox`); the reader starts here,
on this module's few imports, and loads the rest of xl-brm while calamine parses (calamine does
not hold Python's lock while it parses). Only for a process that may crash, like a
`GatedReader` whose safety gate has not yet answered: nothing here looks at a cell.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetTypeEnum

from xl_brm.sheet_choice import sheets_by_name

Ahead = dict[str, Future[CalamineSheet]]
"""Sheets being parsed on threads of their own, by sheet name."""


def parse_ahead(p: Path) -> Ahead:
    """Start parsing the sheets a reader without a saved mapping would want, each on its own
    thread. A file calamine cannot open gets nothing here: reading it later says why."""
    try:
        with CalamineWorkbook.from_path(str(p)) as wb:
            names = worksheet_names(wb)
    except (CalamineError, OSError, ValueError, UnicodeError):
        return {}
    return {name: parse_sheet(p, name) for name in sheets_by_name(names, path=str(p))}


def parse_sheet(p: Path, name: str) -> Future[CalamineSheet]:
    """Parse one sheet on a thread of its own, through a handle of its own (a handle serves one
    thread at a time)."""
    def parse() -> CalamineSheet:
        with CalamineWorkbook.from_path(str(p)) as wb:
            return wb.get_sheet_by_name(name)

    future: Future[CalamineSheet] = Future()

    def run() -> None:
        try:
            future.set_result(parse())
        except BaseException as exc:  # handed to whoever asks for the sheet
            future.set_exception(exc)

    threading.Thread(target=run, name=f"xl-brm parse {name}", daemon=True).start()
    return future


def worksheet_names(wb: CalamineWorkbook) -> list[str]:
    """The workbook's worksheets (not chart sheets), in tab order."""
    return [m.name for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
