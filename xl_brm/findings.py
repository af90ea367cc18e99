"""Findings are data: what a rule saw, where, and how bad. A report gathers them per file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal, Protocol

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class Finding:
    """One rule firing at one place. `row` is the Excel row number the user sees (1-based).

    A register with a bad column can hold tens of thousands of findings, most never read one by
    one: so a finding keeps its rule's message template and parameters (`template`, `params`)
    and fills the message when it is first read, not when it is found. Treat it as immutable
    (`replace` makes a changed copy); it compares and hashes by what it says.
    """

    __slots__ = (
        "_message", "_params", "_template", "cell", "code", "column", "row", "severity", "sheet", "value"
    )

    code: str
    severity: Severity
    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None
    value: Any

    def __init__(
        self,
        code: str,
        severity: Severity,
        message: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        cell: str | None = None,
        value: Any = None,
        *,
        template: MessageTemplate | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.severity = severity
        self.sheet = sheet
        self.row = row
        self.column = column
        self.cell = cell
        self.value = value
        self._message = message
        self._template = template
        self._params = params

    @property
    def message(self) -> str:
        message = self._message
        if message is None:
            template = self._template
            params = {"value": self.value, "column": self.column, "sheet": self.sheet, **(self._params or {})}
            message = self._message = template.format(params) if template is not None else ""
        return message

    def _key(self) -> tuple[Any, ...]:
        return (
            self.code, self.severity, self.message, self.sheet, self.row, self.column, self.cell, self.value
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not Finding:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Finding(code={self.code!r}, severity={self.severity!r}, message={self.message!r}, "
                f"sheet={self.sheet!r}, row={self.row!r}, column={self.column!r}, cell={self.cell!r}, "
                f"value={self.value!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Finding, self._key())

    def replace(self, **changes: Any) -> Finding:
        """A copy with some fields changed (as `dataclasses.replace`)."""
        fields = dict(zip(_FIELDS, self._key(), strict=True))
        fields.update(changes)
        return Finding(**fields)

    def to_json(self) -> dict[str, Any]:
        value = self.value
        if (value is not None and not isinstance(value, (str, int, float, bool))) or (
            isinstance(value, float) and value - value != 0.0  # NaN or an infinity: not JSON
        ):
            value = str(value)
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "row": self.row,
                "column": self.column, "cell": self.cell, "value": value, "message": self.message}


_FIELDS = ("code", "severity", "message", "sheet", "row", "column", "cell", "value")


class MessageTemplate(Protocol):
    """What fills a finding's message: a rule (`xl_brm.rules.Rule.format`)."""

    def format(self, params: Mapping[str, Any]) -> str: ...


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

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled a column at a time: a report crosses from the reading process to the CLI
        (`xl_brm.sandbox`), and 90k findings one object at a time cost a second each way."""
        return (_unpickle_report, (self.path, self.trust_ods, self.benefits, self.measurements,
                                   _columns(self.issues), self.unmapped, self.annotate_error))

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "trust_ods": self.trust_ods,
            "benefits": self.benefits,
            "measurements": self.measurements,
            "issues": [f.to_json() for f in self.issues],
            "counts": self.counts,
        } | ({"annotate_error": self.annotate_error} if self.annotate_error else {})


def _columns(findings: list[Finding]) -> tuple[list[Any], ...]:
    return tuple(list(map(attrgetter(name), findings)) for name in _FIELDS)


def _unpickle_report(
    path: str,
    trust_ods: str | None,
    benefits: int,
    measurements: int,
    columns: tuple[list[Any], ...],
    unmapped: list[str],
    annotate_error: str | None,
) -> FileReport:
    return FileReport(path, trust_ods, benefits, measurements, list(map(Finding, *columns)), unmapped,
                      annotate_error)


def totals(reports: list[FileReport]) -> dict[str, int]:
    """The `totals` object of SPEC §7.2."""
    out = {"files": len(reports), "benefits": 0, "measurements": 0, "error": 0, "warning": 0, "info": 0}
    for report in reports:
        out["benefits"] += report.benefits
        out["measurements"] += report.measurements
        for severity, n in report.counts.items():
            out[severity] += n
    return out
