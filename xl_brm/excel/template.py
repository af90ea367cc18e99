"""The benefits-register template, generated from the model so it can never drift from it.

Every column, dropdown, input prompt and Guide line comes from `xl_brm.fields` and
`xl_brm.enums`: add a field or an enum member there and the next template has it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm import __version__
from xl_brm.errors import UsageError
from xl_brm.excel import _style as st
from xl_brm.excel._book import add_rag_formatting
from xl_brm.excel._save import save_atomic
from xl_brm.fields import MEASUREMENT_FIELD, SETTINGS_SHEET, SHEETS, Field
from xl_brm.sheet_names import COMPUTED, COMPUTED_COLUMNS, ISSUES, SUMMARY

INPUT_ROWS = 2000
"""Rows below the header that carry dropdowns, prompts and formats (the Table grows into them)."""

TABLE_NAMES = {
    "Benefits": "tblBenefits",
    "Measurements": "tblMeasurements",
    "Trajectory": "tblTrajectory",
}
LISTS_SHEET = "Lists"
YES_NO = ("Yes", "No")
_ODS = re.compile(r"^[A-Z0-9]{3,5}$")

KIND_TEXT = {
    "text": "Text",
    "ods": "ODS code",
    "enum": "Choose from the list",
    "unit": "Choose from the list or type your own",
    "bool": "Yes / No",
    "number": "Number",
    "percent": "Number 0-100 (80 means 80%)",
    "money": "£ amount",
    "date": "Date (dd/mm/yyyy)",
    "period": "Month (2019-10, Oct-19) or quarter (2019/20 Q3)",
    "value": "Number (text evidence for a qualitative benefit)",
}

KIND_FORMAT = {
    "number": st.NUMBER_FORMAT,
    "money": st.MONEY_FORMAT,
    "percent": st.PERCENT_FORMAT,
    "date": st.DATE_FORMAT,
    "period": st.TEXT_FORMAT,
    "ods": st.TEXT_FORMAT,
    "text": st.TEXT_FORMAT,
}
"""Periods and references are text so that Excel does not turn '2019-10' or '01-02' into dates."""

WORKFLOW = (
    "Fill in BRM Settings once: your trust's ODS code and the national programme. Rows then "
    "need not repeat them.",
    "Add one row per benefit on Benefits. Dark blue headers are the national core fields: every "
    "row needs them. Pale blue headers are optional or needed only for some benefit types.",
    "Record a value per benefit per month or quarter on Measurements. For a qualitative benefit, "
    "type the evidence as text instead of a number.",
    "Optionally, give a planned value per period on Trajectory. Without it, xl-brm plans a "
    "straight line from the baseline at realisation start to the target at the target date.",
    "Check the workbook: Benefits tab > Validate workbook in Excel, or `xl-brm validate FILE` "
    f"in a terminal. Fix the highlighted cells; the {ISSUES} sheet lists every finding.",
    "Work out realised benefits: Benefits tab > Compute, or `xl-brm compute FILE --as-of "
    f"2020-03 --out computed.xlsx`. Results go to the {COMPUTED} and {SUMMARY} sheets, with a "
    "chart of planned versus realised £.",
    "When rows are approved and show no errors, send them to the national programme office: "
    "Benefits tab > Submit to national, or `xl-brm submit FILE --url URL`. Only approved rows "
    "and the national core fields are sent; your own columns stay local.",
)

CALCULATIONS = (
    (
        "Improvement",
        "actual − baseline when the direction is increase; baseline − actual when it is decrease.",
    ),
    (
        "Realised quantity",
        "improvement × attribution % ÷ 100, summed over the periods counted "
        "(on or after realisation start, up to the as-of period).",
    ),
    (
        "Realised value (£)",
        "realised quantity × unit value (£), for cash-releasing and non-cash-releasing benefits only.",
    ),
    (
        "Present value (£)",
        "HM Treasury Green Book: 3.5% a year for years 0-30, 3.0% for 31-75, "
        "2.5% for 76-125, discounted to the base financial year.",
    ),
    ("% of target", "(latest − baseline) ÷ (target − baseline) × 100."),
    (
        "RAG",
        "green when realised improvement is at least 90% of planned, amber at least 70%, "
        "red below; not_started before realisation start; no_data when the last two "
        "periods have no measurement; qualitative for qualitative benefits.",
    ),
)


_FALLBACK_HELP = {
    "planned_value": "The level the measure is planned to reach in this period (overrides the "
    "straight-line plan).",
}


def field_help(field: Field) -> str:
    """A field's help text; Trajectory fields without their own borrow the Measurements wording."""
    if field.help:
        return field.help
    if field.name in MEASUREMENT_FIELD and MEASUREMENT_FIELD[field.name].help:
        return MEASUREMENT_FIELD[field.name].help
    return _FALLBACK_HELP.get(field.name, "")


