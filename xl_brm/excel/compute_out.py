"""`xl-brm compute --out`: a copy of the workbook with the computed figures beside the trust's own.

Decision: the figures go on a `Computed` sheet keyed by benefit_id, not into new columns of the
trust's Benefits table. The trust's sheet then stays exactly as it was (no clash with their own
columns, notes rows or table ranges), and a re-run simply replaces our sheet. A `Summary` sheet
totals by benefit type (cash-releasing and non-cash-releasing kept apart, dis-benefits
separate) and carries native Excel charts of planned versus realised value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm import __version__
from xl_brm.charts import VALUE_KEYS, VALUE_LABELS, cumulative_value_by_period
from xl_brm.enums import BenefitType, Rag
from xl_brm.errors import UsageError
from xl_brm.excel import _book
from xl_brm.excel import _style as st
from xl_brm.excel._save import save_atomic
from xl_brm.periods import Period, parse_period
from xl_brm.sheet_names import COMPUTED as COMPUTED_SHEET
from xl_brm.sheet_names import COMPUTED_BY_PERIOD as SERIES_SHEET
from xl_brm.sheet_names import COMPUTED_COLUMNS, SUMMARY_TITLE
from xl_brm.sheet_names import SUMMARY as SUMMARY_SHEET

if TYPE_CHECKING:
    from xl_brm.calc import BenefitFigures
    from xl_brm.model import Register

SERIES_ROW_LIMIT = 50_000
"""Above this many benefit-periods the by-period sheet is left out (openpyxl holds every cell)."""

SERIES_COLUMNS: tuple[str, ...] = (
    "benefit_id",
    "period",
    "financial_year",
    "actual",
    "planned_level",
    "improvement",
    "planned_improvement",
    "realised_quantity",
    "realised_value_gbp",
    "counted",
)
_FORMATS = {
    "baseline": st.NUMBER_FORMAT,
    "latest": st.NUMBER_FORMAT,
    "improvement": st.NUMBER_FORMAT,
    "realised_quantity": st.NUMBER_FORMAT,
    "realised_value_gbp": st.MONEY_FORMAT,
    "pv_gbp": st.MONEY_FORMAT,
    "percent_of_target": st.PERCENT_FORMAT,
    "planned_to_date": st.NUMBER_FORMAT,
    "actual": st.NUMBER_FORMAT,
    "planned_level": st.NUMBER_FORMAT,
    "planned_improvement": st.NUMBER_FORMAT,
}
TYPE_LABEL = {
    BenefitType.CASH_RELEASING: "Cash-releasing",
    BenefitType.NON_CASH_RELEASING: "Non-cash-releasing",
    BenefitType.QUANTITATIVE_NON_FINANCIAL: "Quantitative non-financial",
    BenefitType.QUALITATIVE: "Qualitative",
}


def write_compute(
    src: str | Path,
    dest: str | Path,
    figures: Sequence[BenefitFigures],
    *,
    as_of: Period | str,
    register: Register | None = None,
) -> Path:
    """Copy `src` to `dest` with Computed, Summary (and by-period) sheets added; return `dest`.

    `register`, when given, supplies titles and the exact £ per unit for the planned-value
    chart; without it the £ per unit is inferred from the realised figures themselves.
    """
    source, target = Path(src), Path(dest)
    if _book.same_file(source, target):
        raise UsageError(
            f"--out would overwrite {source.name}",
            hint="write the computed copy to another file name",
        )
    if target.suffix.lower() not in _book.COPYABLE:
        raise UsageError(
            f"the computed copy must be .xlsx or .xlsm, not '{target.name}'",
            hint="choose a name ending in .xlsx",
        )
    period = parse_period(as_of) if isinstance(as_of, str) else as_of
    keep_vba = source.suffix.lower() == ".xlsm" and target.suffix.lower() == ".xlsm"
    workbook = _book.load_copy(source, keep_vba=keep_vba)
    add_compute_sheets(workbook, list(figures), as_of=period, register=register)
    return save_atomic(workbook, target)


def add_compute_sheets(
    workbook: Workbook,
    figures: list[BenefitFigures],
    *,
    as_of: Period,
    register: Register | None = None,
) -> None:
    """Add (or replace our earlier) Computed, Summary and by-period sheets to `workbook`."""
    titles = {b.benefit_id: b.title for b in register.benefits} if register else {}
    _computed_sheet(workbook, figures, titles)
    series_rows = sum(len(f.series) for f in figures)
    if series_rows <= SERIES_ROW_LIMIT:
        _series_sheet(workbook, figures)
    _summary_sheet(workbook, figures, as_of=as_of, register=register, series_rows=series_rows)


def _text(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Period):
        return str(value)
    return value


def _computed_sheet(workbook: Workbook, figures: list[BenefitFigures], titles: Mapping[str, str]) -> None:
    sheet = _book.place_sheet(workbook, COMPUTED_SHEET, COMPUTED_COLUMNS)
    _book.write_header(sheet, COMPUTED_COLUMNS)
    for row, fig in enumerate(figures, start=2):
        values = {name: _text(getattr(fig, name, None)) for name in COMPUTED_COLUMNS}
        values["title"] = titles.get(fig.benefit_id)
        values["is_disbenefit"] = "Yes" if fig.is_disbenefit else "No"
        for col, name in enumerate(COMPUTED_COLUMNS, start=1):
            cell = sheet.cell(row=row, column=col)
            _book.set_text(cell, values[name])
            if name in _FORMATS:
                cell.number_format = _FORMATS[name]
    last_row = max(2, len(figures) + 1)
    sheet.column_dimensions["B"].width = 40
    _add_table(workbook, sheet, "tblComputed", len(COMPUTED_COLUMNS), last_row)
    _book.add_rag_formatting(sheet, COMPUTED_COLUMNS.index("rag") + 1, last_row=last_row)
    sheet.freeze_panes = "B2"


def _add_table(workbook: Workbook, sheet: Worksheet, name: str, columns: int, last_row: int) -> None:
    table = Table(
        displayName=_book.unique_table_name(workbook, name),
        ref=f"A1:{get_column_letter(columns)}{last_row}",
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)


def _series_sheet(workbook: Workbook, figures: list[BenefitFigures]) -> None:
    sheet = _book.place_sheet(workbook, SERIES_SHEET, SERIES_COLUMNS)
    _book.write_header(sheet, SERIES_COLUMNS)
    row = 1
    for fig in figures:
        for point in fig.series:
            row += 1
            period = parse_period(point.period)
            values = {
                "benefit_id": fig.benefit_id,
                "period": str(period),
                "financial_year": period.fy,
                "actual": point.actual,
                "planned_level": point.planned_level,
                "improvement": point.improvement,
                "planned_improvement": point.planned_improvement,
                "realised_quantity": point.realised_quantity,
                "realised_value_gbp": point.realised_value_gbp,
                "counted": "Yes" if point.counted else "No",
            }
            for col, name in enumerate(SERIES_COLUMNS, start=1):
                cell = sheet.cell(row=row, column=col)
                _book.set_text(cell, _text(values[name]))
                if name in _FORMATS:
                    cell.number_format = _FORMATS[name]
    _add_table(workbook, sheet, "tblComputedByPeriod", len(SERIES_COLUMNS), max(2, row))
    sheet.freeze_panes = "C2"


def _type_of(fig: BenefitFigures) -> BenefitType:
    return BenefitType(_text(fig.benefit_type))


def _rag_of(fig: BenefitFigures) -> str:
    return str(_text(fig.rag)) if fig.rag is not None else ""


def _summary_sheet(
    workbook: Workbook,
    figures: list[BenefitFigures],
    *,
    as_of: Period,
    register: Register | None,
    series_rows: int,
) -> None:
    header = (SUMMARY_TITLE,)
    sheet = _book.place_sheet(workbook, SUMMARY_SHEET, header, index=0)
    sheet.sheet_properties.tabColor = st.NHS_BLUE
    sheet.cell(row=1, column=1, value=SUMMARY_TITLE).font = st.TITLE_FONT
    sheet.cell(
        row=2,
        column=1,
        value=f"As of {as_of} (financial year {as_of.fy}). Written by "
        f"xl-brm {__version__}; the trust's own sheets are unchanged.",
    )
    sheet.cell(
        row=3,
        column=1,
        value="Cash-releasing and non-cash-releasing values are never added "
        "together; dis-benefits are shown apart from benefits.",
    ).font = _book.NOTE_FONT
    rags = [r.value for r in Rag]
    columns = ("Benefit type", "Benefits", "Realised value (£)", "Present value (£)", *rags)
    row = 5
    for disbenefit in (False, True):
        sheet.cell(
            row=row, column=1, value="Dis-benefits" if disbenefit else "Benefits"
        ).font = st.SUBTITLE_FONT
        row += 1
        for col, name in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=col, value=name)
            cell.fill, cell.font, cell.alignment = (
                st.CORE_HEADER_FILL,
                st.HEADER_FONT,
                st.HEADER_ALIGN,
            )
        for benefit_type in BenefitType:
            row += 1
            group = [
                f for f in figures if bool(f.is_disbenefit) is disbenefit and _type_of(f) is benefit_type
            ]
            money = benefit_type.is_financial
            realised = sum(f.realised_value_gbp or 0.0 for f in group) if money else None
            pv = sum(f.pv_gbp or 0.0 for f in group) if money else None
            counts = [sum(1 for f in group if _rag_of(f) == rag) for rag in rags]
            values = (TYPE_LABEL[benefit_type], len(group), realised, pv, *counts)
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=col, value=value)
                if col in (3, 4):
                    cell.number_format = st.MONEY_FORMAT
            if not money:
                sheet.cell(row=row, column=3, value="n/a")
                sheet.cell(row=row, column=4, value="n/a")
        row += 2
    for col, width in enumerate((28, 10, 20, 20, 9, 9, 9, 12, 9, 12), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    if series_rows > SERIES_ROW_LIMIT:
        sheet.cell(
            row=row,
            column=1,
            value=f"The by-period sheet is left out: {series_rows:,} "
            "benefit-periods is more than a sheet of ours should hold; "
            "use `xl-brm compute --format csv` for them.",
        ).font = _book.NOTE_FONT
        row += 2
    row = _value_chart(sheet, figures, as_of=as_of, register=register, top=row)
    _rag_chart(sheet, top_table=6, row_count=len(BenefitType), anchor_row=row)


def _value_chart(
    sheet: Worksheet,
    figures: list[BenefitFigures],
    *,
    as_of: Period,
    register: Register | None,
    top: int,
) -> int:
    """Chart data table and a line chart of cumulative planned vs realised £. Returns next row."""
    data = cumulative_value_by_period(figures, as_of=as_of, register=register)
    sheet.cell(row=top, column=1, value="Cumulative planned and realised value (£)").font = st.SUBTITLE_FONT
    head = top + 1
    labels = ("Period", *VALUE_LABELS)
    for col, name in enumerate(labels, start=1):
        cell = sheet.cell(row=head, column=col, value=name)
        cell.fill, cell.font, cell.alignment = st.CORE_HEADER_FILL, st.HEADER_FONT, st.HEADER_ALIGN
    keys = VALUE_KEYS
    for offset, (label, values) in enumerate(data, start=1):
        sheet.cell(row=head + offset, column=1, value=label)
        for col, key in enumerate(keys, start=2):
            sheet.cell(row=head + offset, column=col, value=values[key]).number_format = st.MONEY_FORMAT
    last = head + max(1, len(data))
    chart = LineChart()
    chart.title = "Planned vs realised value (cumulative £)"
    chart.y_axis.title = "£"
    chart.x_axis.title = "Period"
    chart.y_axis.number_format = '"£"#,##0'
    chart.height, chart.width = 9, 22
    chart.add_data(Reference(sheet, min_col=2, max_col=5, min_row=head, max_row=last), titles_from_data=True)
    labels_ref = Reference(sheet, min_col=1, min_row=head + 1, max_row=last)
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels_ref)))  # period labels are text
    _show_axes(chart)
    for index, series in enumerate(chart.series):
        series.smooth = False
        if index % 2 == 0:
            series.graphicalProperties.line.dashStyle = "dash"
    sheet.add_chart(chart, f"G{top}")
    return max(last + 2, top + 20)


def _rag_chart(sheet: Worksheet, *, top_table: int, row_count: int, anchor_row: int) -> None:
    """Stacked bar of benefits by type and RAG status, from the summary table above."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Benefits by RAG status"
    chart.height, chart.width = 8, 22
    data = Reference(sheet, min_col=5, max_col=4 + len(Rag), min_row=top_table, max_row=top_table + row_count)
    chart.add_data(data, titles_from_data=True)
    labels_ref = Reference(sheet, min_col=1, min_row=top_table + 1, max_row=top_table + row_count)
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels_ref)))
    _show_axes(chart)
    colours = {
        "green": "00A499",
        "amber": "FFB81C",
        "red": "DA291C",
        "not_started": "BFBFBF",
        "no_data": "7F7F7F",
        "qualitative": "41B6E6",
    }
    for series, rag in zip(chart.series, Rag, strict=False):
        series.graphicalProperties.solidFill = colours[rag.value]
        series.graphicalProperties.line.solidFill = colours[rag.value]
    sheet.add_chart(chart, f"A{anchor_row}")


def _show_axes(chart: LineChart | BarChart) -> None:
    """openpyxl 3.1 leaves axes unset, and recent Excel then hides them: show them."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
