"""What the Benefits buttons do to an open workbook (`xw.Book`: desktop, Office.js or Lite).

Each reads the book through the reader (`book.book_to_raw`), calls the library, and writes its
answer to sheets of its own, named as every route names them (`xl_brm.sheet_names`): Issues,
Computed, Summary, National status. A trust's own sheet of the same name is never touched
(ours is then "Summary (xl-brm)"); the trust's sheets only get highlights and notes on cells
with issues. On Office.js every change becomes an action in the response; on the desktop it
happens in Excel directly.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xl_brm import display
from xl_brm.addin.book import book_name, book_setting, book_to_raw, workbook_path
from xl_brm.api import placed
from xl_brm.errors import SyncError
from xl_brm.findings import Finding
from xl_brm.sheet_names import (
    BOARD_REPORT,
    COMPUTED,
    COMPUTED_COLUMNS,
    ISSUES,
    NATIONAL,
    OURS_SUFFIX,
    SUMMARY,
    SUMMARY_TITLE,
    is_output_sheet,
)
from xl_brm.table import RawWorkbook
from xl_brm.validate import Validation, validate_workbook

ISSUE_COLUMNS = ["Sheet", "Cell", "Row", "Column", "Code", "Severity", "Message", "Value"]
FILL = {"error": "#FFC7CE", "warning": "#FFEB9C"}
"""Cell highlight by severity (Excel's own 'bad' and 'neutral' fills); info is not highlighted."""
MAX_HIGHLIGHTS = 2000
"""Cells highlighted per run: enough for any real register, bounded for Excel on the web."""
URL_ENV = "XL_BRM_URL"
STATE_DIR_ENV = "XL_BRM_ADDIN_STATE_DIR"
REPORT_DIR_ENV = "XL_BRM_REPORT_DIR"
"""Where Board report writes for a workbook that is not a saved file on this machine (the
Office add-in's server): default ~/.xl-brm/reports."""
REPORT_SECTIONS = ("headline", "rag")
"""The board report's sections the Board report sheet repeats (the rest is in the HTML/PDF)."""
_ORDER = {"error": 0, "warning": 1, "info": 2}


def load(book: Any) -> tuple[RawWorkbook, Validation]:
    raw = book_to_raw(book)
    return raw, placed(raw, validate_workbook(raw))


# -- sheets ------------------------------------------------------------------------------------


def _first_cell(sheet: Any) -> Any:
    return sheet["A1"].value


def _ours(book: Any, name: str) -> tuple[Any | None, str]:
    """(our sheet called `name` or a variant of it, or None; the name a new one would get).
    A trust's own sheet of that name is passed over: ours is then "name (xl-brm)"."""
    names = [s.name for s in book.sheets]
    candidate, n = name, 1
    while candidate in names:
        sheet = book.sheets[candidate]
        if is_output_sheet(candidate, _first_cell(sheet)):
            return sheet, candidate
        n += 1
        candidate = f"{name}{OURS_SUFFIX}" if n == 2 else f"{name}{OURS_SUFFIX} {n - 1}"
    return None, candidate


def _fresh_sheet(book: Any, name: str) -> Any:
    """An empty sheet of ours called `name`: our earlier one cleared, or a new one placed last."""
    sheet, free = _ours(book, name)
    if sheet is not None:
        sheet.clear()
        return sheet
    return book.sheets.add(free, after=book.sheets[len(book.sheets) - 1])


def _write(sheet: Any, rows: list[list[Any]]) -> None:
    if rows:
        width = max(len(r) for r in rows)
        sheet["A1"].value = [list(r) + [None] * (width - len(r)) for r in rows]
        sheet.range((1, 1), (1, width)).font.bold = True


# -- highlights --------------------------------------------------------------------------------


def _previous_highlights(book: Any) -> list[tuple[str, str]]:
    """(sheet, cell) pairs the last Validate highlighted, read from its Issues sheet."""
    issues, _ = _ours(book, ISSUES)
    if issues is None:
        return []
    values = issues.used_range.options(ndim=2).value or []
    if not values or values[0][:2] != ISSUE_COLUMNS[:2]:
        return []
    return [(str(r[0]), str(r[1])) for r in values[1:] if len(r) > 1 and r[0] and r[1]]


def _clear(book: Any, places: list[tuple[str, str]]) -> None:
    names = {s.name for s in book.sheets}
    for sheet_name, cell in dict.fromkeys(places):
        if sheet_name not in names:
            continue
        rng = book.sheets[sheet_name][cell]
        rng.color = None
        try:
            if rng.note is not None:
                rng.note.delete()
        except NotImplementedError:  # notes need ExcelApi 1.18 on Office.js
            pass


def _highlight(book: Any, findings: list[Finding]) -> int:
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.cell and f.severity in FILL:
            by_cell[(f.sheet, f.cell)].append(f)
    names = {s.name for s in book.sheets}
    done = 0
    for (sheet_name, cell), here in list(by_cell.items())[:MAX_HIGHLIGHTS]:
        if sheet_name not in names:
            continue
        worst = min(here, key=lambda f: _ORDER[f.severity])
        rng = book.sheets[sheet_name][cell]
        rng.color = FILL[worst.severity]
        text = "\n".join(f"{f.code}: {f.message}" for f in here)
        try:
            if rng.note is not None:
                rng.note.text = text
            else:
                rng.add_note(text)
        except NotImplementedError:
            pass
        done += 1
    return done


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (_ORDER.get(f.severity, 9), f.sheet or "", f.row or 0))


