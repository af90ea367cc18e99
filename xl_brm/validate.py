"""The one rule engine: raw sheets in, a typed Register and located findings out (SPEC §6).

Checks yield findings and run in stages, each seeing what the earlier ones parsed:
cell (read every cell as its field's type) -> row (one benefit's fields together) -> table
(benefits and measurements together) -> plausibility (warnings about likely slips).

Decisions where SPEC §6 is silent:
- Register membership: a benefit row joins the Register when every national-core field was
  read (after workbook defaults); a bad optional cell is reported and left None (or its model
  default) so the calculations can still run. A later row repeating a benefit_id is left out.
  A measurement joins when its benefit_id, period and value were read, its benefit is in the
  Register, and it is not a repeat of a period (the first row wins) or text for a quantitative
  benefit. Findings are reported whether or not the row joined.
- A Measurements row with a benefit and a period but a blank value is a placeholder for a
  period not yet measured: skipped silently. Blank optional cells are never findings.
- The workbook's trust is `Defaults.trust_ods`, else the `BRM Settings` sheet, else the
  trust_ods most rows give; rows naming another trust get BRM406.
- BRM404 (issue 13): trusts record history before a go-live, so a measurement before the
  benefit's dates is ordinary; it is reported only when its period ends more than
  HISTORY_MONTHS (3 years) before the month of the earlier of baseline_start and
  realisation_start, which looks like a year typed wrong (2009 for 2019), once per such cell.
  Periods after today's month get BRM405. Measurements after target_date are fine.
- The baseline window of BRM503/BRM307 is the calculations' window (`xl_brm.calc`): months of
  baseline_start to baseline_end, a blank end meaning "up to realisation_start".
- BRM501 flags a value more than 10x away from every value within two periods either side
  and above (or below) all of them: an isolated spike, not a step change, and not a value on
  a ramp (go-live adoption climbing from near zero passes between its neighbours; a ramp's
  first or last value, nearer zero than the run it starts or ends, is not a slip either).
  BRM504 flags gaps between measurements, not a missing tail (the calculations' `no_data`
  status covers that), not for a qualitative benefit, whose evidence comes when there is
  some, and not beside a period BRM404 reported (the 'gap' is the year typed wrong).
- A Benefits sheet without a benefit_id column gets BRM101 once; its measurements are not
  each reported as belonging to no benefit (BRM402).
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from operator import attrgetter, itemgetter, truediv
from typing import Any, NamedTuple

from pydantic import BaseModel

from xl_brm.enums import ApprovalStatus, BaselineMethod, BenefitType, Direction, EvidenceGrade, fold
from xl_brm.fields import (
    BENEFIT_FIELD,
    CORE_BENEFIT_FIELDS,
    MEASUREMENT_FIELD,
    SETTINGS_SHEET,
    TRAJECTORY_FIELDS,
    Field,
)
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Measurement, Register, TrajectoryPoint
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
from xl_brm.periods import Period
from xl_brm.rules import RULES
from xl_brm.table import (
    Column,
    FormulaWithoutValue,
    RawRow,
    RawTable,
    RawWorkbook,
    column_cells,
    row_cells,
)

__all__ = ["Defaults", "Validation", "validate_row", "validate_workbook"]

BENEFITS, MEASUREMENTS, TRAJECTORY = "Benefits", "Measurements", "Trajectory"
MIN_BASELINE_POINTS = 3
HISTORY_MONTHS = 36
"""How far before a benefit's dates its measurements may go before BRM404 asks about the year."""
FAR = 10.0
UNIT_VALUE_LIMIT = 1_000_000.0
PLAUSIBLE_YEARS = (2000, 2100)
TRAJECTORY_FIELD = {f.name: f for f in TRAJECTORY_FIELDS}
_FINANCIAL = (BenefitType.CASH_RELEASING, BenefitType.NON_CASH_RELEASING)
_COMPUTED = (BaselineMethod.MEAN, BaselineMethod.MEDIAN, BaselineMethod.LAST)


@dataclass(frozen=True, slots=True)
class Defaults:
    """Workbook-wide values for blank cells, so a trust never types its ODS code on every row."""

    trust_ods: str | None = None
    programme: str | None = None


@dataclass(slots=True)
class Validation:
    """What validation found: the Register of usable rows and every finding, in stage order."""

    findings: list[Finding]
    trust_ods: str | None = None
    """The workbook's trust: `register.trust_ods`, known without building the Register."""
    benefit_count: int = 0
    """`len(register.benefits)`, known without building the Register."""
    measurement_count: int = 0
    """`register.measurement_count`, known without building the Register."""
    places: Callable[[str], set[tuple[str, int]]] = field(default=lambda _: set(), repr=False)
    """benefit_id -> the (sheet, Excel row) pairs that belong to it (benefit, measurements...)."""
    build_register: Callable[[], Register] = field(default=Register, repr=False)
    """Makes the Register on first use: checking alone (BRM_ISSUES, `xl-brm validate`) needs
    none of its 10k Benefit and 240k Measurement objects."""
    _register: Register | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def register(self) -> Register:
        """The typed Register of the rows that joined it, built once when first read."""
        if self._register is None:
            self._register = self.build_register()
        return self._register

    @property
    def ok(self) -> bool:
        """True when nothing blocks approval or submission (no error findings)."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(f.severity for f in self.findings)
        return {s: tally.get(s, 0) for s in ("error", "warning", "info")}

    def for_benefit(self, benefit_id: str) -> list[Finding]:
        """Findings on a benefit's own row and on its measurement and trajectory rows."""
        places = self.places(benefit_id)
        return [f for f in self.findings if (f.sheet, f.row) in places]


def validate_workbook(
    raw: RawWorkbook, *, defaults: Defaults | None = None, today: date | None = None
) -> Validation:
    """Validate a workbook the reader (or the national store) built; never raises on bad data."""
    return Validator(defaults, today).finish(raw)


