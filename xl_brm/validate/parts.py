"""A large Measurements sheet validated in two parts, side by side on the machine's two cores.

After calamine's parse, the rules ran on one core while the other waited: half a second on a
register of 240k measurements full of findings. So the Measurements rows are cut in two where
no benefit's rows lie on both sides of the cut; each of two processes validates the workbook
with one part of the rows (`Validator.finish(part, checked=...)`), and every check still sees
all of a benefit's measurements: its series, its own checks with them, BRM402 for an ID the
register has not got. The second part's findings are those on the Measurements sheet from the
cut row on; everything else is the first part's, but for the benefits whose rows are in the
second part, whose own checks run there (their findings are sent across). In the report's
order (sheet, row, cell, code) the second part's findings are one run, so the two parts'
findings, each in that order, make the whole.

A speed trick (`xl_brm._speed`): `XL_BRM_PLAIN=1` validates in one go. Not for a small
register, one whose Benefits sheet is clean (`DIRTY`), a table the reader assembled (periods
across the page: findings move to other cells), a Measurements sheet that holds another table
too, or one with no clean cut near the middle (a benefit's rows scattered over the sheet).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from xl_brm._speed import plain
from xl_brm.fields import MEASUREMENT_FIELD
from xl_brm.findings import Finding
from xl_brm.normalise import parser_for
from xl_brm.rules._checks import checks_of
from xl_brm.table import RawTable, RawWorkbook, column_cells, row_number, rows_part
from xl_brm.validate._shared import BENEFITS, MEASUREMENTS, parse_cell, positions

AT_LEAST = 50_000
"""Measurements rows from which a register is validated in two parts."""
DIRTY = 0.05
"""Findings per Benefits row, found before the cut, from which a register is validated in two
parts. What divides well between two processes is the findings (made, said, written); on a
clean register the second process costs about what it saves (the pages it touches are copied
for it), so a register whose Benefits sheet is clean is validated in one go."""
REACH = 0.15
"""How far from the middle, as a share of the rows, a cut may be."""


@dataclass(frozen=True, slots=True)
class Parts:
    """A workbook as two workbooks, each with its part of the Measurements rows."""

    sheet: str
    """The Measurements sheet."""
    row: int
    """The Excel row the second part starts at."""
    first: RawWorkbook
    second: RawWorkbook
    second_ids: frozenset[Any]
    """The benefit IDs read in the second part's rows."""

    def in_second(self, finding: Finding) -> bool:
        """True for a finding the second part reports (the first reports every other)."""
        return finding.sheet == self.sheet and (finding.row or 0) >= self.row

    def checked_in_first(self, benefit_id: str | None) -> bool:
        """The benefits whose own checks (with their measurements) the first part runs."""
        return benefit_id not in self.second_ids

    def checked_in_second(self, benefit_id: str | None) -> bool:
        return benefit_id in self.second_ids


def in_parts(raw: RawWorkbook, *, elsewhere: int = 0, at_least: int | None = None) -> Parts | None:
    """`raw` cut in two parts near the middle of its Measurements rows (`at_least` of them, by
    default AT_LEAST), or None (see the module docstring for when). `elsewhere`: the findings
    known so far, all on other sheets (the Benefits sheet's), DIRTY of them a Benefits row at
    least; the first part also says them, so it takes as many fewer rows (a row costs about as
    much to check as a finding to say)."""
    table, benefits = raw.tables.get(MEASUREMENTS), raw.tables.get(BENEFITS)
    least = AT_LEAST if at_least is None else at_least
    if plain() or table is None or benefits is None or len(table.rows) < max(least, 2):
        return None
    if elsewhere < DIRTY * len(benefits.rows):
        return None
    tables = raw.tables.values()
    if any(t.origin is not None or (t is not table and t.sheet == table.sheet) for t in tables):
        return None
    ib = positions(table, MEASUREMENT_FIELD).get("benefit_id")
    if ib is None or MEASUREMENT_FIELD["benefit_id"].kind != "text":
        return None
    rows, ids = table.rows, benefit_ids(table, ib)
    found = clean_cut(ids, elsewhere)
    if found is None:
        return None
    cut, second_ids = found
    return Parts(
        sheet=table.sheet,
        row=row_number(rows, cut),
        first=_with_rows(raw, table, rows_part(rows, 0, cut)),
        second=_with_rows(raw, table, rows_part(rows, cut, len(ids.rows))),
        second_ids=second_ids,
    )


@dataclass(frozen=True, slots=True)
class Ids:
    """Each Measurements row's benefit ID cell (`rows`, maybe keyed by type too), and what each
    distinct one may read as (`said`; None: no ID)."""

    rows: Sequence[Any]
    said: dict[Any, Any]


def benefit_ids(table: RawTable, position: int) -> Ids:
    """What each Measurements row's benefit ID may read as: text as itself stripped (the cell
    stage's `parse_text` reads it so, or not at all), anything else as the cell stage reads it.
    Two spellings of one ID then read as one benefit."""
    column = column_cells(table, position)
    distinct = set(column)
    if all(type(raw) is str or raw is None for raw in distinct):
        return Ids(column, {raw: raw.strip() or None for raw in distinct if raw is not None} | {None: None})
    # True == 1 == 1.0 as dict keys, yet they read as 'TRUE' and '1': keyed by type too
    spec = MEASUREMENT_FIELD["benefit_id"]
    parse = parser_for(spec)
    keyed = [(type(raw), raw) for raw in column]

    def read(raw: Any) -> Any:
        if type(raw) is str or raw is None:
            return raw.strip() or None if raw else None
        return parse_cell(spec, parse, raw, table, 0, position)[0]

    return Ids(keyed, {key: read(key[1]) for key in set(keyed)})


def clean_cut(ids: Ids, elsewhere: int = 0, tries: int = 3) -> tuple[int, frozenset[Any]] | None:
    """The row index nearest the middle (within REACH; `elsewhere` rows before it, see
    `in_parts`) at which no benefit has rows on both sides (rows that read as no benefit aside),
    and the benefits of the rows after it; or None. Rows usually come a benefit at a time: a
    cut is tried where one ID gives way to another."""
    rows, said = ids.rows, ids.said
    n = len(rows)
    middle = max((n - elsewhere) // 2, n // 4)
    for k in islice(_changes(rows, middle, int(n * REACH)), tries):
        before = {said[r] for r in set(rows[:k])}
        after = {said[r] for r in set(rows[k:])}
        before.discard(None)
        after.discard(None)
        if before.isdisjoint(after):
            return k, frozenset(after)
    return None


def _changes(rows: Sequence[Any], middle: int, span: int) -> Iterator[int]:
    """Row indices, outwards from the middle, where the ID cell differs from the row before."""
    n = len(rows)
    for step in range(span + 1):
        for k in (middle + step, middle - step) if step else (middle,):
            if 0 < k < n and rows[k] != rows[k - 1]:
                yield k


def _with_rows(raw: RawWorkbook, table: RawTable, rows: Any) -> RawWorkbook:
    return replace(raw, tables={**raw.tables, MEASUREMENTS: replace(table, rows=rows)})


BENEFIT_CODES = frozenset(code for c in checks_of("benefit") for code in c.codes)
"""The codes of the "benefit" stage: a benefit's own checks with its measurements."""
