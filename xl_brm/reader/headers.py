"""Recognising a trust's own column names when no synonym matches exactly.

Exact spellings (`Field.synonyms`, folded) always win. A header none of them names is then
matched by *keywords*: each keyword is a few word stems that must all begin words of the header
("baseline start" matches "Baseline Period Start Date"); a stem ending in `$` must be a whole
word; a stem starting with `-` must not begin any word. Among all (header, field) pairs the
most specific match (longest stems) is taken first, and no field is taken twice, so
"Target Date" goes to target_date and "Target Figure" to target_value.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from xl_brm.fields import SHEETS

_WORD = re.compile(r"[0-9a-z]+")


def words(text: str) -> tuple[str, ...]:
    """'Unit Cost (£)' -> ('unit', 'cost', 'gbp'): lower-case words, £ as gbp and % as pct."""
    return tuple(_WORD.findall(text.lower().replace("£", " gbp ").replace("%", " pct ")))


@dataclass(frozen=True, slots=True)
class _Header:
    """A header's words, also sorted, so a stem is looked up by bisection: the cost grows with
    the header's length, never with its square (a cell may hold 32,767 characters)."""

    words: frozenset[str]
    ordered: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> _Header:
        found = frozenset(words(text))
        return cls(found, tuple(sorted(found)))

    def has_prefix(self, stem: str) -> bool:
        """Some word begins with `stem` (the first word not before it in order, if any does)."""
        i = bisect_left(self.ordered, stem)
        return i < len(self.ordered) and self.ordered[i].startswith(stem)


def _present(stem: str, header: _Header) -> bool:
    """A stem begins a word of the header; `stem$` must be a whole word."""
    if stem.endswith("$"):
        return stem[:-1] in header.words
    return header.has_prefix(stem)


@dataclass(frozen=True, slots=True)
class _Keyword:
    wanted: tuple[str, ...]
    banned: tuple[str, ...]
    weight: int

    @classmethod
    def parse(cls, spec: str) -> _Keyword:
        parts = spec.split()
        wanted = tuple(p for p in parts if not p.startswith("-"))
        banned = tuple(p[1:] for p in parts if p.startswith("-"))
        return cls(wanted, banned, sum(len(p.rstrip("$")) for p in wanted))

    def score(self, header: _Header) -> int:
        if any(_present(b, header) for b in self.banned):
            return 0
        return self.weight if all(_present(w, header) for w in self.wanted) else 0


@cache
def _keywords(kind: str) -> tuple[tuple[str, tuple[_Keyword, ...]], ...]:
    return tuple((f.name, tuple(_Keyword.parse(k) for k in f.keywords)) for f in SHEETS[kind])


@lru_cache(maxsize=8192)
def keyword_score(kind: str, text: str) -> tuple[str, int] | None:
    """The field a header most likely names by keywords, and how specific the match is.
    Cached: header detection asks about every text cell of a sheet's first rows."""
    header = _Header.of(text)
    best: tuple[str, int] | None = None
    for name, keywords in _keywords(kind):
        score = max((k.score(header) for k in keywords), default=0)
        if score and (best is None or score > best[1]):
            best = (name, score)
    return best


def assign_by_keywords(kind: str, headers: Sequence[str], taken: Iterable[str]) -> dict[int, str]:
    """Position -> field for headers no exact spelling named, most specific match first;
    fields already `taken` (by exact spellings) and fields assigned once are skipped."""
    used = set(taken)
    candidates: list[tuple[int, int, str]] = []
    for position, text in enumerate(headers):
        if not text:
            continue
        header = _Header.of(text)
        for name, keywords in _keywords(kind):
            score = max((k.score(header) for k in keywords), default=0)
            if score:
                candidates.append((score, position, name))
    chosen: dict[int, str] = {}
    for _score, position, name in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if position in chosen or name in used:
            continue
        chosen[position] = name
        used.add(name)
    return chosen

