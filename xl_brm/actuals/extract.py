"""Reading an extract of actuals from a BI warehouse or an EPR (CSV or xlsx) with pandas.

A trust's actuals usually exist already as an extract: a benefit or measure code, a day or a
month, a number. This module finds the extract's header row and its columns (by their usual
names, or a saved `ExtractMapping`), and reads each line as an `ExtractRow` with its line
number, so a bad line gets a finding that names it. pandas is an optional extra
(`pip install 'xl_brm[pandas]'`) imported only here, only when an extract is read.

Cells keep the type they were stored with: every CSV cell is read as text (pandas would read
'02/08/2019' month-first), and dates are read day-first as a UK trust writes them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xl_brm.enums import fold
from xl_brm.errors import InputError, MappingError
from xl_brm.fields import MEASUREMENT_FIELD
from xl_brm.findings import Finding
from xl_brm.normalise import CellError, parse_date, parse_number
from xl_brm.periods import Period, PeriodError, parse_period
from xl_brm.reader._limits import HEADER_SCAN_ROWS
from xl_brm.reader.headers import words
from xl_brm.reader.wide import key_text
from xl_brm.rules import RULES
from xl_brm.table import column_letter

FIELDS = ("benefit_id", "measure_code", "period", "value")
"""What an extract's columns can be: which benefit (its ID, or a measure code the register
gives it), when (a day, a month or a quarter) and how much."""

_NAMES: dict[str, frozenset[str]] = {
    "benefit_id": MEASUREMENT_FIELD["benefit_id"].folded | {fold("Benefit Code"), fold("Benefit Reference")},
    "measure_code": frozenset(fold(n) for n in (
        "Measure Code", "Metric Code", "KPI Code", "Indicator Code", "Measure ID", "Metric ID", "KPI ID",
        "Indicator ID", "KPI", "Indicator", "Metric", "Measure", "National Measure Code", "Code")),
    "period": MEASUREMENT_FIELD["period"].folded | {fold(n) for n in (
        "Activity Date", "Day", "Date of Activity", "Week Ending", "Reporting Date", "Period Start",
        "Month Start", "Event Date", "Activity Month", "Reporting Month")},
    "value": MEASUREMENT_FIELD["value"].folded | {fold(n) for n in (
        "Count", "Total", "Number", "Amount", "Sum", "Activity", "Figure", "Measure Value", "Metric Value",
        "Actual Value")},
}
_FULL_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$|^\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?$|"
                        r"^\d{1,2}[\s-][A-Za-z]{3,9}[\s-]\d{2,4}$")


@dataclass(slots=True)
class ExtractMapping:
    """Which column of an extract holds what: saved once, reused for every month's extract."""

    columns: dict[str, str] = field(default_factory=dict)
    """Header as in the extract -> one of `FIELDS`."""
    header_row: int | None = None
    """Line (CSV) or row (xlsx) of the header; None = find it."""
    sheet: str | None = None
    """The sheet of an xlsx extract; None = the first."""
    source: str | None = None

    def dumps(self) -> str:
        out = ["# xl-brm extract mapping" + (f" for {Path(self.source).name}" if self.source else ""),
               "# One line per column:  header in the extract = " + " | ".join(FIELDS),
               "# Use it with:  xl-brm actuals import EXTRACT --into REGISTER --mapping THIS-FILE",
               f"[Extract: {self.sheet}]" if self.sheet else "[Extract]"]
        if self.header_row is not None:
            out.append(f"header row = {self.header_row}")
        out += [f"{header} = {name}" for header, name in self.columns.items()]
        return "\n".join(out) + "\n"

    def save(self, path: str | Path) -> None:
        """Write the mapping file (whole or not at all)."""
        from xl_brm.excel._save import atomic_path

        with atomic_path(path) as tmp:
            tmp.write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ExtractMapping:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"cannot read the extract mapping ({exc})", path=p,
                               hint="write one with `xl-brm actuals map EXTRACT`") from None
        return cls.loads(text, path=p)

    @classmethod
    def loads(cls, text: str, *, path: str | Path | None = None) -> ExtractMapping:
        mapping = ExtractMapping(source=str(path) if path else None)
        seen = False
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                kind, _, sheet = line.strip("[]").partition(":")
                if fold(kind) != "extract" or seen:
                    raise MappingError(f"line {number}: an extract mapping has one [Extract] section",
                                       path=path, hint="write it as [Extract] or [Extract: sheet name]")
                mapping.sheet, seen = sheet.strip() or None, True
                continue
            header, eq, name = line.rpartition("=")
            header, name = header.strip(), name.strip()
            if not eq or not header:
                raise MappingError(f"line {number}: '{line}' is not of the form  header = field", path=path,
                                   hint="write the header as in the extract, '=', then " + " | ".join(FIELDS))
            if fold(header) == "headerrow" and name.isdigit():
                mapping.header_row = int(name)
            elif name in FIELDS:
                mapping.columns[header] = name
            elif name:
                raise MappingError(f"line {number}: '{name}' is not an extract field", path=path,
                                   hint="use one of: " + ", ".join(FIELDS))
        if not mapping.columns:
            raise MappingError("the extract mapping names no columns", path=path,
                               hint="write one with `xl-brm actuals map EXTRACT`")
        return mapping


