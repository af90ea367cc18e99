"""`xl-brm compute --out`: a copy of the workbook with the computed figures beside the trust's own.

Decision: the figures go on a `Computed` sheet keyed by benefit_id, not into new columns of the
trust's Benefits table. The trust's sheet then stays exactly as it was (no clash with their own
columns, notes rows or table ranges), and a re-run simply replaces our sheet. A `Summary` sheet
totals by benefit type (cash-releasing and non-cash-releasing kept apart, dis-benefits
separate) and carries native Excel charts of planned versus realised value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm import __version__, display
from xl_brm.charts import VALUE_KEYS, VALUE_LABELS, cumulative_value_by_period
from xl_brm.computation import Computation, totals
from xl_brm.enums import BenefitType, Rag
from xl_brm.errors import UsageError
from xl_brm.excel import _book
from xl_brm.excel import _style as st
from xl_brm.excel._save import save_atomic
from xl_brm.sheet_names import COMPUTED as COMPUTED_SHEET
from xl_brm.sheet_names import COMPUTED_BY_PERIOD as SERIES_SHEET
from xl_brm.sheet_names import COMPUTED_COLUMNS, SUMMARY_TITLE
from xl_brm.sheet_names import SUMMARY as SUMMARY_SHEET

if TYPE_CHECKING:
    from xl_brm.calc import BenefitFigures

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
TYPE_LABEL = display.TYPE_LABEL
BLOCKED = "blocked"
"""The Summary's RAG column for benefits whose rows have errors (they get no RAG)."""


