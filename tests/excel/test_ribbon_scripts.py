"""The ribbon scripts through `custom_scripts_call` with `xw.Book(json=...)` built from real
workbooks, checking the actions that go back to Excel."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from excel_support import actions_of, book_json

from xl_brm.national.embedded import serve_in_thread as serve


def run_script(ribbon: ModuleType, name: str, body: dict[str, Any]) -> dict[str, Any]:
    import xlwings as xw
    import xlwings.server as xws

    book = xw.Book(json=copy.deepcopy(body))  # the remote engine edits its payload in place
    result = asyncio.run(xws.custom_scripts_call(ribbon, name, typehint_to_value={xw.Book: book}))
    return result.json()  # type: ignore[no-any-return]


def sheet_values(answer: dict[str, Any], position: int) -> list[list[Any]]:
    found = [a for a in actions_of(answer, "setValues") if a["sheet_position"] == position]
    assert found, f"no values written to sheet {position}"
    return found[-1]["values"]  # type: ignore[no-any-return]


def test_validate_lists_issues_and_highlights_the_planted_cells(ribbon: ModuleType, examples: Path) -> None:
    body = book_json(examples / "acute_gde_rj1.xlsx")
    n_sheets = len(body["sheets"])
    answer = run_script(ribbon, "validate_workbook", body)
    add = actions_of(answer, "addSheet")
    assert add[0]["args"] == [n_sheets, "Issues"]
    issues = sheet_values(answer, n_sheets)
    assert issues[0] == ["Sheet", "Cell", "Row", "Column", "Code", "Severity", "Message", "Value"]
    cells = {(r[0], r[1]) for r in issues[1:]}
    assert {("Benefits Register", "V7"), ("Benefits Register", "F11"), ("Monthly Data", "A165")} <= cells
    # the offending cells are filled red and carry a note naming the rule
    colours = {
        (a["sheet_position"], a["start_row"], a["start_column"]): a["args"][0]
        for a in actions_of(answer, "setRangeColor")
    }
    assert colours[(0, 10, 5)] == "#FFC7CE"  # Benefits Register!F11 ('Cashable')
    notes = {a["args"][0]: a["args"][1] for a in actions_of(answer, "addNote") if a["sheet_position"] == 0}
    assert notes["$F$11"].startswith("BRM204: benefit_type 'Cashable'")
    assert actions_of(answer, "activateSheet")[-1]["args"] == [n_sheets]


def test_validate_highlights_a_period_cell_of_a_wide_register(ribbon: ModuleType, examples: Path) -> None:
    """Figures a column per quarter (Office.js hands the headings over as they are): the note
    lands on the quarter's own cell, not on a row of a Measurements sheet that does not exist."""
    body = book_json(examples / "ambulance_wide_rx1.xlsx")
    n_sheets = len(body["sheets"])
    answer = run_script(ribbon, "validate_workbook", body)
    issues = sheet_values(answer, n_sheets)
    cells = {(r[0], r[1], r[4]) for r in issues[1:]}
    assert {("Benefits Register", "AB4", "BRM407"), ("Benefits Register", "AC5", "BRM501")} <= cells
    notes = {a["args"][0]: a["args"][1] for a in actions_of(answer, "addNote") if a["sheet_position"] == 0}
    assert notes["$AB$4"].startswith("BRM407: value 'TBC'")


def test_validate_again_clears_the_last_highlights(ribbon: ModuleType, examples: Path) -> None:
    body = book_json(examples / "acute_gde_rj1.xlsx")
    first = run_script(ribbon, "validate_workbook", body)
    # the workbook as Excel would now send it: with the Issues sheet and the notes
    issues = sheet_values(first, len(body["sheets"]))
    body["sheets"].append(
        {
            "name": "Issues",
            "values": issues,
            "pictures": [],
            "tables": [],
            "notes": [],
            "notes_supported": True,
        }
    )
    body["sheets"][0]["notes"] = [
        {"address": a["args"][0]} for a in actions_of(first, "addNote") if a["sheet_position"] == 0
    ]
    second = run_script(ribbon, "validate_workbook", body)
    cleared = [a for a in actions_of(second, "setRangeColor") if a["args"] == [None]]
    assert {(a["sheet_position"], a["start_row"], a["start_column"]) for a in cleared} >= {
        (0, 10, 5),
        (0, 6, 21),
    }
    assert actions_of(second, "addSheet") == []  # the Issues sheet is reused
    assert actions_of(second, "sheetClear")


def test_validate_without_notes_support_still_highlights(ribbon: ModuleType, examples: Path) -> None:
    answer = run_script(
        ribbon, "validate_workbook", book_json(examples / "acute_gde_rj1.xlsx", notes_supported=False)
    )
    assert actions_of(answer, "setRangeColor") and not actions_of(answer, "addNote")


