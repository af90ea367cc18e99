"""`xl-brm validate --annotate DIR`: a copy of the workbook that shows where the problems are.

The original file is never opened for writing. In the copy, each offending cell gets a fill by
its worst severity and a note (code, message, fix), and an `Issues` sheet lists every finding
with a link to its cell. Nothing else changes: the trust's values and formulas are copied as
they are (openpyxl never evaluates a formula) and macros survive in an .xlsm.

Known limit (openpyxl): drawings and form controls that openpyxl cannot read are not carried
into the copy, and formulas lose their cached results until Excel recalculates on opening.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, quote_sheetname
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm.errors import UsageError
from xl_brm.excel import _book
from xl_brm.excel import _style as st
from xl_brm.excel._save import save_atomic
from xl_brm.findings import Finding
from xl_brm.rules import RULES

ISSUES_SHEET = "Issues"
ISSUES_COLUMNS: tuple[str, ...] = (
    "sheet",
    "row",
    "column",
    "cell",
    "code",
    "severity",
    "message",
    "value",
    "fix",
)
AUTHOR = "xl-brm"
_LINK_FONT = Font(color="0563C1", underline="single")


def annotate_copy(
    src: str | Path,
    dest_dir: str | Path,
    findings: Iterable[Finding],
    *,
    name: str | None = None,
    fix_for: Callable[[str], str] | None = None,
) -> Path:
    """Write an annotated copy of `src` into `dest_dir` (as `name`, default the same file name).

    `fix_for(code)` gives the suggested fix of a rule; by default the rule catalogue's.
    Returns the copy's path. Raises UsageError rather than ever overwriting `src`.
    """
    source = Path(src)
    folder = Path(dest_dir)
    target = folder / (name or source.name)
    if target.suffix.lower() != source.suffix.lower():
        raise UsageError(
            f"the annotated copy of {source.name} must keep its extension",
            hint=f"name it with {source.suffix}",
        )
    if _book.same_file(source, target):
        raise UsageError(
            f"--annotate would overwrite {source.name}",
            hint="choose a folder other than the one the workbook is in",
        )
    findings = list(findings)
    workbook = _book.load_copy(source, keep_vba=source.suffix.lower() == ".xlsm")
    annotate_workbook(workbook, findings, fix_for=fix_for or _catalogue_fix)
    folder.mkdir(parents=True, exist_ok=True)
    return save_atomic(workbook, target)


def annotate_workbook(workbook: Workbook, findings: list[Finding], *, fix_for: Callable[[str], str]) -> None:
    """Highlight, note and list `findings` in an open workbook (shared with the ribbon)."""
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    located: list[tuple[Finding, str | None, str | None]] = []
    merges: dict[str, dict[tuple[int, int], str]] = {}
    for finding in findings:
        sheet = _book.find_sheet(workbook, finding.sheet)
        ref = _book.valid_a1(finding.cell) or (f"A{finding.row}" if finding.row else None)
        if sheet is None:
            located.append((finding, None, None))
            continue
        located.append((finding, sheet.title, ref))
        if ref and _book.valid_a1(finding.cell):
            if sheet.title not in merges:
                merges[sheet.title] = _merged_top_left(sheet)
            by_cell[(sheet.title, _top_left(merges[sheet.title], ref))].append(finding)
    for (title, ref), here in by_cell.items():
        _mark_cell(workbook, title, ref, here, fix_for)
    _issues_sheet(workbook, located, fix_for)


def _merged_top_left(sheet: Worksheet) -> dict[tuple[int, int], str]:
    """(row, column) of every cell inside a merged range -> the range's top-left cell: one
    look-up per finding, not a walk over every range (`check_copyable` bounds the cells)."""
    index: dict[tuple[int, int], str] = {}
    for merged in sheet.merged_cells.ranges:
        start = str(merged.start_cell.coordinate)
        columns = range(merged.min_col, merged.max_col + 1)
        for row in range(merged.min_row, merged.max_row + 1):
            index.update(dict.fromkeys(((row, col) for col in columns), start))
    return index


def _top_left(merges: dict[tuple[int, int], str], ref: str) -> str:
    """Only a merged range's top-left cell can hold a fill or a note."""
    col, row = coordinate_from_string(ref)
    return merges.get((row, column_index_from_string(col)), ref)


def _rank(finding: Finding) -> int:
    return st.SEVERITY_RANK.get(finding.severity, 3)


def _note_line(finding: Finding, fix_for: Callable[[str], str]) -> str:
    fix = fix_for(finding.code)
    line = f"{finding.code} ({finding.severity}): {finding.message}"
    return f"{line}\nFix: {fix}" if fix else line


def _mark_cell(
    workbook: Workbook, title: str, ref: str, here: list[Finding], fix_for: Callable[[str], str]
) -> None:
    sheet = workbook[title]
    here = sorted(here, key=_rank)
    cell = sheet[ref]
    cell.fill = st.SEVERITY_FILL.get(here[0].severity, st.SEVERITY_FILL["info"])
    text = "\n\n".join(_note_line(f, fix_for) for f in here)
    existing = cell.comment
    if existing is not None and existing.text:
        # Keep the trust's own note first; ours follows it.
        text = f"{existing.text}\n\n— {AUTHOR} —\n{text}"
    lines = sum(1 + len(part) // 48 for part in text.split("\n"))
    cell.comment = Comment(text, AUTHOR, width=360, height=min(600, 20 + 15 * lines))


def _issues_sheet(
    workbook: Workbook,
    located: list[tuple[Finding, str | None, str | None]],
    fix_for: Callable[[str], str],
) -> None:
    sheet = _book.place_sheet(workbook, ISSUES_SHEET, ISSUES_COLUMNS, index=0)
    sheet.sheet_properties.tabColor = "DA291C"
    _book.write_header(sheet, ISSUES_COLUMNS)
    ordered = sorted(
        located,
        key=lambda item: (
            _rank(item[0]),
            item[1] or "",
            item[0].row or 0,
            item[0].cell or "",
            item[0].code,
        ),
    )
    for row, (finding, title, ref) in enumerate(ordered, start=2):
        values = (
            title or finding.sheet,
            finding.row,
            finding.column,
            ref if title else finding.cell,
            finding.code,
            finding.severity,
            finding.message,
            _plain(finding.value),
            fix_for(finding.code),
        )
        for col, value in enumerate(values, start=1):
            _book.set_text(sheet.cell(row=row, column=col), value)
        sheet.cell(row=row, column=6).fill = st.SEVERITY_FILL.get(finding.severity, st.SEVERITY_FILL["info"])
        if title and ref:
            link = sheet.cell(row=row, column=4)
            link.hyperlink = Hyperlink(
                ref=link.coordinate,
                location=f"{quote_sheetname(title)}!{ref}",
                tooltip=f"Go to {title}!{ref}",
            )
            link.font = _LINK_FONT
    last = max(2, len(ordered) + 1)
    table = Table(displayName=_book.unique_table_name(workbook, "tblIssues"), ref=f"A1:I{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    for letter, width in {
        "A": 16,
        "B": 7,
        "C": 20,
        "D": 8,
        "E": 9,
        "F": 10,
        "G": 70,
        "H": 20,
        "I": 50,
    }.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    if not ordered:
        sheet.cell(row=3, column=1, value="No issues found.").font = _book.NOTE_FONT
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False


def _plain(value: object) -> object:
    """A finding's raw value as something a cell can hold."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _catalogue_fix(code: str) -> str:
    """The suggested fix from the rule catalogue (empty for a code it does not know)."""
    rule = RULES.get(code)
    return str(rule.fix) if rule is not None else ""
