"""An independent reader opens the national exports and finds no live formula.

LibreOffice imports each CSV export with comma AND semicolon separators (as Excel does in
locales that split on `;`), with 'evaluate formulas' and 'trim spaces' on, the most trusting
settings; it also opens the XLSX export. Each result is saved as .xlsx and read back with
openpyxl: no cell may be a formula. A control, the same rows written by a plain `csv.writer`,
must show formulas under the same import, or the test would prove nothing.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import store_factory as factory
from openpyxl import load_workbook
from store_harness import Store

from xl_brm.national.export import csv_chunks, xlsx_bytes

HOSTILE = [
    "=1+1",
    "x;=1+1",
    "x,=1+1",
    "x; =1+1",
    "x;\"=1+1",
    "a;b;=1+1;c",
    "\x01=1+1",
    "\x00=1+1",
    "x;\x01=1+1",
    "\x7f=1+1",
    "\x85=1+1",
    " =1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "x\n=1+1",
    "x\r\n=1+1",
    "x\t=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,2)",
    '=HYPERLINK("http://example.com","click")',
    "\uff1d1+1",
    "\uff0b1+1",
    "x;\uff1d1+1",
]
"""Text a trust could type (or a client could send) that a spreadsheet might run."""

STORABLE = ["=1+1", "x;=1+1", "x,=1+1", "a;b;=1+1;c", "x; -1+1", "@SUM(1,2)", "+1+1",
            "x;\"=1+1", "x\n=1+1", "\uff1d1+1", '=HYPERLINK("http://example.com","click")']
"""Titles the store takes (no control characters; it trims spaces), for the export end to end."""

HEADER = ["id", "title", "owner", "value", "approved", "note"]


def _rows(texts: Iterable[str]) -> list[list[Any]]:
    return [[f"B{i}", text, f"owner {text}", -1.5 * i, i % 2 == 0, text]
            for i, text in enumerate(texts, start=1)]


def _convert(soffice: str, files: list[Path], out: Path, *, separator: str | None) -> list[Path]:
    """Open `files` in LibreOffice and save each as .xlsx in `out`. A CSV is imported with
    `separator`, UTF-8, 'evaluate formulas' and 'trim spaces' on."""
    args = [soffice, f"-env:UserInstallation=file://{out.parent / 'lo-profile'}", "--headless"]
    if separator is not None:
        # CSV filter tokens: separator, text delimiter ("), UTF-8, first line 1, column formats,
        # language, quoted as text, special numbers, -, -, TRIM SPACES, -, EVALUATE FORMULAS.
        args.append(f"--infilter=CSV:{ord(separator)},34,76,1,,0,false,true,false,false,true,-1,true")
    subprocess.run([*args, "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
                   check=True, timeout=180, capture_output=True)
    converted = [out / f"{f.stem}.xlsx" for f in files]
    assert all(p.exists() for p in converted), list(out.iterdir())
    return converted


BOOLEAN_CONSTANTS = {"=TRUE()", "=FALSE()"}
"""How LibreOffice saves a boolean cell (the export's `approved` column) to .xlsx."""


def _formulas(book: Path) -> list[tuple[str, str]]:
    """(cell, formula) of every formula cell LibreOffice made, booleans apart."""
    wb = load_workbook(book)
    return [(f"{ws.title}!{c.coordinate}", str(c.value))
            for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f" and str(c.value) not in BOOLEAN_CONSTANTS]


def _texts(book: Path) -> list[str]:
    wb = load_workbook(book)
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "s"]


def _write_exports(folder: Path, rows: list[list[Any]]) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    exported = folder / "export.csv"
    exported.write_text("".join(csv_chunks(HEADER, rows)), encoding="utf-8", newline="")
    workbook = folder / "export-book.xlsx"
    workbook.write_bytes(xlsx_bytes(HEADER, rows))
    plain = io.StringIO()
    writer = csv.writer(plain, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([[("" if v is None else v) for v in row] for row in rows])
    control = folder / "control.csv"
    control.write_text(plain.getvalue().replace("\x00", ""), encoding="utf-8", newline="")
    return exported, workbook, control


def _check(soffice: str, tmp_path: Path, exported: Path, workbook: Path, control: Path) -> None:
    for separator in (",", ";"):
        out = tmp_path / f"split-{ord(separator)}"
        mine, theirs = _convert(soffice, [exported, control], out, separator=separator)
        assert _formulas(mine) == [], f"live formula in the CSV export split on {separator!r}"
        assert _formulas(theirs), f"the control split on {separator!r} should show formulas"
    (reopened,) = _convert(soffice, [workbook], tmp_path / "xlsx", separator=None)
    assert _formulas(reopened) == []
    assert not [t for t in _texts(reopened) if t.lstrip().startswith(("=", "+", "-", "@"))]


def test_exports_of_hostile_text_open_in_libreoffice_without_a_formula(
    tmp_path: Path, soffice: str
) -> None:
    rows = _rows(HOSTILE)
    _check(soffice, tmp_path, *_write_exports(tmp_path / "files", rows))


def test_the_stores_own_exports_open_in_libreoffice_without_a_formula(
    store: Store, tmp_path: Path, soffice: str
) -> None:
    benefits = [factory.benefit(2 + i, 2 + 6 * i, benefit_id=f"X{i}", title=t, benefit_owner=t)
                for i, t in enumerate(STORABLE)]
    answer = store.post(factory.body(benefits))
    assert answer.status_code == 200 and answer.json()["counts"]["accepted"] == len(STORABLE)
    folder = tmp_path / "files"
    folder.mkdir()
    exported = folder / "export.csv"
    exported.write_bytes(store.get("/v1/national/export.csv").content)
    workbook = folder / "export-book.xlsx"
    workbook.write_bytes(store.get("/v1/national/export.xlsx").content)
    _, _, control = _write_exports(tmp_path / "control", _rows(STORABLE))
    _check(soffice, tmp_path, exported, workbook, control)