def write_template(path: str | Path, *, trust_ods: str | None = None, programme: str | None = None) -> Path:
    """Write the benefits-register template to `path` (atomically) and return the path."""
    if trust_ods is not None:
        trust_ods = trust_ods.strip().upper()
        if not _ODS.match(trust_ods):
            raise UsageError(
                f"'{trust_ods}' is not an ODS code",
                hint="an ODS code is 3-5 upper-case letters or digits, e.g. RJ1",
            )
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(
            f"the template must be an .xlsx file, not '{target.name}'",
            hint="choose a name ending in .xlsx",
        )
    workbook = build_template(trust_ods=trust_ods, programme=programme)
    return save_atomic(workbook, target)


def build_template(*, trust_ods: str | None = None, programme: str | None = None) -> Workbook:
    """The template as an in-memory openpyxl workbook."""
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "Guide"
    lists = _lists_sheet(workbook)
    settings_given = {"trust_ods": trust_ods is not None, "programme": programme is not None}
    for kind, fields in SHEETS.items():
        sheet = workbook.create_sheet(kind, index=len(workbook.sheetnames) - 1)
        _data_sheet(sheet, kind, fields, skip_blank_check=settings_given)
    _settings_sheet(
        workbook.create_sheet(SETTINGS_SHEET, index=len(workbook.sheetnames) - 1),
        trust_ods=trust_ods,
        programme=programme,
    )
    _computed_sheet(workbook.create_sheet(COMPUTED, index=len(workbook.sheetnames) - 1))
    _guide_sheet(guide)
    lists.sheet_state = "hidden"
    workbook.active = 1
    return workbook


def _list_values(field: Field) -> tuple[str, ...]:
    if field.kind == "bool":
        return YES_NO
    assert field.enum is not None
    enum: type[StrEnum] = field.enum
    return tuple(member.value for member in enum)


def _has_list(field: Field) -> bool:
    return field.kind == "bool" or field.enum is not None


def _list_name(field: Field) -> str:
    return "list_yes_no" if field.kind == "bool" else f"list_{field.name}"


