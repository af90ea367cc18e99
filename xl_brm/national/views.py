"""What each view of the national page shows, worked out from the store's figures. Pure: the
routes (`routes/pages.py`) query, call these, and render or export the result.

Every view is a few `Table`s; the page shows them (figures in words, `xl_brm.display`) and the
CSV and XLSX exports write the same cells (`Table.export_rows`), so a view and its export cannot
disagree. Money is never added across benefit types or dis-benefits, quantities never across
measures or units (`rows` come grouped by both: `queries.SUMMARY_GROUP`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlencode

from xl_brm import display
from xl_brm.calc import GREEN_BOOK_RATES, round_half_up
from xl_brm.enums import BenefitType, Category, EvidenceGrade
from xl_brm.national.returns import ReturnWindow
from xl_brm.normalise import CellError, parse_enum_value
from xl_brm.periods import PeriodError, fy_label, parse_fy, parse_period

Kind = Literal["text", "money", "quantity", "count", "percent", "day", "moment", "status"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind = "text"

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "quantity", "count", "percent")


@dataclass(slots=True)
class Table:
    """A table of a view: shown on the page, written to its CSV and XLSX exports."""

    key: str
    caption: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)
    """Where each row's first cell leads (a drill-down), or None."""
    row_keys: list[str] = field(default_factory=list)
    """A stable name per row (the page's data-key), e.g. 'RJ1|cash_releasing|benefit'."""

    def export_rows(self) -> list[list[Any]]:
        """The cells as an export writes them: numbers as numbers (money to the penny), times in
        UTC without their zone (an XLSX date cell), text as shown."""
        out = []
        for row in self.rows:
            cells: list[Any] = []
            for column, value in zip(self.columns, row, strict=True):
                if column.kind == "money" and value is not None:
                    value = round_half_up(value, 2)
                elif column.kind == "moment" and isinstance(value, datetime):
                    value = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
                elif column.kind == "status":
                    value = STATUS_LABEL.get(value, value)
                cells.append(value)
            out.append(cells)
        return out


# -- words for codes ---------------------------------------------------------------------------

GRADE_LABEL = {g.value: g.value.capitalize() for g in EvidenceGrade}
UNIT_LABEL = {
    "count": "count",
    "hours": "hours",
    "minutes": "minutes",
    "days": "days",
    "gbp": "£",
    "percent": "%",
    "rate_per_1000": "rate per 1,000",
    "score": "score",
}
STATUS_LABEL = {
    "submitted": "Submitted",
    "submitted_late": "Submitted late",
    "not_submitted": "Not submitted yet",
    "overdue": "Not submitted: overdue",
}
STATUS_COLOUR = {"submitted": "green", "submitted_late": "orange", "not_submitted": "grey", "overdue": "red"}
MONEY_TYPES = (BenefitType.CASH_RELEASING.value, BenefitType.NON_CASH_RELEASING.value)


def type_label(code: str) -> str:
    return display.TYPE_LABEL[BenefitType(code)] if code in _TYPES else code


def category_label(code: str) -> str:
    return display.CATEGORY_LABEL[Category(code)] if code in _CATEGORIES else code


def grade_label(code: str | None) -> str:
    return display.NO_FIGURE if not code else GRADE_LABEL.get(code, code)


def unit_label(code: str | None) -> str:
    return display.NO_FIGURE if not code else UNIT_LABEL.get(code, code)


def period_label(text: str) -> str:
    """'Mar 2020' for a month, '2019/20 Q3' for a quarter, as people write them."""
    try:
        period = parse_period(text)
    except (PeriodError, ValueError):
        return text
    return str(period) if period.is_quarter else f"{period.start:%b %Y}"


def kind_label(benefit_type: str, is_disbenefit: bool) -> str:
    """'Cash-releasing', 'Non-cash-releasing dis-benefit', ..."""
    return type_label(benefit_type) + (" dis-benefit" if is_disbenefit else "")


_TYPES = {t.value for t in BenefitType}
_CATEGORIES = {c.value for c in Category}


