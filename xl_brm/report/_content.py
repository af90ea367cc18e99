"""The content model every report format is written from: a document of sections holding
paragraphs, tables and charts. The HTML page (and the PDF made from it) and the .xlsx sheets
walk the same `Document`, so the formats cannot disagree about a figure.

Numbers are kept as numbers, already rounded as `compute --format json` rounds them; `kind`
says how to show them (`xl_brm.display`), so a sheet can hold real numbers with formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from xl_brm import display
from xl_brm.enums import Rag

Kind = Literal["text", "money", "number", "percent", "rag", "count"]
Value = str | float | int | None


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = "text"

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "number", "percent", "count")


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[Value]]
    key: str = ""
    """A stable name for the table (HTML id, tests), e.g. 'figures'."""
    row_keys: list[str] = field(default_factory=list)
    """A stable name per row (HTML data-key), e.g. the benefit_id."""


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: list[float | None]
    style: Literal["actual", "plan", "baseline", "target"]


@dataclass(frozen=True, slots=True)
class Chart:
    """A line chart over periods; `alt` is its text alternative, `table()` its figures."""

    title: str
    y_label: str
    periods: list[str]
    series: list[Series]
    alt: str

    def table(self) -> Table:
        columns = [Column("Period"), *(Column(s.name, "number") for s in self.series)]
        rows: list[list[Value]] = [
            [period, *(s.values[i] for s in self.series)] for i, period in enumerate(self.periods)
        ]
        return Table(caption=f"{self.title}: the chart's figures", columns=columns, rows=rows)


@dataclass(frozen=True, slots=True)
class Facts:
    """Label: value pairs about one thing (a summary list)."""

    items: list[tuple[str, str]]


@dataclass(slots=True)
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Table | Chart | Facts] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    note: str = ""
    """An inset note the reader must not miss (e.g. what blocks a RAG)."""
    after: list[str] = field(default_factory=list)
    """Paragraphs below the blocks: how to read them."""


@dataclass(slots=True)
class Document:
    title: str
    subtitle: str
    trust: str
    sections: list[Section]
    footer: str = ""


def shown(value: Value, kind: Kind) -> str:
    """A cell as people read it (HTML, PDF); sheets keep the number and a format instead."""
    if kind == "money":
        return display.money(value if isinstance(value, (int, float)) else None)
    if kind == "number":
        return display.quantity(value if isinstance(value, (int, float)) else None)
    if kind == "percent":
        return display.percent(value if isinstance(value, (int, float)) else None)
    if kind == "rag":
        return rag_label(value)
    if kind == "count":
        return display.NO_FIGURE if value is None else f"{value:,}"
    return display.NO_FIGURE if value is None or value == "" else str(value)


BLOCKED = "blocked"
"""The RAG cell of a benefit whose rows have errors."""


def rag_label(value: Value) -> str:
    if value == BLOCKED:
        return display.BLOCKED_LABEL
    if isinstance(value, str) and value in {r.value for r in Rag}:
        return display.RAG_LABEL[Rag(value)]
    return display.NO_FIGURE