def test_compute_writes_the_same_figures_as_the_library(ribbon: ModuleType, examples: Path) -> None:
    from xl_brm.api import load
    from xl_brm.calc import JSON_KEYS, compute_register
    from xl_brm.periods import current_month

    path = examples / "community_taj.xlsx"
    body = book_json(path)
    answer = run_script(ribbon, "compute", body)
    computed = sheet_values(answer, len(body["sheets"]))
    assert computed[0] == ["row", *JSON_KEYS]
    _, validation = load(path)
    expected = [f.to_json() for f in compute_register(validation.register, as_of=current_month())]
    got = [dict(zip(JSON_KEYS, r[1:], strict=True)) for r in computed[1 : 1 + len(expected)]]
    for want, have in zip(expected, got, strict=True):
        assert {k: ("" if v is None else v) for k, v in want.items()} == have
    assert actions_of(answer, "addChart")
    assert [a["args"][1] for a in actions_of(answer, "addSheet")] == ["BRM Computed", "BRM Summary"]


@pytest.fixture
def national_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from xl_brm.national import create_token
    from xl_brm.national.app import create_app
    from xl_brm.national.settings import StoreSettings

    db = f"sqlite:///{tmp_path / 'national.db'}"
    token = create_token(db, trust="RJ1")
    with serve(create_app(StoreSettings(db=db))) as url:
        monkeypatch.setenv("XL_BRM_URL", url)
        monkeypatch.setenv("XL_BRM_TOKEN", token)
        monkeypatch.setenv("XL_BRM_ADDIN_STATE_DIR", str(tmp_path / "state"))
        yield url


def _clean_register(tmp_path: Path) -> Path:
    """A small RJ1 register with two approved benefits and no errors."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(
        [
            "Benefit ID",
            "Trust ODS",
            "Programme",
            "Project",
            "Title",
            "Benefit Type",
            "Category",
            "Benefit Owner",
            "Approval Status",
            "Approved By",
            "Approved On",
            "Evidence",
        ]
    )
    for i in (1, 2):
        ws.append(
            [
                f"Q-{i}",
                "RJ1",
                "GDE",
                "EPMA",
                f"Safer culture {i}",
                "Qualitative",
                "Safety",
                "Director of Nursing",
                "Approved",
                "Board",
                "15/01/2020",
                "Staff survey, Jan 2020",
            ]
        )
    ws.append(["Q-3", "RJ1", "GDE", "EPMA", "Draft idea", "Qualitative", "Safety", "Lead", "Draft"])
    path = tmp_path / "register.xlsx"
    wb.save(path)
    return path


def test_submit_sends_approved_rows_and_writes_the_status_back(
    ribbon: ModuleType, national_store: str, tmp_path: Path
) -> None:
    body = book_json(_clean_register(tmp_path))
    answer = run_script(ribbon, "submit_to_national", body)
    status = sheet_values(answer, len(body["sheets"]))
    assert status[0][:2] == ["Submitted to", national_store]
    rows = {r[0]: r for r in status[4:]}
    assert rows["Q-1"][1:4] == [2, "accepted", 1] and rows["Q-2"][2] == "accepted"
    assert "Q-3" not in rows  # a draft is never sent
    again = run_script(ribbon, "submit_to_national", body)  # nothing changed: no-ops
    assert {r[0]: r[2] for r in sheet_values(again, len(body["sheets"]))[4:]} == {
        "Q-1": "unchanged",
        "Q-2": "unchanged",
    }
    pulled = run_script(ribbon, "pull_national_status", body)
    table = sheet_values(pulled, len(body["sheets"]))
    assert {r[0]: r[1] for r in table[3:]} == {"Q-1": "in sync", "Q-2": "in sync", "Q-3": "not approved"}


def test_an_error_blocks_submission_and_its_cell_is_highlighted(
    ribbon: ModuleType, national_store: str, tmp_path: Path
) -> None:
    import httpx

    path = _clean_register(tmp_path)
    body = book_json(path)
    body["sheets"][0]["values"][2][5] = "Cashable"  # Q-2's benefit type, cell F3
    answer = run_script(ribbon, "submit_to_national", body)
    assert [a["args"][1] for a in actions_of(answer, "addSheet")] == ["Issues", "BRM National"]
    red = [
        (a["sheet_position"], a["start_row"], a["start_column"]) for a in actions_of(answer, "setRangeColor")
    ]
    assert (0, 2, 5) in red
    national = sheet_values(answer, len(body["sheets"]) + 1)
    assert national[0][0] == "Submission blocked"
    held = httpx.get(
        f"{national_store}/v1/trusts/RJ1/benefits",
        headers={"Authorization": "Bearer " + __import__("os").environ["XL_BRM_TOKEN"]},
    )
    assert held.json()["benefits"] == []  # nothing reached the store
