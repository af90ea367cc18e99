"""What the store reads back: a trust's current benefits, the national summary, returns, exports.

Money comes from `fy_values`, written at ingest by `xl_brm.calc`; here it is only summed, and
cash-releasing and non-cash-releasing figures are never added together.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from xl_brm.fields import BENEFIT_FIELDS
from xl_brm.national import tables
from xl_brm.periods import fy_label, parse_fy

SUMMARY_DIMENSIONS = ("trust_ods", "programme", "category", "benefit_type", "financial_year")


def trust_benefits(conn: Connection, trust: str, *, with_measurements: bool = True) -> list[dict[str, Any]]:
    """Current version of each of a trust's benefits, in benefit_id order."""
    cb, bv, m = tables.current_benefits, tables.benefit_versions, tables.measurements
    rows = conn.execute(
        select(
            cb.c.benefit_id,
            cb.c.version,
            cb.c.content_hash,
            cb.c.version_id,
            bv.c.submission_id,
            bv.c.received_at,
            bv.c.benefit,
        )
        .join(bv, bv.c.id == cb.c.version_id)
        .where(cb.c.trust_ods == trust)
        .order_by(cb.c.benefit_id)
    ).all()
    by_version: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if with_measurements and rows:
        ms = conn.execute(
            select(
                m.c.version_id,
                m.c.period,
                m.c.value_num,
                m.c.value_text,
                m.c.source,
                m.c.evidence_grade,
                m.c.note,
            )
            .join(cb, cb.c.version_id == m.c.version_id)
            .where(cb.c.trust_ods == trust)
            .order_by(m.c.version_id, m.c.row)
        )
        for r in ms:
            by_version[r.version_id].append(_measurement(r))
    return [
        {
            "benefit_id": r.benefit_id,
            "version": r.version,
            "content_hash": r.content_hash,
            "submission_id": r.submission_id,
            "received_at": _aware(r.received_at),
            "benefit": json.loads(r.benefit),
            "measurements": by_version.get(r.version_id, []),
        }
        for r in rows
    ]


def _measurement(r: Any) -> dict[str, Any]:
    """A stored measurement row as the API shows it (`MeasurementOut`)."""
    return {
        "period": r.period,
        "value": r.value_num if r.value_num is not None else r.value_text,
        "source": r.source,
        "evidence_grade": r.evidence_grade,
        "note": r.note,
    }


def versions(conn: Connection, trust: str, benefit_id: str) -> list[dict[str, Any]]:
    """Every stored version of one benefit, oldest first (versions are never overwritten)."""
    bv = tables.benefit_versions
    rows = conn.execute(
        select(bv.c.version, bv.c.content_hash, bv.c.submission_id, bv.c.received_at, bv.c.benefit)
        .where(bv.c.trust_ods == trust, bv.c.benefit_id == benefit_id)
        .order_by(bv.c.version)
    )
    return [
        {
            "version": r.version,
            "content_hash": r.content_hash,
            "submission_id": r.submission_id,
            "received_at": _aware(r.received_at),
            "benefit": json.loads(r.benefit),
        }
        for r in rows
    ]


def held(conn: Connection, trust: str, hashes: dict[str, str]) -> dict[str, int]:
    """benefit_id -> current version, for each of `hashes` whose current content hash it is."""
    cb = tables.current_benefits
    rows = conn.execute(
        select(cb.c.benefit_id, cb.c.version, cb.c.content_hash).where(cb.c.trust_ods == trust)
    )
    return {r.benefit_id: r.version for r in rows if hashes.get(r.benefit_id) == r.content_hash}


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything the store writes is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


SUMMARY_GROUP = (
    "trust_ods",
    "programme",
    "category",
    "benefit_type",
    "financial_year",
    "evidence_grade",
    "is_disbenefit",
    "measure",
    "unit",
)
"""What one summary row is the total of: quantities are only ever summed within one measure and
unit, money never across benefit types, evidence grades or dis-benefits."""


