"""Helpers of the Excel-layer tests: the add-in server and browser handles, the stand-in
workbook's seed, and the SPEC's list of cell functions."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
STANDIN = HERE / "officejs_standin.js"
SPEC_FUNCTIONS = (  # SPEC §7.1
    "BRM_VALIDATE",
    "BRM_ISSUES",
    "BRM_BASELINE",
    "BRM_IMPROVEMENT",
    "BRM_REALISED",
    "BRM_PV",
    "BRM_RAG",
    "BRM_PERIOD",
    "BRM_FY",
)
OFFICE_JS = "**/static/vendor/office-js/*/dist/office.js"
"""The vendored office.js xlwings Server's pages load: the one file the stand-in replaces."""


@dataclass(frozen=True)
class Store:
    url: str
    token: str
    """A token of trust RJ1."""


@dataclass(frozen=True)
class AddinServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


class OfficePage:
    """The add-in's task pane (its shared runtime) open in Chromium, with the stand-in host."""

    def __init__(self, page: Any, server: AddinServer) -> None:
        self.page = page
        self.server = server

    def load(self, path: Path, *, settings: dict[str, str] | None = None) -> None:
        """Open `path` in the stand-in Excel (values, number formats and notes as saved)."""
        self.page.evaluate("seed => window.__standin.load(seed)", book_seed(path, settings=settings))

    def dump(self) -> dict[str, Any]:
        book: dict[str, Any] = self.page.evaluate("() => window.__standin.dump()")
        return book

    def sheet(self, name: str) -> dict[str, Any]:
        found = [s for s in self.dump()["sheets"] if s["name"] == name]
        assert found, f"no sheet {name!r} in {[s['name'] for s in self.dump()['sheets']]}"
        return found[0]

    def click_ribbon(self, action: str) -> None:
        self.page.evaluate("action => window.__standin.clickRibbon(action)", action)

    def call(self, function_id: str, *args: Any, address: str = "Sheet1!B2") -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(
            "([id, args, address]) => window.__standin.callFunction(id, args, address)",
            [function_id, list(args), address],
        )
        return result

    def banner(self) -> str | None:
        """The task pane's message banner text, or None while it is hidden."""
        text: str | None = self.page.evaluate(
            """() => {
                const banner = document.querySelector("#global-error-alert");
                return banner && !banner.classList.contains("d-none") ? banner.textContent.trim() : null;
            }"""
        )
        return text



_EPOCH = dt.datetime(1899, 12, 30)


def _excel_value(value: Any) -> Any:
    """A cell value as Office.js hands it over: dates are serial numbers."""
    if isinstance(value, dt.datetime):
        return (value - _EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (dt.datetime.combine(value, dt.time()) - _EPOCH).days
    return value


def book_seed(path: Path, *, settings: dict[str, str] | None = None) -> dict[str, Any]:
    """A saved workbook as the stand-in Excel holds it: every non-blank cell with its number
    format, and the notes. `settings` adds rows to (or makes) the BRM Settings sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        cells = [
            [cell.row - 1, cell.column - 1, _excel_value(cell.value), cell.number_format]
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None and cell.value != ""
        ]
        notes = {cell.coordinate: cell.comment.text for row in ws.iter_rows() for cell in row if cell.comment}
        sheets.append({"name": ws.title, "cells": cells, "notes": notes})
    if settings:
        found = next((s for s in sheets if s["name"] == "BRM Settings"), None)
        if found is None:
            found = {"name": "BRM Settings", "cells": [], "notes": {}}
            sheets.append(found)
        last = max((c[0] for c in found["cells"]), default=-1)
        for i, (key, value) in enumerate(settings.items(), start=last + 1):
            found["cells"] += [[i, 0, key, "General"], [i, 1, value, "General"]]
    return {"name": path.name, "sheets": sheets}
