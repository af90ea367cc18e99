"""Writing a report to the file the user named: .html (and a .pdf beside it), .pdf or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from xl_brm.computation import Computation, compute
from xl_brm.errors import UsageError, XlBrmError
from xl_brm.excel._save import atomic_path, save_atomic
from xl_brm.periods import Period, parse_fy, parse_period
from xl_brm.report._board import board_report
from xl_brm.report._content import Document
from xl_brm.report._statement import statement as planned_statement

if TYPE_CHECKING:
    from xl_brm.api import Options
    from xl_brm.table import RawWorkbook

REPORT_SUFFIXES = (".html", ".pdf", ".xlsx")
EXTRA = "pip install 'xl_brm[report]'"


def write_report(computed: Computation, out: str | Path, *, statement: bool = False) -> list[Path]:
    """Write the board report (or the Statement of Planned Benefits) of `computed` to `out`.

    `.html` writes the page and a PDF beside it (same name, .pdf); `.pdf` the PDF alone;
    `.xlsx` a workbook with a sheet per section and native charts. Returns the files written.
    """
    target = Path(out)
    suffix = target.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise UsageError(
            f"a report is .html, .pdf or .xlsx, not '{target.name}'",
            hint="e.g. --out board.html (a PDF is written beside it)",
        )
    doc = planned_statement(computed) if statement else board_report(computed)
    try:
        if suffix == ".xlsx":
            return [_write_xlsx(doc, target)]
        html = _render_html(doc)
        written = []
        if suffix == ".html":
            with atomic_path(target) as tmp:
                tmp.write_text(html, encoding="utf-8")
            written.append(target)
        pdf = target.with_suffix(".pdf")
        _write_pdf(html, pdf)
        return [*written, pdf]
    except ImportError as missing:
        raise XlBrmError(
            f"making a report needs the report extra ({missing.name} is missing)", hint=EXTRA
        ) from None


def make_report(
    source: str | Path | RawWorkbook,
    out: str | Path,
    *,
    as_of: Period | str | None = None,
    base_fy: int | str | None = None,
    statement: bool = False,
    options: Options | None = None,
) -> list[Path]:
    """Read, validate and compute a register, then write its report: the ribbon's route.

    `source` is a workbook path, or a `RawWorkbook` read from an open workbook's grids.
    `as_of` defaults to the latest period with data; `base_fy` like '2019/20'.
    """
    from xl_brm.api import Options, load, placed
    from xl_brm.table import RawWorkbook
    from xl_brm.validate import validate_workbook

    chosen = parse_period(as_of) if isinstance(as_of, str) else as_of
    base = parse_fy(base_fy) if isinstance(base_fy, str) else base_fy
    if isinstance(source, RawWorkbook):
        defaults = options.defaults if options else None
        validation = placed(source, validate_workbook(source, defaults=defaults))
    else:
        _raw, validation = load(source, options or Options())
    return write_report(compute(validation, as_of=chosen, base_fy=base), out, statement=statement)


def _render_html(doc: Document) -> str:
    from xl_brm.report._html import render_html

    return render_html(doc)


def _write_pdf(html: str, target: Path) -> None:
    from xl_brm.report._pdf import write_pdf

    with atomic_path(target) as tmp:
        write_pdf(html, tmp)


def _write_xlsx(doc: Document, target: Path) -> Path:
    from openpyxl import Workbook

    from xl_brm.report._xlsx import add_report_sheets

    workbook = Workbook()
    default = workbook.active
    add_report_sheets(workbook, doc)
    if default is not None:
        workbook.remove(default)
    return save_atomic(workbook, target)