def summary_rows(conn: Connection) -> list[dict[str, Any]]:
    """Current versions' realised figures per `SUMMARY_GROUP` (one GROUP BY, no join:
    `fy_values` only holds current versions). Present value is not here: see `with_pv`."""
    f = tables.fy_values
    group = [f.c[name] for name in SUMMARY_GROUP]
    rows = conn.execute(
        select(
            *group,
            func.count().label("benefits"),
            func.sum(f.c.realised_quantity).label("q"),
            func.sum(f.c.realised_value_gbp).label("v"),
        )
        .group_by(*group)
        .order_by(*group)
    ).all()
    return [
        {
            **{name: getattr(r, name) for name in SUMMARY_GROUP},
            "is_disbenefit": bool(r.is_disbenefit),
            "benefits": r.benefits,
            "realised_quantity": float(r.q or 0.0),
            "realised_value_gbp": None if r.v is None else float(r.v),
        }
        for r in rows
    ]


def base_fy(rows: list[dict[str, Any]], configured: int | None) -> int | None:
    """The one base financial year of every present value: the store's setting, else the
    earliest financial year with a realised figure (None while there is none)."""
    if configured is not None:
        return configured
    years = [parse_fy(r["financial_year"]) for r in rows]
    return min(years) if years else None


def earliest_fy(conn: Connection) -> int | None:
    """The earliest financial year with a realised figure: the default base of present values."""
    first = conn.execute(select(func.min(tables.fy_values.c.financial_year))).scalar_one()
    return None if first is None else parse_fy(first)


def with_pv(rows: list[dict[str, Any]], base: int | None) -> list[dict[str, Any]]:
    """Each row with `pv_gbp`: its realised value discounted to `base` (HM Treasury Green Book,
    `xl_brm.calc.discount_factor`), None where the row holds no money."""
    from xl_brm.calc import discount_factor

    out = []
    for r in rows:
        value = r["realised_value_gbp"]
        pv = None
        if value is not None and base is not None:
            pv = value * discount_factor(parse_fy(r["financial_year"]) - base)
        out.append({**r, "pv_gbp": pv})
    return out


def summary(conn: Connection, *, configured_base_fy: int | None = None) -> dict[str, Any]:
    """National totals: the rows, then money and quantities rolled up along each dimension.

    Money totals keep benefit type, evidence grade and dis-benefits apart; quantity totals
    also keep each measure and unit apart, so no total ever adds letters to errors."""
    rows = summary_rows(conn)
    base = base_fy(rows, configured_base_fy)
    fine = with_pv(rows, base)
    money: dict[tuple[Any, ...], list[float]] = {}
    quantities: dict[tuple[Any, ...], float] = {}
    for dim in SUMMARY_DIMENSIONS:
        for r in fine:
            if r["realised_value_gbp"] is not None:
                k = (dim, r[dim], r["benefit_type"], r["evidence_grade"], r["is_disbenefit"])
                slot = money.setdefault(k, [0.0, 0.0])
                slot[0] += r["realised_value_gbp"]
                slot[1] += r["pv_gbp"] or 0.0
            q = (dim, r[dim], r["measure"] or "", r["unit"] or "", r["evidence_grade"], r["is_disbenefit"])
            quantities[q] = quantities.get(q, 0.0) + r["realised_quantity"]
    order = {dim: i for i, dim in enumerate(SUMMARY_DIMENSIONS)}

    def by_dimension(item: tuple[tuple[Any, ...], Any]) -> tuple[Any, ...]:
        return (order[item[0][0]], *map(str, item[0][1:]))

    totals = [
        {
            "dimension": dim,
            "key": key,
            "benefit_type": btype,
            "evidence_grade": grade,
            "is_disbenefit": dis,
            "realised_value_gbp": value,
            "pv_gbp": pv,
        }
        for (dim, key, btype, grade, dis), (value, pv) in sorted(money.items(), key=by_dimension)
    ]
    quantity_totals = [
        {
            "dimension": dim,
            "key": key,
            "measure": measure,
            "unit": unit,
            "evidence_grade": grade,
            "is_disbenefit": dis,
            "realised_quantity": q,
        }
        for (dim, key, measure, unit, grade, dis), q in sorted(quantities.items(), key=by_dimension)
    ]
    cb = tables.current_benefits
    counts = conn.execute(
        select(cb.c.trust_ods, cb.c.benefit_type, func.count().label("n"))
        .group_by(cb.c.trust_ods, cb.c.benefit_type)
        .order_by(cb.c.trust_ods, cb.c.benefit_type)
    ).all()
    return {
        "base_fy": None if base is None else fy_label(base),
        "rows": fine,
        "totals": totals,
        "quantity_totals": quantity_totals,
        "benefit_counts": [
            {"trust_ods": c.trust_ods, "benefit_type": c.benefit_type, "benefits": c.n} for c in counts
        ],
    }


