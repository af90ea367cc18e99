"""What a refusal from the store means for a pending submission: is it for good, and where.

A submission the store refuses for a reason that will not change on retry must not be resent
first on every later run (it would block every correction behind it). Refusals that say nothing
about the body (a token problem, a timeout, a request still in progress, the rate limit) are
not for good; any other 4xx is, and so is a 500 that `StoreClient` saw repeat
(`RetryPolicy.server_error_attempts`) or a problem that says `"retryable": false`.

The problem's `errors` locate what was wrong in the body (`["benefits", 3, "fields",
"unit_value_gbp"]`); the body itself says which sheet, row and column each of its cells came
from, so the refusal can name the trust's own cell, e.g. `Benefits!L12`.
"""

from __future__ import annotations

import json
from typing import Any

from xl_brm.errors import StoreRejected, SyncError

NOT_ABOUT_THE_BODY = frozenset({401, 408, 409, 425, 429})
"""Refusals a later run may not get: token, timeout, in progress, too early, rate limit."""
MAX_CELLS = 10


def is_for_good(error: SyncError) -> bool:
    """True when resending the same body would be refused again."""
    return isinstance(error, StoreRejected) and error.status not in NOT_ABOUT_THE_BODY


def one_line(error: StoreRejected) -> str:
    """The store's answer, as the set-aside record keeps it."""
    problem = error.problem
    title = str(problem.get("title") or f"HTTP {error.status}")
    detail = problem.get("detail")
    return f"{error.status} {title}" + (f": {detail}" if detail else "")


def named_cells(problem: dict[str, Any], body: bytes) -> list[str]:
    """The workbook cells (`Sheet!A1`, or `Sheet row 12`) a problem points at in `body`, each
    with what the problem says of it: `Benefits!L12: Input should be a finite number`."""
    entries = [problem, *_dicts(problem.get("errors")), *_dicts(problem.get("findings"))]
    cells: list[str] = []
    data: Any = None
    for entry in entries:
        cell = _own_cell(entry)
        if cell is None and isinstance(entry.get("loc"), list):
            if data is None:
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {}
            cell = _located(data, [str(p) for p in entry["loc"]])
        if cell is None:
            continue
        said = (entry.get("msg") or entry.get("message")) if entry is not problem else None
        named = f"{cell}: {said}" if isinstance(said, str) and said else cell
        if named not in cells:
            cells.append(named)
        if len(cells) == MAX_CELLS:
            break
    return cells


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _own_cell(entry: dict[str, Any]) -> str | None:
    """A cell the answer names itself (a finding's `sheet` and `cell`)."""
    cell = entry.get("cell")
    if not isinstance(cell, str) or not cell:
        return None
    sheet = entry.get("sheet")
    return f"{sheet}!{cell}" if isinstance(sheet, str) and sheet else cell


def _located(data: Any, loc: list[str]) -> str | None:
    """The cell of `body` at a validation error's location, as precisely as the body allows."""
    if loc[:1] == ["body"]:
        loc = loc[1:]
    try:
        if loc[0] != "benefits" or not loc[1].isdigit():
            return None
        source = data["source"]
        benefit = data["benefits"][int(loc[1])]
        sheet = source["benefits"]["sheet"]
        if len(loc) > 3 and loc[2] == "fields":
            return _cell(sheet, source["benefits"]["columns"].get(loc[3]), benefit["row"])
        if len(loc) > 3 and loc[2] == "measurements" and loc[3].isdigit():
            measurement = benefit["measurements"][int(loc[3])]
            where = source["measurements"]
            column = where["columns"].get(loc[4]) if len(loc) > 4 else None
            return _cell(where["sheet"], column, measurement["row"])
        return _cell(sheet, None, benefit["row"])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def _cell(sheet: Any, column: Any, row: Any) -> str:
    return f"{sheet}!{column}{row}" if isinstance(column, str) else f"{sheet} row {row}"
