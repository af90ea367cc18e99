"""Findings are data: what a rule saw, where, and how bad. A report gathers them per file."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        value = data["value"]
        if (value is not None and not isinstance(value, (str, int, float, bool))) or (
            isinstance(value, float) and value - value != 0.0  # NaN or an infinity: not JSON
        ):
            data["value"] = str(value)
        return {
            k: data[k] for k in ("code", "severity", "sheet", "row", "column", "cell", "value", "message")
        }


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
