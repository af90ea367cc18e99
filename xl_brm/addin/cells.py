"""What a cell function receives, made the same whichever Excel sent it.

Desktop Excel (xlwings COM) and Office.js (Excel on the web, Mac, Microsoft 365) hand the same
range over differently: blanks arrive as None, "" or JS null; whole numbers as 120.0 or 120;
dates as datetimes or as serial numbers; a single cell as a scalar or as [[x]]; errors as
strings or as `{"type": "Error", ...}` objects. These helpers fold all of that into what the
workbook reader produces (floats, None for blank, dates), so the rule engine and the
calculations see one shape and give one answer. No business rules live here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import chain
from typing import Any

from xl_brm.errors import UsageError
from xl_brm.normalise import CellError, parse_date, parse_number, parse_percent


def tidy(value: Any) -> Any:
    """One cell as the reader would have read it: int -> float, "" -> None, Office.js
    value objects -> their basic value (errors -> their text, e.g. '#N/A')."""
    if value is None:
        return None
    kind = type(value)
    if kind is float or kind is bool:
        return value
    if kind is int:
        return float(value)
    if kind is str:
        return value if value.strip() else None
    if isinstance(value, dict):
        if value.get("type") == "Error":
            return value.get("basicValue") or "#VALUE!"
        return tidy(value.get("basicValue"))
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if type(value).__name__ == "JsNull":  # Pyodide >= 0.28 (xlwings Lite)
        return None
    return value


def unwrap(value: Any) -> Any:
    """A single cell from a scalar, [x] or [[x]]."""
    while isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, (list, tuple)):
        raise UsageError("expected a single cell, got a range", hint="point at one cell")
    return tidy(value)


def flat(value: Any) -> list[Any]:
    """Every cell of a scalar, a row, a column or a block, row by row."""
    if not isinstance(value, (list, tuple)):
        return [tidy(value)]
    out: list[Any] = []
    for item in value:
        if isinstance(item, (list, tuple)):
            out.extend(tidy(v) for v in item)
        else:
            out.append(tidy(item))
    return out


def grid(value: Any) -> list[list[Any]]:
    """A 2-D block of tidied cells (a scalar becomes 1 x 1, a flat list one row)."""
    if not isinstance(value, (list, tuple)):
        return [[tidy(value)]]
    if value and not isinstance(value[0], (list, tuple)):
        return [[tidy(v) for v in value]]
    return [[tidy(v) for v in row] for row in value]


_NONE_AS_TEXT = {None: ""}.get


def reader_rows(value: Any) -> Sequence[Sequence[Any]]:
    """A block for the workbook reader's grid functions (`xl_brm.reader.grid`), which read
    blanks (None or ''), ints, serials and datetimes as a saved file would give them.

    This is the hot path of `BRM_ISSUES` over 10,000 rows. A 2-D range of plain cells, the
    usual case, is handed on as it is (the reader copies it anyway); only a block holding
    Office.js value objects (unhashable dicts) is copied and tidied, a row at a time.
    """
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        block = value  # a 2-D range (desktop COM gives tuples of tuples)
    else:
        block = grid(value)
    if all(kind.__hash__ is not None for kind in set(map(type, chain.from_iterable(block)))):
        return block
    width = max(map(len, block), default=0)
    out: list[list[Any]] = []
    for row in block:
        try:
            cells = list(map(_NONE_AS_TEXT, row, row))
        except TypeError:  # an unhashable Office.js value object ({"type": ..., "basicValue": ...})
            cells = ["" if v is None else v for v in map(tidy, row)]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        out.append(cells)
    return out


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_argument(value: Any) -> bool:
    """Blank, or the 0 Office.js passes for a reference to an empty cell. Only for arguments
    where 0 can mean nothing else (a direction, method, period, date or year)."""
    return is_blank(value) or (type(value) is float and value == 0.0)


def _read(parser: Callable[[Any], tuple[Any, Any]], value: Any, what: str, wanted: str) -> Any:
    try:
        parsed, _note = parser(value)
    except CellError as exc:
        raise UsageError(f"{what} {value!r} is not {wanted}", hint=_HINTS.get(exc.code, "")) from None
    return parsed


_HINTS = {
    "BRM201": "type a number such as 120 or £1,200.50",
    "BRM206": "a percentage is 0-100, e.g. 80 or 80%",
    "BRM213": "fix the Excel error in the cell it comes from",
    "BRM106": "recalculate the workbook so the formula has a value",
}


def number(value: Any, what: str, *, default: float | None = None) -> float:
    """A number from a cell ('£1,200' and '12' read too); blank -> `default` or an error."""
    value = unwrap(value)
    parsed = None if is_blank(value) else _read(parse_number, value, what, "a number")
    if parsed is None:
        if default is None:
            raise UsageError(f"{what} is blank", hint="give a number")
        return default
    return float(parsed)


def numbers(value: Any, what: str) -> list[float | None]:
    """The numbers of a range, None where a cell is blank (text that is no number: an error)."""
    return [
        None if is_blank(v) else float(_read(parse_number, v, f"a cell of {what}", "a number"))
        for v in flat(value)
    ]


def percent(value: Any, what: str, *, default: float) -> float:
    """Percentage points 0-100 ('80%', 80, or Excel's 0.8 for a cell formatted as 80%)."""
    value = unwrap(value)
    if is_blank(value):
        return default
    return float(_read(parse_percent, value, what, "a percentage"))


def text(value: Any, what: str, *, default: str | None = None) -> str:
    """Text from a cell; blank (or the 0 Office.js passes for a blank cell) -> `default`."""
    value = unwrap(value)
    if is_blank_argument(value):
        if default is None:
            raise UsageError(f"{what} is blank")
        return default
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def a_date(value: Any, what: str) -> date:
    """A date from a date cell, an Excel serial or UK text ('31/03/2020')."""
    value = unwrap(value)
    parsed = None if is_blank(value) else _read(parse_date, value, what, "a date")
    if parsed is None:
        raise UsageError(f"{what} is blank", hint="give a date")
    return parsed  # type: ignore[no-any-return]