class Validator:
    """One validation, which may start before the whole workbook is read.

    The reader hands over the Benefits table as soon as it has it (`benefits_read`), and the
    stages that need nothing else run then, while a thread is still parsing the Measurements
    sheet; `finish` runs the rest. The findings come out in the same order either way.
    """

    def __init__(self, defaults: Defaults | None = None, today: date | None = None) -> None:
        self._defaults = defaults or Defaults()
        self._today = today or date.today()
        self._run: _Run | None = None

    def benefits_read(self, so_far: RawWorkbook) -> None:
        """The reader's workbook so far: settings, its findings and the Benefits table."""
        self._run = _Run(so_far, self._defaults, self._today)
        with _paused_gc():
            self._run.benefit_stages()

    def finish(self, raw: RawWorkbook) -> Validation:
        run = self._run
        if run is None or run.btable is not raw.tables.get(BENEFITS):
            run = _Run(raw, self._defaults, self._today)
        else:
            run.read_all(raw)
        with _paused_gc():
            findings = list(raw.findings)
            findings.extend(run.run())
        trust, benefits, measurements = run.summary()
        return Validation(
            findings=findings,
            trust_ods=trust,
            benefit_count=benefits,
            measurement_count=measurements,
            places=run.places,
            build_register=run.register,
        )


def validate_row(
    values: Mapping[str, Any], *, defaults: Defaults | None = None, today: date | None = None
) -> list[Finding]:
    """Check one Benefits row given as canonical field -> raw value (the BRM_VALIDATE function).

    Runs the cell, row and row-level plausibility rules, and the trust check against
    `defaults`; findings name the column but no sheet, row or cell.
    """
    columns = [Column(name if name in BENEFIT_FIELD else None, name, i) for i, name in enumerate(values)]
    table = RawTable(BENEFITS, BENEFITS, 1, columns, [RawRow(2, tuple(values.values()))])
    raw = RawWorkbook(path="", tables={BENEFITS: table})
    run = _Run(raw, defaults or Defaults(), today or date.today(), single_row=True)
    return [replace(f, sheet=None, row=None, cell=None) for f in run.run()]


# ------------------------------------------------------------------------------ internals


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building ~250k objects.

    Validation creates no reference cycles, but with millions of live cells each automatic
    collection rescans them all: left on, the collector costs more than the validation itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _promote_survivors()
            gc.enable()


PROMOTE_AFTER = 50_000
"""Tracked objects made while paused above which they are promoted on resuming."""


def _promote_survivors() -> None:
    """Move what a large validation built straight to the collector's oldest generation.

    Re-enabled, the collector would first scan every object made while it was paused (the
    Register: ~500k measurements and their dicts, ~0.1 s) only to find them all alive, then
    scan them again one generation up. They live as long as the Validation and hold no
    cycles, so `freeze` + `unfreeze` moves them (and anything else young) to the oldest
    generation without a scan; garbage among them is still freed by a full collection.
    Skipped when someone else has frozen objects, so as not to unfreeze theirs.
    """
    if gc.get_count()[0] > PROMOTE_AFTER and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


_NOTHING_BAD: frozenset[str] = frozenset()


@dataclass(slots=True)
class _BenefitRow:
    row: int
    values: dict[str, Any]
    bad: AbstractSet[str]
    """Fields whose cell could not be read (reported already)."""
    local: dict[str, Any]
    complete: bool = False


