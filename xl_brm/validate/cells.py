"""Cell rules: every cell read as its field's type (BRM2xx), required columns and cells.

The parsers of `xl_brm.normalise` decide what a cell says and raise or note the BRM2xx code;
this module runs them over the sheets, a column at a time for Benefits and a row at a time for
Measurements and Trajectory, and places each finding at its cell.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any

from xl_brm.enums import EvidenceGrade
from xl_brm.fields import (
    BENEFIT_FIELD,
    CORE_BENEFIT_FIELDS,
    MEASUREMENT_FIELD,
    SETTINGS_SHEET,
    TRAJECTORY_FIELDS,
    Field,
)
from xl_brm.findings import Finding
from xl_brm.normalise import (
    LARGE_MAGNITUDE,
    CellError,
    Note,
    Parser,
    is_blank,
    parse_ods,
    parse_text,
    parser_for,
)
from xl_brm.rules import RULES
from xl_brm.rules._checks import check
from xl_brm.table import RawRow, RawTable, column_cells, row_cells
from xl_brm.validate._shared import NOTHING_BAD, BenefitRow, Reading, State, parse_cell, positions, raw_shown

TRAJECTORY_FIELD = {f.name: f for f in TRAJECTORY_FIELDS}

PARSER_CODES = (
    "BRM106",
    "BRM201",
    "BRM202",
    "BRM203",
    "BRM204",
    "BRM205",
    "BRM206",
    "BRM207",
    "BRM208",
    "BRM209",
    "BRM211",
    "BRM212",
    "BRM213",
    "BRM214",
    "BRM215",
    "BRM216",
    "BRM217",
    "BRM506",
)
"""The codes a parser of `xl_brm.normalise` raises or notes about one cell."""


@check(*PARSER_CODES, scope="cell")
def read_cells(state: State) -> Iterator[Finding]:
    """Every cell of the Benefits, Measurements and Trajectory sheets, read by its field's
    parser (the Benefits sheet first, see `benefit_cells`)."""
    if state.mtable is not None and not state.single_row:
        yield from measurement_cells(state, state.mtable)
    if state.ttable is not None and not state.single_row:
        yield from trajectory_cells(state, state.ttable)


def defaults(state: State) -> Iterator[Finding]:
    """Fill `default_values` from Defaults, else the BRM Settings sheet."""
    settings = state.raw.settings
    for name, parse in (("trust_ods", parse_ods), ("programme", parse_text)):
        given = getattr(state.defaults, name)
        source = "--trust" if name == "trust_ods" else "--programme"
        if given is None and not is_blank(settings.get(name)):
            given, source = settings[name], f"{SETTINGS_SHEET} sheet"
        if given is None:
            continue
        try:
            value, _ = parse(given)
        except CellError as error:
            yield RULES[error.code].finding(
                sheet=SETTINGS_SHEET if source.endswith("sheet") else None,
                column=name,
                value=given,
                **error.params,
            )
            continue
        if value is not None:
            state.default_values[name] = value
            if name == "trust_ods":
                state.default_source = source


@check("BRM101", scope="cell")
def missing_columns(
    state: State, table: RawTable, required: tuple[str, ...], present: Mapping[str, int]
) -> Iterator[Finding]:
    """BRM101 for required columns neither present nor defaulted (unless the reader said so:
    it reports a missing core column of a sheet it found while reading, `xl_brm.reader.grid`)."""
    told = {(f.sheet, f.column) for f in state.raw.findings if f.code == "BRM101"}
    for name in required:
        if name not in present and name not in state.default_values and (table.sheet, name) not in told:
            yield RULES["BRM101"].finding(sheet=table.sheet, column=name)


def benefit_cells(state: State, table: RawTable) -> Iterator[Finding]:
    """Read every Benefits cell, a column at a time (see `_read_column`), into `state.benefits`."""
    pos = positions(table, BENEFIT_FIELD)
    if not state.single_row:
        yield from missing_columns(state, table, CORE_BENEFIT_FIELDS, pos)
    letters = [c.letter for c in table.columns]
    local = [(i, c.header) for i, c in enumerate(table.columns) if i not in pos.values()]
    mapped = list(pos.values())
    rows = [rr for rr in table.rows if _has_content(rr.values, mapped)]
    columns = list(zip(*(rr.values for rr in rows), strict=True))  # one transpose, not a pick per column
    bad: dict[int, set[str]] = {}  # position in `rows` -> fields it could not read (few have any)
    read: list[list[Any]] = []
    ambiguous: list[tuple[str, int, tuple[Any, ...], list[tuple[int, _Odd]]]] = []
    us_dates = False
    sheet = table.sheet
    for name, i in pos.items() if rows else ():
        column = columns[i]
        values, report, maybe = _read_column(BENEFIT_FIELD[name], column, plain=state.plain)
        read.append(values)
        if maybe:
            ambiguous.append((name, i, column, maybe))
        said: dict[tuple[int, type], Finding] = {}  # a bad value repeated down the column: said once
        for k, got in report:
            row = rows[k].row
            cell = f"{letters[i]}{row}"
            if got.error is not None:
                bad.setdefault(k, set()).add(name)
                us_dates = us_dates or bool(got.error.params.get("us_only"))
                raw = column[k]
                first = said.get((id(got), type(raw)))  # `got` is shared by equal cells
                if first is not None:
                    yield first.moved(row, cell)
                    continue
                said[id(got), type(raw)] = first = RULES[got.error.code].finding(
                    sheet=sheet,
                    row=row,
                    column=name,
                    cell=cell,
                    value=raw_shown(raw),
                    **got.error.params,
                )
                yield first
            elif got.note is not None:
                yield _note(got.note, sheet, row, name, cell, column[k])
    if us_dates:  # ambiguous dates matter only beside a date that must be month-first
        for name, i, column, maybe in ambiguous:
            for k, date_read in maybe:
                assert date_read.note is not None
                row = rows[k].row
                yield _note(date_read.note, sheet, row, name, f"{letters[i]}{row}", column[k])
    names = list(pos)
    state.benefits = brows = [
        BenefitRow(
            rr.row,
            {name: v for name, v in zip(names, row_values, strict=False) if v is not None},
            bad.get(k, NOTHING_BAD),
            _local(rr.values, local) if local else {},
        )
        for k, (rr, row_values) in enumerate(zip(rows, zip(*read, strict=True), strict=False))
    ]
    core = frozenset(CORE_BENEFIT_FIELDS)
    for b in brows:
        if b.values.keys() >= core:  # the usual row: every core cell read, nothing to report
            b.complete = True
        else:
            yield from required_cells(state, b, pos, letters, sheet)


@check("BRM210", scope="cell")
def required_cells(
    state: State, b: BenefitRow, pos: Mapping[str, int], letters: list[str], sheet: str
) -> Iterator[Finding]:
    """Fill defaults into blank core cells; BRM210 for core cells still blank. (Measurements
    and Trajectory rows report their own blank required cells as they are read.)"""
    complete = True
    for name in CORE_BENEFIT_FIELDS:
        if name in b.values:
            continue
        if name in state.default_values and name not in b.bad:
            b.values[name] = state.default_values[name]
            continue
        complete = False
        if name in b.bad or (name not in pos and not state.single_row):
            continue  # reported already, as the bad cell or as BRM101
        i = pos.get(name)
        yield RULES["BRM210"].finding(
            sheet=sheet,
            row=b.row,
            column=name,
            cell=f"{letters[i]}{b.row}" if i is not None else None,
            value=None,
            reason="it is part of the national core and needed for every benefit",
        )
    b.complete = complete


def _note(note: Note, sheet: str, row: int, column: str, cell: str, value: Any) -> Finding:
    return RULES[note.code].finding(
        sheet=sheet, row=row, column=column, cell=cell, value=value, **note.params
    )


def measurement_cells(state: State, table: RawTable) -> Iterator[Finding]:
    """The hot path (~240k rows): a clean row costs a few dict look-ups and type checks.

    Anything unusual (a first sighting of an ID or period, text that may need stripping,
    a note, an error) takes the cell-by-cell slow path, which also fills the memos. The plain
    path (`xl_brm._speed`) reads every row the slow way.
    """
    pos = positions(table, MEASUREMENT_FIELD)
    missing = [n for n in ("benefit_id", "period", "value") if n not in pos]
    if missing:
        told = {(f.sheet, f.column) for f in state.raw.findings if f.code == "BRM101"}
        for name in missing:
            if (table.sheet, name) not in told:
                yield RULES["BRM101"].finding(sheet=table.sheet, column=name)
        return
    slow = _SlowMeasurement(table, pos, plain=state.plain)
    readings = state.readings
    if state.plain:
        for rr in table.rows:
            _group(readings, (yield from slow.parse(rr)))
        return
    bid_memo, per_memo, src_memo, grade_memo = slow.memos
    ib, ip, iv = pos["benefit_id"], pos["period"], pos["value"]
    isrc, igrade, inote = pos.get("source"), pos.get("evidence_grade"), pos.get("note")
    # an absent optional column reads the benefit_id cell and is then ignored
    has_src, has_grade, has_note = isrc is not None, igrade is not None, inote is not None
    at, rows, values = row_cells(table)  # a blank cell is None or '' here
    slow.learn("benefit_id", dict.fromkeys(column_cells(table, ib)))
    cells = itemgetter(
        at[ib],
        at[ip],
        at[iv],
        at[ib if isrc is None else isrc],
        at[ib if igrade is None else igrade],
        at[ib if inote is None else inote],
    )
    measured = EvidenceGrade.MEASURED
    new, reading = tuple.__new__, Reading
    last_bid: str | None = None
    group: list[Reading] = []
    for number, row in rows:
        b, p, v, s, g, n = cells(row)
        bid = bid_memo.get(b if type(b) is str else (type(b), b))
        per = per_memo.get(p)
        tv = type(v)
        odd = (
            bid is None
            or per is None
            or (not -_PLAIN <= v <= _PLAIN if tv is float else tv is not str or not _plain_text(v))
            or (has_note and n is not None and n != "")
        )
        if not has_src or s is None or s == "":
            src = None
        else:
            src = src_memo.get(s if type(s) is str else (type(s), s))
            odd = odd or src is None
        if not has_grade or g is None or g == "":
            grade: EvidenceGrade | None = measured
        else:
            grade = grade_memo.get(g)
            odd = odd or grade is None
        if odd:
            seen = slow.seen_before(b, p, v, s, g, n, number)
            if seen is not None:
                yield seen
            else:
                _group(readings, (yield from slow.parse(RawRow(number, values(row)))))
            continue
        if bid is not last_bid:  # rows usually come a benefit at a time
            group = readings.get(bid)  # type: ignore[assignment, arg-type]
            if group is None:
                readings[bid] = group = []
            last_bid = bid
        # tuple.__new__ skips the Python-level __new__ a NamedTuple has
        group.append(new(reading, (bid, per, v, src, grade, None, number)))


def trajectory_cells(state: State, table: RawTable) -> Iterator[Finding]:
    pos = positions(table, TRAJECTORY_FIELD)
    missing = [n for n in ("benefit_id", "period", "planned_value") if n not in pos]
    if missing:
        yield from missing_columns(state, table, tuple(missing), pos)
        return
    for rr in table.rows:
        got: dict[str, Any] = {}
        ok = True
        if all(is_blank(rr.values[i]) for i in pos.values()):
            continue
        for name, i in pos.items():
            spec = TRAJECTORY_FIELD[name]
            value, found = parse_cell(spec, parser_for(spec), rr.values[i], table, rr.row, i)
            if found is not None:
                yield found
                ok = ok and found.severity != "error"
            if value is None and found is None:
                ok = False
                yield RULES["BRM210"].finding(
                    sheet=table.sheet,
                    row=rr.row,
                    column=name,
                    cell=table.cell(rr.row, i),
                    reason="a planned value needs a benefit, a period and a value",
                )
            got[name] = value
        if ok and not isinstance(got["planned_value"], str):
            state.plans.setdefault(got["benefit_id"], []).append(
                (got["period"], got["planned_value"], rr.row)
            )


_ANY_KEY = frozenset({"period", "evidence_grade"})
"""Memos keyed by the raw value alone. Elsewhere a non-text key carries its type, because
True == 1 == 1.0 in a dict yet read as 'TRUE' and '1'; no period or grade reads from any
of those, so for them the raw value is enough."""


def _plain_text(value: str) -> bool:
    """Text evidence that reads as itself: starts with a letter (so neither a number, a
    formula nor an Excel error), no trailing space, not a 'GBP 5' amount, and printable
    (no control character for the parser to refuse)."""
    return (
        bool(value)
        and value[0].isalpha()
        and not value[-1].isspace()
        and value[:3].upper() != "GBP"
        and value.isprintable()
    )


_PLAIN = LARGE_MAGNITUDE
"""Number cells within ±this read as themselves; NaN, infinities and larger numbers take the
parser's slow path, which refuses or warns (normalise.parse_value)."""


