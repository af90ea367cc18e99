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
from collections.abc import Iterable, Mapping

from xl_brm.findings import Finding
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
    the assembled row the engine reported. A register can hold 90k findings: the headings are
    gathered once per sheet, a reworded template once per rule and headings, and each message
    is said when first read (`Finding.reworded`)."""
    tables = list(raw.tables.values())
    assembled = [t for t in tables if t.origin is not None]
    by_sheet = {t.sheet: _names(t) for t in tables if t.origin is None}
    benefits = raw.tables.get("Benefits")
    around = by_sheet.get(benefits.sheet, {}) if benefits is not None and benefits.origin is None else {}
    merged = {sheet: {**around, **names} for sheet, names in by_sheet.items()}
    templates: dict[tuple[str, int], str] = {}
    out: list[Finding] = []
    for f in findings:
        if f.row is None:
            out.append(with_headings(f, {}))
            continue
        names = merged.get(f.sheet or "", around)
        kept: dict[tuple[str, int], str] | None = templates  # `names` lives as long as `merged`
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
        out.append(with_headings(f, names, kept))
    return out


def with_headings(
    f: Finding, names: Mapping[str, str], templates: dict[tuple[str, int], str] | None = None
) -> Finding:
    """`f` with its heading and its message reworded, given field -> the trust's heading
    (`templates` keeps each rule's reworded template for one `names`, by its identity)."""
    heading = names.get(f.column) if f.column else None
    rule = RULES.get(f.code)
    params = f.params
    if rule is None or params is None or not names or not f.said_by(rule):
        return f.replace(heading=heading) if heading else f  # a message said otherwise: kept
    key = (rule.code, id(names))
    template = templates.get(key) if templates is not None else None
    if template is None:
        template = _reworded(rule.message, tuple(names.get(word) for word in _words(rule.message)))
        if templates is not None:
            templates[key] = template
    said: dict[str, str] = {}
    if heading is not None and f.column is not None:
        said["column"] = label(heading, f.column)
    for name in _field_parameters(rule.message):  # a parameter naming a field, e.g. BRM404's date_field
        value = params.get(name)
        if isinstance(value, str) and value in names:
            said[name] = label(names[value], value)
    if heading is None and not said and template == rule.message:
        return f
    return f.reworded(heading, template, said)


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
