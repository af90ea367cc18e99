"""Colours and formats shared by the template, the annotated copy and the compute output.

One palette so that a red cell means the same thing in every workbook xl-brm writes.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = '"£"#,##0.00'
NUMBER_FORMAT = "#,##0.##"
PERCENT_FORMAT = '0.0"%"'
"""Percent fields hold 0-100 (80 means 80%), so the sign is literal, not Excel's ×100 format."""
TEXT_FORMAT = "@"

NHS_BLUE = "005EB8"
DARK_BLUE = "003087"
PALE_BLUE = "DCE8F5"
PALE_GREY = "F0F4F5"
WHITE = "FFFFFF"

SEVERITY_FILL = {
    "error": PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    "warning": PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    "info": PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7"),
}
"""Fill of an offending cell by its worst finding (Excel's own 'bad' / 'neutral' palette)."""

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

RAG_FILL = {
    "green": PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE"),
    "amber": PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    "red": PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    "not_started": PatternFill("solid", start_color="EDEDED", end_color="EDEDED"),
    "no_data": PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9"),
    "qualitative": PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7"),
}
RAG_FONT = {
    "green": Font(color="006100"),
    "amber": Font(color="9C5700"),
    "red": Font(color="9C0006"),
    "not_started": Font(color="595959"),
    "no_data": Font(color="595959"),
    "qualitative": Font(color="1F4E79"),
}

CORE_HEADER_FILL = PatternFill("solid", start_color=DARK_BLUE, end_color=DARK_BLUE)
OPTIONAL_HEADER_FILL = PatternFill("solid", start_color=PALE_BLUE, end_color=PALE_BLUE)
HEADER_FONT = Font(bold=True, color=WHITE)
OPTIONAL_HEADER_FONT = Font(bold=True, color=DARK_BLUE)
TITLE_FONT = Font(bold=True, size=14, color=DARK_BLUE)
SUBTITLE_FONT = Font(bold=True, size=11, color=DARK_BLUE)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
THIN_BORDER = Border(bottom=Side(style="thin", color="A6A6A6"))
