"""The content model as worksheets with native Excel charts (openpyxl): one sheet per section.

Numbers stay numbers with number formats, so a trust can sort and sum them; charts are Excel's
own line charts over the figures written beside them.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm.excel import _book
from xl_brm.excel import _style as st
from xl_brm.excel.compute_out import fit_columns
from xl_brm.report._content import Chart, Document, Facts, Section, Table, rag_label

FORMATS = {
    "money": st.MONEY_FORMAT,
    "number": st.NUMBER_FORMAT,
    "percent": st.PERCENT_FORMAT,
    "count": "#,##0",
}
STYLE_COLOUR = {"actual": "005EB8", "plan": "425563", "baseline": "768692", "target": "007F3B"}
SHEET_NAMES = {
    "headline": "Board report",
    "rag": "RAG",
    "figures": "Figures",
    "trajectories": "Trajectories",
    "qualitative": "Qualitative",
    "other": "Dis-benefits and unplanned",
    "annex": "Data quality",
    "summary": "Statement",
    "benefits": "Planned benefits",
}


def add_report_sheets(workbook: Workbook, doc: Document) -> list[str]:
    """Write each top-level section on a sheet of its own (replacing ours of the same name)."""
    names = []
    for index, section in enumerate(doc.sections):
        name = SHEET_NAMES.get(section.key, section.heading[:31])
        if name in workbook.sheetnames:
            del workbook[name]
        sheet = workbook.create_sheet(name, index=index)
        row = 1
        if index == 0:
            sheet.cell(row=1, column=1, value=doc.title).font = st.TITLE_FONT
            sheet.cell(row=2, column=1, value=doc.subtitle)
            sheet.cell(row=3, column=1, value=doc.footer).font = _book.NOTE_FONT
            row = 5
        _section(sheet, section, row, level=2)
        fit_columns(sheet, notes=60)
        names.append(name)
    return names


def _section(sheet: Worksheet, section: Section, row: int, *, level: int) -> int:
    sheet.cell(row=row, column=1, value=section.heading).font = (
        st.SUBTITLE_FONT if level > 2 else st.TITLE_FONT
    )
    row += 1
    row = _paragraphs(sheet, section.paragraphs, row)
    for block in section.blocks:
        row += 1
        if isinstance(block, Table):
            row = _table(sheet, block, row)
        elif isinstance(block, Chart):
            row = _chart(sheet, block, row)
        elif isinstance(block, Facts):
            row = _facts(sheet, block, row)
    row = _paragraphs(sheet, [*([section.note] if section.note else []), *section.after], row + 1)
    for sub in section.subsections:
        row = _section(sheet, sub, row + 1, level=level + 1)
    return row + 1


def _paragraphs(sheet: Worksheet, texts: list[str], row: int) -> int:
    for text in texts:
        sheet.cell(row=row, column=1, value=text).font = _book.NOTE_FONT
        row += 1
    return row


def _table(sheet: Worksheet, table: Table, row: int, *, gaps: bool = False) -> int:
    """The table at `row`; `gaps` leaves a missing figure blank (a chart's gap, not a zero)."""
    sheet.cell(row=row, column=1, value=table.caption).font = st.BOLD
    row += 1
    for col, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=row, column=col, value=column.name)
        cell.fill, cell.font, cell.alignment = st.CORE_HEADER_FILL, st.HEADER_FONT, st.HEADER_ALIGN
    for values in table.rows:
        row += 1
        for col, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = sheet.cell(row=row, column=col)
            if column.kind == "rag":
                _book.set_text(cell, rag_label(value))
                if isinstance(value, str) and value in st.RAG_FILL:
                    cell.fill, cell.font = st.RAG_FILL[value], st.RAG_FONT[value]
            elif column.numeric:
                cell.value = "—" if value is None and not gaps else value
                cell.number_format = FORMATS[column.kind]
            else:
                _book.set_text(cell, "—" if value is None or value == "" else value)
    return row + 1


def _facts(sheet: Worksheet, facts: Facts, row: int) -> int:
    for label, value in facts.items:
        sheet.cell(row=row, column=1, value=label).font = st.BOLD
        _book.set_text(sheet.cell(row=row, column=2), value)
        row += 1
    return row


def _chart(sheet: Worksheet, chart: Chart, row: int) -> int:
    """The chart's figures as a table, and an Excel line chart over them to the right."""
    top = row + 1
    end = _table(sheet, chart.table(), row, gaps=True)
    if not chart.periods:
        return end
    line = LineChart()
    line.title = chart.title
    line.y_axis.title = chart.y_label
    line.x_axis.title = "Period"
    line.height, line.width = 7.5, 18
    line.add_data(
        Reference(
            sheet, min_col=2, max_col=1 + len(chart.series), min_row=top, max_row=top + len(chart.periods)
        ),
        titles_from_data=True,
    )
    labels = Reference(sheet, min_col=1, min_row=top + 1, max_row=top + len(chart.periods))
    for series, spec in zip(line.series, chart.series, strict=True):
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
        series.smooth = False
        series.graphicalProperties.line.solidFill = STYLE_COLOUR[spec.style]
        if spec.style != "actual":
            series.graphicalProperties.line.dashStyle = "dash"
    line.x_axis.delete = False
    line.y_axis.delete = False
    sheet.add_chart(line, f"H{top}")
    return max(end, top + 16)
