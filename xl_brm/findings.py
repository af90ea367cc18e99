"""Findings are data: what a rule saw, where, and how bad. A report gathers them per file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import attrgetter
from typing import Any, Literal, Protocol

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class Message:
    """What a finding says: its rule's template filled with its parameters, said when first read.

    Shared by the copies of a finding moved to other cells (`Finding.replace`): a bad value
    repeated down a column is said once, however many cells hold it. `said` is the message
    reworded in the trust's words (`xl_brm.wording`): another template, some parameters said
    again.
    """

    __slots__ = ("_text", "params", "said", "template")

    def __init__(
        self,
        template: MessageTemplate | None,
        params: Mapping[str, Any] | None,
        said: tuple[str, Mapping[str, Any]] | None = None,
        text: str | None = None,
    ) -> None:
        self.template = template
        self.params = params
        self.said = said
        self._text = text

    @property
    def text(self) -> str:
        text = self._text
        if text is None:
            template, params, said = self.template, self.params or {}, self.said
            if template is None:
                text = ""
            elif said is None:
                text = template.format(params)
            else:
                text = template.format({**params, **said[1]}, said[0])
            self._text = text
        return text

    def reworded(self, template: str, said: Mapping[str, Any]) -> Message:
        """This message said from `template` (its rule's message reworded), with `said` in place
        of some parameters."""
        return Message(self.template, self.params, (template, said))


class Finding:
    """One rule firing at one place. `row` is the Excel row number the user sees (1-based).

    A register with a bad column can hold tens of thousands of findings, most never read one by
    one: so a finding keeps its rule (`template`) and the parameters that fill its message
    (`params`) and fills the message when it is first read, not when it is found (`Message`).
    Treat it as immutable (`replace` makes a changed copy); it compares and hashes by what it
    says (`params` aside).
    """

    __slots__ = (
        "cell",
        "code",
        "column",
        "heading",
        "row",
        "says",
        "severity",
        "sheet",
        "value",
    )

    code: str
    severity: Severity
    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None
    value: Any
    heading: str | None
    """The trust's own heading over `column` ('Signed off by', a wide sheet's 'Q1 19/20'),
    filled after validation by `xl_brm.wording`; None where the sheet has none."""
    says: Message

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
        heading: str | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        template: MessageTemplate | None = None,
        says: Message | None = None,
    ) -> None:
        self.code = code
        self.severity = severity
        self.sheet = sheet
        self.row = row
        self.column = column
        self.cell = cell
        self.value = value
        self.heading = heading
        self.says = says if says is not None else Message(template, params, None, message)

    @property
    def params(self) -> Mapping[str, Any] | None:
        """What fills the rule's message template (value, column, sheet and the rule's own), so
        the message can be said again in the trust's words (`xl_brm.wording`)."""
        return self.says.params

    @property
    def message(self) -> str:
        return self.says.text

    def _key(self) -> tuple[Any, ...]:
        return (
            self.code,
            self.severity,
            self.message,
            self.sheet,
            self.row,
            self.column,
            self.cell,
            self.value,
            self.heading,
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not Finding:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Finding(code={self.code!r}, severity={self.severity!r}, message={self.message!r}, "
            f"sheet={self.sheet!r}, row={self.row!r}, column={self.column!r}, cell={self.cell!r}, "
            f"value={self.value!r}, heading={self.heading!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (Finding, (*self._key(), self.params))

    def replace(self, **changes: Any) -> Finding:
        """A copy with some fields changed (as `dataclasses.replace`). It says what this one
        says (the same `Message`) unless more than its place or heading changes."""
        if changes.keys() <= _PLACE:
            copy = self.said_as(self.heading, self.says)
            for name, value in changes.items():
                setattr(copy, name, value)
            return copy
        fields = dict(zip(_FIELDS, (*self._key(), self.params), strict=True))
        fields.update(changes)
        return Finding(**fields)

    def moved(self, row: int, cell: str) -> Finding:
        """This finding at another cell of its column, saying the same (`replace`, for a value
        repeated down a column: thousands of times in a dirty register)."""
        return Finding(
            self.code, self.severity, None, self.sheet, row, self.column, cell, self.value, self.heading,
            says=self.says,
        )

    def said_by(self, rule: MessageTemplate) -> bool:
        """True when the message is `rule`'s own template filled with `params` (not said
        otherwise, nor reworded already)."""
        says = self.says
        return says.template is rule and says.said is None and says.params is not None

    def said_as(self, heading: str | None, says: Message) -> Finding:
        """This finding with `heading`, saying `says` (this one's message, or it reworded)."""
        return Finding(
            self.code,
            self.severity,
            None,
            self.sheet,
            self.row,
            self.column,
            self.cell,
            self.value,
            heading,
            says=says,
        )

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
            "message": self.says.text,
            "heading": self.heading,  # additive: after SPEC §7.2's keys, which keep their order
        }


_FIELDS = ("code", "severity", "message", "sheet", "row", "column", "cell", "value", "heading", "params")
_PLACE = frozenset({"sheet", "row", "column", "cell", "heading"})


class MessageTemplate(Protocol):
    """What fills a finding's message: a rule (`xl_brm.rules.Rule.format`)."""

    def format(self, params: Mapping[str, Any], template: str | None = None) -> str: ...


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
    elsewhere: dict[str, int] = field(default_factory=dict)
    """Findings counted in this report but listed by another process, by severity (a register
    validated in two parts, `xl_brm.json_report`)."""

    @property
    def counts(self) -> dict[str, int]:
        tally: Counter[str] = Counter(f.severity for f in self.issues)
        tally.update(self.elsewhere)
        return {s: tally.get(s, 0) for s in SEVERITIES}

    @property
    def ok(self) -> bool:
        return self.counts["error"] == 0

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled a column at a time: a report crosses from the reading process to the CLI
        (`xl_brm.sandbox`), and 90k findings one object at a time cost a second each way."""
        return (
            _unpickle_report,
            (
                self.path,
                self.trust_ods,
                self.benefits,
                self.measurements,
                _columns(self.issues),
                self.unmapped,
                self.annotate_error,
                self.elsewhere,
            ),
        )

    def to_json(self, *, listed: bool = True) -> dict[str, Any]:
        """SPEC §7.2's file object; `listed=False` leaves the findings out of `issues` (counted
        all the same), for a caller that writes them itself (`xl_brm.json_report`)."""
        return {
            "path": self.path,
            "trust_ods": self.trust_ods,
            "benefits": self.benefits,
            "measurements": self.measurements,
            "issues": [f.to_json() for f in self.issues] if listed else [],
            "counts": self.counts,
        } | ({"annotate_error": self.annotate_error} if self.annotate_error else {})


def _columns(findings: list[Finding]) -> tuple[list[Any], ...]:
    """Each field's values, `params` left behind (a report crossing processes is for showing)."""
    return tuple(list(map(attrgetter(name), findings)) for name in _FIELDS[:-1])


def _unpickle_report(
    path: str,
    trust_ods: str | None,
    benefits: int,
    measurements: int,
    columns: tuple[list[Any], ...],
    unmapped: list[str],
    annotate_error: str | None,
    elsewhere: dict[str, int],
) -> FileReport:
    return FileReport(
        path, trust_ods, benefits, measurements, list(map(Finding, *columns)), unmapped, annotate_error,
        elsewhere,
    )


def totals(reports: list[FileReport]) -> dict[str, int]:
    """The `totals` object of SPEC §7.2."""
    out = {"files": len(reports), "benefits": 0, "measurements": 0, "error": 0, "warning": 0, "info": 0}
    for report in reports:
        out["benefits"] += report.benefits
        out["measurements"] += report.measurements
        for severity, n in report.counts.items():
            out[severity] += n
    return out
