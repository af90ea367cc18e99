"""Submission bodies for tests: a valid approved benefit and its measurements, by hand.

Worked numbers for `benefit()`: baseline 120, direction decrease, actuals 110, 100, 95, 90, 85,
80 for Oct 2019 - Mar 2020 (all counted from realisation_start 01/10/2019):
improvement 10+20+25+30+35+40 = 160; realised quantity 160 x 80% = 128;
realised value 128 x £35 = £4,480, all in 2019/20, all measured.
"""

from __future__ import annotations

from typing import Any

from xl_brm.rules import RULES_VERSION
from xl_brm.table import column_letter

BENEFIT_COLUMNS = [
    "benefit_id",
    "trust_ods",
    "programme",
    "project",
    "title",
    "benefit_type",
    "category",
    "measure",
    "unit",
    "direction",
    "baseline_value",
    "target_value",
    "target_date",
    "realisation_start",
    "unit_value_gbp",
    "attribution_pct",
    "benefit_owner",
    "approval_status",
    "approved_by",
    "approved_on",
    "evidence",
    "is_disbenefit",
]
MEASUREMENT_COLUMNS = ["benefit_id", "period", "value", "source", "evidence_grade", "note"]
ACTUALS = [
    ("2019-10", 110),
    ("2019-11", 100),
    ("2019-12", 95),
    ("2020-01", 90),
    ("2020-02", 85),
    ("2020-03", 80),
]
HEADER_ROW = 1


def fields(benefit_id: str = "EPMA-01", trust: str = "RJ1", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "benefit_id": benefit_id,
        "trust_ods": trust,
        "programme": "GDE",
        "project": "EPMA",
        "title": "Fewer medication administration errors",
        "benefit_type": "cash_releasing",
        "category": "safety_quality",
        "measure": "medication administration errors",
        "unit": "count",
        "direction": "decrease",
        "baseline_value": 120.0,
        "target_value": 60.0,
        "target_date": "2021-03-31",
        "realisation_start": "2019-10-01",
        "unit_value_gbp": 35.0,
        "attribution_pct": 80.0,
        "benefit_owner": "Chief Pharmacist",
        "approval_status": "approved",
        "approved_by": "Director of Finance",
        "approved_on": "2020-01-15",
        "evidence": None,
        "is_disbenefit": False,
    }
    base.update(changes)
    return base


def benefit(
    row: int,
    first_measurement_row: int,
    benefit_id: str = "EPMA-01",
    trust: str = "RJ1",
    actuals: list[tuple[str, Any]] | None = None,
    grade: str = "measured",
    **changes: Any,
) -> dict[str, Any]:
    return {
        "row": row,
        "fields": fields(benefit_id, trust, **changes),
        "measurements": [
            {
                "row": first_measurement_row + i,
                "period": p,
                "value": v,
                "source": "Datix",
                "evidence_grade": grade,
                "note": None,
            }
            for i, (p, v) in enumerate(ACTUALS if actuals is None else actuals)
        ],
    }


def body(benefits: list[dict[str, Any]], trust: str = "RJ1", **changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "trust_ods": trust,
        "rules_version": RULES_VERSION,
        "client": {"name": "xl-brm", "version": "0.1.0"},
        "source": {
            "path": "register.xlsx",
            "benefits": {
                "sheet": "Benefits",
                "header_row": HEADER_ROW,
                "columns": {f: column_letter(i) for i, f in enumerate(BENEFIT_COLUMNS)},
            },
            "measurements": {
                "sheet": "Measurements",
                "header_row": HEADER_ROW,
                "columns": {f: column_letter(i) for i, f in enumerate(MEASUREMENT_COLUMNS)},
            },
        },
        "benefits": benefits,
    }
    out.update(changes)
    return out


def register(n: int, trust: str = "RJ1", per_benefit: int = 6, prefix: str = "B") -> dict[str, Any]:
    """`n` valid benefits with `per_benefit` monthly measurements each, rows laid out as a sheet."""
    months = [f"{2019 + (9 + i) // 12}-{(9 + i) % 12 + 1:02d}" for i in range(per_benefit)]
    benefits = []
    mrow = HEADER_ROW + 1
    for i in range(n):
        actuals = [(p, 110.0 - j) for j, p in enumerate(months)]
        benefits.append(benefit(HEADER_ROW + 1 + i, mrow, f"{prefix}{i:05d}", trust, actuals=actuals))
        mrow += per_benefit
    return body(benefits, trust)
