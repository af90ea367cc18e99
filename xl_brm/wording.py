"""Findings in the trust's words (issue 13): a finding names the heading the trust wrote over
the cell ('Signed off by (approved_by)'; a wide sheet's period column, 'Q1 19/20 (value)'),
not only our field name, so a reader can find what it means on their own sheet.

One pass after validation: the rule engine keeps to canonical field names, and this fills
`Finding.heading` and says each message again with every field it names given as the
trust's heading (our own field name in brackets, once when the two are the same).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from xl_brm.findings import Finding
from xl_brm.rules import RULES
from xl_brm.table import RawTable, RawWorkbook

_NAME = re.compile(r"\{[^{}]*\}|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
"""A template's parameter (left alone) or a snake_case word (maybe one of our field names)."""


def label(heading: str, field: str) -> str:
    """'Signed off by (approved_by)'; just the heading when it is the field's own name
    ('approved_by', 'Approved By')."""
    return heading if _key(heading) == _key(field) else f"{heading} ({field})"


def in_trust_words(raw: RawWorkbook, findings: Iterable[Finding]) -> list[Finding]:
    """`findings` of a workbook the reader read, each with its heading and message in the
    trust's words. Run it before `reader.wide.relocate`: it finds a wide cell's heading by
    the assembled row the engine reported."""
    tables = list(raw.tables.values())
    by_sheet = {t.sheet: _names(t) for t in tables if t.origin is None}
    benefits = raw.tables.get("Benefits")
    around = by_sheet.get(benefits.sheet, {}) if benefits is not None and benefits.origin is None else {}
    out: list[Finding] = []
    for f in findings:
        names = by_sheet.get(f.sheet or "", around)
        for t in tables:
            origin = t.origin
            if origin is not None and f.sheet == t.sheet and f.row in origin:
                assert f.row is not None
                at = origin.locate(f.row, None)[0]
                headings = origin.headings[at]
                names = {n: headings[c] for n, c in origin.fixed[at].items() if c in headings}
                names = {**names, **_one(f.column, origin.heading(f.row, f.column))}
                break
        out.append(with_headings(f, {**around, **names} if f.row is not None else {}))
    return out


def with_headings(f: Finding, names: Mapping[str, str]) -> Finding:
    """`f` with its heading and its message reworded, given field -> the trust's heading."""
    heading = names.get(f.column) if f.column else None
    rule = RULES.get(f.code)
    params = f.params
    if rule is None or params is None or not names or f.message != rule.format(params):
        return replace(f, heading=heading) if heading else f  # a message said otherwise: kept

    def named(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.startswith("{") or word not in names:
            return word
        return label(names[word], word).replace("{", "{{").replace("}", "}}")

    template = _NAME.sub(named, rule.message)
    said = dict(params)
    if heading is not None and f.column is not None:
        said["column"] = label(heading, f.column)
    for key, value in params.items():  # a parameter naming a field, e.g. BRM404's date_field
        if key.endswith("_field") and isinstance(value, str) and value in names:
            said[key] = label(names[value], value)
    message = rule.format(said, template)
    if heading is None and message == f.message:
        return f
    return replace(f, heading=heading, message=message)


def _names(table: RawTable) -> dict[str, str]:
    names: dict[str, str] = {}
    for c in table.columns:
        if c.field is not None and c.field not in names and c.header:
            names[c.field] = c.header
    return names


def _one(field: str | None, heading: str | None) -> dict[str, str]:
    return {field: heading} if field is not None and heading else {}


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())