class _Run:
    """One validation: state shared by the stages, which are generators of findings."""

    def __init__(self, raw: RawWorkbook, defaults: Defaults, today: date, *, single_row: bool = False):
        self.raw = raw
        self.today = today
        self.today_month = Period.of_date(today).index
        self.single_row = single_row
        self.defaults = defaults
        self.default_values: dict[str, Any] = {}
        self.default_source = ""
        self.benefits: list[_BenefitRow] = []
        self.by_id: dict[str, _BenefitRow] = {}
        self.trust: str | None = None
        self.readings: dict[str, list[_Reading]] = {}
        """benefit_id -> its measurements as read (later sorted; repeats and text dropped)."""
        self.plans: dict[str, list[tuple[Period, float, int]]] = {}
        self.deferred: list[Finding] = []
        """Plausibility findings spotted early (in the table pass), reported in their stage."""
        self.dropped: dict[str, set[int]] = {}
        """benefit_id -> Excel rows of its measurements that were reported and kept out."""
        self.btable = raw.tables.get(BENEFITS)
        self.mtable = raw.tables.get(MEASUREMENTS)
        self.ttable = raw.tables.get(TRAJECTORY)
        self.early: tuple[list[Finding], list[Finding], list[Finding]] | None = None
        """Findings of `benefit_stages`: cells (with defaults), rows, row plausibility."""

    # -------------------------------------------------------------- driver

    def read_all(self, raw: RawWorkbook) -> None:
        """The whole workbook, after `benefit_stages` ran on the part read first."""
        self.raw = raw
        self.mtable = raw.tables.get(MEASUREMENTS)
        self.ttable = raw.tables.get(TRAJECTORY)

    def benefit_stages(self) -> tuple[list[Finding], list[Finding], list[Finding]]:
        """Run, once, the stages that read only the defaults and the Benefits table (cells, then
        each row's own checks and plausibility); `run` reports them in their places."""
        if self.early is not None:
            return self.early
        cells = list(self._defaults())
        if self.btable is not None:
            cells.extend(self._benefit_cells(self.btable))
        today = self.today
        rows = [self._at_benefit(code, b, name, value, params) for b in self.benefits
                for code, name, value, params in _row_checks(b.values, b.bad, today)]
        plausibility = [self._at_benefit(code, b, name, value, params) for b in self.benefits
                        for code, name, value, params in _row_plausibility(b.values)]
        self.early = (cells, rows, plausibility)
        return self.early

    def run(self) -> Iterator[Finding]:
        cells, rows, plausibility = self.benefit_stages()
        # cell
        yield from cells
        if self.mtable is not None and not self.single_row:
            yield from self._measurement_cells(self.mtable)
        if self.ttable is not None and not self.single_row:
            yield from self._trajectory_cells(self.ttable)
        # row
        yield from rows
        # table
        yield from self._benefit_table()
        if not self.single_row:
            yield from self._measurement_table()
            yield from self._trajectory_table()
        # plausibility
        yield from plausibility
        if not self.single_row:
            yield from self._series_plausibility()

    # -------------------------------------------------------------- defaults

    def _defaults(self) -> Iterator[Finding]:
        """Fill `default_values` from Defaults, else the BRM Settings sheet."""
        settings = self.raw.settings
        for name, parse in (("trust_ods", parse_ods), ("programme", parse_text)):
            given = getattr(self.defaults, name)
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
                self.default_values[name] = value
                if name == "trust_ods":
                    self.default_source = source

    # -------------------------------------------------------------- cell stage

    def _missing_columns(
        self, table: RawTable, required: tuple[str, ...], present: Mapping[str, int]
    ) -> Iterator[Finding]:
        """BRM101 for required columns neither present nor defaulted (unless the reader said so)."""
        told = {(f.sheet, f.column) for f in self.raw.findings if f.code == "BRM101"}
        for name in required:
            if name not in present and name not in self.default_values and (table.sheet, name) not in told:
                yield RULES["BRM101"].finding(sheet=table.sheet, column=name)

    def _benefit_cells(self, table: RawTable) -> Iterator[Finding]:
        """Read every Benefits cell, a column at a time (see `_read_column`)."""
        pos = _positions(table, BENEFIT_FIELD)
        if not self.single_row:
            yield from self._missing_columns(table, CORE_BENEFIT_FIELDS, pos)
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
            values, report, maybe = _read_column(BENEFIT_FIELD[name], column)
            read.append(values)
            if maybe:
                ambiguous.append((name, i, column, maybe))
            for k, got in report:
                row = rows[k].row
                cell = f"{letters[i]}{row}"
                if got.error is not None:
                    bad.setdefault(k, set()).add(name)
                    us_dates = us_dates or bool(got.error.params.get("us_only"))
                    yield RULES[got.error.code].finding(
                        sheet=sheet,
                        row=row,
                        column=name,
                        cell=cell,
                        value=_raw(column[k]),
                        **got.error.params,
                    )
                elif got.note is not None:
                    yield self._note(got.note, sheet, row, name, cell, column[k])
        if us_dates:  # ambiguous dates matter only beside a date that must be month-first
            for name, i, column, maybe in ambiguous:
                for k, date_read in maybe:
                    assert date_read.note is not None
                    row = rows[k].row
                    yield self._note(date_read.note, sheet, row, name, f"{letters[i]}{row}", column[k])
        names = list(pos)
        self.benefits = brows = [
            _BenefitRow(
                rr.row,
                {name: v for name, v in zip(names, row_values, strict=False) if v is not None},
                bad.get(k, _NOTHING_BAD),
                _local(rr.values, local) if local else {},
            )
            for k, (rr, row_values) in enumerate(zip(rows, zip(*read, strict=True), strict=False))
        ]
        core = frozenset(CORE_BENEFIT_FIELDS)
        for b in brows:
            if b.values.keys() >= core:  # the usual row: every core cell read, nothing to report
                b.complete = True
            else:
                yield from self._required(b, pos, letters, sheet)

    def _required(
        self, b: _BenefitRow, pos: Mapping[str, int], letters: list[str], sheet: str
    ) -> Iterator[Finding]:
        """Fill defaults into blank core cells; BRM210 for core cells still blank."""
        complete = True
        for name in CORE_BENEFIT_FIELDS:
            if name in b.values:
                continue
            if name in self.default_values and name not in b.bad:
                b.values[name] = self.default_values[name]
                continue
            complete = False
            if name in b.bad or (name not in pos and not self.single_row):
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

    def _note(self, note: Note, sheet: str, row: int, column: str, cell: str, value: Any) -> Finding:
        return RULES[note.code].finding(
            sheet=sheet, row=row, column=column, cell=cell, value=value, **note.params
        )

    def _measurement_cells(self, table: RawTable) -> Iterator[Finding]:
        """The hot path (~240k rows): a clean row costs a few dict look-ups and type checks.

        Anything unusual (a first sighting of an ID or period, text that may need stripping,
        a note, an error) takes the cell-by-cell slow path, which also fills the memos.
        """
        pos = _positions(table, MEASUREMENT_FIELD)
        missing = [n for n in ("benefit_id", "period", "value") if n not in pos]
        if missing:
            told = {(f.sheet, f.column) for f in self.raw.findings if f.code == "BRM101"}
            for name in missing:
                if (table.sheet, name) not in told:
                    yield RULES["BRM101"].finding(sheet=table.sheet, column=name)
            return
        slow = _SlowMeasurement(self, table, pos)
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
        readings = self.readings
        new, reading = tuple.__new__, _Reading
        last_bid: str | None = None
        group: list[_Reading] = []
        for number, row in rows:
            b, p, v, s, g, n = cells(row)
            bid = bid_memo.get(b if type(b) is str else (type(b), b))
            per = per_memo.get(p)
            tv = type(v)
            if (
                bid is None
                or per is None
                or (not -_PLAIN <= v <= _PLAIN if tv is float else tv is not str or not _plain_text(v))
                or (has_note and n is not None and n != "")
            ):
                _group(readings, (yield from slow.parse(RawRow(number, values(row)))))
                continue
            if not has_src or s is None or s == "":
                src = None
            else:
                src = src_memo.get(s if type(s) is str else (type(s), s))
                if src is None:
                    _group(readings, (yield from slow.parse(RawRow(number, values(row)))))
                    continue
            if not has_grade or g is None or g == "":
                grade: EvidenceGrade | None = measured
            else:
                grade = grade_memo.get(g)
                if grade is None:
                    _group(readings, (yield from slow.parse(RawRow(number, values(row)))))
                    continue
            if bid is not last_bid:  # rows usually come a benefit at a time
                group = readings.get(bid)  # type: ignore[assignment]
                if group is None:
                    readings[bid] = group = []
                last_bid = bid
            # tuple.__new__ skips the Python-level __new__ a NamedTuple has
            group.append(new(reading, (bid, per, v, src, grade, None, number)))

    def _trajectory_cells(self, table: RawTable) -> Iterator[Finding]:
        pos = _positions(table, TRAJECTORY_FIELD)
        missing = [n for n in ("benefit_id", "period", "planned_value") if n not in pos]
        if missing:
            yield from self._missing_columns(table, tuple(missing), pos)
            return
        for rr in table.rows:
            got: dict[str, Any] = {}
            ok = True
            if all(is_blank(rr.values[i]) for i in pos.values()):
                continue
            for name, i in pos.items():
                spec = TRAJECTORY_FIELD[name]
                value, found = _parse_cell(spec, parser_for(spec), rr.values[i], table, rr.row, i)
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
                self.plans.setdefault(got["benefit_id"], []).append(
                    (got["period"], got["planned_value"], rr.row)
                )

    # -------------------------------------------------------------- table stage

    def _at_benefit(
        self, code: str, b: _BenefitRow, name: str, value: Any, params: Mapping[str, Any]
    ) -> Finding:
        assert self.btable is not None
        i = self.btable.position(name)
        cell = self.btable.cell(b.row, i) if i is not None else None
        return RULES[code].finding(
            sheet=self.btable.sheet, row=b.row, column=name, cell=cell, value=value, **params
        )

    def _benefit_table(self) -> Iterator[Finding]:
        for b in self.benefits:
            bid = b.values.get("benefit_id")
            if bid is None:
                continue
            first = self.by_id.get(bid)
            if first is None:
                self.by_id[bid] = b
            else:
                yield self._at_benefit("BRM401", b, "benefit_id", bid, {"first_row": first.row})
        trust = self.default_values.get("trust_ods")
        source = self.default_source
        if trust is None:
            tally = Counter(b.values["trust_ods"] for b in self.benefits if "trust_ods" in b.values)
            if tally:
                trust = tally.most_common(1)[0][0]
                source = "given by most rows"
        self.trust = trust
        if trust is None:
            return
        for b in self.benefits:
            own = b.values.get("trust_ods")
            if own is not None and own != trust:
                yield self._at_benefit("BRM406", b, "trust_ods", own, {"trust": trust, "source": source})

    def _measurement_table(self) -> Iterator[Finding]:
        """BRM402-BRM408, in one pass per benefit; that pass also spots BRM501/BRM504
        candidates, whose findings wait in `deferred` for the plausibility stage."""
        table = self.mtable
        if table is None or self.btable is None:
            return
        pos = _positions(table, MEASUREMENT_FIELD)
        if any(n not in pos for n in ("benefit_id", "period", "value")):
            return
        if self.btable.position("benefit_id") is None:
            return  # no benefit can be found: the Benefits sheet's BRM101 says why, once
        sheet, bsheet = table.sheet, self.btable.sheet
        bl, pl, vl = (table.columns[pos[n]].letter for n in ("benefit_id", "period", "value"))
        today = self.today.strftime("%d/%m/%Y")
        now = self.today_month
        rule402, rule403, rule404, rule405, rule407, rule408 = (
            RULES[c] for c in ("BRM402", "BRM403", "BRM404", "BRM405", "BRM407", "BRM408")
        )
        quiet = _QuietSeries()
        near = _NearestId(self.by_id)
        month_of = _memoised(lambda day: Period.of_date(day).index)
        for bid, group in self.readings.items():
            b = self.by_id.get(bid)
            if b is None:
                self.dropped[bid] = {m.row for m in group if m.row is not None}
                nearest = near(bid)
                for m in group:
                    row = m.row
                    yield rule402.finding(
                        sheet=sheet,
                        row=row,
                        column="benefit_id",
                        cell=f"{bl}{row}",
                        value=bid,
                        benefits_sheet=bsheet,
                        nearest=f" (the register has '{nearest}')" if nearest else "",
                    )
                continue
            bt = b.values.get("benefit_type")
            qualitative = bt is BenefitType.QUALITATIVE
            earliest, date_field = _earliest(b.values)
            first_month = month_of(earliest) - HISTORY_MONTHS if earliest is not None else -1
            if not qualitative and quiet(group, first_month, now):
                continue
            last = -1
            ordered = True
            spiky = False
            gappy = False
            before = 0.0
            typos: set[int] = set()
            months = group[0].period.months
            for m in group:
                per, value, row = m.period, m.value, m.row
                index = per.index
                if index <= last:
                    ordered = False
                elif index - last > 3 * months and last >= 0:
                    gappy = True
                last = index
                months = per.months
                if type(value) is float:
                    if qualitative:
                        yield rule408.finding(
                            sheet=sheet,
                            row=row,
                            column="value",
                            cell=f"{vl}{row}",
                            value=value,
                            benefit_id=bid,
                        )
                    elif value and before and not 0.1 <= abs(value / before) <= FAR:
                        spiky = True
                    before = value
                elif bt is not None and not qualitative:
                    self.dropped.setdefault(bid, set()).add(row or 0)
                    yield rule407.finding(
                        sheet=sheet,
                        row=row,
                        column="value",
                        cell=f"{vl}{row}",
                        value=value,
                        benefit_id=bid,
                        benefit_type=bt.value,
                    )
                if index + per.months - 1 < first_month:
                    typos.add(row)
                    yield rule404.finding(
                        sheet=sheet,
                        row=row,
                        column="period",
                        cell=f"{pl}{row}",
                        value=str(per),
                        date_field=date_field,
                        date=earliest,
                        years=HISTORY_MONTHS // 12,
                    )
                elif index > now:
                    yield rule405.finding(
                        sheet=sheet,
                        row=row,
                        column="period",
                        cell=f"{pl}{row}",
                        value=str(per),
                        today=today,
                    )
            if not ordered:
                group.sort(key=lambda m: (m.period.index, m.period.months, m.row or 0))
                seen: dict[Period, int | None] = {}
                for m in group:
                    per, row = m.period, m.row
                    if per in seen:
                        self.dropped.setdefault(bid, set()).add(row or 0)
                        yield rule403.finding(
                            sheet=sheet,
                            row=row,
                            column="period",
                            cell=f"{pl}{row}",
                            value=str(per),
                            benefit_id=bid,
                            period=str(per),
                            first_row=seen[per],
                        )
                    else:
                        seen[per] = row
            if not ordered or spiky or (gappy and not qualitative):
                drops = self.dropped.get(bid)
                kept = [m for m in group if m.row not in drops] if drops else group
                self.deferred.extend(
                    _series_checks(bid, kept, sheet, pl, vl, gaps=not qualitative, typos=typos)
                )

    def _trajectory_table(self) -> Iterator[Finding]:
        table = self.ttable
        if table is None or self.btable is None:
            return
        ib, ip = table.position("benefit_id"), table.position("period")
        if ib is None or ip is None:
            return  # a Trajectory sheet without those columns: the reader reported BRM101
        for bid, points in self.plans.items():
            if bid not in self.by_id:
                for _, _, row in points:
                    yield RULES["BRM409"].finding(
                        sheet=table.sheet,
                        row=row,
                        column="benefit_id",
                        cell=table.cell(row, ib),
                        value=bid,
                        benefits_sheet=self.btable.sheet,
                    )
                continue
            seen: dict[Period, int] = {}
            for per, _, row in points:
                if per in seen:
                    yield RULES["BRM410"].finding(
                        sheet=table.sheet,
                        row=row,
                        column="period",
                        cell=table.cell(row, ip),
                        value=str(per),
                        benefit_id=bid,
                        period=str(per),
                        first_row=seen[per],
                    )
                else:
                    seen[per] = row

    # -------------------------------------------------------------- plausibility stage

    def _series_plausibility(self) -> Iterator[Finding]:
        """BRM501 isolated spikes and BRM504 gaps (found above), and computed baselines."""
        yield from self.deferred
        for bid, b in self.by_id.items():
            if b.values.get("baseline_method") not in _COMPUTED:
                continue
            yield from self._baseline_points(b, self._kept(bid))

    def _baseline_points(self, b: _BenefitRow, kept: list[_Reading]) -> Iterator[Finding]:
        """BRM503 (few points) and BRM307 (approved, none at all) for computed baselines."""
        v = b.values
        method = v.get("baseline_method")
        bt = v.get("benefit_type")
        if method not in _COMPUTED or bt is None or bt is BenefitType.QUALITATIVE:
            return
        first, last = _window(v)
        count = sum(
            1
            for r in kept
            if type(r.value) is float
            and (first is None or r.period.index >= first)
            and (last is None or r.period.index + r.period.months - 1 <= last)
        )
        if count >= MIN_BASELINE_POINTS:
            return
        approved = v.get("approval_status") is ApprovalStatus.APPROVED
        no_value = v.get("baseline_value") is None and "baseline_value" not in b.bad
        if count == 0 and no_value and approved:
            yield self._at_benefit(
                "BRM307",
                b,
                "baseline_value",
                None,
                {
                    "reason": f"baseline_method is {method.value} but there are no measurements "
                    "in the baseline window and no baseline_value"
                },
            )
            return
        if count == 0 and v.get("baseline_value") is not None:
            return
        start, end = v.get("baseline_start"), v.get("baseline_end")
        window = ""
        if start or end:
            window = f" ({_date(start) if start else '…'} to {_date(end) if end else '…'})"
        yield self._at_benefit(
            "BRM503",
            b,
            "baseline_method",
            method.value,
            {"method": method.value, "count": count, "window": window},
        )

    # -------------------------------------------------------------- register

    def register(self) -> Register:
        """The Register of the benefits that joined it, with their measurements and plans."""
        with _paused_gc():
            return self._register()

    def _register(self) -> Register:
        benefits: list[Benefit] = []
        measurements: dict[str, list[Measurement]] = {}
        trajectory: dict[str, list[TrajectoryPoint]] = {}
        for bid, b in self.by_id.items():
            if not b.complete:
                continue
            benefits.append(_benefit(b))
            kept = self._kept(bid)
            if kept:
                measurements[bid] = _measurements(kept)
            points = self.plans.get(bid)
            if points:
                trajectory[bid] = _trajectory(bid, points)
        benefits.sort(key=lambda x: x.row or 0)
        return Register.model_construct(  # every part was built and checked above
            path=self.raw.path or None,
            trust_ods=self.trust,
            benefits=benefits,
            measurements=measurements,
            trajectory=trajectory,
        )

    def _kept(self, bid: str) -> list[_Reading]:
        """A benefit's measurements that join the Register: those read, less those dropped."""
        group = self.readings.get(bid, [])
        drops = self.dropped.get(bid)
        return [m for m in group if m.row not in drops] if drops else group

    def summary(self) -> tuple[str | None, int, int]:
        """(trust, benefits, measurements) of the Register, without building it."""
        joined = {bid for bid, b in self.by_id.items() if b.complete}
        return self.trust, len(joined), sum(len(self._kept(bid)) for bid in self.readings if bid in joined)

    def places(self, benefit_id: str) -> set[tuple[str, int]]:
        """The (sheet, Excel row) pairs of a benefit's row and its measurement/trajectory rows."""
        found: set[tuple[str, int]] = set()
        if self.btable is not None:
            sheet = self.btable.sheet
            found.update((sheet, b.row) for b in self.benefits if b.values.get("benefit_id") == benefit_id)
        if self.mtable is not None:
            found.update((self.mtable.sheet, m.row or 0) for m in self.readings.get(benefit_id, ()))
        if self.ttable is not None:
            found.update((self.ttable.sheet, p[-1]) for p in self.plans.get(benefit_id, ()))
        return found


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

    def __init__(self, run: _Run, table: RawTable, pos: Mapping[str, int]) -> None:
        self.run = run
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

    def learn(self, name: str, raws: Iterable[Any]) -> None:
        """Fill a field's memo from its column's distinct cells before the rows are read, so
        that the first row of each benefit takes the fast path too. A cell that reads with a
        finding stays out, as in `parse`: each row holding it is then reported there."""
        i, memo = self.pos[name], self._memo_of[name]
        spec = MEASUREMENT_FIELD[name]
        parse = parser_for(spec)
        for raw in raws:
            if raw is not None and raw != "":
                value, found = _parse_cell(spec, parse, raw, self.table, 0, i)
                if found is None and value is not None:
                    memo[raw if type(raw) is str or name in _ANY_KEY else (type(raw), raw)] = value

    def parse(self, rr: RawRow) -> Generator[Finding, None, _Reading | None]:
        """Yield the row's findings; return its measurement, or None when it is unusable."""
        vals = rr.values
        if all(is_blank(vals[i]) for i in self.pos.values()):
            return None
        got: dict[str, Any] = {}
        ok = True
        table = self.table
        for name, i, spec, parse in self.fields:
            raw = vals[i]
            value, found = _parse_cell(spec, parse, raw, table, rr.row, i)
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
                yield RULES["BRM210"].finding(
                    sheet=table.sheet,
                    row=rr.row,
                    column=name,
                    cell=table.cell(rr.row, self.pos[name]),
                    reason="a measurement needs a benefit, a period and a value",
                )
        if not ok:
            return None
        return _Reading(
            got["benefit_id"],
            got["period"],
            got["value"],
            got.get("source"),
            got.get("evidence_grade") or EvidenceGrade.MEASURED,
            got.get("note"),
            rr.row,
        )


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


