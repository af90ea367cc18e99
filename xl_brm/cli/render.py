"""Turning reports into what a person or a script reads: rich tables, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from xl_brm import display
from xl_brm.display import moment
from xl_brm.findings import FileReport, Finding, totals
from xl_brm.json_report import validation_json_bytes
from xl_brm.rules import RULES, RULES_VERSION


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def validation_json(reports: Sequence[FileReport]) -> str:
    """SPEC §7.2's stable machine-readable report (`xl_brm.json_report`)."""
    return validation_json_bytes(reports).decode()


def validation_csv(reports: Sequence[FileReport]) -> str:
    """One line per finding, with the file it belongs to."""
    columns = ["path", "code", "severity", "sheet", "row", "column", "cell", "value", "message", "heading"]
    rows = ({"path": r.path, **f.to_json()} for r in reports for f in r.issues)
    return to_csv(columns, rows)


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    return buffer.getvalue()


def print_validation_tables(
    console: Console, reports: Sequence[FileReport], *, limit: int = 50
) -> None:
    """A per-file summary, then the findings of each file that has any (first `limit` of each)."""
    summary = Table(title=f"xl-brm validate · rules {RULES_VERSION}", title_justify="left")
    for name in (
        "file",
        "trust",
        "benefits",
        "measurements",
        "errors",
        "warnings",
        "info",
        "local columns",
    ):
        summary.add_column(
            name,
            justify="right"
            if name in {"benefits", "measurements", "errors", "warnings", "info"}
            else "left",
        )
    for r in reports:
        c = r.counts
        summary.add_row(
            Path(r.path).name,
            r.trust_ods or "—",
            f"{r.benefits:,}",
            f"{r.measurements:,}",
            _count(c["error"], "error"),
            _count(c["warning"], "warning"),
            f"{c['info']:,}",
            ", ".join(r.unmapped) or "—",
        )
    console.print(summary)
    for r in reports:
        if not r.issues:
            continue
        detail = Table(title=r.path, title_justify="left", show_lines=False)
        for name in ("cell", "code", "severity", "message"):
            detail.add_column(name, overflow="fold")
        lines = grouped(r.issues)
        for where, f, message in lines[:limit]:
            detail.add_row(where, f.code, f"[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]", message)
        console.print(detail)
        if len(lines) > limit:
            console.print(f"  … and {len(lines) - limit:,} more lines (use --format csv or json for all)")
    t = totals(list(reports))
    console.print(
        f"{display.count(t['files'], 'file')}, {display.count(t['benefits'], 'benefit')}, "
        f"{display.count(t['measurements'], 'measurement')}: "
        f"{_styled(t['error'], 'error')}, {_styled(t['warning'], 'warning')}, {t['info']:,} info"
    )


GROUP_FROM = 10
"""A rule firing at this many cells of one column is shown as one line (JSON keeps each)."""
SHOW_CELLS = 3


def grouped(issues: Sequence[Finding]) -> list[tuple[str, Finding, str]]:
    """(where, first finding, message) lines for a person: findings of one rule in one column
    of one sheet, when there are GROUP_FROM or more, become one line with their count, their
    first cells and the rule's fix; the others stay one line each, in report order."""
    groups: dict[tuple[str, str | None, str | None], list[Finding]] = {}
    for f in issues:
        groups.setdefault((f.code, f.sheet, f.column), []).append(f)
    lines: list[tuple[str, Finding, str]] = []
    shown: set[tuple[str, str | None, str | None]] = set()
    for f in issues:
        key = (f.code, f.sheet, f.column)
        group = groups[key]
        if len(group) < GROUP_FROM:
            lines.append((_where(f), f, f.message))
        elif key not in shown:
            shown.add(key)
            cells = ", ".join(g.cell or "?" for g in group[:SHOW_CELLS])
            where = f"{f.sheet}!{cells} … ({len(group):,} cells)"
            rule = RULES.get(f.code)
            fix = f" Fix: {rule.fix}" if rule is not None else ""
            title = rule.title if rule is not None else f.code
            lines.append((where, f, f"{len(group):,} × {title}: e.g. {f.message.rstrip('.')}.{fix}"))
    return lines


