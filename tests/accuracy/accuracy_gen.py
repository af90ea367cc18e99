"""Seeded generator of realistic trust benefit registers in house styles xl-brm was not tuned on.

A register is built as canonical values first (`Register`: dates, floats, canonical enum names,
periods), so that the injector can break it at known places; the package's one writer
(`xl_brm.examples.writer.write_register`, shared with the example registers) then renders it in
a house style (`xl_brm.examples.style.Style`) and returns where every row and column landed, so
an expected finding can be given as an A1 cell.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from xl_brm.examples.style import BENEFITS, MEASUREMENTS, Formula, Month, Quarter, Raw, Register, Row, Style
from xl_brm.examples.writer import Layout, write_register

__all__ = [
    "BENEFITS",
    "MEASUREMENTS",
    "Formula",
    "Layout",
    "Month",
    "Quarter",
    "Raw",
    "Register",
    "Row",
    "Style",
    "make_register",
    "write_register",
]

@dataclass(frozen=True, slots=True)
class Idea:
    project: str
    title: str
    benefit_type: str
    category: str
    beneficiary: str
    measure: str | None = None
    unit: str | None = None
    direction: str | None = None
    baseline: float = 0.0
    factor: float = 1.0
    unit_value: float | None = None
    disbenefit: bool = False
    planned: bool = True


IDEAS: tuple[Idea, ...] = (
    Idea(
        "EPMA",
        "Reduction in medication administration errors",
        "quantitative_non_financial",
        "safety_quality",
        "patients",
        "medication administration errors reported on Datix",
        "count",
        "decrease",
        124,
        0.55,
    ),
    Idea(
        "EPMA",
        "Pharmacist time released from drug chart rewriting",
        "non_cash_releasing",
        "resource_sustainability",
        "staff",
        "pharmacist hours spent rewriting charts per month",
        "hours",
        "decrease",
        410,
        0.6,
        38.5,
    ),
    Idea(
        "E-Rostering",
        "Reduced agency nurse spend",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "agency nursing shifts booked per month",
        "count",
        "decrease",
        310,
        0.8,
        285.0,
    ),
    Idea(
        "Patient Portal",
        "Fewer outpatient DNAs",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "outpatient DNAs per month",
        "count",
        "decrease",
        930,
        0.85,
        120.0,
    ),
    Idea(
        "Digital Dictation",
        "Faster clinic letter turnaround",
        "quantitative_non_financial",
        "patient_experience",
        "patients",
        "median days from clinic to letter sent",
        "days",
        "decrease",
        14,
        0.45,
    ),
    Idea(
        "Paper-light Outpatients",
        "Reduced case note pulls and storage",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "case notes pulled per month",
        "count",
        "decrease",
        11800,
        0.6,
        3.4,
    ),
    Idea(
        "Sepsis Alerting",
        "Increase in sepsis screening compliance",
        "quantitative_non_financial",
        "clinical_outcomes",
        "patients",
        "% of eligible patients screened for sepsis",
        "percent",
        "increase",
        62,
        1.35,
    ),
    Idea(
        "Theatres Scheduling",
        "Improved theatre utilisation",
        "non_cash_releasing",
        "resource_sustainability",
        "trust",
        "theatre session utilisation %",
        "percent",
        "increase",
        76,
        1.1,
        1450.0,
    ),
    Idea(
        "VTE Assessment",
        "VTE risk assessment within 14 hours",
        "quantitative_non_financial",
        "safety_quality",
        "patients",
        "% of admissions assessed within 14 hours",
        "percent",
        "increase",
        81,
        1.15,
    ),
    Idea(
        "Electronic Observations",
        "Fewer cardiac arrests on wards",
        "quantitative_non_financial",
        "clinical_outcomes",
        "patients",
        "cardiac arrests per 1,000 admissions",
        "rate_per_1000",
        "decrease",
        1.9,
        0.7,
    ),
    Idea(
        "Bed Management",
        "Reduced length of stay for emergency admissions",
        "non_cash_releasing",
        "resource_sustainability",
        "wider_nhs",
        "bed days for emergency admissions per month",
        "bed days",
        "decrease",
        5200,
        0.93,
        295.0,
    ),
    Idea(
        "Order Comms",
        "Fewer duplicate pathology tests",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "duplicate pathology tests per month",
        "count",
        "decrease",
        1450,
        0.7,
        6.2,
    ),
    Idea(
        "EPR", "Clinicians can see the full record across sites", "qualitative", "staff_experience", "staff"
    ),
    Idea(
        "Patient Portal",
        "Patients feel more in control of their appointments",
        "qualitative",
        "patient_experience",
        "patients",
    ),
    Idea(
        "Single Sign-On",
        "Improved staff satisfaction with IT log-in",
        "qualitative",
        "staff_experience",
        "staff",
    ),
    Idea(
        "Shared Care Record",
        "Better information sharing with GPs and social care",
        "qualitative",
        "clinical_outcomes",
        "wider_nhs",
    ),
    Idea(
        "EPR",
        "Extra documentation time at go-live",
        "quantitative_non_financial",
        "staff_experience",
        "staff",
        "minutes of documentation per nursing shift",
        "minutes",
        "decrease",
        95,
        1.2,
        disbenefit=True,
    ),
    Idea(
        "Digital Dictation",
        "Reduced courier costs between sites",
        "cash_releasing",
        "resource_sustainability",
        "trust",
        "courier runs per month",
        "count",
        "decrease",
        220,
        0.5,
        18.0,
        planned=False,
    ),
    Idea(
        "E-Rostering",
        "Reduced time spent compiling rotas",
        "non_cash_releasing",
        "staff_experience",
        "staff",
        "ward manager hours on rotas per month",
        "hours",
        "decrease",
        640,
        0.7,
        31.0,
    ),
    Idea(
        "Electronic Observations",
        "Improved NEWS2 escalation compliance",
        "quantitative_non_financial",
        "safety_quality",
        "patients",
        "% of NEWS2 >= 5 escalated within 1 hour",
        "percent",
        "increase",
        58,
        1.4,
    ),
)

OWNERS = (
    "Chief Pharmacist",
    "Deputy Chief Nurse",
    "Director of Operations",
    "Head of Outpatients",
    "CCIO",
    "Associate Director of Finance",
    "Clinical Director for Surgery",
    "Dr A. Khan",
    "Mrs J. O'Neill",
    "Head of Digital Transformation",
)
APPROVERS = ("Director of Finance", "Chief Nursing Officer", "Digital Programme Board", "Deputy CEO", "CIO")
EVIDENCE = (
    "Staff survey Jan 2020: 78% of respondents find the new system quicker (n=212)",
    "Audit of 40 discharge summaries, Feb 2020: all viewable across both sites",
    "Patient panel feedback March 2020; 9 of 12 positive comments",
    "GP practice survey Dec 2020: 31 of 40 practices report faster access to letters",
)


def _round(x: float, unit: str | None) -> float:
    if unit in ("percent", "rate_per_1000"):
        return round(x, 1)
    return float(round(x))


def make_register(
    seed: int, *, trust: str, quarterly: bool, id_style: str, n: int = 26, computed_baselines: bool = True,
    history: bool = False,
) -> Register:
    """A clean register: every row should validate without an error.

    `computed_baselines`: some monthly benefits use a mean baseline (needs a method column).
    `history`: quantitative benefits also carry figures from up to three years before their
    baseline window, as trusts record before a go-live (issue 13); drawn from a generator of
    their own, so the rest of the register is the same with or without."""
    rng = random.Random(seed)
    past = random.Random(seed * 1009 + 17)
    ideas = list(IDEAS)
    rng.shuffle(ideas)
    chosen = (ideas * (n // len(ideas) + 1))[:n]
    # make sure every kind the injector needs is present
    needed = [i for i in IDEAS if i.benefit_type == "qualitative"][:2]
    needed += [i for i in IDEAS if i.benefit_type in ("cash_releasing", "non_cash_releasing")][:3]
    for idea in needed:
        if idea not in chosen:
            chosen[rng.randrange(len(chosen))] = idea
    benefits: list[Row] = []
    measurements: list[Row] = []
    counters: dict[str, int] = {}
    for k, idea in enumerate(chosen):
        counters[idea.project] = counters.get(idea.project, 0) + 1
        bid = _benefit_id(id_style, idea.project, counters[idea.project], k + 1)
        year = rng.choice((2018, 2019, 2019, 2020))
        base_start = Month(year, 4)
        base_end = base_start.plus(5)
        realise = base_start.plus(6 + rng.choice((0, 0, 3)))
        target_date = Month(year + 2, 3).last_day
        quantitative = idea.benefit_type != "qualitative"
        status = rng.choice(("approved", "approved", "approved", "submitted", "draft", "rejected"))
        method = "given"
        if (
            computed_baselines
            and quantitative
            and not quarterly
            and rng.random() < 0.2
            and not idea.disbenefit
        ):
            method = "mean"
        cells: dict[str, Any] = {
            "benefit_id": bid,
            "trust_ods": trust,
            "programme": "GDE",
            "project": idea.project,
            "title": idea.title,
            "benefit_type": idea.benefit_type,
            "category": idea.category,
            "beneficiary": idea.beneficiary,
            "is_disbenefit": idea.disbenefit,
            "planned": idea.planned,
            "benefit_owner": rng.choice(OWNERS),
            "approval_status": status,
            "confidence": rng.choice(("high", "medium", "low")),
            "realisation_start": realise.first_day,
            "attribution_pct": float(rng.choice((100, 100, 90, 80, 75, 60, 50))),
        }
        baseline = idea.baseline * rng.uniform(0.9, 1.1)
        target = baseline * idea.factor
        if idea.unit == "percent":
            target = min(target, 98.0)
        if quantitative:
            cells.update(
                {
                    "measure": idea.measure,
                    "unit": idea.unit,
                    "direction": idea.direction,
                    "baseline_start": base_start.first_day,
                    "baseline_end": base_end.last_day,
                    "baseline_method": method,
                }
            )
            if method == "given":
                cells["baseline_value"] = _round(baseline, idea.unit)
            if idea.planned:
                cells["target_value"] = _round(target, idea.unit)
                cells["target_date"] = target_date
            if idea.unit_value is not None:
                cells["unit_value_gbp"] = idea.unit_value
        if status == "approved":
            cells["approved_by"] = rng.choice(APPROVERS)
            cells["approved_on"] = date(year + 1, rng.randint(1, 12), rng.randint(1, 28))
            if not quantitative:
                cells["evidence"] = rng.choice(EVIDENCE)
        elif not quantitative and rng.random() < 0.5:
            cells["evidence"] = rng.choice(EVIDENCE)
        if k >= len(IDEAS):
            cells["title"] = f"{idea.title} (second site)"
        row = Row(f"b{k}", {f: v for f, v in cells.items() if v is not None})
        benefits.append(row)
        if status == "draft" and method == "given" and rng.random() < 0.5:
            continue  # a draft benefit not yet measured
        if history and quantitative:
            measurements.extend(_history(past, row, idea, baseline, base_start, quarterly))
        measurements.extend(_series(rng, row, idea, baseline, target, base_start, realise, quarterly))
    for j, m in enumerate(measurements):
        m.uid = f"m{j}"
    return Register(trust, "GDE", benefits, measurements, quarterly)


def _benefit_id(style: str, project: str, n: int, k: int) -> Any:
    words = project.replace("-", " ").split()
    short = ("".join(w[0] for w in words) if len(words) > 1 else words[0][:4]).upper()
    if style == "gde":
        return f"GDE-{short}-{n:02d}"
    if style == "slash":
        return f"BR/{k:03d}"
    if style == "number":
        return float(k)
    return f"{short}{n:02d}"


HISTORY_MONTHS = (0, 6, 12, 24, 36)
"""How far back a benefit's figures go before its baseline window: 36 is as far as BRM404
lets history go without asking about the year."""


def _history(
    rng: random.Random, row: Row, idea: Idea, baseline: float, start: Month, quarterly: bool
) -> list[Row]:
    """Figures recorded before the baseline window, around the baseline: ordinary history."""
    back = rng.choice(HISTORY_MONTHS)
    months = [start.plus(-k) for k in range(back, 0, -1)]
    periods: list[Any] = (
        [Quarter(m.year if m.month >= 4 else m.year - 1, (m.month - 4) % 12 // 3 + 1) for m in months[::3]]
        if quarterly
        else months
    )
    out: list[Row] = []
    for p in periods:
        value = _round(baseline * rng.uniform(0.96, 1.04), idea.unit)
        if idea.unit == "count" and value == 0:
            value = 1.0
        cells = {"benefit_id": row.cells["benefit_id"], "period": p, "value": value, "source": "EPR report",
                 "evidence_grade": "measured"}
        out.append(Row("", cells))
    return out


def _series(
    rng: random.Random,
    row: Row,
    idea: Idea,
    baseline: float,
    target: float,
    start: Month,
    realise: Month,
    quarterly: bool,
) -> list[Row]:
    """Monthly (or quarterly) actuals from the baseline window to March 2021/22."""
    bid = row.cells["benefit_id"]
    end = Month(start.year + 2, 3)
    out: list[Row] = []
    if idea.benefit_type == "qualitative":
        for q in range(1, 5):
            period: Any = Quarter(start.year + 1, q) if quarterly else Month(start.year + 1, 3 * q)
            out.append(
                Row(
                    "",
                    {
                        "benefit_id": bid,
                        "period": period,
                        "value": rng.choice(EVIDENCE),
                        "source": "Survey",
                        "evidence_grade": "measured",
                    },
                )
            )
        return out
    months: list[Any]
    if quarterly:
        months = [Quarter(fy, q) for fy in range(start.year, end.year) for q in (1, 2, 3, 4)]
    else:
        months = []
        m = start
        while (m.year, m.month) <= (end.year, end.month):
            months.append(m)
            m = m.plus(1)
    total = max(1, len(months) - 6)
    for i, p in enumerate(months):
        first = p.first_month if isinstance(p, Quarter) else p
        done = 0.0
        if (first.year, first.month) >= (realise.year, realise.month):
            done = min(1.0, (i - 5) / total)
        level = baseline + (target - baseline) * done
        value = _round(level * rng.uniform(0.96, 1.04), idea.unit)
        if idea.unit == "count" and value == 0:
            value = 1.0
        cells: dict[str, Any] = {
            "benefit_id": bid,
            "period": p,
            "value": value,
            "source": rng.choice(("Datix", "EPR report", "Finance ledger", "Rostering")),
        }
        grade = rng.choice(("measured", "measured", "measured", "estimated"))
        cells["evidence_grade"] = grade
        if rng.random() < 0.05:
            cells["note"] = "Revised after data quality check"
        out.append(Row("", cells))
    return out