def show_issues(book: Any, findings: list[Finding]) -> Any:
    """Issues sheet + highlighted cells with notes; clears the previous run's highlights.
    Returns the Issues sheet."""
    _clear(book, _previous_highlights(book))
    findings = _sorted(findings)
    sheet = _fresh_sheet(book, ISSUES)
    rows: list[list[Any]] = [ISSUE_COLUMNS]
    for f in findings:
        value = f.to_json()["value"]
        rows.append(
            [
                f.sheet or "",
                f.cell or "",
                f.row or "",
                f.column or "",
                f.code,
                f.severity,
                f.message,
                "" if value is None else value,
            ]
        )
    if len(rows) == 1:
        rows.append(["", "", "", "", "", "", "No issues found: every row passes the national rules.", ""])
    _write(sheet, rows)
    _highlight(book, findings)
    sheet.activate()
    return sheet


# -- the buttons ------------------------------------------------------------------------------


def validate(book: Any) -> Validation:
    _, validation = load(book)
    show_issues(book, validation.findings)
    return validation


def compute(book: Any, *, as_of: Any = None) -> list[Any]:
    """Computed (one row per benefit: the SPEC §7.2 figures, with the columns `xl-brm compute
    --out` writes) and Summary (totals by benefit type, cash-releasing and non-cash-releasing
    apart, and a line chart of cumulative planned versus realised £: money only)."""
    from xl_brm.charts import VALUE_KEYS, VALUE_LABELS, cumulative_value_by_period
    from xl_brm.computation import compute as compute_figures
    from xl_brm.periods import parse_period

    _, validation = load(book)
    chosen = as_of or book_setting(book, "as_of")
    computed = compute_figures(validation, as_of=parse_period(chosen) if chosen else None)
    figures, period = computed.figures, computed.as_of
    _write(_fresh_sheet(book, COMPUTED), _computed_rows(computed))

    lines = _summary_rows(figures, period)
    series = cumulative_value_by_period(computed)
    lines += [[], ["Cumulative planned and realised value (£)"]]
    chart_row = len(lines) + 1
    lines.append(["Period", *VALUE_LABELS])
    lines += [[label, *(_cell(values[key]) for key in VALUE_KEYS)] for label, values in series]
    summary = _fresh_sheet(book, SUMMARY)
    _write(summary, lines)
    if series:
        source = summary.range((chart_row, 1), (chart_row + len(series), 1 + len(VALUE_KEYS)))
        chart = summary.charts.add(left=520, top=10, width=520, height=300)  # right of the tables
        chart.set_source_data(source)
        chart.chart_type = "line"
    summary.activate()
    return figures


