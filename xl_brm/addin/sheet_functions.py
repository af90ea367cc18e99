"""The rule engine behind `BRM_VALIDATE` and `BRM_ISSUES`: ranges in, cell-sized answers out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xl_brm.addin.grid import columns_for, table_from_grid
from xl_brm.findings import SEVERITIES, Finding
from xl_brm.table import RawWorkbook
from xl_brm.validate import validate_row, validate_workbook
from xl_brm.wording import in_trust_words, with_headings

ISSUES_HEADER = ["row", "column", "code", "severity", "message"]
NO_ISSUES = "No issues found"
_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def _by_severity(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: _ORDER.get(f.severity, 9))


def validate_row_text(row: Sequence[Any], headers: Sequence[Any] | None) -> str:
    """ "OK", or one line per issue: code, severity, message."""
    columns = columns_for(headers, len(row))
    values: dict[str, Any] = {}
    for col in columns:
        if col.field is not None and col.index < len(row):
            values[col.field] = row[col.index]
    names = {c.field: c.header for c in columns if c.field is not None}
    findings = [with_headings(f, names) for f in validate_row(values)]
    if not findings:
        return "OK"
    return "\n".join(f"{f.code} {f.severity}: {f.message}" for f in _by_severity(findings))


def issues_table(grid: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Header row, then one row per finding on the table (row 1 is the header row)."""
    table, findings = table_from_grid(grid)
    raw = RawWorkbook(path="", tables={"Benefits": table} if table.columns else {}, findings=findings)
    found = in_trust_words(raw, validate_workbook(raw).findings)
    rows = [
        [f.row if f.row is not None else "", f.column or "", f.code, f.severity, f.message]
        for f in _by_severity(found)
        if f.sheet in (None, "Benefits")
    ]
    return [ISSUES_HEADER, *(rows or [["", "", "", "", NO_ISSUES]])]