def green_book_basis(base_fy: str | None) -> str:
    """What every present value on the page is, in one sentence."""
    bands, first = [], 1
    for last, rate in GREEN_BOOK_RATES[:3]:
        bands.append(f"{rate * 100:g}% a year for years {first} to {last}")
        first = last + 1
    rates = ", ".join(bands[:-1]) + " and " + bands[-1]
    if base_fy is None:
        return f"Present values use the HM Treasury Green Book discount rate ({rates})."
    return (
        f"Present values are discounted to {base_fy}, one base year for every trust, with the "
        f"HM Treasury Green Book discount rate ({rates}) after it."
    )


# -- filters and drill-down --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dimension:
    param: str
    """The query parameter (and `by` value): programme, trust, category, year."""
    field: str
    """Its column in the summary rows."""
    name: str
    """Its heading on the page."""

    def label(self, key: Any) -> str:
        if self.field == "category":
            return category_label(str(key))
        return str(key)


DIMENSIONS: dict[str, Dimension] = {
    d.param: d
    for d in (
        Dimension("programme", "programme", "Programme"),
        Dimension("trust", "trust_ods", "Trust"),
        Dimension("category", "category", "Category"),
        Dimension("year", "financial_year", "Financial year"),
    )
}
DRILL_ORDER = ("programme", "trust", "category", "year")


@dataclass(frozen=True, slots=True)
class Filters:
    """The drill-down: which programme, trust, category and financial year are shown."""

    programme: str | None = None
    trust: str | None = None
    category: str | None = None
    year: str | None = None

    def active(self) -> list[tuple[Dimension, str]]:
        return [(DIMENSIONS[p], v) for p in DRILL_ORDER if (v := getattr(self, p)) is not None]

    def matches(self, row: Mapping[str, Any]) -> bool:
        return all(row.get(d.field) == v for d, v in self.active())

    def params(self, **extra: str | None) -> dict[str, str]:
        values = {p: getattr(self, p) for p in DRILL_ORDER} | extra
        return {k: v for k, v in values.items() if v}

    def url(self, path: str, **extra: str | None) -> str:
        query = urlencode(self.params(**extra))
        return f"{path}?{query}" if query else path

    def without(self, param: str) -> Filters:
        return replace(self, **{param: None})

    def next_dimension(self, by: str) -> str:
        """Where a click on a row of a table grouped `by` leads: the first dimension not yet
        chosen (the financial year once all are)."""
        chosen = {by, *(d.param for d, _ in self.active())}
        return next((p for p in DRILL_ORDER if p not in chosen), "year")


MAX_FILTER_TEXT = 200
_ODS = re.compile(r"^[A-Z0-9]{3,5}$")


def read_filters(params: Mapping[str, str]) -> tuple[Filters, str, dict[str, str]]:
    """(filters, group-by dimension, errors by parameter) from a query string as typed or
    clicked. Categories and years are read in the spellings people use ('Safety & quality',
    'FY2019/20'); a value that cannot be read is an error beside its field, never a 500."""
    errors: dict[str, str] = {}
    found: dict[str, str | None] = {}
    programme = (params.get("programme") or "").strip()
    found["programme"] = programme[:MAX_FILTER_TEXT] or None
    trust = (params.get("trust") or "").strip().upper()
    if trust and not _ODS.match(trust):
        errors["trust"] = f"'{trust[:20]}' is not an ODS code: 3 to 5 letters or digits, like RJ1"
    found["trust"] = trust if trust and "trust" not in errors else None
    category = (params.get("category") or "").strip()
    found["category"] = None
    if category:
        try:
            value, _ = parse_enum_value(category[:MAX_FILTER_TEXT], Category)
            found["category"] = str(getattr(value, "value", value))
        except CellError:
            errors["category"] = "Choose a category from the list"
    year = (params.get("year") or "").strip()
    found["year"] = None
    if year:
        try:
            found["year"] = fy_label(parse_fy(year[:20]))
        except (PeriodError, ValueError):
            errors["year"] = f"'{year[:20]}' is not a financial year: write it like 2019/20"
    by = (params.get("by") or "").strip()
    if by and by not in DIMENSIONS:
        errors["by"] = "Choose programme, trust, category or financial year"
    filters = Filters(**found)
    if by not in DIMENSIONS:  # the first dimension not chosen yet
        chosen = {d.param for d, _ in filters.active()}
        by = next((p for p in DRILL_ORDER if p not in chosen), "year")
    return filters, by, errors


# -- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    values: list[float]
    style: str
    """A CSS class suffix: cash or noncash."""


