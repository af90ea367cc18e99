"""Builders of RawWorkbook objects for the rule-engine tests (no reader, no files needed).

A workbook is made from plain dicts of canonical field -> raw cell value, laid out the way the
reader hands them over: a header on row 1, data from row 2, columns in canonical field order
followed by any extra (local) keys.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from xl_brm.fields import BENEFIT_FIELDS, MEASUREMENT_FIELDS, TRAJECTORY_FIELDS, Field
from xl_brm.findings import Finding
from xl_brm.table import Column, RawRow, RawTable, RawWorkbook, column_letter
from xl_brm.validate import Defaults, Validation, validate_workbook

TODAY = date(2021, 6, 1)

CLEAN_BENEFIT: dict[str, Any] = {
    "benefit_id": "EPMA-01",
    "trust_ods": "RJ1",
    "programme": "GDE",
    "project": "EPMA",
    "title": "Fewer medication administration errors",
    "benefit_type": "Cash releasing",
    "category": "Safety",
    "beneficiary": "Patients",
    "is_disbenefit": "No",
    "planned": "Yes",
    "measure": "medication administration errors",
    "national_measure_code": None,
    "unit": "count",
    "direction": "Decrease",
    "baseline_value": 120.0,
    "baseline_start": datetime(2019, 4, 1),
    "baseline_end": datetime(2019, 9, 30),
    "baseline_method": "Given",
    "target_value": 60.0,
    "target_date": "31/03/2021",
    "realisation_start": datetime(2019, 10, 1),
    "unit_value_gbp": "£35.00",
    "attribution_pct": "80%",
    "benefit_owner": "Chief Pharmacist",
    "approval_status": "Approved",
    "approved_by": "Director of Finance",
    "approved_on": "15/01/2020",
    "confidence": "Medium",
    "evidence": "Audit of 200 drug rounds, Jan 2020",
}

CLEAN_QUALITATIVE: dict[str, Any] = {
    "benefit_id": "QUAL-01",
    "trust_ods": "RJ1",
    "programme": "GDE",
    "project": "Positive patient ID",
    "title": "Staff feel safer at the bedside",
    "benefit_type": "Qualitative",
    "category": "Staff experience",
    "benefit_owner": "Chief Nurse",
    "approval_status": "Approved",
    "approved_by": "Chief Nurse",
    "approved_on": datetime(2020, 2, 3),
    "evidence": "Staff survey Jan 2020: 78% feel safer (n=212)",
}


def months(benefit_id: str, first: tuple[int, int], values: list[Any]) -> list[dict[str, Any]]:
    """Measurement rows for consecutive months starting at `first` (year, month)."""
    year, month = first
    rows = []
    for value in values:
        rows.append(
            {
                "benefit_id": benefit_id,
                "period": f"{year}-{month:02d}",
                "value": value,
                "source": "Datix",
                "evidence_grade": "Measured",
                "note": None,
            }
        )
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return rows


def clean_parts() -> dict[str, list[dict[str, Any]]]:
    """A clean register: one cash-releasing and one qualitative benefit, with measurements."""
    return {
        "Benefits": [copy.deepcopy(CLEAN_BENEFIT), copy.deepcopy(CLEAN_QUALITATIVE)],
        "Measurements": months(
            "EPMA-01",
            (2019, 4),
            [120.0, 118.0, 121.0, 119.0, 122.0, 120.0, 110.0, 100.0, 95.0, 90.0, 88.0, 85.0],
        )
        + months("QUAL-01", (2019, 10), ["Survey planned", "Survey done: staff positive"]),
        "Trajectory": [],
    }


def table(kind: str, rows: list[dict[str, Any]], *, sheet: str | None = None) -> RawTable:
    fields: tuple[Field, ...] = {
        "Benefits": BENEFIT_FIELDS,
        "Measurements": MEASUREMENT_FIELDS,
        "Trajectory": TRAJECTORY_FIELDS,
    }[kind]
    known = [f.name for f in fields]
    used = [n for n in known if any(n in r for r in rows)] or known
    extra = [k for r in rows for k in r if k not in known]
    names = used + list(dict.fromkeys(extra))
    columns = [Column(n if n in known else None, n, i) for i, n in enumerate(names)]
    raw_rows = [RawRow(k + 2, tuple(r.get(n) for n in names)) for k, r in enumerate(rows)]
    return RawTable(kind, sheet or kind, 1, columns, raw_rows)


def workbook(
    parts: dict[str, list[dict[str, Any]]],
    *,
    settings: dict[str, Any] | None = None,
    sheets: dict[str, str] | None = None,
) -> RawWorkbook:
    sheets = sheets or {}
    tables = {
        kind: table(kind, rows, sheet=sheets.get(kind))
        for kind, rows in parts.items()
        if rows or kind == "Benefits"
    }
    return RawWorkbook("register.xlsx", tables, settings=settings or {})


def validate(
    parts: dict[str, list[dict[str, Any]]], *, defaults: Defaults | None = None, **kw: Any
) -> Validation:
    return validate_workbook(workbook(parts, **kw), defaults=defaults, today=TODAY)


def cell(raw_or_parts: Any, kind: str, field: str, index: int) -> str:
    """The A1 reference of `field` in the `index`-th data row (0-based) of a sheet."""
    raw = raw_or_parts if isinstance(raw_or_parts, RawWorkbook) else workbook(raw_or_parts)
    t = raw.tables[kind]
    pos = t.position(field)
    assert pos is not None, f"{kind} has no {field} column"
    return f"{column_letter(pos)}{index + 2}"


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]
