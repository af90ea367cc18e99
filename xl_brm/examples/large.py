"""Large registers for the benchmarks: one house style with synonyms, streamed straight to
SpreadsheetML (see `xl_brm.excel._fast_xlsx`) so a 1M-measurement register takes seconds."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from xl_brm.excel._fast_xlsx import write_xlsx
from xl_brm.excel._save import atomic_path
from xl_brm.periods import Period

SEED = 2019


LARGE_BENEFIT_HEADER = (
    "Benefit Ref",
    "Trust Code",
    "Programme",
    "Project",
    "Benefit Description",
    "Benefit Type",
    "Category",
    "Beneficiary",
    "Measure",
    "Unit",
    "Direction",
    "Baseline",
    "Baseline From",
    "Baseline To",
    "Target",
    "Target Date",
    "Go Live",
    "Unit Value (£)",
    "Attribution %",
    "Benefit Owner",
    "Status",
    "Approved By",
    "Approval Date",
    "Confidence",
    "Evidence",
    "Local Notes",
)
LARGE_MEASUREMENT_HEADER = ("Benefit Ref", "Month", "Actual", "Data Source", "Grade", "Notes")
_PROJECTS = (
    "EPMA",
    "Order comms",
    "Patient portal",
    "eObs",
    "Clinical noting",
    "Theatres",
    "PACS",
    "Positive patient ID",
    "Shared care record",
    "e-Rostering",
)
_TYPES = (("CRB", "count", 4.2), ("NCRB", "hours", 31.5), ("Quantitative", "minutes", None))
_CATEGORIES = ("Safety", "Efficiency", "Patient experience", "Staff experience", "Clinical outcome")


def large_benefit_rows(n: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """The benefit rows of the large registers, clean, in the house style (shared with `dirty`)."""
    for i in range(1, n + 1):
        kind, unit, unit_value = _TYPES[i % 3]
        project = _PROJECTS[i % len(_PROJECTS)]
        decrease = i % 2 == 0
        baseline = float(rng.randint(200, 5000))
        target = round(baseline * (0.7 if decrease else 1.3))
        approved = i % 4 != 0
        yield (
            f"B{i:06d}",
            "RJ1",
            "GDE",
            project,
            f"{project} benefit {i}",
            kind,
            _CATEGORIES[i % 5],
            "Patients",
            f"{project} measure {i}",
            unit,
            "Lower is better" if decrease else "Higher is better",
            baseline,
            "01/04/2019",
            "30/09/2019",
            target,
            "31/03/2021",
            "01/10/2019",
            f"£{unit_value:,.2f}" if unit_value else None,
            "100%",
            "Benefit Owner",
            "Approved" if approved else "Draft",
            "Director of Finance" if approved else None,
            "15/01/2020" if approved else None,
            "Medium",
            None,
            None,
        )


def month_labels(months: int) -> list[str]:
    """The register's months as the trust types them: 'Apr-19', 'May-19', ..."""
    return [Period.month(2019, 4).shift(m).start.strftime("%b-%y") for m in range(months)]


def write_large_register(
    path: str | Path, *, benefits: int = 10_000, months: int = 24, seed: int = SEED
) -> Path:
    """A register of `benefits` rows and `benefits × months` measurements, for benchmarks.

    House style: the acute trust's column names, UK text dates, £ strings, 'Apr-19' months, one
    title row above the header. Streamed straight to SpreadsheetML (see `_fast_xlsx`): openpyxl's
    write-only mode took 100 s for the 10k register, this takes a few seconds, in flat memory.
    """
    rng = random.Random(seed)
    target = Path(path)
    rows = list(large_benefit_rows(benefits, rng))
    register: list[Sequence[Any]] = [
        ["Example Acute Hospitals NHS Foundation Trust — benefits register (benchmark)"],
        list(LARGE_BENEFIT_HEADER),
        *rows,
    ]
    labels = month_labels(months)

    def measurements() -> Iterator[Sequence[Any]]:
        yield LARGE_MEASUREMENT_HEADER
        gauss = rng.gauss
        for row in rows:
            ref, baseline, goal = row[0], row[11], row[14]
            step = (goal - baseline) / max(1, months)
            for m, label in enumerate(labels):
                value = round(baseline + step * m + gauss(0, baseline * 0.02), 1)
                yield (ref, label, value, "Datix", "Actual", None)

    sheets = [
        ("Benefits Register", register, len(register), len(LARGE_BENEFIT_HEADER)),
        ("Monthly Data", measurements(), 1 + benefits * months, len(LARGE_MEASUREMENT_HEADER)),
    ]
    with atomic_path(target) as tmp:
        write_xlsx(tmp, sheets)
    return target