@dataclass(frozen=True, slots=True)
class ExtractRow:
    """One line of an extract, read: its code, when and how much."""

    line: int
    code: str
    period: Period
    """The month or quarter it falls in."""
    day: date | None
    """The day, when the extract gives days."""
    value: float


@dataclass(slots=True)
class Extract:
    path: Path
    mapping: ExtractMapping
    rows: list[ExtractRow]
    findings: list[Finding]
    by_code: str
    """'benefit_id' or 'measure_code': what the extract's code column holds."""
    letters: dict[str, str]
    """Field -> its column letter, for findings."""


def read_extract(path: str | Path, mapping: ExtractMapping | None = None) -> Extract:
    """Read an extract; bad lines become findings (the good ones are read)."""
    p = Path(path)
    grid = _grid(p, mapping)
    header = _header_row(grid, mapping)
    if header is None:
        proposal = propose_extract_mapping(p)
        raise InputError(
            "cannot tell which columns hold the benefit (or measure code), the period and the value",
            path=p, hint="save a mapping with `xl-brm actuals map EXTRACT`, edit it, and pass --mapping; "
            "it starts like this:\n" + proposal.dumps())
    columns = _columns(grid[header], mapping)
    used = ExtractMapping({str(grid[header][j]): name for name, j in columns.items()}, header + 1,
                          mapping.sheet if mapping else None, str(p))
    by_code = "benefit_id" if "benefit_id" in columns else "measure_code"
    letters = {name: column_letter(j) for name, j in columns.items()}
    missing = [n for n in (by_code, "period", "value") if n not in columns]
    if missing:
        raise InputError(f"no column for {', '.join(missing)}", path=p,
                         hint="name the column in an extract mapping (`xl-brm actuals map EXTRACT`)")
    rows: list[ExtractRow] = []
    findings: list[Finding] = []
    when: dict[Any, tuple[Period, date | None] | CellError] = {}
    for index in range(header + 1, len(grid)):
        cells = grid[index]
        if all(v is None for v in cells):
            continue
        line = index + 1
        place: dict[str, Any] = {"sheet": p.name, "row": line}
        code, stamp, amount = (cells[columns[by_code]], cells[columns["period"]], cells[columns["value"]])
        blank = [n for n, v in ((by_code, code), ("period", stamp), ("value", amount)) if v is None]
        if blank:
            name = blank[0]
            findings.append(RULES["BRM210"].finding(
                **place, column=name, cell=f"{letters[name]}{line}", value=None,
                reason="every line of the extract needs a code, a period and a value"))
            continue
        key = stamp if isinstance(stamp, str | float | int | date) else str(stamp)
        read = when.get(key)
        if read is None:
            read = when[key] = _when(stamp)
        if isinstance(read, CellError):
            findings.append(RULES[read.code].finding(
                **place, column="period", cell=f"{letters['period']}{line}", value=str(stamp), **read.params))
            continue
        try:
            number, _ = parse_number(amount)
        except CellError as error:
            findings.append(RULES[error.code].finding(
                **place, column="value", cell=f"{letters['value']}{line}", value=str(amount), **error.params))
            continue
        assert number is not None
        rows.append(ExtractRow(line, key_text(code), read[0], read[1], number))
    return Extract(p, used, _months_as_months(rows), findings, by_code, letters)


