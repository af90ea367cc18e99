"""Timing of validate_workbook on a large generated register (not collected by pytest).

    .venv/bin/python tests/rules/bench_validate.py [FILE.xlsx]

Builds 10k benefits + 240k measurements as the reader would hand them over (floats, text,
datetimes, '' for empty cells) and times validation; with FILE, also times a raw calamine read
of that file for comparison (the budget is validate <= 0.5 x read).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, datetime

from xl_brm.fields import BENEFIT_FIELDS, MEASUREMENT_FIELDS
from xl_brm.table import Column, RawRow, RawTable, RawWorkbook
from xl_brm.validate import validate_workbook

TYPES = ["Cash releasing", "NCRB", "Quantitative", "Qualitative"]


def benefit_row(i: int) -> dict[str, object]:
    return {
        "benefit_id": f"B{i:05d}",
        "trust_ods": "RJ1",
        "programme": "GDE",
        "project": "EPMA",
        "title": f"Benefit {i}",
        "benefit_type": TYPES[i % 4],
        "category": "Safety",
        "beneficiary": "patients",
        "is_disbenefit": "No",
        "planned": "Yes",
        "measure": "errors",
        "national_measure_code": "",
        "unit": "count",
        "direction": "decrease",
        "baseline_value": 120.0,
        "baseline_start": datetime(2019, 4, 1),
        "baseline_end": datetime(2019, 9, 30),
        "baseline_method": "given",
        "target_value": 60.0,
        "target_date": "31/03/2021",
        "realisation_start": datetime(2019, 10, 1),
        "unit_value_gbp": 35.0,
        "attribution_pct": 80.0,
        "benefit_owner": "Chief Pharmacist",
        "approval_status": "Approved",
        "approved_by": "DoF",
        "approved_on": datetime(2020, 1, 15),
        "confidence": "medium",
        "evidence": "Audit",
    }


def generated(benefits: int = 10_000, periods: int = 24) -> RawWorkbook:
    rng = random.Random(1)
    names = [f.name for f in BENEFIT_FIELDS]
    btable = RawTable("Benefits", "Benefits", 1, [Column(n, n, i) for i, n in enumerate(names)])
    for i in range(benefits):
        row = benefit_row(i)
        btable.rows.append(RawRow(i + 2, tuple(row[n] for n in names)))
    mnames = [f.name for f in MEASUREMENT_FIELDS]
    mtable = RawTable("Measurements", "Measurements", 1, [Column(n, n, i) for i, n in enumerate(mnames)])
    r = 2
    for i in range(benefits):
        for k in range(periods):
            per = f"{2019 + (3 + k) // 12}-{(3 + k) % 12 + 1:02d}"
            value = "better" if i % 4 == 3 else float(rng.randint(90, 110))
            mtable.rows.append(RawRow(r, (f"B{i:05d}", per, value, "Datix", "measured", "")))
            r += 1
    return RawWorkbook("generated.xlsx", {"Benefits": btable, "Measurements": mtable})


def main() -> None:
    raw = generated()
    best = min(_time(lambda: validate_workbook(raw, today=date(2021, 6, 1))) for _ in range(3))
    result = validate_workbook(raw, today=date(2021, 6, 1))
    print(
        f"validate: {best:.3f}s for {len(result.register.benefits)} benefits, "
        f"{result.register.measurement_count} measurements, {len(result.findings)} findings "
        f"({best / 250_000 * 1e6:.2f} us per row)"
    )
    if len(sys.argv) > 1:
        import python_calamine

        def read() -> None:
            wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python()

        read_best = min(_time(read) for _ in range(3))
        print(f"calamine read: {read_best:.3f}s; validate / read = {best / read_best:.2f}")


def _time(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
