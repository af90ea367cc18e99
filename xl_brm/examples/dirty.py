"""A large register full of findings, for the benchmarks: the clean register of `large` with
about 3% of its data cells spoilt the ways old trust sheets are, and a quarter of its benefits
qualitative with numeric readings (issue 12: validation exists to find problems, and a trust's
first bulk check of old sheets finds many).

Every spoilt cell is recorded as a `Spoilt` (sheet, cell, kind, the rule that should fire), so a
test can check each kind is found where it was put. Same seed, same file, same record.

Decisions:
- A benefit row keeps its core fields clean when its readings carry planted findings (text in a
  quantitative benefit's number, numbers for a qualitative one), so those findings do not hang
  on whether the benefit joined the Register.
- A spoilt Measurements row has one bad cell, and never follows another spoilt row of the same
  benefit: three readings lost in a row would be a gap (BRM504) nobody planted.
- A spoilt reading is not expected to draw BRM408 or BRM402 as well: the engine sets a row
  with any unreadable cell aside from the table checks.
- Baseline From is never spoilt: without it a benefit's dates start at Go Live, and its first
  readings would be 'before the benefit' (BRM404), a finding nobody planted.
- A duplicate benefit ID repeats the row above's ID; that row's own readings keep their ID,
  which the register no longer has (BRM402 each), as when an ID is pasted over.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xl_brm.examples.large import (
    LARGE_BENEFIT_HEADER,
    LARGE_MEASUREMENT_HEADER,
    SEED,
    large_benefit_rows,
    month_labels,
)
from xl_brm.excel._fast_xlsx import write_xlsx
from xl_brm.excel._save import atomic_path

BENEFITS_SHEET, MEASUREMENTS_SHEET = "Benefits Register", "Monthly Data"
BAD_SHARE = 0.03
"""The share of all data cells (both sheets, every column) spoilt on purpose."""
QUALITATIVE_EVERY = 4
"""Every fourth benefit is qualitative (with numeric readings: BRM408 on each)."""
DUPLICATE_EVERY = 250
"""One benefit in this many (the 10th, the 260th, ...) repeats the ID of the row above (BRM401)."""

KINDS = (
    "text-in-number",
    "pound-string",
    "text-date",
    "invalid-date",
    "blank-required",
    "bad-enum",
    "duplicate-id",
    "number-for-qualitative",
)
"""Every kind of planted mistake; each run of the generator plants every kind (given ~40
benefits or more) and the smoke test checks each is found."""


@dataclass(frozen=True, slots=True)
class Spoilt:
    """A cell spoilt on purpose and the rule that should fire at it."""

    sheet: str
    cell: str
    kind: str
    code: str
    value: Any


_COL = {name: i for i, name in enumerate(LARGE_BENEFIT_HEADER)}
_MCOL = {name: i for i, name in enumerate(LARGE_MEASUREMENT_HEADER)}

# Benefits columns that can be spoilt, and how: (kind, bad value, rule that should fire).
_BENEFIT_SPOILS: dict[str, tuple[tuple[str, Any, str], ...]] = {
    "Programme": (("blank-required", None, "BRM210"),),
    "Project": (("blank-required", None, "BRM210"),),
    "Benefit Description": (("blank-required", None, "BRM210"),),
    "Benefit Owner": (("blank-required", None, "BRM210"),),
    "Benefit Type": (("bad-enum", "TBC", "BRM204"), ("blank-required", None, "BRM210")),
    "Category": (("bad-enum", "Misc.", "BRM204"),),
    "Direction": (("bad-enum", "Sideways", "BRM204"),),
    "Status": (("bad-enum", "Aproved", "BRM204"),),
    "Baseline": (("text-in-number", "about 300", "BRM201"), ("text-date", "30/06/2019", "BRM201")),
    "Target": (("text-in-number", "TBC", "BRM201"), ("text-date", "31/03/2021", "BRM201")),
    "Unit Value (£)": (("pound-string", "£1,2OO", "BRM201"), ("text-in-number", "see finance", "BRM201")),
    "Attribution %": (("text-in-number", "about half", "BRM201"),),
    "Baseline To": (("invalid-date", "31/09/2019", "BRM202"), ("pound-string", "£1,200", "BRM202")),
    "Target Date": (("invalid-date", "31/02/2021", "BRM202"), ("pound-string", "£1,200", "BRM202")),
    "Go Live": (("invalid-date", "30/02/2020", "BRM202"),),
    "Approval Date": (("invalid-date", "29/02/2019", "BRM202"),),
}
# Measurements: one spoilt cell a row. Text readings only for a quantitative benefit.
_READING_SPOILS: tuple[tuple[str, str, Any, str], ...] = (
    ("Benefit Ref", "blank-required", None, "BRM210"),
    ("Month", "invalid-date", "31/02/2020", "BRM212"),
    ("Month", "pound-string", "£1,200", "BRM212"),
    ("Grade", "bad-enum", "Guess", "BRM204"),
)
_TEXT_READINGS = (("text-in-number", "n/a", "BRM407"), ("text-in-number", "about 300", "BRM407"),
                  ("text-date", "30/06/2019", "BRM407"))


def _letter(index: int) -> str:
    return chr(ord("A") + index)  # both sheets have fewer than 27 columns


def write_dirty_register(
    path: str | Path, *, benefits: int = 10_000, months: int = 24, seed: int = SEED,
    bad_share: float = BAD_SHARE,
) -> list[Spoilt]:
    """Write the dirty register and return every cell spoilt on purpose, in sheet order."""
    rng = random.Random(seed)
    spoilt: list[Spoilt] = []
    width, m_width = len(LARGE_BENEFIT_HEADER), len(LARGE_MEASUREMENT_HEADER)
    # Each sheet gets its share of the bad cells in proportion to its cells; in the Benefits
    # sheet they fall on the rows that may be spoilt (all but the qualitative quarter).
    spoilable = sum(1 for i in range(1, benefits + 1) if i % QUALITATIVE_EVERY != 1)
    b_rate = bad_share * benefits * width / max(1, spoilable * len(_BENEFIT_SPOILS))
    m_rate = bad_share * m_width  # spoilt readings a row, on average
    m_rate = m_rate / (1 - m_rate)  # no two in a row: a row after a clean one is spoilt this often
    labels = month_labels(months)
    rows: list[list[Any]] = []
    kinds: list[str] = []  # per benefit: "qualitative", "clean" (text readings allowed) or "spoilt"
    for i, base in enumerate(large_benefit_rows(benefits, rng), start=1):
        row = list(base)
        excel_row = i + 2  # a title row and the header above the first benefit
        if i % QUALITATIVE_EVERY == 1:
            row[_COL["Benefit Type"]] = "Qualitative"
            row[_COL["Unit Value (£)"]] = None
            row[_COL["Evidence"]] = "Staff survey, March 2020"
            kinds.append("qualitative")
        elif i % DUPLICATE_EVERY == 10:
            row[0] = rows[-1][0]
            spoilt.append(Spoilt(BENEFITS_SHEET, f"A{excel_row}", "duplicate-id", "BRM401", row[0]))
            kinds.append("duplicate")
        else:
            hit = False
            for column, spoils in _BENEFIT_SPOILS.items():
                if rng.random() < b_rate:
                    kind, value, code = spoils[rng.randrange(len(spoils))]
                    at = _COL[column]
                    row[at] = value
                    spoilt.append(Spoilt(BENEFITS_SHEET, f"{_letter(at)}{excel_row}", kind, code, value))
                    hit = True
            kinds.append("spoilt" if hit else "clean")
        rows.append(row)

    readings_spoilt: list[Spoilt] = []
    gauss = rng.gauss
    random_ = rng.random

    def measurements() -> Iterator[Sequence[Any]]:
        yield LARGE_MEASUREMENT_HEADER
        excel_row = 1
        for row, base, kind in zip(rows, _large_refs(benefits), kinds, strict=True):
            baseline, goal = row[_COL["Baseline"]], row[_COL["Target"]]
            baseline = baseline if isinstance(baseline, float) else 1000.0
            goal = goal if isinstance(goal, int | float) else baseline
            step = (goal - baseline) / max(1, months)
            previous_spoilt = False
            for m, label in enumerate(labels):
                excel_row += 1
                reading: list[Any] = [base, label, round(baseline + step * m + gauss(0, baseline * 0.02), 1),
                                      "Datix", "Actual", None]
                spoil = not previous_spoilt and random_() < m_rate
                previous_spoilt = spoil
                if spoil:
                    options = list(_READING_SPOILS)
                    if kind == "clean":
                        options += [("Actual", *t) for t in _TEXT_READINGS]
                    column, what, value, code = options[rng.randrange(len(options))]
                    at = _MCOL[column]
                    reading[at] = value
                    readings_spoilt.append(
                        Spoilt(MEASUREMENTS_SHEET, f"{_letter(at)}{excel_row}", what, code, value))
                if kind == "qualitative" and not spoil:
                    readings_spoilt.append(Spoilt(MEASUREMENTS_SHEET, f"C{excel_row}",
                                                  "number-for-qualitative", "BRM408", reading[2]))
                elif kind == "duplicate" and not spoil:
                    readings_spoilt.append(Spoilt(MEASUREMENTS_SHEET, f"A{excel_row}",
                                                  "duplicate-id", "BRM402", base))
                yield reading

    register: list[Sequence[Any]] = [
        ["Example Acute Hospitals NHS Foundation Trust — benefits register (benchmark, dirty)"],
        list(LARGE_BENEFIT_HEADER),
        *rows,
    ]
    sheets = [
        (BENEFITS_SHEET, register, len(register), width),
        (MEASUREMENTS_SHEET, measurements(), 1 + benefits * months, m_width),
    ]
    with atomic_path(Path(path)) as tmp:
        write_xlsx(tmp, sheets)
    return spoilt + readings_spoilt


def _large_refs(benefits: int) -> Iterator[str]:
    """Each benefit's own ID as its readings carry it (a duplicate row's readings keep theirs)."""
    for i in range(1, benefits + 1):
        yield f"B{i:06d}"


def bad_cells(spoilt: Sequence[Spoilt]) -> int:
    """How many cells were spoilt (numbers for a qualitative benefit and the readings of a
    pasted-over ID are right as cells: the mistake is elsewhere)."""
    return sum(1 for s in spoilt if s.kind != "number-for-qualitative" and s.code != "BRM402")


def data_cells(benefits: int, months: int) -> int:
    """Every cell below the header rows of both sheets."""
    return benefits * len(LARGE_BENEFIT_HEADER) + benefits * months * len(LARGE_MEASUREMENT_HEADER)