_UNREAD = object()


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
    spec: Field, column: Sequence[Any]
) -> tuple[list[Any], list[tuple[int, _Odd]], list[tuple[int, _Odd]]]:
    """Read one Benefits column: each cell's value (None: nothing to keep), the cells to
    report (an error or a note), and the ambiguous dates (reported only on US evidence).

    The cells come as (position, outcome) pairs in row order. Registers repeat most values
    (types, statuses, dates, owners, units), so each distinct raw value is parsed once and
    the column is then read with dict look-ups. Equal raw values read the same, except that
    True == 1 == 1.0 in a dict: a column mixing booleans with numbers, or holding something
    unhashable, is read cell by cell instead.
    """
    parse = parser_for(spec)
    try:
        distinct = dict.fromkeys(column)
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


# ------------------------------------------------------------------------------ quiet series

_PERIOD, _VALUE, _INDEX = (attrgetter(n) for n in ("period", "value", "index"))
_FLOAT_ONLY = {float}


class _QuietSeries:
    """Spots, with C-level passes, a benefit's measurements that the table stage would pass.

    Most benefits have all-number readings, in order, without gaps or spikes, inside the
    benefit's dates and not in the future: for them the per-measurement loop of
    `_measurement_table` finds nothing, so it is skipped. Whatever this cannot vouch for
    (a zero, text, a gap, a repeat...) takes that loop. Benefits usually follow one
    another with the same months, so the period facts of the last sequence are kept.
    """

    def __init__(self) -> None:
        self.periods: list[Period] = []
        self.facts = (False, 0, 0)
        """(in order without gaps, earliest last month, latest start) of `periods`."""

    def __call__(self, group: list[_Reading], first_month: int, now: int) -> bool:
        """True when `_measurement_table` would report, drop and defer nothing for `group`."""
        periods = list(map(_PERIOD, group))
        if periods != self.periods:  # the same Period objects: compared by identity, fast
            self.periods, self.facts = periods, _period_facts(periods)
        tidy, first_end, last_start = self.facts
        if not tidy or first_end < first_month or last_start > now:
            return False
        values = list(map(_VALUE, group))
        if set(map(type, values)) != _FLOAT_ONLY:
            return False
        return _steady(values)