class _SlowMeasurement:
    """Cell-by-cell parsing of a Measurements row that missed the fast path."""

    def __init__(self, table: RawTable, pos: Mapping[str, int], *, plain: bool = False) -> None:
        self.plain = plain
        self.table = table
        self.pos = pos
        self.fields = [
            (name, i, MEASUREMENT_FIELD[name], parser_for(MEASUREMENT_FIELD[name])) for name, i in pos.items()
        ]
        self.memos: tuple[dict[Any, Any], ...] = ({}, {}, {}, {})
        """Raw value -> parsed, for benefit_id, period, source and evidence_grade (see _ANY_KEY)."""
        self._memo_of = dict(
            zip(("benefit_id", "period", "source", "evidence_grade"), self.memos, strict=True)
        )
        self._found: dict[tuple[str, type, Any], tuple[Any, Finding]] = {}
        """(field, type, raw) -> what a cell that read with a finding gave (see `_read`)."""
        self._blank: dict[str, Finding] = {}
        """Field -> the first BRM210 of a blank required cell in its column."""
        self.where = tuple(pos.values())
        self._letter = {name: table.columns[i].letter for name, i in pos.items()}

    def learn(self, name: str, raws: Iterable[Any]) -> None:
        """Fill a field's memo from its column's distinct cells before the rows are read, so
        that the first row of each benefit takes the fast path too. A cell that reads with a
        finding stays out, as in `parse`: each row holding it is then reported there."""
        i, memo = self.pos[name], self._memo_of[name]
        spec = MEASUREMENT_FIELD[name]
        parse = parser_for(spec)
        for raw in raws:
            if raw is not None and raw != "":
                value, found = parse_cell(spec, parse, raw, self.table, 0, i)
                if found is None and value is not None:
                    memo[raw if type(raw) is str or name in _ANY_KEY else (type(raw), raw)] = value

    def seen_before(self, b: Any, p: Any, v: Any, s: Any, g: Any, n: Any, row: int) -> Finding | None:
        """What `parse` says of a row (its cells as the hot loop reads them) whose one odd cell
        is unreadable as a cell read before was, or is a blank benefit or period once reported
        blank: that finding, moved here (the row gives no measurement). None for any other row,
        which `parse` reads. A dirty column repeats its bad value thousands of times."""
        bid_memo, per_memo, src_memo, grade_memo = self.memos
        odd: tuple[str, Any] | None = None
        for name, raw, memo in (
            ("benefit_id", b, bid_memo), ("period", p, per_memo), ("value", v, None),
            ("source", s, src_memo), ("evidence_grade", g, grade_memo), ("note", n, None),
        ):
            if name not in self.pos:  # an optional column the sheet has not got
                continue
            if raw is None or raw == "":
                if name in ("benefit_id", "period"):
                    if odd is not None:
                        return None
                    odd = (name, None)
                elif name == "value":
                    return None  # a placeholder, or more than one blank: for `parse`
                continue
            if memo is not None:
                if memo.get(raw if type(raw) is str or name in _ANY_KEY else (type(raw), raw)) is not None:
                    continue
            elif name == "value" and (
                -_PLAIN <= raw <= _PLAIN if type(raw) is float else type(raw) is str and _plain_text(raw)
            ):
                continue
            elif name == "note":
                return None  # a note makes a row worth reading in full
            if odd is not None:
                return None
            odd = (name, raw)
        if odd is None:
            return None
        name, raw = odd
        if raw is None:
            first = self._blank.get(name)
        else:
            try:
                seen = self._found.get((name, type(raw), raw))
            except TypeError:  # a value that does not hash
                return None
            first = seen[1] if seen is not None and seen[1].severity == "error" else None
        return first.moved(row, f"{self._letter[name]}{row}") if first is not None else None

    def _read(
        self, name: str, spec: Field, parse: Parser, raw: Any, row: int, i: int
    ) -> tuple[Any, Finding | None]:
        """`parse_cell`, with a cell that read with a finding before (a dirty column repeats its
        'n/a' and 'Q5' thousands of times) not parsed again: its finding is the first one's,
        moved to this cell. A parser is a function of the cell alone, and the finding's
        parameters (hence its message) do not name the row. Keyed by type as well as value:
        1, 1.0 and True read alike but are shown as they were typed."""
        try:
            key = (name, type(raw), raw)
            seen = self._found.get(key)
        except TypeError:  # a value that does not hash
            return parse_cell(spec, parse, raw, self.table, row, i)
        if seen is not None:
            return seen[0], seen[1].moved(row, self.table.cell(row, i))
        value, found = parse_cell(spec, parse, raw, self.table, row, i)
        if found is not None:
            self._found[key] = (value, found)
        return value, found

    def parse(self, rr: RawRow) -> Generator[Finding, None, Reading | None]:
        """Yield the row's findings; return its measurement, or None when it is unusable."""
        vals = rr.values
        for i in self.where:  # a row with nothing in any of its columns is no measurement
            raw = vals[i]
            if raw is not None and (type(raw) is not str or (raw != "" and not raw.isspace())):
                break
        else:
            return None
        got: dict[str, Any] = {}
        ok = True
        table = self.table
        memo_of, quick = self._memo_of, not self.plain
        for name, i, spec, parse in self.fields:
            raw = vals[i]
            if quick:  # a cell read before (or a blank, or a plain number) needs no parser
                if raw is None or raw == "":
                    got[name] = None
                    continue
                memo = memo_of.get(name)
                if memo is not None:
                    known = memo.get(raw if type(raw) is str or name in _ANY_KEY else (type(raw), raw))
                    if known is not None:
                        got[name] = known
                        continue
                elif name == "value" and type(raw) is float and -_PLAIN <= raw <= _PLAIN:
                    got[name] = raw
                    continue
            if quick:
                value, found = self._read(name, spec, parse, raw, rr.row, i)
            else:
                value, found = parse_cell(spec, parse, raw, table, rr.row, i)
            if found is not None:
                yield found
                if found.severity == "error":
                    ok = False
                    continue
            elif value is not None and name in self._memo_of:
                self._memo_of[name][raw if type(raw) is str or name in _ANY_KEY else (type(raw), raw)] = value
            got[name] = value
        if ok and got.get("value") is None and got.get("benefit_id") and got.get("period"):
            return None  # a placeholder for a period not measured yet
        for name in ("benefit_id", "period", "value"):
            if name in got and got[name] is None:
                ok = False
                cell = table.cell(rr.row, self.pos[name])
                first = self._blank.get(name)  # said once for the column (see `_read`)
                if first is not None:
                    yield first.moved(rr.row, cell)
                    continue
                self._blank[name] = first = RULES["BRM210"].finding(
                    sheet=table.sheet,
                    row=rr.row,
                    column=name,
                    cell=cell,
                    reason="a measurement needs a benefit, a period and a value",
                )
                yield first
        if not ok:
            return None
        return Reading(
            got["benefit_id"],
            got["period"],
            got["value"],
            got.get("source"),
            got.get("evidence_grade") or EvidenceGrade.MEASURED,
            got.get("note"),
            rr.row,
        )


