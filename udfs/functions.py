"""The BRM cell functions, declared once for every Excel.

Desktop Excel (the xl_brm.xlam add-in, xlwings COM) calls them `=BRM_VALIDATE(...)`; the Office
add-in (Excel on the web, Mac, Microsoft 365, served by `xl-brm addin serve`) registers them
under the namespace BRM as `=BRM.VALIDATE(...)`. Each is a thin wrapper: it tidies what Excel
sent (`xl_brm.addin.cells`), calls the rule engine or the calculations, and turns any refusal
into readable text in the cell. Docstrings and argument docs are Excel's function help.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from xlwings import arg, func

from xl_brm import calc
from xl_brm._gc import gc_paused
from xl_brm.addin import cells, sheet_functions
from xl_brm.errors import XlBrmError
from xl_brm.periods import PeriodError, parse_fy, parse_period

__all__ = [
    "BRM_BASELINE",
    "BRM_FY",
    "BRM_IMPROVEMENT",
    "BRM_ISSUES",
    "BRM_PERIOD",
    "BRM_PV",
    "BRM_RAG",
    "BRM_REALISED",
    "BRM_VALIDATE",
]

F = TypeVar("F", bound=Callable[..., Any])
ERROR_PREFIX = "Error: "


def _cell_function(
    *, ndim: dict[str, int] | None = None, raw: tuple[str, ...] = (), **arg_docs: str
) -> Callable[[F], F]:
    """Turn refusals into readable text (never a traceback) and declare the arguments' help
    (and, for ranges, their shape) once for xlwings and for the desktop add-in's VBA."""

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def safe(*args: Any) -> Any:
            try:
                return f(*args)
            except (XlBrmError, PeriodError, ValueError) as exc:
                return ERROR_PREFIX + str(exc)
            except Exception as exc:  # a cell must show text, never a Python traceback
                return f"{ERROR_PREFIX}unexpected problem ({type(exc).__name__}: {exc})"

        safe.__brm_arg_docs__ = arg_docs  # type: ignore[attr-defined]
        wrapped: Any = safe
        for name, doc in reversed(arg_docs.items()):
            options: dict[str, Any] = {"ndim": ndim[name]} if ndim and name in ndim else {}
            if name in raw:  # hand the range over as Excel sent it: cells.py tidies it in bulk
                options["convert"] = "raw"
            wrapped = arg(name, doc=doc, **options)(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate


@func(name="VALIDATE")
@_cell_function(
    row="One Benefits row (the cells of one benefit).",
    headers="Optional: the header row of the table, so your own column names and order are used. "
    "Without it the columns are taken in the template's order.",
    ndim={"row": 1, "headers": 1},
)
def BRM_VALIDATE(row: Any, headers: Any = None) -> str:
    """Check one benefit row against the national rules: "OK", or each issue's code and message."""
    return sheet_functions.validate_row_text(
        cells.flat(row), None if headers is None else cells.flat(headers)
    )


@func(name="ISSUES")
@_cell_function(table="The Benefits table, header row first.", raw=("table",))
def BRM_ISSUES(table: Any) -> Any:
    """List every issue in a Benefits table as a spilled table: row, column, code, severity, message."""
    with gc_paused():  # ~100k short-lived objects, no cycles: collections would only rescan them
        return sheet_functions.issues_table(cells.reader_rows(table))


@func(name="BASELINE")
@_cell_function(
    values="The measurements to take the baseline from, in period order.",
    method="Optional: mean (default), median or last.",
)
def BRM_BASELINE(values: Any, method: Any = None) -> float:
    """Baseline of a benefit's measurements: their mean, median or last value."""
    nums = [v for v in cells.numbers(values, "values") if v is not None]
    return calc.compute_baseline(nums, cells.text(method, "method", default="mean"))


@func(name="IMPROVEMENT")
@_cell_function(
    baseline="The baseline level.",
    actual="The measured level (one cell, or a range for one result per cell).",
    direction="increase or decrease: which way is better.",
)
def BRM_IMPROVEMENT(baseline: Any, actual: Any, direction: Any) -> Any:
    """Improvement on the baseline: actual - baseline if higher is better, baseline - actual if lower."""
    b = cells.number(baseline, "baseline")
    way = calc.as_direction(cells.text(direction, "direction"))
    block = cells.grid(actual)
    results = [
        [None if cells.is_blank(v) else calc.improvement(b, cells.number(v, "actual"), way) for v in row]
        for row in block
    ]
    return results[0][0] if len(results) == 1 and len(results[0]) == 1 else results


@func(name="REALISED")
@_cell_function(
    baseline="The baseline level.",
    actuals="The measured levels of the counted periods (blank cells are skipped).",
    unit_value="£ per unit of the measure. Leave blank for a realised quantity instead of £.",
    attribution_pct="Optional: share of the change owed to the initiative, 0-100 (default 100).",
    direction="Optional: increase (default) or decrease: which way is better.",
)
def BRM_REALISED(
    baseline: Any, actuals: Any, unit_value: Any, attribution_pct: Any = None, direction: Any = None
) -> float:
    """Realised benefit to date: the sum over periods of improvement x attribution x unit value."""
    b = cells.number(baseline, "baseline")
    way = calc.as_direction(cells.text(direction, "direction", default="increase"))
    pct = cells.percent(attribution_pct, "attribution_pct", default=100.0)
    quantity = sum(
        calc.realised_quantity(calc.improvement(b, a, way), pct)
        for a in cells.numbers(actuals, "actuals")
        if a is not None
    )
    if cells.is_blank(cells.unwrap(unit_value)):
        return quantity
    return calc.realised_value(quantity, cells.number(unit_value, "unit_value"))


@func(name="PV")
@_cell_function(
    values="Realised values in £, one per period.",
    periods="The period of each value (2019-10, Oct-19, 2019/20 Q3 or a date), same size as values.",
    base_fy="Optional: the base financial year, e.g. 2019/20 (default: the earliest one).",
)
def BRM_PV(values: Any, periods: Any, base_fy: Any = None) -> float:
    """Present value in £ of realised values, discounted to the base year (HM Treasury Green Book)."""
    amounts = cells.numbers(values, "values")
    when = cells.flat(periods)
    if len(amounts) != len(when):
        raise XlBrmError(
            f"values has {len(amounts)} cells but periods has {len(when)}", hint="give one period per value"
        )
    by_fy: dict[int, float] = {}
    for amount, period in zip(amounts, when, strict=True):
        if amount is None:
            continue
        fy = parse_period(period).fy_start_year
        by_fy[fy] = by_fy.get(fy, 0.0) + amount
    if not by_fy:
        return 0.0
    base = cells.text(base_fy, "base_fy", default="")
    return calc.present_value(by_fy, base_fy=parse_fy(base) if base else min(by_fy))


@func(name="RAG")
@_cell_function(
    realised="Improvement to date (sum over counted periods).",
    planned="Planned improvement to date over the same periods.",
)
def BRM_RAG(realised: Any, planned: Any) -> str:
    """Red, amber or green: improvement to date against plan (green from 90%, amber from 70%)."""
    done = sum(v for v in cells.numbers(realised, "realised") if v is not None)
    plan = sum(v for v in cells.numbers(planned, "planned") if v is not None)
    return str(calc.rag_status(done, plan))


@func(name="PERIOD")
@_cell_function(text="A month (2019-04, Apr-19, April 2019, a date) or a quarter (2019/20 Q1).")
def BRM_PERIOD(text: Any) -> str:
    """The period written the canonical way: 2019-04 for a month, 2019/20 Q1 for a quarter."""
    value = cells.unwrap(text)
    if cells.is_blank_argument(value):
        raise XlBrmError("the period is blank", hint="give a month such as 2019-04")
    return str(parse_period(value))


@func(name="FY")
@_cell_function(date="A date, a month or a quarter.")
def BRM_FY(date: Any) -> str:
    """The NHS financial year (1 April - 31 March) of a date, e.g. 2019/20."""
    value = cells.unwrap(date)
    if cells.is_blank_argument(value):
        raise XlBrmError("the date is blank", hint="give a date such as 31/03/2020")
    if isinstance(value, str):
        try:
            return parse_period(value).fy
        except PeriodError:
            return parse_period(cells.a_date(value, "date")).fy
    return parse_period(value).fy
