"""Small real trust workbooks written with openpyxl, and a cell-by-cell comparison."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment


def trust_workbook(path: Path) -> Path:
    """A trust-style register: merged title, header on row 3, formulas, a note, local columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Benefits Register"
    ws["A1"] = "Example Trust — benefits register"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(
        [
            "Benefit Ref",
            "Trust Code",
            "Benefit Description",
            "Baseline",
            "Target",
            "Approved By",
            "Comments",
        ]
    )
    ws.append(["GDE-01", "RJ1", "Fewer errors", 120, 60, "Medical Director", "fine"])
    ws.append(["GDE-02", "RJ1", "Time released", "n/a", 320, None, "=cmd|' /C calc'!A0"])
    ws.append(["GDE-03", "rj1", "Fewer tests", 2400, 1800, "DoF", None])
    ws["D7"] = "=SUM(D4:D6)"
    ws["B4"].comment = Comment("Checked by PMO", "Trust PMO")
    data = wb.create_sheet("Monthly Data")
    data.append(["Benefit Ref", "Month", "Actual"])
    data.append(["GDE-01", datetime(2019, 4, 1), 118])
    data.append(["GDE-09", "Apr-19", 5])
    wb.create_sheet("Our notes")["B2"] = "the trust's own sheet"
    wb.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def all_values(path: Path, *, sheets: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every non-empty cell (formulas as text) of every sheet, keyed by sheet then A1 reference."""
    wb = load_workbook(path, data_only=False)
    out: dict[str, dict[str, Any]] = {}
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        out[ws.title] = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    return out


def add_fake_vba(path: Path) -> Path:
    """Turn an .xlsx into an .xlsm with a (dummy) vbaProject.bin, as Excel lays it out."""
    target = path.with_suffix(".xlsm")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVBA" '
                    b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                    b'Target="vbaProject.bin"/></Relationships>',
                )
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", VBA_BYTES)
    return target


VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"pretend macro project " * 40


@pytest.fixture
def trust_xlsx(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return trust_workbook(folder / "register.xlsx")
