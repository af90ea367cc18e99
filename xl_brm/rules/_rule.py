"""A rule: one stable code, its severity, its message template and its documentation.

Rules are data, not code: the checks (`xl_brm.rules._checks`) name a rule by its code and fill its
message template; the generated docs page and `xl-brm rule CODE` read the same object.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xl_brm.findings import Finding, Severity

FAMILIES: dict[str, str] = {
    "1": "Structure",
    "2": "Cell",
    "3": "Row",
    "4": "Table",
    "5": "Plausibility",
}
"""Code family (the digit after BRM) -> what the rules of that family look at."""


class _Blank(dict[str, Any]):
    """Template parameters; a parameter a caller did not give renders as '?' instead of raising."""

    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True, slots=True)
class Rule:
    """One validation rule. `code` is permanent: a retired rule keeps it, it is never reused."""

    code: str
    slug: str
    severity: Severity
    title: str
    message: str
    """One-line template: `{value}`, `{column}`, `{sheet}` and rule-specific names."""
    fix: str
    why: str
    bad_example: str
    good_example: str

    @property
    def family(self) -> str:
        return FAMILIES[self.code[3]] if self.code.startswith("BRM") else "National store"

    def format(self, params: Mapping[str, Any], template: str | None = None) -> str:
        """The message (or `template`, the message reworded) with its parameters filled in
        (only those the template names are shown)."""
        text = template or self.message
        try:
            return text.format_map({name: _show(params[name]) for name in _names(text)})
        except KeyError:  # a parameter the caller did not give
            return text.format_map(_Blank({k: _show(v) for k, v in params.items()}))

    def finding(
        self,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        cell: str | None = None,
        value: Any = None,
        message: str | None = None,
        **params: Any,
    ) -> Finding:
        """A finding of this rule at one place; `params` fill the message template when the
        message is first read (see `Finding`). `message` replaces the template for a case it
        does not fit (such a finding keeps no parameters: it cannot be reworded)."""
        if message is not None:
            return Finding(self.code, self.severity, message, sheet, row, column, cell, value)
        return Finding(
            self.code,
            self.severity,
            None,
            sheet,
            row,
            column,
            cell,
            value,
            None,
            {"value": value, "column": column, "sheet": sheet, **params},
            template=self,
        )


@functools.cache
def _names(template: str) -> tuple[str, ...]:
    """The parameter names a message template uses, once per template."""
    return tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name))


def _show(value: Any) -> Any:
    """How a value reads inside a message: floats without a spurious '.0', dates as dd/mm/yyyy."""
    kind = type(value)
    if kind is str or kind is int:  # most parameters: shown as they are
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "strftime") and hasattr(value, "day"):
        return str(value.strftime("%d/%m/%Y"))
    if value is None:
        return "blank"
    return value