def _computed_rows(computed: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [list(COMPUTED_COLUMNS)]
    for values in computed.sheet_rows():
        rows.append([_cell(values[name]) for name in COMPUTED_COLUMNS])
    return rows


def _summary_rows(figures: list[Any], period: Any) -> list[list[Any]]:
    """Benefits, then dis-benefits: count, realised £ and PV £ (financial types only) and RAG
    counts by benefit type."""
    from xl_brm import __version__
    from xl_brm.calc import round_half_up
    from xl_brm.enums import BenefitType, Rag

    rags = [r.value for r in Rag]
    lines: list[list[Any]] = [
        [SUMMARY_TITLE, f"As of {period} (financial year {period.fy}). Written by xl-brm {__version__}."],
        ["Cash-releasing and non-cash-releasing values are never added together; dis-benefits are apart."],
    ]
    for disbenefit in (False, True):
        lines += [[], ["Dis-benefits" if disbenefit else "Benefits"]]
        lines.append(["Benefit type", "Benefits", "Realised value (£)", "Present value (£)", *rags])
        for benefit_type in BenefitType:
            group = [
                f
                for f in figures
                if bool(f.is_disbenefit) is disbenefit and _plain(f.benefit_type) == benefit_type
            ]
            money = benefit_type.is_financial
            lines.append(
                [
                    benefit_type.value.replace("_", "-").capitalize(),
                    len(group),
                    round_half_up(sum(f.realised_value_gbp or 0.0 for f in group), 2) if money else "n/a",
                    round_half_up(sum(f.pv_gbp or 0.0 for f in group), 2) if money else "n/a",
                    *(sum(1 for f in group if _plain(f.rag) == rag) for rag in rags),
                ]
            )
    return lines


def _plain(value: Any) -> Any:
    """An enum member's value (StrEnum members print as their value anyway)."""
    return getattr(value, "value", value)


def _cell(value: Any) -> Any:
    return "" if value is None else value


def board_report(book: Any, *, as_of: Any = None) -> list[Path]:
    """The board report (HTML and a PDF beside it, `xl_brm.report.make_report`) of the open
    workbook, and a Board report sheet with its headline and RAG tables and where the files are.

    Desktop Excel with a saved workbook: next to it (`register board report.html`). The Office
    add-in (whose Python runs on a server) or an unsaved book: in XL_BRM_REPORT_DIR on the
    machine running Python, so in the Office add-in the sheet is what the user sees."""
    from xl_brm.computation import compute as compute_figures
    from xl_brm.periods import parse_period
    from xl_brm.report import Table, make_report
    from xl_brm.report import board_report as board_document

    raw, validation = load(book)
    chosen = as_of or book_setting(book, "as_of")
    computed = compute_figures(validation, as_of=parse_period(chosen) if chosen else None)
    written = make_report(raw, _report_path(book), as_of=computed.as_of)
    doc = board_document(computed)
    rows: list[list[Any]] = [[BOARD_REPORT, doc.title], [doc.subtitle]]
    for section in (s for s in doc.sections if s.key in REPORT_SECTIONS):
        rows += [[], [section.heading], *([p] for p in section.paragraphs)]
        for table in (b for b in section.blocks if isinstance(b, Table)):
            rows += [[table.caption], [c.name for c in table.columns], *table.rows]
        rows += [[p] for p in section.after]
    rows += [[], ["The whole report (every benefit, trajectories, evidence, data quality) is written to:"]]
    rows += [[str(path)] for path in written]
    sheet = _fresh_sheet(book, BOARD_REPORT)
    _write(sheet, [[_cell(v) for v in row] for row in rows])
    sheet.activate()
    return written


def _report_path(book: Any) -> Path:
    saved = workbook_path(book)
    if saved is not None:
        return saved.with_name(f"{saved.stem} board report.html")
    folder = Path(os.environ.get(REPORT_DIR_ENV) or Path.home() / ".xl-brm" / "reports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{Path(book_name(book)).stem} board report.html"


def _national_url(book: Any) -> str:
    url = book_setting(book, "national_url") or os.environ.get(URL_ENV, "")
    if not url:
        raise SyncError(
            "no address for the national store",
            hint=f"add a row 'national_url' to the 'BRM Settings' sheet, or set {URL_ENV}",
        )
    return url


def _state_path(book: Any) -> Path:
    from xl_brm.sync import state_path_for

    saved = workbook_path(book)
    if saved is not None:
        return state_path_for(saved)
    folder = Path(os.environ.get(STATE_DIR_ENV) or Path.home() / ".xl-brm" / "addin")
    return state_path_for(folder / book_name(book))


def submit(book: Any, *, dry_run: bool = False, transport: Any = None) -> Any:
    """Send approved benefits; errors block with their cells shown; status written back."""
    from xl_brm.sync import blocking_errors, in_trust_cells, prepare, push, resolve_token

    raw, validation = load(book)
    errors = blocking_errors(raw, validation)
    if errors:
        issues = show_issues(book, validation.findings)
        _national_sheet(
            book,
            [
                [
                    "Submission blocked",
                    f"{display.count(len(errors), 'error')} to fix first: "
                    "see the Issues sheet (cells highlighted in red).",
                ]
            ],
        )
        issues.activate()
        return None
    url = _national_url(book)
    prepared = prepare(raw, validation)
    outcome = in_trust_cells(raw, push(
        prepared,
        state_path=_state_path(book),
        url=url,
        token=resolve_token(url),
        dry_run=dry_run,
        transport=transport,
    ))
    rows_of = {b.benefit_id: b.row for b in validation.register.benefits}
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    table: list[list[Any]] = [["benefit_id", "row", "status", "version", "findings", "when"]]
    for result in outcome.results:
        table.append(
            [
                result.benefit_id or "",
                rows_of.get(result.benefit_id or "", ""),
                result.status,
                result.version or "",
                "; ".join(f"{f.code} {f.message}" for f in result.findings),
                now,
            ]
        )
    for benefit_id in outcome.skipped:
        table.append(
            [benefit_id, rows_of.get(benefit_id, ""), "unchanged", "", "the store holds it already", now]
        )
    counts = outcome.counts
    head: list[list[Any]] = [
        ["Submitted to", url, "dry run" if dry_run else ""],
        ["accepted", counts["accepted"], "unchanged", counts["unchanged"], "rejected", counts["rejected"]],
        *(
            ["Set aside", "an earlier submission the store refused for good (this one sent the "
             "workbook as it is)", entry.reason, "; ".join(entry.cells)]
            for entry in outcome.set_aside
        ),
        [],
    ]
    _national_sheet(book, head + table)
    rejected = [
        Finding(
            code=f.code,
            severity=f.severity,
            message=f.message,
            sheet=f.sheet,
            row=f.row,
            column=f.column,
            cell=f.cell,
            value=f.value,
        )
        for r in outcome.results
        if r.status == "rejected"
        for f in r.findings
    ]
    if rejected:
        show_issues(book, rejected)
    return outcome


def pull(book: Any, *, transport: Any = None) -> list[Any]:
    """What the national store holds for each benefit, next to the workbook's own content."""
    import tempfile

    from xl_brm.addin.book import write_xlsx
    from xl_brm.sync import pull as sync_pull

    url = _national_url(book)
    saved = workbook_path(book)
    if saved is not None and saved.suffix.lower() in (".xlsx", ".xlsm"):
        statuses = sync_pull(saved, url=url, transport=transport)
    else:
        with tempfile.TemporaryDirectory(prefix="xl_brm_pull_") as tmp:
            path = Path(tmp) / (Path(book_name(book)).stem + ".xlsx")
            write_xlsx(book, path)
            statuses = sync_pull(path, url=url, transport=transport)
    table: list[list[Any]] = [
        ["Pulled from", url, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")],
        [],
        ["benefit_id", "status", "national version", "received nationally"],
    ]
    for s in statuses:
        table.append(
            [s.benefit_id, s.status.replace("_", " "), s.national_version or "", s.received_at or ""]
        )
    _national_sheet(book, table)
    return statuses


def _national_sheet(book: Any, rows: list[list[Any]]) -> None:
    """The National status sheet: our heading, then `rows`."""
    sheet = _fresh_sheet(book, NATIONAL)
    rows = [[NATIONAL, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")], [], *rows]
    _write(sheet, rows)
    sheet.activate()
