"""How long does `=BRM.ISSUES(table)` take over a 10,000-row Benefits table? (Python time only.)

    python tests/benchmarks/bench_issues_udf.py            # 10,000 rows, 5 repeats
    python tests/benchmarks/bench_issues_udf.py --rows 1000 --repeat 3

The table is what Excel hands the function: a 2-D array, header row first, blanks as Office.js
sends them (""), whole numbers as ints, dates as serial numbers, one row in 50 with a mistake.
It is timed end to end through xlwings' own `custom_functions_call` (argument conversion, the
function, result conversion), and split into the wrapper's own work (`cells.reader_rows` +
header mapping) and the rule engine (`validate_workbook`). Target: within 100 ms.
The last line starts with `SUMMARY bench_issues_udf:`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

TARGET_MS = 100.0
HEADERS = [
    "Benefit ID",
    "Trust ODS",
    "Programme",
    "Project",
    "Title",
    "Benefit Type",
    "Category",
    "Beneficiary",
    "Measure",
    "Unit",
    "Direction",
    "Baseline",
    "Target",
    "Target Date",
    "Realisation Start",
    "Unit Value (£)",
    "Attribution %",
    "Benefit Owner",
    "Approval Status",
]


def table(rows: int) -> list[list[Any]]:
    out: list[list[Any]] = [HEADERS]
    for i in range(rows):
        bad = i % 50 == 7
        out.append(
            [
                f"B-{i:05d}",
                "RJ1",
                "GDE",
                "EPMA",
                f"Fewer medication errors on ward {i % 40}",
                "Cashable" if bad else "Cash releasing",
                "Safety",
                "patients",
                "errors",
                "count",
                "decrease",
                120 + i % 7,
                60,
                44286,
                43739,
                35,
                80 if i % 3 else "",
                "Chief Pharmacist",
                "Draft",
            ]
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from xl_brm.addin.xlwings_compat import skip_pyodide_probe

    skip_pyodide_probe()  # as `xl-brm addin serve` does
    import xlwings
    import xlwings.server as xws

    import udfs.functions as functions
    from xl_brm.addin import cells
    from xl_brm.addin.grid import table_from_grid
    from xl_brm.table import RawWorkbook
    from xl_brm.validate import validate_workbook

    data = table(args.rows)
    body = {
        "func_name": "BRM_ISSUES",
        "args": [data],
        "caller_address": "x[b.xlsx]S!A1",
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": "1.4",
    }
    whole, wrapper, engine = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = asyncio.run(xws.custom_functions_call(dict(body), functions))
        whole.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = cells.reader_rows(data)
        raw_table, findings = table_from_grid(rows)
        wrapper.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        validate_workbook(RawWorkbook(path="", tables={"Benefits": raw_table}, findings=findings))
        engine.append(time.perf_counter() - t0)
    issues = len(result) - 1
    ms = {
        k: 1000 * statistics.median(v)
        for k, v in (("whole", whole), ("wrapper", wrapper), ("engine", engine))
    }
    print(f"rows: {args.rows}, issues listed: {issues}")
    print(f"BRM_ISSUES through custom_functions_call: {ms['whole']:.1f} ms (median of {args.repeat})")
    print(f"  wrapper (tidy + header mapping):        {ms['wrapper']:.1f} ms")
    print(f"  rule engine (validate_workbook):        {ms['engine']:.1f} ms")
    verdict = "within" if ms["whole"] <= TARGET_MS else "OVER"
    print(
        f"SUMMARY bench_issues_udf: {args.rows} rows in {ms['whole']:.0f} ms, {verdict} the "
        f"{TARGET_MS:.0f} ms target (wrapper {ms['wrapper']:.0f} ms, engine {ms['engine']:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
