"""What the rule modules share: the run's state, a usable reading, and finding builders."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from xl_brm.enums import EvidenceGrade
from xl_brm.fields import Field
from xl_brm.findings import Finding
from xl_brm.normalise import CellError, Parser
from xl_brm.periods import Period
from xl_brm.rules import RULES
from xl_brm.table import FormulaWithoutValue, RawTable, RawWorkbook

BENEFITS, MEASUREMENTS, TRAJECTORY = "Benefits", "Measurements", "Trajectory"

Hit = tuple[str, Any, dict[str, Any]]
"""What a row check reports: (field it fires at, the offending value, message parameters)."""


@dataclass(frozen=True, slots=True)
class Defaults:
    """Workbook-wide values for blank cells, so a trust never types its ODS code on every row."""

    trust_ods: str | None = None
    programme: str | None = None


NOTHING_BAD: frozenset[str] = frozenset()


@dataclass(slots=True)
class BenefitRow:
    row: int
    values: dict[str, Any]
    bad: AbstractSet[str]
    """Fields whose cell could not be read (reported already)."""
    local: dict[str, Any]
    complete: bool = False


class Reading(NamedTuple):
    """A usable Measurements row, light (a tuple): a workbook can have 240k of them and
    checking needs only these values; `xl_brm.validate._models` makes them Measurements."""

    benefit_id: str
    period: Period
    value: float | str
    source: str | None
    evidence_grade: EvidenceGrade
    note: str | None
    row: int


@dataclass(slots=True)
class State:
    """One validation's shared state: what each stage read, for the stages after it."""

    raw: RawWorkbook
    defaults: Defaults
    today: date
    single_row: bool = False
    plain: bool = False
    """Run the plain path (see `xl_brm._speed`)."""
    default_values: dict[str, Any] = field(default_factory=dict)
    default_source: str = ""
    benefits: list[BenefitRow] = field(default_factory=list)
    by_id: dict[str, BenefitRow] = field(default_factory=dict)
    trust: str | None = None
    readings: dict[str, list[Reading]] = field(default_factory=dict)
    """benefit_id -> its measurements as read, in row order."""
    plans: dict[str, list[tuple[Period, float, int]]] = field(default_factory=dict)
    dropped: dict[str, set[int]] = field(default_factory=dict)
    """benefit_id -> Excel rows of its measurements that were reported and kept out."""

    @property
    def today_month(self) -> int:
        return Period.of_date(self.today).index

    @property
    def btable(self) -> RawTable | None:
        return self.raw.tables.get(BENEFITS)

    @property
    def mtable(self) -> RawTable | None:
        return self.raw.tables.get(MEASUREMENTS)

    @property
    def ttable(self) -> RawTable | None:
        return self.raw.tables.get(TRAJECTORY)

    def kept(self, bid: str) -> list[Reading]:
        """A benefit's measurements that join the Register: those read, less those dropped."""
        group = self.readings.get(bid, [])
        drops = self.dropped.get(bid)
        return [m for m in group if m.row not in drops] if drops else group

    def at_benefit(
        self, code: str, b: BenefitRow, name: str, value: Any, params: Mapping[str, Any]
    ) -> Finding:
        """A finding at one benefit's cell for field `name`."""
        table = self.btable
        assert table is not None
        i = table.position(name)
        cell = table.cell(b.row, i) if i is not None else None
        return RULES[code].finding(
            sheet=table.sheet, row=b.row, column=name, cell=cell, value=value, **params
        )


def positions(table: RawTable, fields: Mapping[str, Field]) -> dict[str, int]:
    """Canonical field -> position of its (first) column; other columns are the trust's own."""
    pos: dict[str, int] = {}
    for i, col in enumerate(table.columns):
        if col.field is not None and col.field in fields and col.field not in pos:
            pos[col.field] = i
    return pos


def parse_cell(
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
            value=raw_shown(raw),
            **error.params,
        )
    if note is None or note.code == "BRM203":
        return value, None
    return value, RULES[note.code].finding(
        sheet=table.sheet,
        row=row,
        column=spec.name,
        cell=table.cell(row, i),
        value=raw_shown(raw),
        **note.params,
    )


def raw_shown(value: Any) -> Any:
    """A cell's value as a finding shows it: a formula without a result as its formula text."""
    return str(value) if type(value) is FormulaWithoutValue else value


def earliest(v: Mapping[str, Any]) -> tuple[date | None, str]:
    """The earlier of baseline_start and realisation_start, and which it is."""
    dates = [(v[n], n) for n in ("baseline_start", "realisation_start") if v.get(n) is not None]
    return min(dates) if dates else (None, "")


def window(v: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """The calculations' baseline window in month indexes (see xl_brm.calc)."""
    start, end, realise = v.get("baseline_start"), v.get("baseline_end"), v.get("realisation_start")
    first = Period.of_date(start).index if start is not None else None
    if end is not None:
        last: int | None = Period.of_date(end).index
    else:
        last = Period.of_date(realise).index - 1 if realise is not None else None
    return first, last


def num(x: float) -> str:
    return str(int(x)) if x.is_integer() else f"{x:g}"


def day(d: date) -> str:
    return d.strftime("%d/%m/%Y")