def _steady(values: list[float]) -> bool:
    """True when no value is zero and each is within FAR times the one before (either way).

    Values of one sign spanning less than a 9.9-fold range pass at once (the margin keeps
    rounding out of it); anything else is checked a pair at a time.
    """
    low, high = min(values), max(values)
    if (low > 0 and high < 9.9 * low) or (high < 0 and low > 9.9 * high):
        return True
    if 0.0 in values:
        return False
    ratios = list(map(abs, map(truediv, values[1:], values)))
    return not ratios or (min(ratios) >= 0.1 and max(ratios) <= FAR)


def _period_facts(periods: list[Period]) -> tuple[bool, int, int]:
    """(strictly ordered with no gap over three periods, earliest last month, latest index).

    The gap test is `_measurement_table`'s: a step of more than three of the previous
    period's length.
    """
    tidy = True
    for before, after in pairwise(periods):
        if not before.index < after.index <= before.index + 3 * before.months:
            tidy = False
    return tidy, min(p.index + p.months - 1 for p in periods), max(map(_INDEX, periods))


class _NearestId:
    """The register's benefit_id a measurement's unknown ID most likely means: the same once
    case, spaces, punctuation and leading zeros are set aside ('epma 1' -> 'EPMA-01'), if
    exactly one benefit reads so. Built on the first unknown ID."""

    def __init__(self, ids: Mapping[str, Any]) -> None:
        self._ids = ids
        self._by_key: dict[str, str | None] | None = None

    def __call__(self, bid: str) -> str | None:
        if self._by_key is None:
            self._by_key = {}
            for known in self._ids:
                key = _id_key(known)
                self._by_key[key] = None if key in self._by_key else known  # None: ambiguous
        found = self._by_key.get(_id_key(bid))
        return found if found != bid else None


