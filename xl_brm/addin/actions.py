"""What the four Benefits buttons do to an open workbook (`xw.Book`, desktop or Office.js).

Each reads the book through the reader (`book.book_to_raw`), calls the library, and writes its
answer to sheets of its own; the trust's sheets only get highlights and notes on cells with
issues. On Office.js every change becomes an action in the response; on the desktop it
happens in Excel directly.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xl_brm.addin.book import OUTPUT_SHEETS, book_name, book_setting, book_to_raw, workbook_path
from xl_brm.api import placed
from xl_brm.errors import SyncError
from xl_brm.findings import Finding
from xl_brm.table import RawWorkbook
from xl_brm.validate import Validation, validate_workbook

ISSUES, COMPUTED, SUMMARY, NATIONAL = "Issues", "BRM Computed", "BRM Summary", "BRM National"
assert {ISSUES, COMPUTED, SUMMARY, NATIONAL} == OUTPUT_SHEETS
ISSUE_COLUMNS = ["Sheet", "Cell", "Row", "Column", "Code", "Severity", "Message", "Value"]
FILL = {"error": "#FFC7CE", "warning": "#FFEB9C"}
"""Cell highlight by severity (Excel's own 'bad' and 'neutral' fills); info is not highlighted."""
MAX_HIGHLIGHTS = 2000
"""Cells highlighted per run: enough for any real register, bounded for Excel on the web."""
URL_ENV = "XL_BRM_URL"
STATE_DIR_ENV = "XL_BRM_ADDIN_STATE_DIR"
_ORDER = {"error": 0, "warning": 1, "info": 2}


def load(book: Any) -> tuple[RawWorkbook, Validation]:
    raw = book_to_raw(book)
    return raw, placed(raw, validate_workbook(raw))


# -- sheets ------------------------------------------------------------------------------------


def _fresh_sheet(book: Any, name: str) -> Any:
    """An empty sheet called `name`, placed last (an old one is cleared and reused)."""
    names = [s.name for s in book.sheets]
    if name in names:
        sheet = book.sheets[name]
        sheet.clear()
        return sheet
    return book.sheets.add(name, after=book.sheets[len(names) - 1])


def _write(sheet: Any, rows: list[list[Any]]) -> None:
    if rows:
        width = max(len(r) for r in rows)
        sheet["A1"].value = [list(r) + [None] * (width - len(r)) for r in rows]
        sheet.range((1, 1), (1, width)).font.bold = True


# -- highlights --------------------------------------------------------------------------------


def _previous_highlights(book: Any) -> list[tuple[str, str]]:
    """(sheet, cell) pairs the last Validate highlighted, read from its Issues sheet."""
    if ISSUES not in [s.name for s in book.sheets]:
        return []
    values = book.sheets[ISSUES].used_range.options(ndim=2).value or []
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


def show_issues(book: Any, findings: list[Finding]) -> int:
    """Issues sheet + highlighted cells with notes; clears the previous run's highlights."""
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
    highlighted = _highlight(book, findings)
    sheet.activate()
    return highlighted


# -- the four buttons ---------------------------------------------------------------------------


def validate(book: Any) -> Validation:
    _, validation = load(book)
    show_issues(book, validation.findings)
    return validation


def compute(book: Any, *, as_of: Any = None) -> list[Any]:
    """BRM Computed (one row per benefit, SPEC §7.2 figures) and BRM Summary with a chart."""
    from xl_brm.calc import JSON_KEYS, compute_register
    from xl_brm.periods import current_month, parse_period

    _, validation = load(book)
    period = parse_period(as_of or book_setting(book, "as_of") or current_month())
    figures = compute_register(validation.register, as_of=period)
    rows_of = {b.benefit_id: b.row for b in validation.register.benefits}
    computed = _fresh_sheet(book, COMPUTED)
    table: list[list[Any]] = [["row", *JSON_KEYS]]
    for fig in figures:
        data = fig.to_json()
        table.append([rows_of.get(fig.benefit_id), *(_cell(data[k]) for k in JSON_KEYS)])
    table.append([])
    table.append([f"As of {period}. Figures from xl-brm; rows are the Benefits sheet rows."])
    _write(computed, table)

    summary = _fresh_sheet(book, SUMMARY)
    rag: dict[str, int] = defaultdict(int)
    value_by_type: dict[str, float] = defaultdict(float)
    pv_total = 0.0
    for fig in figures:
        data = fig.to_json()
        rag[str(data["rag"])] += 1
        if data["realised_value_gbp"] is not None:
            value_by_type[str(fig.benefit_type)] += data["realised_value_gbp"]
        pv_total += data["pv_gbp"] or 0.0
    lines: list[list[Any]] = [
        ["Benefits register summary", f"as of {period}"],
        [],
        ["RAG", "Benefits"],
        *([k, v] for k, v in sorted(rag.items())),
        [],
        ["Benefit type", "Realised value £"],
        *([k, round(v, 2)] for k, v in sorted(value_by_type.items())),
        ["Present value £ (Green Book)", round(pv_total, 2)],
        [],
    ]
    chart_row = len(lines) + 1
    lines.append(["Benefit", "Planned improvement to date", "Improvement to date"])
    plotted = [f for f in figures if f.planned_to_date is not None or f.improvement is not None]
    for fig in plotted:
        lines.append([fig.benefit_id, _cell(fig.planned_to_date), _cell(fig.improvement)])
    _write(summary, lines)
    if plotted:
        source = summary.range((chart_row, 1), (chart_row + len(plotted), 3))
        chart = summary.charts.add(left=420, top=10, width=480, height=300)
        chart.set_source_data(source)
        chart.chart_type = "bar_clustered"
    summary.activate()
    return figures


def _cell(value: Any) -> Any:
    return "" if value is None else value


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
    from xl_brm.sync import blocking_errors, prepare, push, resolve_token

    raw, validation = load(book)
    errors = blocking_errors(raw, validation)
    if errors:
        show_issues(book, validation.findings)
        _national_sheet(
            book,
            [
                [
                    "Submission blocked",
                    f"{len(errors)} error(s) must be fixed first: "
                    "see the Issues sheet (cells highlighted in red).",
                ]
            ],
        )
        book.sheets[ISSUES].activate()
        return None
    url = _national_url(book)
    prepared = prepare(raw, validation)
    outcome = push(
        prepared,
        state_path=_state_path(book),
        url=url,
        token=resolve_token(url),
        dry_run=dry_run,
        transport=transport,
    )
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
            [benefit_id, rows_of.get(benefit_id, ""), "unchanged", "", "already held nationally", now]
        )
    counts = outcome.counts
    head: list[list[Any]] = [
        ["Submitted to", url, "dry run" if dry_run else ""],
        ["accepted", counts["accepted"], "unchanged", counts["unchanged"], "rejected", counts["rejected"]],
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
    sheet = _fresh_sheet(book, NATIONAL)
    _write(sheet, rows)
    sheet.activate()
