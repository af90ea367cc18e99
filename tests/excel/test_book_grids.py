"""An open workbook (`xw.Book(json=...)`, as Office.js sends it) reads as `xl-brm validate`
reads the saved file: same tables, row numbers, cell types and findings, without a file."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
from excel_support import book_json

from xl_brm.addin.book import book_to_raw
from xl_brm.reader import read_workbook
from xl_brm.table import RawWorkbook


def parts(raw: RawWorkbook) -> str:
    """Everything but the path; repr so that 4 and 4.0 or a date and a datetime differ."""
    return repr((raw.tables, raw.settings, raw.findings))


def test_the_example_registers_read_as_their_files(xlwings_server: ModuleType, examples: Path) -> None:
    for path in sorted(examples.glob("*.xlsx")):
        raw = book_to_raw(xlwings_server.Book(json=book_json(path)))
        assert raw.path == path.name
        assert parts(raw) == parts(read_workbook(path))


def test_a_used_range_away_from_a1_keeps_excel_rows_and_letters(
    xlwings_server: ModuleType, tmp_path: Path
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Measurements"
    ws["C5"], ws["D5"], ws["E5"] = "Benefit ID", "Month", "Actual"
    ws["C6"], ws["D6"], ws["E6"] = "B1", "2019-10", 4
    ws["C8"], ws["D8"], ws["E8"] = "B1", "2019-11", 5
    wb.save(tmp_path / "offset.xlsx")
    body: dict[str, Any] = book_json(tmp_path / "offset.xlsx")
    body["sheets"][0]["used_range_address"] = "C5:E8"
    raw = book_to_raw(xlwings_server.Book(json=body))
    table = raw.tables["Measurements"]
    assert table.header_row == 5
    assert [c.letter for c in table.columns] == ["C", "D", "E"]
    assert [(r.row, r.values) for r in table.rows] == [(6, ("B1", "2019-10", 4.0)),
                                                       (8, ("B1", "2019-11", 5.0))]
    assert parts(raw) == parts(read_workbook(tmp_path / "offset.xlsx"))


def test_a_book_with_only_the_add_ins_own_sheets_has_no_benefits_sheet(
    xlwings_server: ModuleType, tmp_path: Path
) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Issues"
    wb.active.append(["Sheet", "Cell", "Row"])
    wb.save(tmp_path / "issues_only.xlsx")
    raw = book_to_raw(xlwings_server.Book(json=book_json(tmp_path / "issues_only.xlsx")))
    assert raw.tables == {}
    assert [f.code for f in raw.findings] == ["BRM105"]