def _where(f: Finding) -> str:
    return f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "—")


def _count(n: int, severity: str) -> str:
    """1,534 in its severity's colour, as the table's other counts are written."""
    return f"[{SEVERITY_STYLE[severity]}]{n:,}[/]" if n else "0"


def _styled(n: int, severity: str) -> str:
    """'1 error', '3 warnings' with the number in its severity's colour."""
    words = display.count(n, severity)
    return f"[{SEVERITY_STYLE[severity]}]{words}[/]" if n else words


def compute_rows(figures: Sequence[Any]) -> list[dict[str, Any]]:
    return [f.to_json() for f in figures]


def compute_json(computed: Any) -> str:
    """SPEC §7.2: `{"as_of": "2020-03", "benefits": [...]}`, and `not_computed`: the benefits
    whose rows could not be read well enough to compute, each with what to fix."""
    left_out = [{"benefit_id": bid, "blocked": computed.blocked_text(bid)} for bid in computed.left_out]
    return json.dumps(
        {"as_of": str(computed.as_of), "benefits": compute_rows(computed.figures), "not_computed": left_out},
        indent=2, ensure_ascii=False,
    )


RAG_STYLE = {"green": "green", "amber": "yellow", "red": "bold red"}


def print_compute_table(console: Console, computed: Any) -> None:
    """One line per benefit, figures as the computed workbook and the board report show them."""
    from xl_brm import display

    table = Table(title=f"xl-brm compute · {computed.as_of_note}", title_justify="left")
    for name, right in (
        ("benefit", False),
        ("baseline", True),
        ("latest", True),
        ("improvement", True),
        ("realised qty", True),
        ("realised £", True),
        ("PV £", True),
        ("% of target", True),
        ("planned to date", True),
        ("RAG", False),
    ):
        table.add_column(name, justify="right" if right else "left")
    for f in computed.figures:
        shown = f.to_json()
        blocked = computed.blocked_text(f.benefit_id)
        rag = blocked or (display.rag(f.rag) if f.rag is not None else display.NO_FIGURE)
        style = "bold red" if blocked else RAG_STYLE.get(str(f.rag), "dim")
        table.add_row(
            f.benefit_id + (" (dis-benefit)" if f.is_disbenefit else ""),
            display.number(shown["baseline"]),
            display.number(shown["latest"]),
            display.number(shown["improvement"]),
            display.number(shown["realised_quantity"]),
            display.money(shown["realised_value_gbp"]),
            display.money(shown["pv_gbp"]),
            display.percent(shown["percent_of_target"]),
            display.number(shown["planned_to_date"]),
            f"[{style}]{rag}[/]",
        )
    for bid in computed.left_out:  # rows too broken to compute: named, never dropped
        table.add_row(bid, *[display.NO_FIGURE] * 8, f"[bold red]{computed.blocked_text(bid)}[/]")
    console.print(table)
    blocking = [e for e in computed.findings if e.severity == "error"]
    if blocking:
        console.print(
            f"[yellow]{display.count(len(blocking), 'validation error')} in this workbook: a benefit "
            "whose rows have errors gets no RAG until they are fixed. Run `xl-brm validate` to see them.[/]"
        )


STATUS_STYLE = {
    "accepted": "green",
    "unchanged": "dim",
    "rejected": "bold red",
    "in_sync": "green",
    "changed": "yellow",
    "not_submitted": "yellow",
    "not_approved": "dim",
    "only_national": "cyan",
}