def _months_as_months(rows: list[ExtractRow]) -> list[ExtractRow]:
    """A monthly extract often dates each month by its first (or last) day: when every date is
    the first of its month, or every one the last, the extract gives months, not days."""
    days = [r.day for r in rows if r.day is not None]
    if not days:
        return rows
    if all(d.day == 1 for d in days) or all(Period.of_date(d).end == d for d in days):
        return [ExtractRow(r.line, r.code, r.period, None, r.value) for r in rows]
    return rows


def propose_extract_mapping(path: str | Path) -> ExtractMapping:
    """What `xl-brm actuals map EXTRACT` saves: the header row and the columns recognised."""
    p = Path(path)
    grid = _grid(p, None)
    header = _header_row(grid, None, partial=True)
    if header is None:
        return ExtractMapping({"(your benefit ID or measure code column)": "benefit_id",
                               "(your date or month column)": "period", "(your number column)": "value"},
                              source=str(p))
    columns = _columns(grid[header], None)
    return ExtractMapping({str(grid[header][j]): name for name, j in columns.items()}, header + 1,
                          source=str(p))


# -- cells ---------------------------------------------------------------------------------------


def _when(cell: Any) -> tuple[Period, date | None] | CellError:
    """The month or quarter a period cell falls in, and its day when it gives one."""
    try:
        if isinstance(cell, datetime | date | float | int) and not isinstance(cell, bool):
            day, _ = parse_date(cell)
            assert day is not None
            return Period.of_date(day), day
        text = " ".join(str(cell).split())
        if _FULL_DATE.match(text):
            day, _ = parse_date(text.split("T")[0].split(" 00:00")[0])
            assert day is not None
            return Period.of_date(day), day
        return parse_period(text), None
    except CellError as error:
        return error
    except PeriodError as exc:
        return CellError("BRM212", reason=str(exc))


def _header_row(grid: list[list[Any]], mapping: ExtractMapping | None, *,
                partial: bool = False) -> int | None:
    """The header row: a mapping's, else the top row naming a code, a period and a value
    (`partial`: the one naming the most of them)."""
    if mapping is not None and mapping.header_row is not None:
        return mapping.header_row - 1 if mapping.header_row <= len(grid) else None
    best, best_score = None, 0 if partial else 2
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found = _columns(row, mapping)
        score = len(found) - ("benefit_id" in found and "measure_code" in found)
        if score > best_score and (partial or ("period" in found and "value" in found)):
            best, best_score = i, score
    return best


def _columns(row: list[Any], mapping: ExtractMapping | None) -> dict[str, int]:
    """Field -> column index of a header row: a mapping's own headers, else the usual names,
    else the words in them ('KPI Ref', 'Amount (£)')."""
    named = {fold(h): n for h, n in mapping.columns.items()} if mapping else {}
    found: dict[str, int] = {}
    guessed: dict[str, int] = {}
    for j, cell in enumerate(row):
        if not isinstance(cell, str) or not cell.strip():
            continue
        key = fold(cell)
        if named:
            name = named.get(key)
        else:
            name = next((n for n in FIELDS if key in _NAMES[n]), None)
            if name is None and (guess := _guess(cell)) is not None:
                guessed.setdefault(guess, j)
        if name is not None:
            found.setdefault(name, j)
    for name, j in guessed.items():
        if name not in found and j not in found.values():
            found[name] = j
    return found


_VALUE_WORDS = frozenset({"value", "actual", "actuals", "count", "total", "amount", "numerator", "figure",
                          "result", "sum"})


def _guess(header: str) -> str | None:
    said = set(words(header))
    if said & _VALUE_WORDS:
        return "value"
    if said & {"date", "month", "mth", "period", "week", "day", "quarter", "qtr"}:
        return "period"
    if said & {"kpi", "metric", "indicator", "measure"}:
        return "measure_code"
    if "benefit" in said and said & {"id", "ref", "no", "code", "number", "reference"}:
        return "benefit_id"
    return None


# -- files ----------------------------------------------------------------------------------------