@dataclass(frozen=True, slots=True)
class BarChart:
    key: str
    title: str
    x_label: str
    y_label: str
    categories: list[str]
    bars: list[Bar]
    table: Table
    """The chart's figures: its text alternative, shown beside it."""


@dataclass(slots=True)
class FiguresView:
    filters: Filters
    by: str
    base_fy: str | None
    basis: str
    headline: list[tuple[str, str, str, float | None]]
    """(key, label, figure in words, exact figure) for the summary list."""
    counts: Table
    money: Table
    quantities: Table
    chart: BarChart
    export: Table


def figures_view(
    rows: Sequence[Mapping[str, Any]],
    current_counts: Sequence[Mapping[str, Any]],
    year_counts: Sequence[Mapping[str, Any]],
    filters: Filters,
    by: str,
    base_fy: str | None,
) -> FiguresView:
    """The drill-down: benefits counted, money (nominal beside present value, by evidence grade)
    and quantities (per measure and unit) for `filters`, grouped `by` one dimension."""
    dim = DIMENSIONS[by]
    shown = [r for r in rows if filters.matches(r)]
    per_year = by == "year" or filters.year is not None
    counted = [c for c in (year_counts if per_year else current_counts) if filters.matches(c)]
    following = filters.next_dimension(by)

    def link(key: Any) -> str:
        return filters.url("/figures", **{by: str(key), "by": following})

    counts = _counts_table(counted, dim, link)
    money = _money_table(shown, dim, link)
    quantities = _quantity_table(shown, dim, link)
    return FiguresView(
        filters=filters,
        by=by,
        base_fy=base_fy,
        basis=green_book_basis(base_fy),
        headline=_headline(shown, counted),
        counts=counts,
        money=money,
        quantities=quantities,
        chart=_year_chart(shown),
        export=_figures_export(shown),
    )


def _sorted_keys(keys: Iterable[Any], dim: Dimension) -> list[Any]:
    return sorted(set(keys), key=lambda k: (dim.label(k).lower(), str(k)))


def _counts_table(counted: Sequence[Mapping[str, Any]], dim: Dimension, link: Any) -> Table:
    per_key: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in counted:
        slot = per_key[c[dim.field]]
        slot["all"] += c["benefits"]
        slot[c["benefit_type"]] += c["benefits"]
        if c["is_disbenefit"]:
            slot["dis"] += c["benefits"]
    columns = [
        Column(dim.name),
        Column("Benefits", "count"),
        *(Column(display.TYPE_LABEL[t], "count") for t in BenefitType),
        Column("Of which dis-benefits", "count"),
    ]
    table = Table("counts", f"Benefits by {dim.name.lower()}", columns)
    for key in _sorted_keys(per_key, dim):
        slot = per_key[key]
        table.rows.append([dim.label(key), slot["all"], *(slot[t.value] for t in BenefitType), slot["dis"]])
        table.links.append(link(key))
        table.row_keys.append(str(key))
    return table


