"""Reading one cell as the field's type (SPEC §2.1): the human spellings trusts actually type.

Every parser takes a raw cell (str, float, int, bool, date, datetime, None, or a
`FormulaWithoutValue`) and returns `(value, note)`: the typed value (None for a blank cell) and
an optional `Note` — a warning the engine reports at the cell. A value that cannot be read
raises `CellError`, which names the rule to report. Parsers never fill defaults; the engine does.

Decisions where SPEC §2.1 is silent:
- ODS codes: lower case is accepted and upper-cased silently (lossless, like enum spellings).
- Percent: a number cell from 0 (exclusive) to 1 (inclusive) is read as a fraction, because
  Excel stores 80% as 0.8; it is never silent: BRM207 warns, naming both readings. Text with a
  % sign ("12.5%") and numbers above 1 are percentage points.
- Money: "£1,200.50", "1200", "GBP 50", "-£50", and accounting negatives "(£50)" are read.
  Numbers accept thousands separators, a £ sign and a trailing % ("12%" -> 12 points).
- Dates: date/datetime cells as stored (time dropped); numbers as Excel 1900 serials; text as
  ISO yyyy-mm-dd, or day-first dd/mm/yyyy (also with '.' or '-', two-digit years as 20yy), or
  "2 Aug 2019" / "02-Aug-19". A text date whose day and month could be swapped carries an
  ambiguity note; the engine reports it (BRM203) only when the same sheet holds a text date
  that is valid only month-first, i.e. evidence that someone typed US dates there. A text date
  valid only month-first ("12/31/2020") is an error (BRM202) that says so.
- Text: surrounding spaces are stripped; text starting with = + - @ (or full-width forms) is
  kept unchanged with a BRM208 note. Numbers in a text cell (an ID typed as 7) become "7".
  Text holding NUL or another C0 control character is refused (BRM215); tab, line feed and
  carriage return are line breaks people type (Alt+Enter, or pasted from Windows), so kept.

Numbers are finite and plausible (SPEC §2.1): NaN is not a number (BRM201); an infinity, an
overflow ('1e400') or a magnitude beyond `MAX_MAGNITUDE` (beyond `MAX_UNIT_VALUE_GBP` for
unit_value_gbp) is refused at the cell (BRM214), and one beyond `LARGE_MAGNITUDE` gets a
warning (BRM506; unit values above £1m get BRM502 from the engine instead). So no product or
sum in `xl_brm.calc` can overflow. Periods outside the plausible window are refused (BRM216).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from xl_brm.enums import Unit, fold, parse_enum, read_enum
from xl_brm.fields import Field, Kind
from xl_brm.periods import EXCEL_EPOCH, MONTH_NAMES, PeriodError, PeriodOutOfWindow, parse_period
from xl_brm.table import FormulaWithoutValue

Parsed = tuple[Any, "Note | None"]
Parser = Callable[[Any], Parsed]

FORMULA_PREFIXES = frozenset("=+-@\t\r\n＝＋－＠")
"""First characters that make a spreadsheet treat exported text as a formula."""

EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)

MAX_MAGNITUDE = 1e12
"""The largest plausible measurement, baseline, target or planned value (SPEC §2.1)."""
MAX_UNIT_VALUE_GBP = 1e9
"""The largest plausible unit_value_gbp, £ per unit (SPEC §2.1)."""
LARGE_MAGNITUDE = 1e9
"""Numbers beyond this (and within MAX_MAGNITUDE) are read with a BRM506 warning."""
LIMITS: Mapping[str, tuple[float, float | None]] = {"unit_value_gbp": (MAX_UNIT_VALUE_GBP, None)}
"""Field -> (error beyond, warning beyond) where it differs from (MAX_MAGNITUDE, LARGE_MAGNITUDE);
unit_value_gbp's warning is the engine's BRM502 (above £1m)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""C0 control characters other than tab, line feed and carriage return."""

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "ok"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0"})


@dataclass(frozen=True, slots=True)
class Note:
    """A warning about a value that was read (e.g. an ambiguous percentage)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