def _grid(p: Path, mapping: ExtractMapping | None) -> list[list[Any]]:
    """The extract's cells, a list per line (None for blank), read with pandas."""
    sheet = mapping.sheet if mapping else None
    if not p.is_file():
        raise InputError("file not found", path=p, hint="check the path")
    try:
        import pandas as pd
    except ImportError:
        raise InputError("reading an extract needs pandas", path=p,
                         hint="pip install 'xl_brm[pandas]'") from None
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from xl_brm.reader import check_safety

        check_safety(p)
        try:
            frame = pd.read_excel(p, sheet_name=sheet or 0, header=None, dtype=object, engine="calamine")
        except (ValueError, KeyError, OSError) as exc:
            if sheet is not None and sheet in str(exc):
                raise InputError(f"has no sheet '{sheet}'", path=p,
                                 hint="name the extract's sheet in the mapping's [Extract: …] line") from None
            raise InputError("cannot be read as an Excel workbook", path=p,
                             hint="open it in Excel and save it as .xlsx or .csv") from None
    elif suffix in (".csv", ".txt", ".tsv"):
        return _csv_grid(p, mapping)
    else:
        raise InputError("an extract must be a .csv or .xlsx file", path=p,
                         hint="save it from the BI tool as CSV or Excel")
    return [[_blank(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def _blank(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


_DELIMITERS = (",", ";", "\t", "|")


def _csv_grid(p: Path, mapping: ExtractMapping | None) -> list[list[Any]]:
    """A CSV extract's cells. Title lines above the header ('Run on 06/04/2021') have fewer
    fields than the table, which pandas refuses: the csv module reads the top lines, finds the
    delimiter and header that map, and pandas reads the table from the header down."""
    import pandas as pd

    text = _decode(p)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError("the extract is empty", path=p,
                         hint="save it again from the BI tool with its header line and figures")
    top = lines[:HEADER_SCAN_ROWS]
    sep, header = _delimiter(top, mapping)
    head = [[_blank(v) for v in row] for row in csv.reader(lines[:header], delimiter=sep)]
    try:
        frame = pd.read_csv(io.StringIO("\n".join(lines[header:])), header=None, dtype=object,
                            keep_default_na=False, na_filter=False, skip_blank_lines=False, sep=sep)
    except (ValueError, pd.errors.ParserError, csv.Error) as exc:
        raise InputError(_parser_problem(str(exc), header, lines, sep), path=p,
                         hint="save it again from the BI tool as CSV, one table with one header line "
                         "(title lines above it are fine), or quote values that hold the separator") from None
    body = [[_blank(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return [*head, *body]


def _parser_problem(message: str, header: int, lines: list[str], sep: str) -> str:
    """What pandas could not read, in the file's own line numbers."""
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote is not None:
        return f"a quote (\") opened on line {header + int(quote.group(1)) + 1} is never closed"
    found = re.search(r"line (\d+)", message)
    if found is None:
        return "cannot be read as a CSV table"
    line = header + int(found.group(1))
    width = len(next(csv.reader([lines[header]], delimiter=sep))) if header < len(lines) else 0
    if 0 < line <= len(lines):
        fields = len(next(csv.reader([lines[line - 1]], delimiter=sep), []))
        if fields != width:
            return f"line {line} has {fields} fields where the header (line {header + 1}) has {width}"
    return f"line {line} cannot be read as part of the table that starts on line {header + 1}"


def _delimiter(lines: list[str], mapping: ExtractMapping | None) -> tuple[str, int]:
    """The delimiter, and the 0-based line of the header: the first line that maps an extract's
    columns under some delimiter (the one mapping most of them), else the first line's."""
    best: tuple[int, int, str] | None = None
    for sep in _DELIMITERS:
        rows = [[_blank(v) for v in row] for row in csv.reader(lines, delimiter=sep)]
        found = _header_row(rows, mapping, partial=True)
        if found is None:
            continue
        score = len(_columns(rows[found], mapping))
        if best is None or score > best[0] or (score == best[0] and found < best[1]):
            best = (score, found, sep)
    if best is not None and best[0] >= 2:
        return best[2], best[1]
    first = next((line for line in lines if line.strip()), ",")
    try:
        sep = csv.Sniffer().sniff(first, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sep = ","
    return sep, 0


def _decode(p: Path) -> str:
    """The text: UTF-8, else Windows-1252 ('£' from an older BI tool)."""
    data = p.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("cannot be read as text", path=p, hint="save it as CSV (UTF-8)")