def _group(readings: dict[str, list[Reading]], m: Reading | None) -> None:
    if m is not None:
        group = readings.get(m.benefit_id)
        if group is None:
            readings[m.benefit_id] = group = []
        group.append(m)


# ------------------------------------------------------------------------------ reading benefit cells


class _Odd:
    """A cell outcome that needs reporting: a read value with a note, or an error."""

    __slots__ = ("ambiguous", "error", "note", "value")

    def __init__(self, value: Any, note: Note | None, error: CellError | None) -> None:
        self.value = value
        self.note = note
        self.error = error
        self.ambiguous = note is not None and note.code == "BRM203"
        """A date that reads both ways: reported only if the sheet shows US dates elsewhere."""


def _outcome(parse: Parser, raw: Any) -> Any:
    """A cell's parsed value when there is nothing to report about it, else an `_Odd`."""
    try:
        value, note = parse(raw)
    except CellError as error:
        # a copy never raised: the error's traceback would tie the reading frames, and with
        # them the whole run, into a cycle that only the garbage collector frees (~10 ms)
        return _Odd(None, None, CellError(error.code, **error.params))
    if note is None or value is None:  # a blank-looking cell says nothing, note or not
        return value
    return _Odd(value, note, None)


def _read_column(
    spec: Field, column: Sequence[Any], *, plain: bool = False
) -> tuple[list[Any], list[tuple[int, _Odd]], list[tuple[int, _Odd]]]:
    """Read one Benefits column: each cell's value (None: nothing to keep), the cells to
    report (an error or a note), and the ambiguous dates (reported only on US evidence).

    The cells come as (position, outcome) pairs in row order. Registers repeat most values
    (types, statuses, dates, owners, units), so each distinct raw value is parsed once and
    the column is then read with dict look-ups. Equal raw values read the same, except that
    True == 1 == 1.0 in a dict: a column mixing booleans with numbers, or holding something
    unhashable, is read cell by cell instead (as is every column on the plain path).
    """
    parse = parser_for(spec)
    try:
        distinct = None if plain else dict.fromkeys(column)
    except TypeError:  # an unhashable oddity (never from a workbook)
        distinct = None
    if distinct is None or ((0 in distinct or 1 in distinct) and _bools_and_numbers(column)):
        outcomes = [None if raw is None or raw == "" else _outcome(parse, raw) for raw in column]
        odd = [(k, got) for k, got in enumerate(outcomes) if type(got) is _Odd]
        values = [got.value if type(got) is _Odd else got for got in outcomes]
        return values, [x for x in odd if not x[1].ambiguous], [x for x in odd if x[1].ambiguous]
    memo = {raw: _outcome(parse, raw) for raw in distinct if raw is not None and raw != ""}
    odd_by_raw = {raw: got for raw, got in memo.items() if type(got) is _Odd}
    report = {raw: got for raw, got in odd_by_raw.items() if not got.ambiguous}
    ambiguous = {raw: got for raw, got in odd_by_raw.items() if got.ambiguous}
    for raw, got in odd_by_raw.items():
        memo[raw] = got.value
    return (
        list(map(memo.get, column)),
        [(k, report[raw]) for k, raw in enumerate(column) if raw in report] if report else [],
        [(k, ambiguous[raw]) for k, raw in enumerate(column) if raw in ambiguous] if ambiguous else [],
    )


def _bools_and_numbers(column: Sequence[Any]) -> bool:
    """True when the column holds both booleans and numbers (a dict takes True for 1.0).

    Only asked when a value equal to 0 or 1 is among the column's keys: otherwise no boolean
    can share a key with a number."""
    kinds = set(map(type, column))
    return bool in kinds and (int in kinds or float in kinds)


def _has_content(values: tuple[Any, ...], positions: list[int]) -> bool:
    """True unless every canonical cell of the row is blank (a row of only local notes is skipped)."""
    for i in positions:
        v = values[i]
        if v is not None and (type(v) is not str or v.strip()):
            return True
    return False


def _local(values: tuple[Any, ...], local: list[tuple[int, str]]) -> dict[str, Any]:
    """The trust's own columns of a row: header -> raw value, blanks left out."""
    return {header: values[i] for i, header in local if not is_blank(values[i])}