def expected_trusts(conn: Connection, listed: Iterable[str]) -> set[str]:
    """Trusts a return is expected from: those listed in the settings, and every trust holding
    a token that has not been revoked (an expired one still counts: the trust needs a new one)."""
    t = tables.tokens
    holders = conn.execute(
        select(t.c.trust_ods).where(t.c.trust_ods.is_not(None), t.c.revoked_at.is_(None)).distinct()
    )
    return {r[0] for r in holders} | set(listed)


def returns(
    conn: Connection,
    since: datetime,
    *,
    due: datetime | None = None,
    listed: Iterable[str] = (),
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every expected trust, and any other that submitted since `since`: whether and when it
    submitted, and, given `due` (the moment a return is late after), whether it is late."""
    s = tables.submissions
    expected = expected_trusts(conn, listed)
    seen = {
        r.trust_ods: r
        for r in conn.execute(
            select(
                s.c.trust_ods,
                func.max(s.c.received_at).label("last"),
                func.min(s.c.received_at).filter(s.c.received_at >= since).label("first_since"),
                func.count().filter(s.c.received_at >= since).label("n_since"),
            ).group_by(s.c.trust_ods)
        )
    }
    now = now or datetime.now(UTC)
    out = []
    for ods in sorted(expected | {t for t, r in seen.items() if r.n_since}):
        r = seen.get(ods)
        first = None if r is None or r.first_since is None else _aware(r.first_since)
        n = 0 if r is None else int(r.n_since or 0)
        if n:
            late = due is not None and first is not None and first >= due
            status = "submitted_late" if late else "submitted"
        else:
            status = "overdue" if due is not None and now >= due else "not_submitted"
        out.append(
            {
                "trust_ods": ods,
                "expected": ods in expected,
                "submitted": bool(n),
                "status": status,
                "late": status in ("submitted_late", "overdue"),
                "first_submission_at": first,
                "last_submission_at": None if r is None else _aware(r.last),
                "submissions_since": n,
            }
        )
    return out


EXPORT_COLUMNS = (
    "trust_ods",
    "benefit_id",
    "version",
    "content_hash",
    "received_at",
    *[f.name for f in BENEFIT_FIELDS if f.name not in ("trust_ods", "benefit_id")],
    "realised_quantity",
    "realised_value_gbp",
)


def export_rows(conn: Connection) -> Iterator[list[Any]]:
    """One row per current benefit (all trusts), with its realised totals from `fy_values`."""
    cb, bv, f = tables.current_benefits, tables.benefit_versions, tables.fy_values
    sums = {
        r.version_id: (r.q, r.v)
        for r in conn.execute(
            select(
                f.c.version_id,
                func.sum(f.c.realised_quantity).label("q"),
                func.sum(f.c.realised_value_gbp).label("v"),
            )
            .join(cb, cb.c.version_id == f.c.version_id)
            .group_by(f.c.version_id)
        )
    }
    rows = conn.execute(
        select(
            cb.c.trust_ods,
            cb.c.benefit_id,
            cb.c.version,
            cb.c.content_hash,
            cb.c.version_id,
            bv.c.received_at,
            bv.c.benefit,
        )
        .join(bv, bv.c.id == cb.c.version_id)
        .order_by(cb.c.trust_ods, cb.c.benefit_id)
    )
    for r in rows:
        benefit = json.loads(r.benefit)
        q, v = sums.get(r.version_id, (None, None))
        extra = {
            "version": r.version,
            "content_hash": r.content_hash,
            "received_at": _aware(r.received_at).isoformat(),
            "realised_quantity": q,
            "realised_value_gbp": v,
        }
        yield [extra[c] if c in extra else benefit.get(c) for c in EXPORT_COLUMNS]


# -- the national page -------------------------------------------------------------------------

COUNT_GROUP = ("trust_ods", "programme", "category", "benefit_type", "is_disbenefit")


def benefit_counts(conn: Connection) -> list[dict[str, Any]]:
    """Current benefits (every type, measured yet or not) per `COUNT_GROUP`."""
    cb, bv = tables.current_benefits, tables.benefit_versions
    group = [bv.c[name] for name in COUNT_GROUP]
    rows = conn.execute(
        select(*group, func.count().label("n"))
        .select_from(cb)
        .join(bv, bv.c.id == cb.c.version_id)
        .group_by(*group)
    )
    return [{**{k: getattr(r, k) for k in COUNT_GROUP}, "is_disbenefit": bool(r.is_disbenefit),
             "benefits": r.n} for r in rows]


def year_benefit_counts(conn: Connection) -> list[dict[str, Any]]:
    """Benefits with a realised figure in each financial year, per `COUNT_GROUP` (a benefit
    counts once in a year whatever the evidence grades of its figures)."""
    f = tables.fy_values
    group = [f.c.financial_year, *(f.c[name] for name in COUNT_GROUP)]
    rows = conn.execute(select(*group, func.count(f.c.version_id.distinct()).label("n")).group_by(*group))
    return [
        {"financial_year": r.financial_year, **{k: getattr(r, k) for k in COUNT_GROUP},
         "is_disbenefit": bool(r.is_disbenefit), "benefits": r.n}
        for r in rows
    ]


def _current_versions(*where: Any) -> Any:
    cb, bv = tables.current_benefits, tables.benefit_versions
    return (
        select(cb.c.trust_ods, cb.c.benefit_id, cb.c.version_id, bv.c.benefit)
        .join(bv, bv.c.id == cb.c.version_id)
        .where(*where)
    )


def qualitative(
    conn: Connection, *, programme: str | None = None, trust: str | None = None, category: str | None = None
) -> list[dict[str, Any]]:
    """Current qualitative benefits (those filters that are given), with their evidence text and
    each measurement's dated evidence and grade, by trust and title."""
    bv, m = tables.benefit_versions, tables.measurements
    where = [bv.c.benefit_type == "qualitative"]
    for column, value in ((bv.c.programme, programme), (bv.c.trust_ods, trust), (bv.c.category, category)):
        if value is not None:
            where.append(column == value)
    rows = conn.execute(_current_versions(*where).order_by(bv.c.trust_ods, bv.c.title, bv.c.benefit_id)).all()
    entries: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    ids = [r.version_id for r in rows]
    for start in range(0, len(ids), 500):
        for e in conn.execute(
            select(m.c.version_id, m.c.period, m.c.value_text, m.c.value_num, m.c.evidence_grade)
            .where(m.c.version_id.in_(ids[start : start + 500]))
            .order_by(m.c.version_id, m.c.period, m.c.row)
        ):
            text = e.value_text if e.value_text is not None else _plain_number(e.value_num)
            if text:
                entries[e.version_id].append((e.period, text, e.evidence_grade))
    out = []
    for r in rows:
        b = json.loads(r.benefit)
        out.append(
            {
                "trust_ods": r.trust_ods,
                "benefit_id": r.benefit_id,
                "programme": b.get("programme"),
                "project": b.get("project"),
                "title": b.get("title") or r.benefit_id,
                "category": b.get("category"),
                "is_disbenefit": bool(b.get("is_disbenefit")),
                "evidence": b.get("evidence"),
                "entries": entries.get(r.version_id, []),
            }
        )
    return out


def _plain_number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def library(
    conn: Connection,
    *,
    words: Sequence[str] = (),
    category: str | None = None,
    project: str | None = None,
    trust: str | None = None,
    limit: int = 25,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many current benefits match, one page of them with their measurements): every
    word in the title (any case), the category, part of the project's name, the trust."""
    bv, m = tables.benefit_versions, tables.measurements
    where = [bv.c.title.icontains(word, autoescape=True) for word in words]
    if category is not None:
        where.append(bv.c.category == category)
    if trust is not None:
        where.append(bv.c.trust_ods == trust)
    if project:
        where.append(bv.c.project.icontains(project, autoescape=True))
    query = _current_versions(*where)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(func.lower(bv.c.title), bv.c.trust_ods, bv.c.benefit_id).limit(limit).offset(offset)
    ).all()
    measured: dict[int, list[dict[str, Any]]] = defaultdict(list)
    ids = [r.version_id for r in rows]
    if ids:
        for e in conn.execute(
            select(m.c.version_id, m.c.period, m.c.value_num, m.c.value_text, m.c.source,
                   m.c.evidence_grade, m.c.note)
            .where(m.c.version_id.in_(ids))
            .order_by(m.c.version_id, m.c.row)
        ):
            measured[e.version_id].append(_measurement(e))
    found = [
        {"benefit": json.loads(r.benefit), "measurements": measured.get(r.version_id, [])} for r in rows
    ]
    return total, found