class CellError(ValueError):
    """A cell that cannot be read as its field's type; `code` is the rule to report."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def is_blank(value: Any) -> bool:
    """None, an empty string or only whitespace: what an empty cell arrives as."""
    return value is None or (type(value) is str and not value.strip())


def _refuse_special(value: Any) -> None:
    """Formula cells without a result, Excel error values and text with control characters are
    never read as values, whatever the field (a NUL in a date is BRM215, not a bad date).

    Every Excel error value starts with '#', so text without one skips the strip-and-upper.
    """
    if type(value) is FormulaWithoutValue:
        raise CellError("BRM106")
    if type(value) is str:
        if "#" in value and value.strip().upper() in EXCEL_ERRORS:
            raise CellError("BRM213")
        _refuse_control(value)


def _refuse_control(text: str) -> None:
    """BRM215 for a C0 control character other than tab, line feed and carriage return."""
    if not text.isprintable() and (bad := _CONTROL.search(text)):  # isprintable: a C-speed pre-check
        raise CellError("BRM215", char=f"U+{ord(bad.group()):04X}", at=bad.start() + 1)


# ------------------------------------------------------------------------------ text


def parse_text(value: Any, *, max_length: int | None = None) -> Parsed:
    """Stripped text; numbers become their shortest text (7.0 -> '7'); risky text gets a note."""
    if type(value) is str:  # the usual cell, checked inline (this runs for every text cell)
        text = value.strip()
        if not text:
            return None, None
        if text[0] == "#" and text.upper() in EXCEL_ERRORS:
            raise CellError("BRM213")
        _refuse_control(value)
    elif value is None:
        return None, None
    elif type(value) is FormulaWithoutValue:
        raise CellError("BRM106")
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    else:
        text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        raise CellError("BRM209", length=len(text), limit=max_length)
    if text[0] in FORMULA_PREFIXES:
        return text, Note("BRM208", {"char": text[0]})
    return text, None


_ODS = re.compile(r"^[A-Z0-9]{3,5}$")


def parse_ods(value: Any) -> Parsed:
    """An ODS organisation code: 3-5 letters or digits, upper-cased ('rj1' -> 'RJ1')."""
    if is_blank(value):
        return None, None
    _refuse_special(value)
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    text = str(value).strip().upper()
    if not _ODS.match(text):
        raise CellError("BRM205")
    return text, None


# ------------------------------------------------------------------------------ enums


def parse_enum_value(value: Any, enum: type[StrEnum]) -> Parsed:
    """A member of `enum` from any known spelling ('CRB' -> cash_releasing)."""
    if is_blank(value):
        return None, None
    _refuse_special(value)
    text = parse_text(value)[0]
    member, others = read_enum(enum, text)
    if member is None:
        raise CellError("BRM204", allowed=", ".join(m.value for m in enum))
    if others:  # 'Quality / Efficiency': read as the first, never silently
        return member, Note("BRM217", {"read": member.value, "others": ", ".join(m.value for m in others)})
    return member, None


def parse_unit(value: Any) -> Parsed:
    """A known unit's canonical name ('Hrs' -> 'hours'), or the trust's own unit text."""
    if is_blank(value):
        return None, None
    _refuse_special(value)
    text, note = parse_text(value)
    member = parse_enum(Unit, text)
    return (member.value, None) if member is not None else (text, note)


def parse_bool(value: Any) -> Parsed:
    """Yes/No, Y/N, TRUE/FALSE, 1/0 and Excel booleans."""
    if type(value) is bool:
        return value, None
    if is_blank(value):
        return None, None
    _refuse_special(value)
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value), None
        raise CellError("BRM211")
    word = fold(str(value))
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    raise CellError("BRM211")


# ------------------------------------------------------------------------------ numbers

_NUMBER = re.compile(
    r"""^(?P<neg>[-−])?\s*(?:£|GBP)?\s*(?P<sign>[-−+])?\s*
        (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)
        (?:[eE](?P<exp>[-+]?\d+))?\s*(?P<pct>%)?$""",
    re.VERBOSE | re.IGNORECASE,
)


def _number_text(text: str) -> tuple[float, bool]:
    """(number, had a % sign) from '£1,200.50', '(£50)', '-£50', '12.5%', '1e3'."""
    body = text.strip().replace("\u00a0", " ")
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    match = _NUMBER.match(body)
    if not match:
        raise CellError("BRM201")
    number = float(
        match.group("num").replace(",", "") + (f"e{match.group('exp')}" if match.group("exp") else "")
    )
    signs = (match.group("neg") or "") + (match.group("sign") or "")
    if signs.count("-") + signs.count("−") + negative == 1:
        number = -number
    elif signs.count("-") + signs.count("−") + negative > 1:
        raise CellError("BRM201")
    return number, match.group("pct") is not None


def _bounded(number: float, limit: float, warn_above: float | None) -> Parsed:
    """A finite number within ±limit, with a BRM506 note beyond ±warn_above; else CellError.

    Compared before any conversion, so a huge integer is refused rather than overflowing float().
    """
    if -limit <= number <= limit:
        if warn_above is not None and not -warn_above <= number <= warn_above:
            return float(number), Note("BRM506", {"limit": f"{warn_above:,.0f}"})
        return float(number), None
    if number != number:  # NaN: not a number at all
        raise CellError("BRM201")
    raise CellError("BRM214", limit=f"{limit:,.0f}")


def parse_number(
    value: Any, *, limit: float = MAX_MAGNITUDE, warn_above: float | None = LARGE_MAGNITUDE
) -> Parsed:
    """A float from a number cell or a typed number ('1,200', '£35', '12%' -> 12.0), finite and
    within ±limit (BRM214 beyond; a BRM506 note beyond ±warn_above)."""
    if type(value) is float or type(value) is int:
        return _bounded(value, limit, warn_above)
    if is_blank(value):
        return None, None
    _refuse_special(value)
    if type(value) is not str:
        raise CellError("BRM201")
    number, _ = _number_text(value)
    return _bounded(number, limit, warn_above)


parse_money = parse_number
"""Money is a number in pounds: '£1,200.50' -> 1200.5, '(£50)' -> -50.0."""


def parse_percent(value: Any) -> Parsed:
    """Percentage points 0-100: '12.5%' -> 12.5, 12.5 -> 12.5, 0.8 -> 80.0 with a BRM207 note."""
    if is_blank(value):
        return None, None
    _refuse_special(value)
    note: Note | None = None
    if type(value) is str:
        number, had_sign = _number_text(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number, had_sign = value, False
    else:
        raise CellError("BRM201")
    if number != number:
        raise CellError("BRM201")
    if not had_sign and 0 < number <= 1:
        reading = number * 100
        note = Note("BRM207", {"reading": _short(reading)})
        number = reading
    if not 0 <= number <= 100:
        raise CellError("BRM206")
    return float(number), note


def _short(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.6g}"


def parse_value(value: Any) -> Parsed:
    """A measurement: a number where it reads as one (finite, within ±MAX_MAGNITUDE), otherwise
    text evidence (qualitative)."""
    if type(value) is float or type(value) is int:
        return _bounded(value, MAX_MAGNITUDE, LARGE_MAGNITUDE)
    if is_blank(value):
        return None, None
    _refuse_special(value)
    if type(value) is str:
        try:
            number, _ = _number_text(value)
        except CellError:
            return parse_text(value)
        return _bounded(number, MAX_MAGNITUDE, LARGE_MAGNITUDE)
    raise CellError("BRM201")


# ------------------------------------------------------------------------------ dates

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_D_MON_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]*([A-Za-z]{3,9})[\s\-/,]*(\d{4}|\d{2})$")
_MON_D_Y = re.compile(r"^([A-Za-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def excel_serial(value: float) -> date:
    """An Excel 1900-system date serial (the fraction, a time of day, is dropped).

    Compared before any conversion, so NaN, infinities and huge integers are refused cleanly.
    """
    if not 61 <= value < 2_958_466:
        raise CellError("BRM202", reason=" (a number that is not an Excel date)")
    return EXCEL_EPOCH + timedelta(days=int(value))


def parse_date(value: Any) -> Parsed:
    """A date from a date cell, an Excel serial, ISO text or UK day-first text.

    An ambiguous day-first text date comes back with an `ambiguous-date` note (BRM203) whose
    params hold both readings; see the module docstring for when the engine reports it.
    """
    if type(value) is datetime:
        return value.date(), None
    if type(value) is date:
        return value, None
    if is_blank(value):
        return None, None
    _refuse_special(value)
    if isinstance(value, bool):
        raise CellError("BRM202", reason=" (a TRUE/FALSE cell)")
    if isinstance(value, (int, float)):
        return excel_serial(value), None
    if isinstance(value, datetime):  # a datetime subclass
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if not isinstance(value, str):
        raise CellError("BRM202", reason="")
    return _parse_date_text(" ".join(value.split()))


def _parse_date_text(text: str) -> Parsed:
    if match := _ISO_DATE.match(text):
        found = _real_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if found is None:
            raise CellError("BRM202", reason=" (that day does not exist)")
        return found, None
    if match := _DMY.match(text):
        first, second, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
        day_first = _real_date(year, second, first)
        month_first = _real_date(year, first, second)
        if day_first is None:
            if month_first is not None and second > 12:
                raise CellError(
                    "BRM202",
                    reason=f" (it only reads month-first, US style: {month_first:%d/%m/%Y}?)",
                    us_only=True,
                )
            raise CellError("BRM202", reason=" (that day does not exist)")
        if month_first is not None and first != second:
            return day_first, Note(
                "BRM203",
                {
                    "reading": f"{day_first:%d %B %Y}",
                    "other": f"{month_first:%d %B %Y}",
                    "suggestion": day_first.isoformat(),
                },
            )
        return day_first, None
    for pattern, order in ((_D_MON_Y, "dmy"), (_MON_D_Y, "mdy")):
        if match := pattern.match(text):
            d, m, y = (1, 2, 3) if order == "dmy" else (2, 1, 3)
            month = MONTH_NAMES.get(match.group(m).lower())
            if month is None:
                break
            found = _real_date(_year(match.group(y)), month, int(match.group(d)))
            if found is None:
                raise CellError("BRM202", reason=" (that day does not exist)")
            return found, None
    raise CellError("BRM202", reason="")


# ------------------------------------------------------------------------------ periods


def parse_period_value(value: Any) -> Parsed:
    """A month or NHS quarter (SPEC §3) via `periods.parse_period`, which caches repeats."""
    if is_blank(value):
        return None, None
    _refuse_special(value)
    try:
        return parse_period(value.strip() if type(value) is str else value), None
    except PeriodOutOfWindow as exc:
        raise CellError("BRM216", first=exc.first, last=exc.last) from exc
    except PeriodError as exc:
        raise CellError("BRM212", reason=str(exc)) from exc
    except TypeError as exc:  # an unhashable oddity cannot be cached, let alone read
        raise CellError("BRM212", reason=str(exc)) from exc


# ------------------------------------------------------------------------------ dispatch


def parser_for(spec: Field) -> Parser:
    """The parser for a field, by its kind (and enum / length limit)."""
    kind: Kind = spec.kind
    if kind == "text":
        if spec.max_length is not None:
            limit = spec.max_length
            return lambda value: parse_text(value, max_length=limit)
        return parse_text
    if kind == "enum":
        assert spec.enum is not None
        enum = spec.enum
        return lambda value: parse_enum_value(value, enum)
    if kind in ("number", "money") and spec.name in LIMITS:
        most, warn_above = LIMITS[spec.name]
        return lambda value: parse_number(value, limit=most, warn_above=warn_above)
    return _BY_KIND[kind]


_BY_KIND: dict[str, Parser] = {
    "ods": parse_ods,
    "unit": parse_unit,
    "bool": parse_bool,
    "number": parse_number,
    "money": parse_money,
    "percent": parse_percent,
    "date": parse_date,
    "period": parse_period_value,
    "value": parse_value,
}


def to_json_value(spec: Field, value: Any) -> Any:
    """The JSON form of a parsed value that reads back to the same value (for submissions).

    Dates become ISO text, enums their canonical name, periods their canonical text, and
    percentages "<n>%" text, so that 0.5% is never re-read as a fraction (50%).
    """
    if value is None:
        return None
    if spec.kind == "percent":
        return f"{value!r}%"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if spec.kind == "period":
        return str(value)
    return value
