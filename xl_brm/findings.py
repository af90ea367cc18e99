"""Findings are data: what a rule saw, where, and how bad. A report gathers them per file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule firing at one place. `row` is the Excel row number the user sees (1-based)."""

    code: str
    severity: Severity
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: Any = None
    heading: str | None = None
    """The trust's own heading over `column` ('Signed off by', a wide sheet's 'Q1 19/20'),
    filled after validation by `xl_brm.wording`; None where the sheet has none."""
    params: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """What filled the rule's message template, so the message can be said again in the
    trust's words (`xl_brm.wording`)."""

    def to_json(self) -> dict[str, Any]:
        """SPEC §7.2's keys, plus `heading`; `value` as the cell shows it (dd/mm/yyyy dates,
        whole numbers without '.0')."""
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": shown(self.value),
            "message": self.message,
            "heading": self.heading,  # additive: after SPEC §7.2's keys, which keep their order
        }


def shown(value: Any) -> Any:
    """A finding's value as the cell shows it, and as JSON can hold it: a date as dd/mm/yyyy
    (UK cells), a whole float without '.0', anything else not JSON as its text."""
    if isinstance(value, float):
        if value - value != 0.0:  # NaN or an infinity: not JSON
            return str(value)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, datetime):
        day = value.strftime("%d/%m/%Y")
        return day if value.time() == time() else f"{day} {value:%H:%M}"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if value is not None and not isinstance(value, (str, int, bool)):
        return str(value)
    return value


@dataclass(slots=True)
class FileReport:
    """Everything `xl-brm validate` says about one file."""

    path: str
    trust_ods: str | None = None
    benefits: int = 0
    measurements: int = 0
    issues: list[Finding] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    """Headers kept as local fields (shown, never rejected, never sent nationally)."""
    annotate_error: str | None = None
    """Why the annotated copy asked for could not be written (the findings stand regardless)."""

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(f.severity for f in self.issues)
        return {s: tally.get(s, 0) for s in SEVERITIES}

    @property
    def ok(self) -> bool:
        return self.counts["error"] == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "trust_ods": self.trust_ods,
            "benefits": self.benefits,
            "measurements": self.measurements,
            "issues": [f.to_json() for f in self.issues],
            "counts": self.counts,
        } | ({"annotate_error": self.annotate_error} if self.annotate_error else {})


def totals(reports: list[FileReport]) -> dict[str, int]:
    """The `totals` object of SPEC §7.2."""
    out = {"files": len(reports), "benefits": 0, "measurements": 0, "error": 0, "warning": 0, "info": 0}
    for report in reports:
        out["benefits"] += report.benefits
        out["measurements"] += report.measurements
        for severity, n in report.counts.items():
            out[severity] += n
    return out