def _lists_sheet(workbook: Workbook) -> Worksheet:
    """Hidden sheet holding one dropdown list per column, each under a workbook-level name."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    seen: dict[str, tuple[str, ...]] = {}
    for fields in SHEETS.values():
        for field in fields:
            if _has_list(field):
                seen.setdefault(_list_name(field), _list_values(field))
    for col, (name, values) in enumerate(seen.items(), start=1):
        letter = get_column_letter(col)
        sheet.cell(row=1, column=col, value=name).font = st.BOLD
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=col, value=value)
        ref = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        workbook.defined_names[name] = DefinedName(name, attr_text=ref)
        sheet.column_dimensions[letter].width = max(14, max(len(v) for v in values) + 2)
    return sheet


def _validation(field: Field, kind: str, letter: str) -> DataValidation:
    """Dropdown or check plus the input prompt for one column."""
    first = f"{letter}2"
    dv: DataValidation
    error = ""
    if kind != "Benefits" and field.name == "benefit_id":
        dv = DataValidation(
            type="list",
            formula1=f'=INDIRECT("{TABLE_NAMES["Benefits"]}[benefit_id]")',
            errorStyle="warning",
        )
        error = "This benefit_id is not on the Benefits sheet yet."
    elif _has_list(field):
        dv = DataValidation(
            type="list",
            formula1=f"={_list_name(field)}",
            errorStyle="warning" if field.kind == "unit" else "stop",
        )
        error = (
            "Choose a value from the list."
            if field.kind != "unit"
            else "Not a standard unit: keep it only if you mean your own unit."
        )
    elif field.kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73051")
        error = "Type a date between 01/01/2000 and 31/12/2099, as dd/mm/yyyy."
    elif field.kind == "percent":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        error = "Type a number from 0 to 100 (80 means 80%)."
    elif field.kind in ("number", "money"):
        dv = DataValidation(
            type="decimal",
            operator="between",
            formula1="-1E+15",
            formula2="1E+15",
            errorStyle="warning",
        )
        error = "Type a number (no units or words)."
    elif field.kind == "ods":
        dv = DataValidation(
            type="custom",
            errorStyle="warning",
            formula1=f"=AND(LEN({first})>=3,LEN({first})<=5,EXACT({first},UPPER({first})))",
        )
        error = "An ODS code is 3-5 upper-case letters or digits, e.g. RJ1."
    elif field.max_length:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(field.max_length))
        error = f"At most {field.max_length} characters."
    else:
        dv = DataValidation()
    dv.allow_blank = True
    dv.showInputMessage = True
    dv.promptTitle = (f"{field.name} (core)" if field.core else field.name)[:32]
    dv.prompt = (field_help(field) + (f" Example: {field.example}" if field.example else ""))[:255]
    if error:
        dv.showErrorMessage = True
        dv.errorTitle = field.name[:32]
        dv.error = error[:225]
    dv.add(f"{letter}2:{letter}{INPUT_ROWS + 1}")
    return dv


def _data_sheet(
    sheet: Worksheet, kind: str, fields: tuple[Field, ...], *, skip_blank_check: dict[str, bool]
) -> None:
    """Header row, Excel Table, dropdowns, prompts, formats, frozen panes for one sheet."""
    last = get_column_letter(len(fields))
    for col, field in enumerate(fields, start=1):
        letter = get_column_letter(col)
        cell = sheet.cell(row=1, column=col, value=field.name)
        cell.fill = st.CORE_HEADER_FILL if field.core else st.OPTIONAL_HEADER_FILL
        cell.font = st.HEADER_FONT if field.core else st.OPTIONAL_HEADER_FONT
        cell.alignment = st.HEADER_ALIGN
        number_format = KIND_FORMAT.get(field.kind)
        dimension = sheet.column_dimensions[letter]
        dimension.width = min(40, max(12, len(field.name) + 3, len(field.example) + 2))
        if number_format:
            dimension.number_format = number_format
            sheet.cell(row=2, column=col).number_format = number_format
        sheet.add_data_validation(_validation(field, kind, letter))
    sheet.row_dimensions[1].height = 30
    table = Table(displayName=TABLE_NAMES[kind], ref=f"A1:{last}2")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    sheet.freeze_panes = "B2"
    if kind == "Benefits":
        missing = PatternFill("solid", start_color="FCE4E4", end_color="FCE4E4")
        for col, field in enumerate(fields, start=1):
            if field.core and col > 1 and not skip_blank_check.get(field.name, False):
                letter = get_column_letter(col)
                sheet.conditional_formatting.add(
                    f"{letter}2:{letter}{INPUT_ROWS + 1}",
                    FormulaRule(formula=[f"AND(LEN($A2)>0,LEN({letter}2)=0)"], fill=missing),
                )


def _settings_sheet(sheet: Worksheet, *, trust_ods: str | None, programme: str | None) -> None:
    """`key | value` rows giving workbook-wide defaults, so rows need not repeat them."""
    rows = (
        (
            "trust_ods",
            trust_ods,
            "Your trust's ODS code (3-5 letters or digits, e.g. RJ1). "
            "Used for every row that leaves trust_ods blank.",
        ),
        (
            "programme",
            programme,
            "The national programme, e.g. GDE. Used for every row that leaves programme blank.",
        ),
    )
    for row, (key, value, _note) in enumerate(rows, start=1):
        sheet.cell(row=row, column=1, value=key).font = st.BOLD
        cell = sheet.cell(row=row, column=2, value=value)
        cell.number_format = st.TEXT_FORMAT
        cell.fill = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")
    # Notes sit alone on rows below, never beside a value: a `key | value` reader must not
    # mistake a note for the value when the value cell is still blank.
    sheet.cell(row=len(rows) + 2, column=1, value="About these settings").font = st.SUBTITLE_FONT
    for offset, (key, _value, note) in enumerate(rows, start=len(rows) + 3):
        sheet.cell(row=offset, column=1, value=f"{key}: {note}").font = Font(italic=True, color="595959")
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 18
    ods = DataValidation(
        type="textLength",
        operator="between",
        formula1="3",
        formula2="5",
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="warning",
        promptTitle="trust_ods",
        prompt="3-5 upper-case letters or digits, e.g. RJ1.",
        error="An ODS code is 3-5 upper-case letters or digits, e.g. RJ1.",
    )
    ods.add("B1")
    sheet.add_data_validation(ods)


def _computed_sheet(sheet: Worksheet) -> None:
    """Where `xl-brm compute` writes its columns; RAG cells are coloured as they arrive."""
    for col, name in enumerate(COMPUTED_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.fill = st.OPTIONAL_HEADER_FILL
        cell.font = st.OPTIONAL_HEADER_FONT
        cell.alignment = st.HEADER_ALIGN
        sheet.column_dimensions[get_column_letter(col)].width = max(12, len(name) + 3)
    sheet.freeze_panes = "B2"
    add_rag_formatting(sheet, COMPUTED_COLUMNS.index("rag") + 1, last_row=INPUT_ROWS + 1)
    note = sheet.cell(
        row=3,
        column=len(COMPUTED_COLUMNS) + 2,
        value="Filled in by Compute (Benefits tab) or `xl-brm compute FILE --out`. "
        "Do not type here: the next run replaces this sheet.",
    )
    note.font = Font(italic=True, color="595959")


def _guide_sheet(sheet: Worksheet) -> None:
    """What the workbook is for, the workflow, the colour key and every field explained."""
    sheet.sheet_properties.tabColor = st.NHS_BLUE
    widths = {"A": 16, "B": 24, "C": 10, "D": 26, "E": 40, "F": 60, "G": 22, "H": 40}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    row = 1
    sheet.cell(row=row, column=1, value="Benefits register — guide").font = st.TITLE_FONT
    row += 1
    sheet.cell(
        row=row,
        column=1,
        value=f"Generated by xl-brm {__version__} from its data model. Keep the sheet and "
        "column names as they are; add your own columns to the right of each table "
        "and your own sheets anywhere — xl-brm keeps them local and never sends them.",
    )
    row += 2
    sheet.cell(row=row, column=1, value="How to use this workbook").font = st.SUBTITLE_FONT
    for step, text in enumerate(WORKFLOW, start=1):
        row += 1
        sheet.cell(row=row, column=1, value=f"Step {step}").font = st.BOLD
        cell = sheet.cell(row=row, column=2, value=text)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=6)
        cell.alignment = st.WRAP
        sheet.row_dimensions[row].height = 30
    row += 2
    sheet.cell(row=row, column=1, value="Colour key").font = st.SUBTITLE_FONT
    row += 1
    key = sheet.cell(row=row, column=1, value="core field")
    key.fill, key.font = st.CORE_HEADER_FILL, st.HEADER_FONT
    sheet.cell(row=row, column=2, value="National core: needed on every row and sent nationally.")
    row += 1
    key = sheet.cell(row=row, column=1, value="optional field")
    key.fill, key.font = st.OPTIONAL_HEADER_FILL, st.OPTIONAL_HEADER_FONT
    sheet.cell(
        row=row,
        column=2,
        value="Optional, or needed only for some benefit types (see 'What to enter').",
    )
    row += 1
    key = sheet.cell(row=row, column=1, value="")
    key.fill = PatternFill("solid", start_color="FCE4E4", end_color="FCE4E4")
    sheet.cell(row=row, column=2, value="A core cell left blank on a row that has a benefit_id.")
    for severity in ("error", "warning"):
        row += 1
        sheet.cell(row=row, column=1).fill = st.SEVERITY_FILL[severity]
        sheet.cell(
            row=row,
            column=2,
            value=f"After Validate: a cell with an {severity} (hover over it for the note).",
        )
    row += 2
    sheet.cell(row=row, column=1, value="Fields").font = st.SUBTITLE_FONT
    row += 1
    headers = (
        "Sheet",
        "Field",
        "Core",
        "Type",
        "Allowed values",
        "What to enter",
        "Example",
        "Also recognised as",
    )
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=col, value=header)
        cell.fill, cell.font = st.CORE_HEADER_FILL, st.HEADER_FONT
    for kind, fields in SHEETS.items():
        for field in fields:
            row += 1
            allowed = ", ".join(_list_values(field)) if _has_list(field) else ""
            values = (
                kind,
                field.name,
                "Yes" if field.core else "",
                KIND_TEXT[field.kind],
                allowed,
                field_help(field),
                field.example,
                ", ".join(field.synonyms),
            )
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=col, value=value)
                cell.alignment = st.WRAP
                if col == 2 and field.core:
                    cell.font = st.BOLD
    row += 2
    sheet.cell(row=row, column=1, value="Periods").font = st.SUBTITLE_FONT
    row += 1
    sheet.cell(
        row=row,
        column=1,
        value="The NHS financial year runs 1 April to 31 March and is written 2019/20; "
        "quarter 1 is April to June. A period is a month (2019-04, Apr-19, April 2019 "
        "or a date in that month) or a quarter (2019/20 Q1, Q1 2019/20).",
    )
    row += 2
    sheet.cell(row=row, column=1, value="How the figures are worked out").font = st.SUBTITLE_FONT
    for name, text in CALCULATIONS:
        row += 1
        sheet.cell(row=row, column=1, value=name).font = st.BOLD
        sheet.cell(row=row, column=2, value=text)
    sheet.freeze_panes = "A2"