def write_compute(src: str | Path, dest: str | Path, computed: Computation) -> Path:
    """Copy `src` to `dest` with Computed, Summary (and by-period) sheets added; return `dest`.

    The CLI (`compute --out`), the demo and the ribbon all come here with the same
    `Computation`, so the sheets never differ by route.
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
    keep_vba = source.suffix.lower() == ".xlsm" and target.suffix.lower() == ".xlsm"
    workbook = _book.load_copy(source, keep_vba=keep_vba)
    add_compute_sheets(workbook, computed)
    return save_atomic(workbook, target)


def add_compute_sheets(workbook: Workbook, computed: Computation) -> None:
    """Add (or replace our earlier) Computed, Summary and by-period sheets to `workbook`."""
    figures = computed.figures
    _computed_sheet(workbook, computed)
    series_rows = sum(len(f.series) for f in figures)
    if series_rows <= SERIES_ROW_LIMIT:
        _series_sheet(workbook, figures)
    _summary_sheet(workbook, computed, series_rows=series_rows)


def _computed_sheet(workbook: Workbook, computed: Computation) -> None:
    """One row per benefit: the compute JSON's figures (rounded as it rounds them), "—" where
    a figure does not apply, and the reason instead of a RAG for a benefit with errors."""
    sheet = _book.place_sheet(workbook, COMPUTED_SHEET, COMPUTED_COLUMNS)
    _book.write_header(sheet, COMPUTED_COLUMNS)
    rows = computed.sheet_rows()
    for row, values in enumerate(rows, start=2):
        for col, name in enumerate(COMPUTED_COLUMNS, start=1):
            cell = sheet.cell(row=row, column=col)
            value = values[name]
            if name in _FORMATS:
                cell.number_format = _FORMATS[name]
                if value is None:
                    value = display.NO_FIGURE
                    cell.alignment = _RIGHT
            _book.set_text(cell, value)
    last_row = max(2, len(rows) + 1)
    _add_table(workbook, sheet, "tblComputed", len(COMPUTED_COLUMNS), last_row)
    _book.add_rag_formatting(sheet, COMPUTED_COLUMNS.index("rag") + 1, last_row=last_row)
    fit_columns(sheet, wide={2: 40})
    sheet.freeze_panes = "B2"


_RIGHT = Alignment(horizontal="right")


def fit_columns(sheet: Worksheet, *, wide: Mapping[int, int] | None = None, notes: int = 40) -> None:
    """Columns wide enough for what they show (a £ in the millions never reads ###).

    Text longer than `notes` characters is a note that may run over empty cells, and headers
    wrap, so neither widens a column; `wide` caps columns of long text (e.g. titles).
    """
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = _shown(cell.value, cell.number_format)
            if isinstance(cell.value, str) and len(text) > notes:
                continue
            size = min(len(text), 16) if cell.alignment.wrap_text else len(text)
            widths[cell.column] = max(widths.get(cell.column, 0), size)
    for column, size in widths.items():
        cap = (wide or {}).get(column, 60)
        sheet.column_dimensions[get_column_letter(column)].width = min(max(size + 3, 9), cap)


def _shown(value: Any, number_format: str) -> str:
    """Roughly how Excel shows a value with our formats (for column widths)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if number_format == st.MONEY_FORMAT:
        return display.money(float(value))
    if number_format == st.PERCENT_FORMAT:
        return display.percent(float(value))
    return display.number(float(value), 2)


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
            values = point.to_json()
            values |= {
                "benefit_id": fig.benefit_id,
                "financial_year": point.period.fy,
                "counted": "Yes" if point.counted else "No",
            }
            for col, name in enumerate(SERIES_COLUMNS, start=1):
                cell = sheet.cell(row=row, column=col)
                _book.set_text(cell, values[name])
                if name in _FORMATS:
                    cell.number_format = _FORMATS[name]
    _add_table(workbook, sheet, "tblComputedByPeriod", len(SERIES_COLUMNS), max(2, row))
    if row <= 5_000:  # fitting reads every cell: worth it for a sheet people scroll, not for 50k rows
        fit_columns(sheet)
    sheet.freeze_panes = "C2"


def _rag_of(fig: BenefitFigures, computed: Computation) -> str:
    if fig.benefit_id in computed.blocked:
        return BLOCKED
    return fig.rag.value if fig.rag is not None else ""


def _summary_sheet(workbook: Workbook, computed: Computation, *, series_rows: int) -> None:
    figures = computed.figures
    header = (SUMMARY_TITLE,)
    sheet = _book.place_sheet(workbook, SUMMARY_SHEET, header, index=0)
    sheet.sheet_properties.tabColor = st.NHS_BLUE
    sheet.cell(row=1, column=1, value=SUMMARY_TITLE).font = st.TITLE_FONT
    sheet.cell(
        row=2,
        column=1,
        value=f"Figures {computed.as_of_note} (financial year {computed.as_of.fy}). Written by "
        f"xl-brm {__version__}; the trust's own sheets are unchanged.",
    )
    sheet.cell(
        row=3,
        column=1,
        value="Cash-releasing and non-cash-releasing values are never added "
        "together; dis-benefits are shown apart from benefits. Figures are the compute "
        "figures to the penny; — means no figure yet.",
    ).font = _book.NOTE_FONT
    rags = [*(r.value for r in Rag), BLOCKED]
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
            group = [f for f in figures if f.is_disbenefit is disbenefit and f.benefit_type is benefit_type]
            shown = [f.to_json() for f in group]
            counts = [sum(1 for f in group if _rag_of(f, computed) == rag) for rag in rags]
            if benefit_type.is_financial:
                realised: Any = totals([s["realised_value_gbp"] for s in shown])
                pv: Any = totals([s["pv_gbp"] for s in shown])
            else:
                realised = pv = "n/a"
            values = (TYPE_LABEL[benefit_type], len(group), realised, pv, *counts)
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=col, value=display.NO_FIGURE if value is None else value)
                if col in (3, 4):
                    cell.number_format = st.MONEY_FORMAT
                    cell.alignment = _RIGHT
        row += 2
    if series_rows > SERIES_ROW_LIMIT:
        sheet.cell(
            row=row,
            column=1,
            value=f"The by-period sheet is left out: {series_rows:,} "
            "benefit-periods is more than a sheet of ours should hold; "
            "use `xl-brm compute --format csv` for them.",
        ).font = _book.NOTE_FONT
        row += 2
    row = _value_chart(sheet, computed, top=row)
    _rag_chart(sheet, top_table=6, row_count=len(BenefitType), anchor_row=row)
    fit_columns(sheet)


def _value_chart(sheet: Worksheet, computed: Computation, *, top: int) -> int:
    """Chart data table and a line chart of cumulative planned vs realised £. Returns next row."""
    data = cumulative_value_by_period(computed)
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
    data = Reference(sheet, min_col=5, max_col=5 + len(Rag), min_row=top_table, max_row=top_table + row_count)
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
        BLOCKED: "330072",
    }
    for series, rag in zip(chart.series, [*(r.value for r in Rag), BLOCKED], strict=True):
        series.graphicalProperties.solidFill = colours[rag]
        series.graphicalProperties.line.solidFill = colours[rag]
    sheet.add_chart(chart, f"A{anchor_row}")


def _show_axes(chart: LineChart | BarChart) -> None:
    """openpyxl 3.1 leaves axes unset, and recent Excel then hides them: show them."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