def print_submit_outcome(console: Console, outcome: Any) -> None:
    """Per-benefit answers of the national store, with the findings of rejected rows."""
    verb = "Dry run against" if outcome.dry_run else "Submitted to"
    answers = [*outcome.replayed, *([outcome.answer] if outcome.answer else [])]
    table = Table(title=f"{verb} {outcome.url}", title_justify="left")
    for name in ("benefit", "status", "version", "findings"):
        table.add_column(name, overflow="fold")
    for answer in answers:
        for r in answer.results:
            findings = "; ".join(
                f"{f.cell or ''} {f.code}: {f.message}".strip() for f in r.findings
            )
            table.add_row(
                r.benefit_id,
                f"[{STATUS_STYLE.get(r.status, '')}]{r.status}[/]",
                str(r.version or "—"),
                findings or "—",
            )
    for benefit_id in outcome.skipped:
        table.add_row(benefit_id, "[dim]unchanged[/]", "—", "the store holds it already; not sent")
    console.print(table)
    for entry in outcome.set_aside:
        console.print(
            f"[yellow]An earlier unfinished submission was refused for good and set aside "
            f"({_aside(entry)}); this run sent the workbook as it is now.[/]",
            soft_wrap=True,
        )
    c = outcome.counts
    console.print(f"{c['accepted']} accepted, {c['unchanged']} unchanged, {c['rejected']} rejected")


def _when(moment: Any) -> str:
    return f"{moment:%d/%m/%Y %H:%M} UTC" if moment is not None else "never"


def _benefits(ids: Sequence[str], shown: int = 5) -> str:
    more = f", and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"{display.count(len(ids), 'benefit')}: {', '.join(ids[:shown])}{more}"


def _aside(entry: Any) -> str:
    """Why a submission was set aside, escaped for rich (the store's words, the trust's cells)."""
    from rich.markup import escape

    cells = f" — {'; '.join(entry.cells)}" if entry.cells else ""
    return escape(f"{entry.reason}{cells}")


def print_sync_status(console: Console, workbook: Any, state: Any, *, url: str | None) -> None:
    """`xl-brm submit FILE --status`: per store, what is pending and what was set aside."""
    from rich.markup import escape

    from xl_brm.sync import state_path_for

    stores = state.stores
    console.print(f"Sync state of {workbook.name} ({state_path_for(workbook)})", markup=False)
    if not stores:
        console.print("No submission recorded" + (f" for {url}." if url else "."), markup=False)
        return
    anything = False
    for key, store in stores.items():
        acknowledged = sum(1 for b in store.benefits.values() if b.version is not None)
        console.print(f"\n[bold]{escape(key)}[/] (trust {store.trust_ods or '?'}): "
                      f"{display.count(acknowledged, 'benefit')} acknowledged; "
                      f"last submission {_when(store.last_submission_at)}")
        for pending in store.waiting():
            anything = True
            console.print(
                f"  [yellow]Pending[/] since {_when(pending.created_at)}, "
                f"{escape(_benefits(list(pending.hashes)))}; {display.count(pending.attempts, 'attempt')}. "
                "The next "
                "submit sends it first, unchanged (the store never applies it twice).",
                soft_wrap=True,
            )
        for entry in store.set_aside:
            anything = True
            console.print(
                f"  [red]Set aside[/] {_when(entry.set_aside_at)} (submitted "
                f"{_when(entry.created_at)}), {escape(_benefits(entry.benefits))}: the store refused it "
                f"({_aside(entry)}). It is never resent: the next submit sends the workbook as "
                "it is then.",
                soft_wrap=True, markup=True,
            )
    if anything:
        console.print(f"\nDrop them with `xl-brm submit {workbook.name} --drop-pending`.",
                      markup=False)
    else:
        console.print("\nNothing pending or set aside.")


def print_pull(console: Console, statuses: Sequence[Any]) -> None:
    table = Table(title="National status", title_justify="left")
    for name in ("benefit", "status", "national version", "received"):
        table.add_column(name)
    for s in statuses:
        table.add_row(
            s.benefit_id,
            f"[{STATUS_STYLE.get(s.status, '')}]{s.status.replace('_', ' ')}[/]",
            str(s.national_version or "—"),
            moment(s.received_at),
        )
    console.print(table)