def _id_key(text: str) -> str:
    return _LEADING_ZEROS.sub("", fold(text))


_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")


def _memoised(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`function` with its results kept for repeated arguments (for one stage's lifetime)."""
    memo: dict[Any, Any] = {}

    def call(arg: Any) -> Any:
        got = memo.get(arg, _UNREAD)
        if got is _UNREAD:
            got = memo[arg] = function(arg)
        return got

    return call


# ------------------------------------------------------------------------------ checks


def _missing(values: Mapping[str, Any], bad: AbstractSet[str], name: str) -> bool:
    """Blank (not merely unreadable: an unreadable cell was reported already)."""
    return values.get(name) is None and name not in bad


_MEASURE_NEEDS = dict.fromkeys(("measure", "unit", "direction")).keys()
_PLANNED_NEEDS = dict.fromkeys((*_MEASURE_NEEDS, "target_value", "target_date")).keys()
"""What a quantitative benefit needs (BRM309), a planned one a target too: as dict keys, so
they are ordered (findings come in this order) and compare as sets with a row's keys."""

_Hit = tuple[str, str, Any, dict[str, Any]]
"""(rule code, field it fires at, the offending value, message parameters)."""


def _row_checks(v: Mapping[str, Any], bad: AbstractSet[str], today: date) -> Iterator[_Hit]:
    """BRM3xx: one benefit's fields taken together."""
    get = v.get  # this runs for every row
    bt = get("benefit_type")
    quantitative = bt is not None and bt is not BenefitType.QUALITATIVE
    approved = get("approval_status") is ApprovalStatus.APPROVED
    start, end = get("baseline_start"), get("baseline_end")
    if start is not None and end is not None and end < start:
        yield "BRM301", "baseline_end", end, {"start": start}
    base, target, direction = get("baseline_value"), get("target_value"), get("direction")
    if (
        base is not None
        and target is not None
        and direction is not None
        and quantitative
        and not get("is_disbenefit")
    ):
        up = direction is Direction.INCREASE
        if (up and target <= base) or (not up and target >= base):
            yield (
                "BRM302",
                "target_value",
                target,
                {
                    "baseline": base,
                    "direction": direction.value,
                    "relation": "above" if up else "below",
                },
            )
    if bt in _FINANCIAL and _missing(v, bad, "unit_value_gbp"):
        yield "BRM303", "unit_value_gbp", None, {"benefit_type": bt.value}
    if approved:
        for name in ("approved_by", "approved_on"):
            if _missing(v, bad, name):
                yield "BRM304", name, None, {}
    approved_on = get("approved_on")
    if approved_on is not None and approved_on > today:
        yield "BRM305", "approved_on", approved_on, {"today": today}
    if approved and bt is BenefitType.QUALITATIVE and _missing(v, bad, "evidence"):
        yield "BRM306", "evidence", None, {}
    if (
        approved
        and quantitative
        and "baseline_method" not in bad
        and (get("baseline_method") or BaselineMethod.GIVEN) is BaselineMethod.GIVEN
        and _missing(v, bad, "baseline_value")
    ):
        yield (
            "BRM307",
            "baseline_value",
            None,
            {
                "reason": "baseline_method is given but baseline_value is blank",
            },
        )
    realise, target_date = get("realisation_start"), get("target_date")
    if realise is not None and target_date is not None and target_date < realise:
        yield "BRM308", "target_date", target_date, {"start": realise}
    if quantitative:
        needed = _PLANNED_NEEDS if get("planned", True) is not False else _MEASURE_NEEDS
        if not v.keys() >= needed:  # the usual row has them all (values hold no blanks)
            for name in needed:
                if _missing(v, bad, name):
                    yield "BRM309", name, None, {"benefit_type": bt.value}  # type: ignore[union-attr]


def _row_plausibility(v: Mapping[str, Any]) -> Iterator[_Hit]:
    """BRM5xx checks that need only the row: unit value size and far-off dates."""
    unit_value = v.get("unit_value_gbp")
    if unit_value is not None and abs(unit_value) > UNIT_VALUE_LIMIT:
        yield "BRM502", "unit_value_gbp", unit_value, {}
    low, high = PLAUSIBLE_YEARS
    for name in ("baseline_start", "baseline_end", "target_date", "realisation_start", "approved_on"):
        day = v.get(name)
        if day is not None and not low <= day.year <= high:
            yield "BRM505", name, day, {"year": day.year}


def _series_checks(bid: str, kept: list[_Reading], sheet: str, pl: str, vl: str, *,
                   gaps: bool, typos: AbstractSet[int] = frozenset()) -> Iterator[Finding]:
    """BRM501 and (with `gaps`) BRM504 over one benefit's measurements in period order. A
    qualitative benefit's evidence comes when there is some, so its gaps are not reported; nor
    is the gap beside a period with a year typed wrong (`typos`: rows BRM404 reported)."""
    numeric = [m for m in kept if type(m.value) is float]
    values: list[float] = [m.value for m in numeric]  # type: ignore[misc]
    for k, x in enumerate(values):
        left, right = values[max(0, k - 2) : k], values[k + 1 : k + 3]
        near = left + right
        if x and near and _spike(x, left, right):
            row = numeric[k].row
            yield RULES["BRM501"].finding(
                sheet=sheet,
                row=row,
                column="value",
                cell=f"{vl}{row}",
                value=x,
                period=str(numeric[k].period),
                neighbours=", ".join(_num(z) for z in near),
            )
    if not kept or not gaps:
        return
    previous, previous_row = kept[0].period, kept[0].row
    for m in kept:
        per = m.period
        if (
            per.months == previous.months
            and per.index - previous.index > 3 * per.months
            and m.row not in typos
            and previous_row not in typos
        ):
            row = m.row
            yield RULES["BRM504"].finding(
                sheet=sheet,
                row=row,
                column="period",
                cell=f"{pl}{row}",
                value=str(per),
                benefit_id=bid,
                missing=(per.index - previous.index) // per.months - 1,
                after=str(previous),
            )
        previous, previous_row = per, m.row


# ------------------------------------------------------------------------------ helpers


def _positions(table: RawTable, fields: Mapping[str, Field]) -> dict[str, int]:
    """Canonical field -> position of its (first) column; other columns are the trust's own."""
    pos: dict[str, int] = {}
    for i, col in enumerate(table.columns):
        if col.field is not None and col.field in fields and col.field not in pos:
            pos[col.field] = i
    return pos


def _parse_cell(
    spec: Field, parse: Parser, raw: Any, table: RawTable, row: int, i: int
) -> tuple[Any, Finding | None]:
    """One cell the slow way: its value and the finding it causes (an error, or a note)."""
    try:
        value, note = parse(raw)
    except CellError as error:
        return None, RULES[error.code].finding(
            sheet=table.sheet,
            row=row,
            column=spec.name,
            cell=table.cell(row, i),
            value=_raw(raw),
            **error.params,
        )
    if note is None or note.code == "BRM203":
        return value, None
    return value, RULES[note.code].finding(
        sheet=table.sheet, row=row, column=spec.name, cell=table.cell(row, i), value=_raw(raw), **note.params
    )


def _raw(value: Any) -> Any:
    """A cell's value as a finding shows it: a formula without a result as its formula text."""
    return str(value) if type(value) is FormulaWithoutValue else value


def _group(readings: dict[str, list[_Reading]], m: _Reading | None) -> None:
    if m is not None:
        group = readings.get(m.benefit_id)
        if group is None:
            readings[m.benefit_id] = group = []
        group.append(m)


def _earliest(v: Mapping[str, Any]) -> tuple[date | None, str]:
    dates = [(v[n], n) for n in ("baseline_start", "realisation_start") if v.get(n) is not None]
    return min(dates) if dates else (None, "")


def _window(v: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """The calculations' baseline window in month indexes (see xl_brm.calc)."""
    start, end, realise = v.get("baseline_start"), v.get("baseline_end"), v.get("realisation_start")
    first = Period.of_date(start).index if start is not None else None
    if end is not None:
        last: int | None = Period.of_date(end).index
    else:
        last = Period.of_date(realise).index - 1 if realise is not None else None
    return first, last


def _spike(x: float, left: list[float], right: list[float]) -> bool:
    """True when `x` stands alone: more than FAR away from every neighbour and beyond them all
    (above or below), unless it starts or ends a ramp that climbs away from zero (a go-live's
    first months: 1, 12, 130, ...; or paper forms falling to near zero after one)."""
    near = left + right
    if not all(_far(x, other) for other in near) or min(near) <= x <= max(near):
        return False
    run = [*left, x, *right]
    monotone = all(a < b for a, b in pairwise(run)) or all(a > b for a, b in pairwise(run))
    return not (monotone and abs(x) < min(map(abs, near)))


def _far(value: float, other: float) -> bool:
    if value == 0 or other == 0:
        return False
    ratio = abs(value / other)
    return ratio > FAR or ratio < 1 / FAR


def _num(x: float) -> str:
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# ------------------------------------------------------------------------------ building models
# Pydantic validation per row costs ~10 µs; 250k rows would take seconds. Every value below was
# parsed and checked by the stages above, so the models are assembled directly, as
# `model_construct` would, without its per-call overhead.

_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields_set = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
_new = object.__new__

_BENEFIT_DEFAULTS: dict[str, Any] = {
    name: info.get_default(call_default_factory=True)
    for name, info in Benefit.model_fields.items()
    if not info.is_required()
}


def _build(cls: type[BaseModel], data: dict[str, Any], fields_set: set[str]) -> Any:
    obj = _new(cls)
    _set_dict(obj, data)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


_BENEFIT_BLANK: dict[str, Any] = {name: _BENEFIT_DEFAULTS.get(name) for name in Benefit.model_fields}
"""Every Benefit field in model order, holding its default (None where it has none)."""
_B_FIELDS_SET = set(Benefit.model_fields)
"""Shared by every benefit built here: it holds every field, so it never changes."""


def _benefit(b: _BenefitRow) -> Benefit:
    # `values` only holds Benefit fields, so the update keeps the model's field order
    data = _BENEFIT_BLANK.copy()
    data.update(b.values)
    data["row"] = b.row
    data["local"] = b.local
    built: Benefit = _build(Benefit, data, _B_FIELDS_SET)
    return built


class _Reading(NamedTuple):
    """A usable Measurements row, light (a tuple): a workbook can have 240k of them and
    checking needs only these values; `_measurements` makes them Measurements."""

    benefit_id: str
    period: Period
    value: float | str
    source: str | None
    evidence_grade: EvidenceGrade
    note: str | None
    row: int


_M_FIELDS_SET = set(Measurement.model_fields)
"""Shared by every measurement built here: it holds every field, so it never changes."""


def _measurements(readings: list[_Reading]) -> list[Measurement]:
    """Measurement objects for readings; `_build` inlined, as this runs for every one."""
    new, cls, fields_set = _new, Measurement, _M_FIELDS_SET
    out: list[Measurement] = []
    for bid, period, value, source, grade, note, row in readings:
        obj = new(cls)
        _set_dict(
            obj,
            {
                "benefit_id": bid,
                "period": period,
                "value": value,
                "source": source,
                "evidence_grade": grade,
                "note": note,
                "row": row,
            },
        )
        _set_fields_set(obj, fields_set)
        _set_extra(obj, None)
        _set_private(obj, None)
        out.append(obj)
    return out


def _trajectory(bid: str, points: list[tuple[Period, float, int]]) -> list[TrajectoryPoint]:
    seen: set[Period] = set()
    out: list[TrajectoryPoint] = []
    for per, planned, row in sorted(points, key=lambda p: (p[0].index, p[0].months, p[2])):
        if per in seen:
            continue
        seen.add(per)
        out.append(
            _build(
                TrajectoryPoint,
                {"benefit_id": bid, "period": per, "planned_value": planned, "row": row},
                {"benefit_id", "period", "planned_value", "row"},
            )
        )
    return out
