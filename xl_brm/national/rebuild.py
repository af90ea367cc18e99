"""Turn a submission back into the cells it was read from, for the one rule engine.

Sheet names, column letters and row numbers come from the body's `source`, so every finding
the store reports names the same sheet, row and cell as `xl-brm validate` on the trust's file.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from xl_brm.contract import SheetSource, SubmissionIn
from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD
from xl_brm.table import Column, RawRow, RawTable, RawWorkbook, column_index

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _date_cell(value: Any) -> Any:
    """An ISO date in JSON was a date cell in Excel: give the engine a date again."""
    if isinstance(value, str):
        try:
            if _ISO_DATE.match(value):
                return date.fromisoformat(value)
            if _ISO_DATETIME.match(value):
                return datetime.fromisoformat(value)
        except ValueError:
            return value  # not a real date: let the rule engine say so at its cell
    return value


def _columns(source: SheetSource) -> list[tuple[str, Column]]:
    ordered = sorted(source.columns.items(), key=lambda item: column_index(item[1]))
    return [(name, Column(field=name, header=name, index=column_index(letter))) for name, letter in ordered]


def to_raw_workbook(body: SubmissionIn) -> RawWorkbook:
    """The `RawWorkbook` the trust's reader would have produced for the rows sent."""
    tables: dict[str, RawTable] = {}
    bcols = _columns(body.source.benefits)
    dates = {name for name, _ in bcols if BENEFIT_FIELD[name].kind == "date"}
    rows = []
    for benefit in sorted(body.benefits, key=lambda b: b.row):
        values = tuple(
            _date_cell(benefit.fields.get(name)) if name in dates else benefit.fields.get(name)
            for name, _ in bcols
        )
        rows.append(RawRow(row=benefit.row, values=values))
    tables["Benefits"] = RawTable(
        kind="Benefits",
        sheet=body.source.benefits.sheet,
        header_row=body.source.benefits.header_row,
        columns=[c for _, c in bcols],
        rows=rows,
    )
    msource = body.source.measurements
    if msource is not None:
        mcols = _columns(msource)
        mdates = {name for name, _ in mcols if MEASUREMENT_FIELD[name].kind == "date"}
        names = [name for name, _ in mcols]
        others = [n for n in names if n != "benefit_id"]
        at = names.index("benefit_id") if "benefit_id" in names else None
        cells: Any = attrgetter(*others) if others else (lambda _m: ())
        mrows = []
        for benefit in body.benefits:
            benefit_id = benefit.fields.get("benefit_id")
            for m in benefit.measurements:
                got = cells(m)
                cells_in_order: list[Any] = list(got) if isinstance(got, tuple) else [got]
                if at is not None:
                    cells_in_order.insert(at, benefit_id)
                if mdates:
                    cells_in_order = [
                        _date_cell(v) if n in mdates else v
                        for n, v in zip(names, cells_in_order, strict=True)
                    ]
                mrows.append(RawRow(row=m.row, values=tuple(cells_in_order)))
        mrows.sort(key=lambda r: r.row)
        tables["Measurements"] = RawTable(
            kind="Measurements",
            sheet=msource.sheet,
            header_row=msource.header_row,
            columns=[c for _, c in mcols],
            rows=mrows,
        )
    return RawWorkbook(path=body.source.path, tables=tables)
