"""Findings in the trust's words (issue 13): a finding names the heading the trust wrote over
the cell ('Signed off by (approved_by)'; a wide sheet's period column, 'Q1 19/20 (value)'),
not only our field name, so a reader can find what it means on their own sheet.

One pass after validation: the rule engine keeps to canonical field names, and this fills
`Finding.heading` and says each message again with every field it names given as the
trust's heading (our own field name in brackets, once when the two are the same).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from xl_brm.findings import Finding, Message, shown
from xl_brm.rules import RULES
from xl_brm.table import RawTable, RawWorkbook

_NAME = re.compile(r"\{[^{}]*\}|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
"""A template's parameter (left alone) or a snake_case word (maybe one of our field names)."""


@functools.lru_cache(maxsize=4096)
def label(heading: str, field: str) -> str:
    """'Signed off by (approved_by)'; just the heading when it is the field's own name
    ('approved_by', 'Approved By')."""
    return heading if _key(heading) == _key(field) else f"{heading} ({field})"


def in_trust_words(raw: RawWorkbook, findings: Iterable[Finding]) -> list[Finding]:
    """`findings` of a workbook the reader read, each with its heading and message in the
    trust's words. Run it before `reader.wide.relocate`: it finds a wide cell's heading by
    the assembled row the engine reported."""
    return [f if said is f.says and not heading else f.said_as(heading, said)
            for f, heading, said in _wordings(raw, findings)]


def issues_json(raw: RawWorkbook, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """`[f.to_json() for f in in_trust_words(raw, findings)]`, without the findings in between:
    the JSON report of a register with 90k findings (`xl_brm.json_report`)."""
    return [
        {
            "code": f.code,
            "severity": f.severity,
            "sheet": f.sheet,
            "row": f.row,
            "column": f.column,
            "cell": f.cell,
            "value": shown(f.value),
            "message": said.text,
            "heading": heading,
        }
        for f, heading, said in _wordings(raw, findings)
    ]


def _wordings(raw: RawWorkbook, findings: Iterable[Finding]) -> Iterator[tuple[Finding, str | None, Message]]:
    """(finding, the trust's heading over its cell, what it says in the trust's words) for each
    finding. A register can hold 90k findings: the headings are gathered once per sheet, a
    rule's rewording once per headings and column, a message shared by many cells
    (`xl_brm.findings.Message`) reworded once, and each message is said when first read."""
    tables = list(raw.tables.values())
    assembled = [t for t in tables if t.origin is not None]
    by_sheet = {t.sheet: _names(t) for t in tables if t.origin is None}
    benefits = raw.tables.get("Benefits")
    around = by_sheet.get(benefits.sheet, {}) if benefits is not None and benefits.origin is None else {}
    merged = {sheet: {**around, **names} for sheet, names in by_sheet.items()}
    templates: dict[tuple[Any, ...], Rewording] = {}
    messages: dict[tuple[int, int, str | None], Message] = {}
    for f in findings:
        if f.row is None:
            yield f, None, f.says  # no sheet's headings to say it in
            continue
        names = merged.get(f.sheet or "", around)
        kept: dict[tuple[Any, ...], Rewording] | None = templates  # `names` lives as long as `merged`
        for t in assembled:
            origin = t.origin
            assert origin is not None
            if f.sheet == t.sheet and f.row in origin:
                at = origin.locate(f.row, None)[0]
                headings = origin.headings[at]
                here = {n: headings[c] for n, c in origin.fixed[at].items() if c in headings}
                names = {**around, **here, **_one(f.column, origin.heading(f.row, f.column))}
                kept = None  # made for this finding alone: its identity may be reused after it
                break
        heading = names.get(f.column) if f.column else None
        if kept is None:
            yield f, heading, _said(f, names, {})
            continue
        # a value repeated down a column is one `Message` (`Finding.replace`): reworded once
        key = (id(f.says), id(names), f.column)
        said = messages.get(key)
        if said is None:
            said = messages[key] = _said(f, names, kept)
        yield f, heading, said


def with_headings(f: Finding, names: Mapping[str, str]) -> Finding:
    """`f` with its heading and its message reworded, given field -> the trust's heading."""
    heading = names.get(f.column) if f.column else None
    said = _said(f, names, {})
    return f if said is f.says and not heading else f.said_as(heading, said)


Rewording = tuple[str, dict[str, str]] | None
"""A rule's message reworded for one sheet's headings and column: the template, and the
parameters said again (None: said as it is)."""


def _said(f: Finding, names: Mapping[str, str], kept: dict[tuple[Any, ...], Rewording]) -> Message:
    """What `f` says in the trust's words, given field -> the trust's heading. `kept` holds each
    rule's rewording for one `names` (by its identity), column and fields named."""
    rule = RULES.get(f.code)
    params = f.params
    if rule is None or params is None or not names or not f.said_by(rule):
        return f.says  # a message said otherwise: kept
    named = tuple(params.get(name) for name in _field_parameters(rule.message))
    key = (rule.code, id(names), f.column, named)
    rewording = kept.get(key, _NOT_YET)
    if rewording is _NOT_YET:
        rewording = kept[key] = _rewording(rule.message, names, f.column, named)
    return f.says if rewording is None else f.says.reworded(*rewording)


_NOT_YET: Any = object()


def _rewording(
    message: str, names: Mapping[str, str], column: str | None, named: tuple[Any, ...]
) -> Rewording:
    """`message` reworded with the trust's headings: its template, and the parameters said
    again (the column, and any parameter naming a field, e.g. BRM404's date_field)."""
    template = _reworded(message, tuple(names.get(word) for word in _words(message)))
    said: dict[str, str] = {}
    heading = names.get(column) if column else None
    if heading is not None and column is not None:
        said["column"] = label(heading, column)
    for name, value in zip(_field_parameters(message), named, strict=True):
        if isinstance(value, str) and value in names:
            said[name] = label(names[value], value)
    if heading is None and not said and template == message:
        return None
    return template, said


@functools.cache
def _field_parameters(template: str) -> tuple[str, ...]:
    """The template's parameters that name a field (`date_field`): said as the trust's heading."""
    return tuple(n for _, n, _, _ in string.Formatter().parse(template) if n and n.endswith("_field"))


@functools.cache
def _words(template: str) -> tuple[str, ...]:
    """The snake_case words of a template outside its parameters (maybe our field names)."""
    return tuple(
        dict.fromkeys(m.group(0) for m in _NAME.finditer(template) if not m.group(0).startswith("{"))
    )


@functools.lru_cache(maxsize=4096)
def _reworded(template: str, headings: tuple[str | None, ...]) -> str:
    """`template` with each of its `_words` that has a heading (in `headings`, in order) said
    as 'Heading (field)'."""
    names = {w: h for w, h in zip(_words(template), headings, strict=True) if h is not None}

    def named(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.startswith("{") or word not in names:
            return word
        return label(names[word], word).replace("{", "{{").replace("}", "}}")

    return _NAME.sub(named, template)


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