def _money_table(shown: Sequence[Mapping[str, Any]], dim: Dimension, link: Any) -> Table:
    sums: dict[tuple[Any, str, bool], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in shown:
        if r["realised_value_gbp"] is None:
            continue
        slot = sums[(r[dim.field], r["benefit_type"], r["is_disbenefit"])]
        slot["value"] += r["realised_value_gbp"]
        slot["pv"] += r["pv_gbp"] or 0.0
        slot[r["evidence_grade"]] += r["realised_value_gbp"]
    columns = [
        Column(dim.name),
        Column("Benefit type"),
        Column("Realised value (£)", "money"),
        Column("Present value (£)", "money"),
        *(Column(f"{GRADE_LABEL[g.value]} (£)", "money") for g in EvidenceGrade),
    ]
    table = Table("money", f"Realised value by {dim.name.lower()}: nominal and present value", columns)
    order = {t: i for i, t in enumerate(MONEY_TYPES)}
    keys = _sorted_keys((k for k, _, _ in sums), dim)
    for key in keys:
        for k in sorted((k for k in sums if k[0] == key), key=lambda k: (k[2], order.get(k[1], 9))):
            _, btype, dis = k
            slot = sums[k]
            table.rows.append(
                [
                    dim.label(key),
                    kind_label(btype, dis),
                    slot["value"],
                    slot["pv"],
                    *(slot.get(g.value) for g in EvidenceGrade),
                ]
            )
            table.links.append(link(key))
            table.row_keys.append(f"{key}|{btype}|{'dis-benefit' if dis else 'benefit'}")
    return table


def _quantity_table(shown: Sequence[Mapping[str, Any]], dim: Dimension, link: Any) -> Table:
    sums: dict[tuple[Any, str, str, bool], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in shown:
        if not r["measure"] and not r["unit"]:
            continue
        slot = sums[(r[dim.field], r["measure"] or "", r["unit"] or "", r["is_disbenefit"])]
        slot["total"] += r["realised_quantity"]
        slot[r["evidence_grade"]] += r["realised_quantity"]
    columns = [
        Column(dim.name),
        Column("Measure"),
        Column("Unit"),
        Column("Realised quantity", "quantity"),
        *(Column(GRADE_LABEL[g.value], "quantity") for g in EvidenceGrade),
    ]
    table = Table(
        "quantities", f"Realised quantities by {dim.name.lower()}, within each measure and unit", columns
    )
    for key in _sorted_keys((k[0] for k in sums), dim):
        for k in sorted((k for k in sums if k[0] == key), key=lambda k: (k[1].lower(), k[2], k[3])):
            _, measure, unit, dis = k
            slot = sums[k]
            table.rows.append(
                [
                    dim.label(key),
                    measure + (" (dis-benefit)" if dis else ""),
                    unit_label(unit),
                    slot["total"],
                    *(slot.get(g.value) for g in EvidenceGrade),
                ]
            )
            table.links.append(link(key))
            table.row_keys.append(f"{key}|{measure}|{unit}|{'dis-benefit' if dis else 'benefit'}")
    return table


def _headline(
    shown: Sequence[Mapping[str, Any]], counted: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str, str, float | None]]:
    total = sum(c["benefits"] for c in counted)
    qualitative = sum(c["benefits"] for c in counted if c["benefit_type"] == BenefitType.QUALITATIVE.value)
    dis = sum(c["benefits"] for c in counted if c["is_disbenefit"])
    out: list[tuple[str, str, str, float | None]] = [
        ("benefits", "Benefits", f"{total:,} ({qualitative:,} qualitative, {dis:,} dis-benefits)", total)
    ]
    for dis_flag in (False, True):
        for btype in MONEY_TYPES:
            group = [
                r
                for r in shown
                if r["benefit_type"] == btype
                and r["is_disbenefit"] is dis_flag
                and r["realised_value_gbp"] is not None
            ]
            if dis_flag and not group:
                continue
            value = sum(r["realised_value_gbp"] for r in group)
            pv = sum(r["pv_gbp"] or 0.0 for r in group)
            name = kind_label(btype, dis_flag) + (" value" if dis_flag else " value realised")
            key = f"{btype}|{'dis-benefit' if dis_flag else 'benefit'}"
            out.append((key, name, display.money(value), value))
            out.append((key + "|pv", f"{name}: present value", display.money(pv), pv))
    return out


def _year_chart(shown: Sequence[Mapping[str, Any]]) -> BarChart:
    years = sorted({r["financial_year"] for r in shown if r["realised_value_gbp"] is not None})
    sums: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in shown:
        if r["realised_value_gbp"] is None or r["is_disbenefit"]:
            continue
        sums[(r["financial_year"], r["benefit_type"], "value")] += r["realised_value_gbp"]
        sums[(r["financial_year"], r["benefit_type"], "pv")] += r["pv_gbp"] or 0.0
    table = Table(
        "by-year",
        "Realised value of benefits by financial year (dis-benefits apart, in the table above)",
        [
            Column("Financial year"),
            *(
                Column(f"{display.TYPE_LABEL[BenefitType(t)]} {what} (£)", "money")
                for t in MONEY_TYPES
                for what in ("realised value", "present value")
            ),
        ],
    )
    for fy in years:
        table.rows.append([fy, *(sums.get((fy, t, w), 0.0) for t in MONEY_TYPES for w in ("value", "pv"))])
        table.row_keys.append(fy)
    return BarChart(
        key="chart-by-year",
        title="Realised value of benefits by financial year, £ (nominal)",
        x_label="Financial year",
        y_label="Realised value (£)",
        categories=years,
        bars=[
            Bar(display.TYPE_LABEL[BenefitType(t)], [sums.get((fy, t, "value"), 0.0) for fy in years], style)
            for t, style in zip(MONEY_TYPES, ("cash", "noncash"), strict=True)
        ],
        table=table,
    )


def _figures_export(shown: Sequence[Mapping[str, Any]]) -> Table:
    columns = [
        Column("Trust"),
        Column("Programme"),
        Column("Category"),
        Column("Benefit type"),
        Column("Dis-benefit"),
        Column("Financial year"),
        Column("Evidence grade"),
        Column("Measure"),
        Column("Unit"),
        Column("Benefits", "count"),
        Column("Realised quantity", "quantity"),
        Column("Realised value (£)", "money"),
        Column("Present value (£)", "money"),
    ]
    table = Table(
        "figures",
        "Realised figures, one row per trust, programme, category, type, year, "
        "evidence grade, measure and unit",
        columns,
    )
    for r in shown:
        table.rows.append(
            [
                r["trust_ods"],
                r["programme"],
                category_label(r["category"]),
                type_label(r["benefit_type"]),
                "Yes" if r["is_disbenefit"] else "No",
                r["financial_year"],
                grade_label(r["evidence_grade"]),
                r["measure"],
                unit_label(r["unit"]) if r["unit"] else None,
                r["benefits"],
                r["realised_quantity"],
                r["realised_value_gbp"],
                r["pv_gbp"],
            ]
        )
    return table


# -- returns -----------------------------------------------------------------------------------


@dataclass(slots=True)
class ReturnsView:
    window: ReturnWindow
    table: Table
    expected: int
    submitted: int
    late: int
    waiting: int
    """Expected trusts that have not submitted (overdue or not yet due)."""


def returns_view(trusts: Sequence[Mapping[str, Any]], window: ReturnWindow) -> ReturnsView:
    """Who has submitted in the window, who has not, who is late (`queries.returns`)."""
    table = Table(
        "returns",
        "Returns by trust",
        [
            Column("Trust"),
            Column("Return expected"),
            Column("Status", "status"),
            Column("First submission in this window", "moment"),
            Column("Latest submission", "moment"),
            Column("Submissions in this window", "count"),
        ],
    )
    for t in trusts:
        table.rows.append(
            [
                t["trust_ods"],
                "Yes" if t["expected"] else "No",
                t["status"],
                t["first_submission_at"],
                t["last_submission_at"],
                t["submissions_since"],
            ]
        )
        table.row_keys.append(t["trust_ods"])
    expected = [t for t in trusts if t["expected"]]
    return ReturnsView(
        window=window,
        table=table,
        expected=len(expected),
        submitted=sum(1 for t in expected if t["submitted"]),
        late=sum(1 for t in trusts if t["late"]),
        waiting=sum(1 for t in expected if not t["submitted"]),
    )


# -- qualitative benefits ----------------------------------------------------------------------


@dataclass(slots=True)
class QualitativeView:
    filters: Filters
    counts: Table
    listing: Table


def qualitative_view(benefits: Sequence[Mapping[str, Any]], filters: Filters) -> QualitativeView:
    """Qualitative benefits counted by category (with and without evidence) and listed with
    their evidence: the narrative and each dated entry with its grade (`queries.qualitative`)."""
    per_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    listing = Table(
        "qualitative",
        "Qualitative benefits and their evidence",
        [
            Column("Benefit"),
            Column("Trust"),
            Column("Programme"),
            Column("Project"),
            Column("Category"),
            Column("Evidence"),
            Column("Evidence entries"),
        ],
    )
    for b in benefits:
        slot = per_category[b["category"]]
        slot["all"] += 1
        slot["text"] += bool(b["evidence"])
        slot["entries"] += bool(b["entries"])
        entries = "; ".join(
            f"{period_label(period)} ({grade_label(grade).lower()}): {text}"
            for period, text, grade in b["entries"]
        )
        listing.rows.append(
            [
                b["title"] + (" (dis-benefit)" if b["is_disbenefit"] else ""),
                b["trust_ods"],
                b["programme"],
                b["project"],
                category_label(b["category"]),
                b["evidence"] or None,
                entries or None,
            ]
        )
        listing.row_keys.append(f"{b['trust_ods']}|{b['benefit_id']}")
    counts = Table(
        "qualitative-counts",
        "Qualitative benefits by category",
        [
            Column("Category"),
            Column("Qualitative benefits", "count"),
            Column("With evidence text", "count"),
            Column("With dated evidence entries", "count"),
        ],
    )
    for category in sorted(per_category, key=category_label):
        slot = per_category[category]
        counts.rows.append([category_label(category), slot["all"], slot["text"], slot["entries"]])
        counts.row_keys.append(category)
    return QualitativeView(filters=filters, counts=counts, listing=listing)


# -- the benefits library ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LibraryQuery:
    words: tuple[str, ...] = ()
    category: str | None = None
    project: str | None = None
    trust: str | None = None
    page: int = 1

    def url(self, path: str = "/library", **changes: Any) -> str:
        q = replace(self, **changes)
        values = {
            "q": " ".join(q.words),
            "category": q.category,
            "project": q.project,
            "trust": q.trust,
            "page": str(q.page) if q.page > 1 else None,
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return f"{path}?{query}" if query else path


MAX_WORDS = 10


def read_library_query(params: Mapping[str, str]) -> tuple[LibraryQuery, dict[str, str]]:
    """What the library is asked for: words in the title (all of them, any case), a category,
    part of a project's name, a trust. Errors by parameter, never a 500."""
    chosen = {"category": params.get("category", ""), "trust": params.get("trust", "")}
    filters, _, errors = read_filters(chosen)
    words = tuple(w for w in re.split(r"\s+", (params.get("q") or "").strip()[:MAX_FILTER_TEXT]) if w)
    if len(words) > MAX_WORDS:
        errors["q"] = f"Search for at most {MAX_WORDS} words"
        words = words[:MAX_WORDS]
    project = (params.get("project") or "").strip()[:MAX_FILTER_TEXT] or None
    page_text = (params.get("page") or "1").strip()
    page = int(page_text) if page_text.isdigit() and 0 < len(page_text) < 7 else 1
    query = LibraryQuery(words, filters.category, project, filters.trust, max(page, 1))
    return query, errors


@dataclass(slots=True)
class LibraryView:
    query: LibraryQuery
    total: int
    table: Table
    first: int
    last: int
    previous: str | None
    next: str | None


def library_table(found: Sequence[Mapping[str, Any]]) -> Table:
    """Approved benefits across trusts with baseline, target, realised figures and evidence
    grade: each row's figures are `xl_brm.calc`'s for that benefit as of its latest measurement."""
    table = Table(
        "library",
        "Approved benefits found",
        [
            Column("Benefit"),
            Column("Trust"),
            Column("Project"),
            Column("Category"),
            Column("Benefit type"),
            Column("Measure"),
            Column("Unit"),
            Column("Baseline", "quantity"),
            Column("Target", "quantity"),
            Column("Target date", "day"),
            Column("Latest", "quantity"),
            Column("Realised quantity", "quantity"),
            Column("Realised value (£)", "money"),
            Column("% of target", "percent"),
            Column("Evidence grade"),
        ],
    )
    for item in found:
        b, f = item["benefit"], item["figures"]
        table.rows.append(
            [
                b["title"] + (" (dis-benefit)" if b.get("is_disbenefit") else ""),
                b["trust_ods"],
                b["project"],
                category_label(b["category"]),
                type_label(b["benefit_type"]),
                b.get("measure"),
                unit_label(b.get("unit")) if b.get("unit") else None,
                f.get("baseline"),
                b.get("target_value"),
                b.get("target_date"),
                f.get("latest"),
                f.get("realised_quantity"),
                f.get("realised_value_gbp"),
                f.get("percent_of_target"),
                grades_text(item["grades"]),
            ]
        )
        table.row_keys.append(f"{b['trust_ods']}|{b['benefit_id']}")
    return table


def grades_text(grades: Mapping[str, int]) -> str | None:
    """'Measured', or '4 measured, 2 estimated': how much of a figure rests on what."""
    present = [(g.value, grades[g.value]) for g in EvidenceGrade if grades.get(g.value)]
    if not present:
        return None
    if len(present) == 1:
        return GRADE_LABEL[present[0][0]]
    return ", ".join(f"{n} {grade}" for grade, n in present)
