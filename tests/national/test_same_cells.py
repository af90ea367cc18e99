"""The store rejects exactly what `xl-brm validate` flags as errors, at the same cells.

A real workbook (title rows, the trust's own header names, a local column) is written with
openpyxl, read by the reader and validated locally; the same cells are then sent to the store.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from store_harness import Store

from xl_brm.reader import read_workbook
from xl_brm.rules import RULES_VERSION
from xl_brm.table import RawWorkbook
from xl_brm.validate import Defaults, validate_workbook

HEADERS = [
    "Benefit Ref",
    "Trust Code",
    "Programme",
    "Project",
    "Benefit Title",
    "Type",
    "Category",
    "Measure",
    "Unit",
    "Direction",
    "Baseline",
    "Target",
    "Target Date",
    "Go Live",
    "Unit Value (£)",
    "Attribution %",
    "Owner",
    "Status",
    "Approved By",
    "Approved On",
    "Our notes",
]


def _row(ref: str, **changes: Any) -> list[Any]:
    values = {
        "Benefit Ref": ref,
        "Trust Code": "RJ1",
        "Programme": "GDE",
        "Project": "EPMA",
        "Benefit Title": f"Benefit {ref}",
        "Type": "Cash releasing",
        "Category": "Safety",
        "Measure": "errors",
        "Unit": "count",
        "Direction": "Decrease",
        "Baseline": 120,
        "Target": 60,
        "Target Date": datetime(2021, 3, 31),
        "Go Live": datetime(2019, 10, 1),
        "Unit Value (£)": 35,
        "Attribution %": 0.8,
        "Owner": "Chief Pharmacist",
        "Status": "Approved",
        "Approved By": "DoF",
        "Approved On": datetime(2020, 1, 15),
        "Our notes": "local only",
    }
    values.update(changes)
    return [values[h] for h in HEADERS]


def _workbook(path: Path, *, implausible: bool = False) -> None:
    """The varied register; with `implausible`, cells no register can hold instead, which the
    store refuses whole (422) rather than benefit by benefit."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Benefit Register"
    ws.append(["Royal Example NHS Trust — benefits register"])
    ws.append([])
    ws.append(HEADERS)  # header on row 3
    ws.append(_row("OK-1"))  # 4
    ws.append(_row("BAD-NUM", Baseline="n/a"))  # 5
    ws.append(_row("BAD-APPR", **{"Approved By": None}))  # 6
    ws.append(_row("BAD-TYPE", Type="Cashy"))  # 7
    ws.append(_row("BAD-DATE", **{"Target Date": "31/02/2021"}))  # 8
    ws.append(_row("BAD-MEAS"))  # 9
    ws.append(_row("DRAFT-1", Status="Draft"))  # 10
    if implausible:
        ws.append(_row("BAD-PCT", **{"Attribution %": 150}))  # 11
        ws.append(_row("BAD-UV", **{"Unit Value (£)": 2.5e9}))  # 12: beyond £1bn (the wire's ±1e12
        # refuses larger numbers itself, before the rule engine: see test_hostile_values)
    ms = wb.create_sheet("Actuals")
    ms.append(["Benefit ID", "Period", "Value", "Source", "Grade"])
    for ref in ("OK-1", "BAD-MEAS", "DRAFT-1"):
        for month, value in (("2019-10", 110), ("2019-11", 100), ("2019-12", 95)):
            ms.append([ref, month, value, "Datix", "Measured"])
    ms.append(["BAD-MEAS", "2019-11", 99, "Datix", "Measured"])  # duplicate period
    ms.append(["BAD-MEAS", "2020-01", "lots", "Datix", "Measured"])  # text for a number
    if implausible:
        ms.append(["OK-1", "9999-12", 90, "Datix", "Measured"])
    wb.save(path)


def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _body(raw: RawWorkbook) -> dict[str, Any]:
    """The raw cells as a submission (not normalised, so every bad cell reaches the store)."""
    b, m = raw.tables["Benefits"], raw.tables["Measurements"]
    bcols = [(i, c) for i, c in enumerate(b.columns) if c.field is not None]
    mcols = [(i, c) for i, c in enumerate(m.columns) if c.field is not None]
    mid = m.position("benefit_id")
    assert mid is not None
    benefits = []
    for row in b.rows:
        fields = {c.field: _json(row.values[i]) for i, c in bcols}
        ms = [
            {"row": r.row, **{c.field: _json(r.values[i]) for i, c in mcols if c.field != "benefit_id"}}
            for r in m.rows
            if r.values[mid] == fields["benefit_id"]
        ]
        benefits.append({"row": row.row, "fields": fields, "measurements": ms})
    return {
        "trust_ods": "RJ1",
        "rules_version": RULES_VERSION,
        "client": {"name": "test", "version": "1"},
        "source": {
            "path": Path(raw.path).name,
            "benefits": {
                "sheet": b.sheet,
                "header_row": b.header_row,
                "columns": {c.field: c.letter for _, c in bcols},
            },
            "measurements": {
                "sheet": m.sheet,
                "header_row": m.header_row,
                "columns": {c.field: c.letter for _, c in mcols},
            },
        },
        "benefits": benefits,
    }


def test_store_rejects_exactly_what_validate_flags(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    _workbook(path)
    raw = read_workbook(path)
    local = validate_workbook(raw, defaults=Defaults(trust_ods="RJ1"))
    local_errors = {
        (f.code, f.sheet, f.row, f.cell) for f in [*raw.findings, *local.findings] if f.severity == "error"
    }
    assert len({code for code, *_ in local_errors}) >= 5, local_errors  # the workbook is varied

    response = store.post(_body(raw))
    assert response.status_code == 200, response.text
    answer = response.json()
    store_errors = {
        (f["code"], f["sheet"], f["row"], f["cell"])
        for r in answer["results"]
        for f in r["findings"]
        if f["severity"] == "error"
    }
    store_errors |= {
        (f["code"], f["sheet"], f["row"], f["cell"]) for f in answer["findings"] if f["severity"] == "error"
    }
    store_errors = {e for e in store_errors if e[0] != "NAT101"}  # the store's approved-only rule
    assert store_errors == local_errors

    status = {r["benefit_id"]: r["status"] for r in answer["results"]}
    assert status == {
        "OK-1": "accepted",
        "BAD-NUM": "rejected",
        "BAD-APPR": "rejected",
        "BAD-TYPE": "rejected",
        "BAD-DATE": "rejected",
        "BAD-MEAS": "rejected",
        "DRAFT-1": "rejected",
    }
    stored = store.get("/v1/trusts/RJ1/benefits", who="RJ1").json()["benefits"]
    assert [b["benefit_id"] for b in stored] == ["OK-1"]
    assert "Our notes" not in str(stored)  # local columns never travel


def test_store_refuses_whole_what_validate_flags_as_implausible_at_the_same_cells(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "register.xlsx"
    _workbook(path, implausible=True)
    raw = read_workbook(path)
    local = validate_workbook(raw, defaults=Defaults(trust_ods="RJ1")).findings
    implausible = {"BRM206", "BRM214", "BRM216"}
    local_refusals = {(f.code, f.sheet, f.row, f.cell) for f in local if f.code in implausible}
    assert {code for code, *_ in local_refusals} == implausible, local_refusals

    response = store.post(_body(raw))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/implausible-values"
    assert {(f["code"], f["sheet"], f["row"], f["cell"]) for f in problem["findings"]} == local_refusals
    assert store.count("submissions") == store.count("benefit_versions") == 0
