"""What the store reads back: a trust's current benefits, the national summary, returns, exports.

Money comes from `fy_values`, written at ingest by `xl_brm.calc`; here it is only summed, and
cash-releasing and non-cash-releasing figures are never added together.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from xl_brm.fields import BENEFIT_FIELDS
from xl_brm.national import tables

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
            by_version[r.version_id].append(
                {
                    "period": r.period,
                    "value": r.value_num if r.value_num is not None else r.value_text,
                    "source": r.source,
                    "evidence_grade": r.evidence_grade,
                    "note": r.note,
                }
            )
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
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def summary(conn: Connection) -> dict[str, Any]:
    """National totals over current versions (one GROUP BY), then rolled up per dimension.

    `fy_values` only holds current versions, so no join is needed."""
    f, cb = tables.fy_values, tables.current_benefits
    group = (
        f.c.trust_ods,
        f.c.programme,
        f.c.category,
        f.c.benefit_type,
        f.c.financial_year,
        f.c.evidence_grade,
        f.c.is_disbenefit,
    )
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
    fine = [
        {
            "trust_ods": r.trust_ods,
            "programme": r.programme,
            "category": r.category,
            "benefit_type": r.benefit_type,
            "financial_year": r.financial_year,
            "evidence_grade": r.evidence_grade,
            "is_disbenefit": bool(r.is_disbenefit),
            "benefits": r.benefits,
            "realised_quantity": float(r.q or 0.0),
            "realised_value_gbp": None if r.v is None else float(r.v),
        }
        for r in rows
    ]
    totals: list[dict[str, Any]] = []
    for dim in SUMMARY_DIMENSIONS:
        acc: dict[tuple[Any, ...], list[float | None]] = {}
        for r in fine:
            k = (r[dim], r["benefit_type"], r["evidence_grade"], r["is_disbenefit"])
            slot = acc.setdefault(k, [0.0, None])
            slot[0] = (slot[0] or 0.0) + r["realised_quantity"]
            if r["realised_value_gbp"] is not None:
                slot[1] = (slot[1] or 0.0) + r["realised_value_gbp"]
        for (key, btype, grade, dis), (q, v) in sorted(acc.items(), key=lambda kv: tuple(map(str, kv[0]))):
            totals.append(
                {
                    "dimension": dim,
                    "key": key,
                    "benefit_type": btype,
                    "evidence_grade": grade,
                    "is_disbenefit": dis,
                    "realised_quantity": q or 0.0,
                    "realised_value_gbp": v,
                }
            )
    counts = conn.execute(
        select(cb.c.trust_ods, cb.c.benefit_type, func.count().label("n"))
        .group_by(cb.c.trust_ods, cb.c.benefit_type)
        .order_by(cb.c.trust_ods, cb.c.benefit_type)
    ).all()
    return {
        "rows": fine,
        "totals": totals,
        "benefit_counts": [
            {"trust_ods": c.trust_ods, "benefit_type": c.benefit_type, "benefits": c.n} for c in counts
        ],
    }


def returns(conn: Connection, since: datetime) -> list[dict[str, Any]]:
    """Every known trust (one with a token or a submission) and whether it submitted since."""
    s, t = tables.submissions, tables.tokens
    known = {r[0] for r in conn.execute(select(t.c.trust_ods).where(t.c.trust_ods.is_not(None)).distinct())}
    last = {
        r.trust_ods: (r.last, r.n_since)
        for r in conn.execute(
            select(
                s.c.trust_ods,
                func.max(s.c.received_at).label("last"),
                func.count().filter(s.c.received_at >= since).label("n_since"),
            ).group_by(s.c.trust_ods)
        )
    }
    out = []
    for ods in sorted(known | set(last)):
        at, n = last.get(ods, (None, 0))
        out.append(
            {
                "trust_ods": ods,
                "submitted": bool(n),
                "last_submission_at": None if at is None else _aware(at),
                "submissions_since": int(n or 0),
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
