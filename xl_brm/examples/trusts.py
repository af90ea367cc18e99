"""The example trusts' registers as data: each trust is a house style (`Style`), its benefits in
canonical terms (`Spec`), how its figures run, and the mistakes planted in it (`Mistake`); the
one writer (`writer.write_register`, shared with the accuracy harness) renders them.

The examples are what `xl-brm demo` runs on and what the README shows, so they look like real
trust sheets (title rows, their own column names, UK text dates, £ strings, local columns,
spacer and notes rows, a column per quarter) and carry a few deliberate mistakes. Every planted
mistake is recorded in `Planted` terms as the files are written, and
`workbooks/examples/README.md` is generated from that record, so the documentation can never
name the wrong cell.

All trusts, people and figures are invented; the ODS codes are the SPEC's example codes.
Output is deterministic: the same seed gives the same values.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from xl_brm.examples.style import BENEFITS, MEASUREMENTS, Look, Raw, Register, Row, Style
from xl_brm.examples.writer import Layout, write_register
from xl_brm.excel._save import atomic_path
from xl_brm.periods import Period
from xl_brm.rules import RULES

SEED = 2019
AS_OF = "2020-09"
"""The last period the examples have data for: the as-of date for the demo."""

MONTHS = [Period.month(2019, 4).shift(i) for i in range(18)]  # 2019-04 .. 2020-09
QUARTERS = [Period.quarter(2019, q) for q in (1, 2, 3, 4)] + [Period.quarter(2020, q) for q in (1, 2)]
MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"


@dataclass(frozen=True, slots=True)
class Planted:
    """A mistake put into an example on purpose, and what xl-brm should say about it."""

    file: str
    sheet: str
    cell: str
    severity: str
    code: str
    """The rule that should fire there, e.g. 'BRM304' (approved without approved_by)."""
    what: str


_KEEP = object()


@dataclass(frozen=True)
class Mistake:
    """A mistake planted at one field of one row (`uid`) of a sheet, and the rule that finds it.

    `value` replaces what the data says there (`Raw("Cashable")`), `also` sets other fields of
    the same row; without them the data itself is the mistake (a spec approved without an
    approver). `what` is said in the README; it may be worked out from the written register."""

    sheet: str
    uid: str
    field: str
    code: str
    severity: str
    what: str | Callable[[Register, Layout], str]
    value: Any = _KEEP
    also: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Example:
    """One example trust: its file, style, register and planted mistakes."""

    file: str
    description: str
    style: Style
    register: Callable[[random.Random], Register]
    mistakes: tuple[Mistake, ...]


@dataclass(slots=True)
class Spec:
    """One benefit in canonical terms; each house style spells it its own way."""

    benefit_id: str
    project: str
    title: str
    benefit_type: str
    category: str
    beneficiary: str
    measure: str | None
    unit: str | None
    direction: str | None
    baseline: float | None
    target: float | None
    unit_value: float | None
    owner: str
    status: str
    approved_by: str | None = None
    approved_on: date | None = None
    confidence: str | None = "medium"
    evidence: str | None = None
    attribution: float = 100.0
    baseline_start: date | None = date(2019, 4, 1)
    baseline_end: date | None = date(2019, 9, 30)
    realisation_start: date | None = date(2019, 10, 1)
    target_date: date | None = date(2021, 3, 31)
    baseline_method: str = "given"
    is_disbenefit: bool = False
    planned: bool = True
    performance: Callable[[int], float] = lambda k: 1.0
    """Share of the planned improvement achieved k periods after realisation start."""
    source: str = ""
    decimals: int = 0
    local: dict[str, Any] = field(default_factory=dict)


def _series(
    spec: Spec, periods: list[Period], rng: random.Random, *, noise: float = 0.03
) -> list[tuple[Period, float]]:
    """Values for every period from the baseline window on: flat, then along the plan."""
    assert spec.baseline is not None and spec.target is not None
    b, t = spec.baseline, spec.target
    start = Period.of_date(spec.realisation_start) if spec.realisation_start else periods[0]
    end = Period.of_date(spec.target_date) if spec.target_date else periods[-1]
    if periods[0].is_quarter:
        start, end = start.to_quarter(), end.to_quarter()
    n = max(1, (end.index - start.index) // periods[0].months + 1)
    first = Period.of_date(spec.baseline_start) if spec.baseline_start else periods[0]
    scale = max(abs(b), abs(t)) or 1.0
    out = []
    for period in periods:
        if period.end < first.start:
            continue
        k = (period.index - start.index) // period.months + 1
        planned = b if k < 1 else b + (t - b) * min(k / n, 1.0)
        actual = b + (planned - b) * spec.performance(k) + rng.gauss(0, noise * scale)
        out.append((period, round(max(actual, 0.0), spec.decimals)))
    return out


def _benefit(spec: Spec, uid: str | None = None, *, local: dict[str, Any] | None = None,
             **fixed: Any) -> Row:
    """A Benefits row from a spec: dates of the baseline window and the target only for a
    measured benefit, like a trust leaves them blank for a qualitative one."""
    dated = spec.measure is not None
    cells = {
        "benefit_id": spec.benefit_id, **fixed, "project": spec.project, "title": spec.title,
        "benefit_type": spec.benefit_type, "category": spec.category, "beneficiary": spec.beneficiary,
        "is_disbenefit": spec.is_disbenefit, "planned": spec.planned, "measure": spec.measure,
        "unit": spec.unit, "direction": spec.direction, "baseline_value": spec.baseline,
        "baseline_start": spec.baseline_start if dated else None,
        "baseline_end": spec.baseline_end if dated else None,
        "baseline_method": spec.baseline_method if dated else None, "target_value": spec.target,
        "target_date": spec.target_date if dated else None, "realisation_start": spec.realisation_start,
        "unit_value_gbp": spec.unit_value, "attribution_pct": spec.attribution, "benefit_owner": spec.owner,
        "approval_status": spec.status, "approved_by": spec.approved_by, "approved_on": spec.approved_on,
        "confidence": spec.confidence, "evidence": spec.evidence,
    }
    return Row(uid or spec.benefit_id, {k: v for k, v in cells.items() if v is not None}, dict(local or {}))


def _measurement(bid: str, period: Period, value: Any, **more: Any) -> Row:
    return Row(f"{bid}@{period}", {"benefit_id": bid, "period": period, "value": value, **more})


def _every_field(spelling: dict[str, str]) -> dict[str, dict[str, str]]:
    """One spelling table for every enum field (a trust spells each word one way)."""
    names = ("benefit_type", "category", "beneficiary", "unit", "direction", "approval_status", "confidence",
             "baseline_method", "evidence_grade")
    return {name: spelling for name in names}



# ------------------------------------------------------------------------------------------------
# (a) A GDE acute trust: two title rows, its own column names, UK text dates, £ strings,
#     monthly text periods, local "RAG (local)" and "Comments" columns, notes below the table.
# ------------------------------------------------------------------------------------------------

def _acute_specs() -> list[Spec]:
    approved: dict[str, Any] = {
        "status": "approved",
        "approved_by": "Medical Director",
        "approved_on": date(2020, 1, 15),
    }
    return [
        Spec(
            "GDE-01",
            "EPMA",
            "Fewer medication administration errors",
            "quantitative_non_financial",
            "safety_quality",
            "patients",
            "medication administration errors reported a month",
            "count",
            "decrease",
            120,
            60,
            None,
            "Chief Pharmacist",
            confidence="high",
            source="Datix",
            performance=lambda k: 1.05,
            **approved,
        ),
        Spec(
            "GDE-02",
            "EPMA",
            "Pharmacist time released from chart transcription",
            "non_cash_releasing",
            "resource_sustainability",
            "staff",
            "pharmacist hours released a month",
            "hours",
            "increase",
            0,
            320,
            38.50,
            "Chief Pharmacist",
            attribution=80,
            source="EPMA audit",
            performance=lambda k: 0.95,
            **approved,
        ),
        Spec(
            "GDE-03",
            "Order comms",
            "Fewer duplicate pathology tests",
            "cash_releasing",
            "resource_sustainability",
            "trust",
            "duplicate pathology requests a month",
            "count",
            "decrease",
            2400,
            1800,
            4.20,
            "Clinical Director of Pathology",
            source="Pathology LIMS",
            performance=lambda k: 0.8,
            status="approved",
            approved_by="Director of Finance",
            approved_on=date(2019, 12, 10),
        ),
        Spec(
            "GDE-04",
            "Positive patient ID",
            "Fewer wrong-patient blood samples",
            "quantitative_non_financial",
            "safety_quality",
            "patients",
            "wrong blood in tube incidents a month",
            "count",
            "decrease",
            14,
            4,
            None,
            "Head of Transfusion",
            confidence="high",
            source="Datix",
            performance=lambda k: 0.9,
            status="approved",
            approved_by=None,
            approved_on=date(2020, 2, 3),
        ),
        Spec(
            "GDE-05",
            "Patient portal",
            "Fewer outpatient letters posted",
            "cash_releasing",
            "resource_sustainability",
            "trust",
            "outpatient letters posted a month",
            "count",
            "decrease",
            38000,
            20000,
            0.68,
            "Head of Outpatients",
            status="submitted",
            source="Mailroom invoices",
            performance=lambda k: 0.55,
        ),
        Spec(
            "GDE-06",
            "eObs",
            "Earlier recognition of deteriorating patients",
            "quantitative_non_financial",
            "clinical_outcomes",
            "patients",
            "NEWS2 escalations within one hour",
            "percent",
            "increase",
            62,
            90,
            None,
            "Deputy Chief Nurse",
            source="eObs reports",
            decimals=1,
            performance=lambda k: 1.0,
            **approved,
        ),
        Spec(
            "GDE-07",
            "Clinical noting",
            "Nursing time released from paper documentation",
            "non_cash_releasing",
            "staff_experience",
            "staff",
            "nursing hours released a month",
            "hours",
            "increase",
            0,
            1500,
            24.00,
            "Chief Nurse",
            status="draft",
            confidence="low",
            source="Timesheets",
            performance=lambda k: 0.7,
        ),
        Spec(
            "GDE-08",
            "Theatres",
            "Better theatre utilisation",
            "non_cash_releasing",
            "resource_sustainability",
            "trust",
            "theatre session utilisation",
            "percent",
            "increase",
            74,
            85,
            1200.50,
            "Director of Surgery",
            status="draft",
            source="Theatre system",
            decimals=1,
            performance=lambda k: 0.85,
        ),
        Spec(
            "GDE-09",
            "Patient portal",
            "Patients feel more in control of their appointments",
            "qualitative",
            "patient_experience",
            "patients",
            None,
            None,
            None,
            None,
            None,
            None,
            "Head of Patient Experience",
            evidence="Portal survey, January 2020: 71% of 1,840 "
            "respondents said managing appointments online was easier than by phone.",
            **approved,
        ),
        Spec(
            "GDE-10",
            "Order comms",
            "Faster radiology reporting",
            "quantitative_non_financial",
            "clinical_outcomes",
            "patients",
            "mean hours from scan to report",
            "hours",
            "decrease",
            52,
            36,
            None,
            "Clinical Director of Radiology",
            status="draft",
            source="RIS",
            decimals=1,
            performance=lambda k: 0.9,
        ),
    ]


_ACUTE_SPELL = {
    "cash_releasing": "CRB",
    "non_cash_releasing": "NCRB",
    "quantitative_non_financial": "Quantitative",
    "qualitative": "Qualitative",
    "safety_quality": "Safety",
    "clinical_outcomes": "Clinical outcome",
    "patient_experience": "Patient experience",
    "staff_experience": "Staff experience",
    "resource_sustainability": "Efficiency",
    "patients": "Patients",
    "staff": "Staff",
    "trust": "Trust",
    "count": "Number",
    "hours": "Hrs",
    "percent": "%",
    "increase": "Higher is better",
    "decrease": "Lower is better",
    "approved": "Approved",
    "submitted": "Awaiting approval",
    "draft": "Draft",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}
_GRADE = {"measured": "Actual", "estimated": "Estimate", "assumed": "Assumption"}


def _acute_register(rng: random.Random) -> Register:
    specs = _acute_specs()
    rag = {"GDE-01": "G", "GDE-02": "G", "GDE-03": "A", "GDE-04": "G", "GDE-05": "R", "GDE-06": "G",
           "GDE-07": "A", "GDE-08": "A", "GDE-09": "G", "GDE-10": "A"}
    comments = {
        "GDE-03": "Duplicate-test rules live since Nov 2019",
        "GDE-05": "Portal uptake slower than planned; comms campaign in Q3",
        "GDE-08": "Awaiting Finance view on the unit value",
    }
    benefits = [_benefit(s, trust_ods="RJ1", programme="GDE",
                         local={"RAG (local)": rag[s.benefit_id], "Comments": comments.get(s.benefit_id)})
                for s in specs]
    measurements = []
    for spec in specs:
        if spec.measure is None:
            continue
        for period, value in _series(spec, MONTHS, rng):
            grade = "estimated" if spec.benefit_id == "GDE-07" and period.index % 3 == 0 else "measured"
            measurements.append(_measurement(spec.benefit_id, period, value, source=spec.source,
                                             evidence_grade=grade))
    measurements.append(_measurement("GDE-11", Period.month(2020, 9), 42, source="RIS",
                                     evidence_grade="measured",
                                     note="new benefit, not yet on the register"))
    return Register("RJ1", "GDE", benefits, measurements, quarterly=False)


def _spike(reg: Register, _layout: Layout) -> str:
    typed = next(m.cells["value"] for m in reg.measurements if m.uid == "GDE-10@2020-02")
    return (f"GDE-10 Feb-20 is {typed:g} hours: {typed / 100:g} with the decimal point dropped, "
            "a hundred times its neighbours.")


ACUTE = Example(
    file="acute_gde_rj1.xlsx",
    description="A GDE acute trust (RJ1). Sheet 'Benefits Register' with two title rows above the "
    "header, its own column names ('Benefit Ref', 'Benefit Description', 'Cash/Non-cash', "
    "'Go Live', 'Unit Value (£)'), UK text dates ('01/04/2019'), £ strings ('£38.50'), "
    "percent strings ('80%'), local 'RAG (local)' and 'Comments' columns and two notes rows "
    "below the table. Monthly figures on 'Monthly Data' (one title row, 'Apr-19' months, "
    "grades spelled 'Actual'/'Estimate').",
    style=Style(
        name="acute", trust="RJ1", id_style="gde", quarterly=False,
        benefit_sheet="Benefits Register", measurement_sheet="Monthly Data",
        benefit_headers={
            "benefit_id": "Benefit Ref", "trust_ods": "Trust Code", "programme": "Programme",
            "project": "Project", "title": "Benefit Description", "benefit_type": "Cash/Non-cash",
            "category": "Category", "beneficiary": "Beneficiary", "measure": "Measure", "unit": "Unit",
            "direction": "Direction", "baseline_value": "Baseline", "baseline_start": "Baseline From",
            "baseline_end": "Baseline To", "target_value": "Target", "target_date": "Target Date",
            "realisation_start": "Go Live", "unit_value_gbp": "Unit Value (£)",
            "attribution_pct": "Attribution %", "benefit_owner": "Benefit Owner", "approval_status": "Status",
            "approved_by": "Approved By", "approved_on": "Approval Date", "confidence": "Confidence",
            "evidence": "Evidence",
        },
        measurement_headers={"benefit_id": "Benefit Ref", "period": "Month", "value": "Actual",
                             "source": "Data Source", "evidence_grade": "Grade", "note": "Notes"},
        local_columns=((25, "RAG (local)"), (26, "Comments")),
        title_rows=("Example Acute Hospitals NHS Foundation Trust — GDE Benefits Register",
                    "Version 3.2, last updated 14/02/2020 by the Digital PMO. Figures are monthly."),
        merge_titles=False, blank_after_title=False,
        notes=("Notes: unit values are from Finance's 2019/20 reference costs. "
               "Cash-releasing benefits need Director of Finance sign-off.",
               "RAG (local) is the PMO's own judgement at the monthly board, not a computed status."),
        measurement_title=("Monthly benefit tracking — figures supplied by benefit owners",),
        measurement_title_gap=False,
        dates="uk_text", money="gbp_text", percent="text", periods="mon_yy", thousands=False,
        spellings=_every_field(_ACUTE_SPELL) | {"evidence_grade": _GRADE},
        look=Look(header_fill="D9D9D9", title_fonts=((True, False, 14, None), (False, True, None, None)),
                  measurement_title_font=(True, 12), notes_font="595959",
                  widths=(11, 8, 10, 18, 44, 13, 16, 12, 40, 8, 16, 10, 12, 12, 10, 12, 12, 13, 12, 28, 18,
                          20,
                          13, 11, 50, 10, 40),
                  measurement_widths=(11, 9, 10, 20, 10, 40), freeze="B4", measurement_freeze="A3"),
    ),
    register=_acute_register,
    mistakes=(
        Mistake(BENEFITS, "GDE-04", "approved_by", "BRM304", "error",
                "GDE-04 is Approved with an approval date but nobody named in Approved By."),
        Mistake(BENEFITS, "GDE-08", "benefit_type", "BRM204", "error",
                "'Cashable' is not a benefit type (did they mean cash-releasing or non-cash-releasing?).",
                value=Raw("Cashable")),
        Mistake(MEASUREMENTS, "GDE-10@2020-02", "value", "BRM501", "warning", _spike,
                value=lambda typed: round(typed * 100), also={"note": "from RIS monthly pack"}),
        Mistake(MEASUREMENTS, "GDE-11@2020-09", "benefit_id", "BRM402", "error",
                "GDE-11 has a measurement but no row on the Benefits Register."),
    ),
)


# ------------------------------------------------------------------------------------------------
# (b) A mental-health trust: BRM Settings supplies trust_ods and programme, merged title cells,
#     a hidden local column, spacer rows between schemes, quarterly periods "2019/20 Q1".
# ------------------------------------------------------------------------------------------------

def _mh_specs() -> list[list[Spec]]:
    signed: dict[str, Any] = {
        "status": "approved",
        "approved_by": "Director of Nursing",
        "approved_on": date(2020, 3, 2),
    }
    return [
        [
            Spec(
                "MH-01",
                "Mobile EPR",
                "Clinician time released by mobile access to the record",
                "non_cash_releasing",
                "staff_experience",
                "staff",
                "clinician hours released a quarter",
                "hours",
                "increase",
                0,
                2400,
                32.00,
                "Associate Director of Operations",
                attribution=75,
                source="Rio activity",
                performance=lambda k: 0.95,
                **signed,
            ),
            Spec(
                "MH-02",
                "Mobile EPR",
                "Fewer missed community appointments",
                "quantitative_non_financial",
                "patient_experience",
                "patients",
                "did-not-attend rate",
                "percent",
                "decrease",
                14.5,
                10.0,
                None,
                "Head of Community Services",
                decimals=1,
                source="Rio activity",
                performance=lambda k: 0.9,
                **signed,
            ),
        ],
        [
            Spec(
                "MH-03",
                "e-Rostering",
                "Lower bank and agency spend",
                "cash_releasing",
                "resource_sustainability",
                "trust",
                "bank and agency spend a quarter",
                "gbp",
                "decrease",
                1_250_000,
                950_000,
                1.0,
                "Director of Workforce",
                source="Ledger",
                performance=lambda k: 0.75,
                status="approved",
                approved_by="Director of Finance",
                approved_on=date(2020, 2, 11),
            ),
            Spec(
                "MH-04",
                "e-Rostering",
                "Staff feel rotas are fairer",
                "qualitative",
                "staff_experience",
                "staff",
                None,
                None,
                None,
                None,
                None,
                None,
                "Director of Workforce",
                evidence=None,
                **signed,
            ),
        ],
        [
            Spec(
                "MH-05",
                "Digital therapies",
                "Shorter waits for a first talking-therapy appointment",
                "quantitative_non_financial",
                "clinical_outcomes",
                "patients",
                "mean days from referral to first treatment",
                "days",
                "decrease",
                None,
                28,
                None,
                "Clinical Lead, Talking Therapies",
                status="submitted",
                baseline_method="mean",
                decimals=1,
                source="IAPTus",
                performance=lambda k: 1.0,
            ),
            Spec(
                "MH-06",
                "Digital therapies",
                "Patients can refer themselves online",
                "qualitative",
                "patient_experience",
                "patients",
                None,
                None,
                None,
                None,
                None,
                None,
                "Clinical Lead, Talking Therapies",
                evidence="Self-referral form live since October 2019; 38% of referrals in Q3 were "
                "online. Service-user panel feedback positive (minutes, 12/12/2019).",
                **signed,
            ),
            Spec(
                "MH-07",
                "Digital therapies",
                "Fewer paper forms printed",
                "cash_releasing",
                "resource_sustainability",
                "trust",
                "pages printed a quarter",
                "count",
                "decrease",
                180_000,
                90_000,
                0.04,
                "Head of Estates",
                source="Print management",
                performance=lambda k: 1.1,
                status="approved",
                approved_by="Director of Finance",
                approved_on=date(2020, 2, 11),
            ),
            Spec(
                "MH-07",
                "Digital therapies",
                "Lower printing costs",
                "cash_releasing",
                "resource_sustainability",
                "trust",
                "print contract cost a quarter",
                "gbp",
                "decrease",
                9000,
                6000,
                1.0,
                "Head of Estates",
                status="draft",
                source="Ledger",
                performance=lambda k: 0.8,
            ),
        ],
    ]


_MH_SPELL = {
    "cash_releasing": "Cash releasing",
    "non_cash_releasing": "Non-cash releasing",
    "quantitative_non_financial": "Quantitative non-financial",
    "qualitative": "Qualitative",
    "safety_quality": "Patient safety",
    "clinical_outcomes": "Clinical outcome",
    "patient_experience": "Patient experience",
    "staff_experience": "Staff experience",
    "resource_sustainability": "Resource and sustainability",
    "patients": "Patient",
    "staff": "Staff",
    "trust": "Organisation",
    "hours": "Hours",
    "percent": "Percentage",
    "gbp": "£",
    "days": "Days",
    "count": "Number",
    "increase": "Up",
    "decrease": "Down",
    "approved": "Signed off",
    "submitted": "Pending",
    "draft": "In draft",
    "high": "H",
    "medium": "M",
    "low": "L",
    "given": "Fixed",
    "mean": "Average",
}


def _mh_register(rng: random.Random) -> Register:
    groups = _mh_specs()
    centres = {"Mobile EPR": "W4410", "e-Rostering": "W2230", "Digital therapies": "C1175"}
    benefits: list[Row] = []
    for spec in (s for group in groups for s in group):
        uid = spec.benefit_id if all(b.uid != spec.benefit_id for b in benefits) else f"{spec.benefit_id}#2"
        benefits.append(_benefit(spec, uid, local={"Cost Centre": centres[spec.project]}))
    measurements = []
    for spec in (s for group in groups for s in group):
        if spec.measure is None or spec.title == "Lower printing costs":
            continue
        # MH-05's baseline is the mean of its baseline window, so give _series one to work from.
        series_spec = spec if spec.baseline is not None else dataclasses.replace(spec, baseline=42.0)
        for period, value in _series(series_spec, QUARTERS, rng):
            if spec.benefit_id == "MH-02" and QUARTERS[0] < period < QUARTERS[4]:
                continue  # the owner left in summer 2019; a new lead picked the figures up in 2020
            grade = "estimated" if spec.benefit_id == "MH-01" and period.start.year == 2020 else "measured"
            measurements.append(_measurement(spec.benefit_id, period, value, source=spec.source,
                                             evidence_grade=grade))
    return Register("RRV", "GDE", benefits, measurements, quarterly=True)


def _thin_baseline(_reg: Register, layout: Layout) -> str:
    rows = [layout.rows[MEASUREMENTS][f"MH-05@{q}"] for q in QUARTERS[:2]]
    return ("MH-05's baseline is the average of its baseline window (Apr-Sep 2019), which holds only two "
            f"quarterly figures (Actuals rows {rows[0]} and {rows[1]}).")


MENTAL_HEALTH = Example(
    file="mental_health_rrv.xlsx",
    description="A mental-health trust (RRV). No ODS or programme column: a 'BRM Settings' "
    "sheet supplies both. Merged title cells over two rows, a blank row, then the header on "
    "row 4; spacer rows between schemes; a hidden local 'Cost Centre' column (Y); "
    "real date cells shown as '1 Apr 2019'; attribution as Excel percentages; "
    "spellings such as 'Signed off', 'Up'/'Down', 'Organisation'. Quarterly figures "
    "('2019/20 Q1') on 'Actuals'.",
    style=Style(
        name="mental_health", trust="RRV", id_style="short", quarterly=True,
        benefit_sheet="Benefits", measurement_sheet="Actuals",
        benefit_headers={
            "benefit_id": "Ref No", "project": "Scheme", "title": "Benefit Title",
            "benefit_type": "Benefit Type",
            "category": "Domain", "beneficiary": "Who Benefits", "measure": "KPI", "unit": "UoM",
            "direction": "Good Is", "baseline_method": "Baseline Method", "baseline_value": "Baseline Figure",
            "baseline_start": "Baseline Start", "baseline_end": "Baseline End",
            "target_value": "Target Level",
            "target_date": "Target By", "realisation_start": "Realisation Start Date",
            "unit_value_gbp": "Value per Unit", "attribution_pct": "Attributable", "benefit_owner": "Lead",
            "approval_status": "Sign-off Status", "approved_by": "Signed Off By",
            "approved_on": "Sign-off Date",
            "confidence": "Confidence Level", "evidence": "Narrative",
        },
        measurement_headers={"benefit_id": "Ref No", "period": "Quarter", "value": "Result",
                             "source": "Source System", "evidence_grade": "Data Quality", "note": "Comment"},
        local_columns=((24, "Cost Centre"),), hidden_local=0,
        title_rows=("Example Mental Health NHS Trust",
                    "Digital programme: benefits register 2019/20 to 2020/21"),
        title_span=None, spacer_by="project",
        settings=(("trust_ods", "RRV"), ("programme", "GDE")), settings_header=None,
        settings_note="Workbook-wide values for xl-brm: every benefit belongs to this trust and programme.",
        dates="cell", date_format="d mmm yyyy", money="number_fmt", money_format=MONEY_FORMAT,
        number_format="#,##0.0", thousands=False, percent="number", percent_format='0"%"', periods="q_fy",
        spellings=_every_field(_MH_SPELL) | {"evidence_grade": {"measured": "Measured data",
                                                                "estimated": "Estimate",
                                                                "assumed": "Assumption"}},
        look=Look(header_fill="AE2573", header_font="FFFFFF",
                  title_fonts=((True, False, 16, "FFFFFF"), (True, False, 12, "330072")), title_fill="330072",
                  centre_titles=True,
                  widths=(9, 18, 46, 24, 24, 13, 36, 11, 8, 14, 14, 13, 13, 12, 13, 14, 13, 11, 30, 14, 20,
                          13, 11,
                          60, 11),
                  measurement_widths=(9, 12, 12, 18, 14, 30), settings_widths=(14, 10), freeze="D5",
                  measurement_freeze="A2"),
    ),
    register=_mh_register,
    mistakes=(
        Mistake(BENEFITS, "MH-04", "evidence", "BRM306", "error",
                "MH-04 is signed off but its Narrative (evidence) is empty."),
        Mistake(BENEFITS, "MH-07#2", "benefit_id", "BRM401", "error",
                "MH-07 is used twice: 'Lower printing costs' should have its own reference."),
        Mistake(MEASUREMENTS, f"MH-02@{QUARTERS[4]}", "period", "BRM504", "warning",
                "MH-02 has no figures for 2019/20 Q2, Q3 or Q4; the first figure after the gap is flagged."),
        Mistake(BENEFITS, "MH-05", "baseline_method", "BRM503", "warning", _thin_baseline),
    ),
)


# ------------------------------------------------------------------------------------------------
# (c) A community trust: canonical snake_case headers, real Excel dates, a totals row,
#     qualitative, unplanned and dis-benefits, and a Trajectory sheet.
# ------------------------------------------------------------------------------------------------

def _community_specs() -> list[Spec]:
    ok: dict[str, Any] = {
        "status": "approved",
        "approved_by": "Director of Finance",
        "approved_on": date(2020, 1, 20),
    }
    return [
        Spec(
            "CH-01",
            "Mobile working",
            "Travel time saved by mobile working",
            "non_cash_releasing",
            "staff_experience",
            "staff",
            "community nurse travel hours a month",
            "hours",
            "decrease",
            1900,
            1400,
            28.50,
            "Head of Community Nursing",
            attribution=90,
            source="Vehicle telematics",
            performance=lambda k: 1.0,
            local={"planned_saving_gbp": 230_850},
            **ok,
        ),
        Spec(
            "CH-02",
            "Mobile working",
            "Fewer printed clinic letters",
            "cash_releasing",
            "resource_sustainability",
            "trust",
            "letters printed a month",
            "count",
            "decrease",
            9000,
            3000,
            0.62,
            "Head of Business Support",
            source="Print management",
            performance=lambda k: 0.8,
            local={"planned_saving_gbp": 44_640},
            **ok,
        ),
        Spec(
            "CH-03",
            "Mobile working",
            "More patient contacts per clinician day",
            "quantitative_non_financial",
            "resource_sustainability",
            "patients",
            "patient contacts per clinician per day",
            "contacts/day",
            "increase",
            5.2,
            6.5,
            None,
            "Head of Community Nursing",
            decimals=2,
            source="SystmOne",
            performance=lambda k: 0.6,
            **ok,
        ),
        Spec(
            "CH-04",
            "Shared care record",
            "Patients report better continuity of care",
            "qualitative",
            "patient_experience",
            "patients",
            None,
            None,
            None,
            None,
            None,
            None,
            "Head of Patient Experience",
            evidence="Friends and Family Test comments mentioning continuity rose from 12 to 31 a "
            "quarter after the shared record went live (thematic review, April 2020).",
            **ok,
        ),
        Spec(
            "CH-05",
            "Shared care record",
            "Faster safeguarding referrals",
            "quantitative_non_financial",
            "safety_quality",
            "patients",
            "mean days from concern to referral",
            "days",
            "decrease",
            5.0,
            2.0,
            None,
            "Named Nurse for Safeguarding",
            planned=False,
            status="submitted",
            decimals=1,
            baseline_start=date(2019, 7, 1),
            baseline_end=date(2019, 12, 31),
            realisation_start=date(2020, 1, 1),
            source="Safeguarding log",
            performance=lambda k: 1.1,
            evidence="Not in the business case: noticed by the safeguarding team after go-live.",
        ),
        Spec(
            "CH-06",
            "Mobile working",
            "Extra time spent documenting visits on tablets",
            "non_cash_releasing",
            "staff_experience",
            "staff",
            "clinician hours documenting a month",
            "hours",
            "decrease",
            3100,
            2900,
            28.50,
            "Head of Community Nursing",
            is_disbenefit=True,
            source="SystmOne audit",
            performance=lambda k: -1.5 if k < 7 else -0.8,
            local={"planned_saving_gbp": -5_700},
            **ok,
        ),
        Spec(
            "CH-07",
            "Shared care record",
            "Fewer pressure ulcers",
            "quantitative_non_financial",
            "safety_quality",
            "patients",
            "category 2+ pressure ulcers per 1,000 caseload",
            "rate_per_1000",
            "decrease",
            2.4,
            1.6,
            None,
            "Tissue Viability Lead",
            status="draft",
            decimals=2,
            source="Datix",
            performance=lambda k: 0.5,
        ),
        Spec(
            "CH-08",
            "Specimen transport",
            "Lower courier costs for specimens",
            "cash_releasing",
            "resource_sustainability",
            "trust",
            "courier runs a month",
            "count",
            "decrease",
            420,
            300,
            18.0,
            "Head of Business Support",
            status="draft",
            target_date=date(2019, 3, 31),
            local={"planned_saving_gbp": 25_920},
        ),
        Spec(
            "CH-09",
            "Estates rationalisation",
            "Leased clinic bases given up",
            "cash_releasing",
            "resource_sustainability",
            "trust",
            "leased clinic bases",
            "count",
            "decrease",
            3,
            2,
            1_450_000,
            "Director of Estates",
            status="submitted",
            confidence="high",
            realisation_start=date(2020, 4, 1),
            source="Estates register",
            performance=lambda k: 1.0,
            local={"planned_saving_gbp": 1_450_000},
        ),
    ]


def _community_register(rng: random.Random) -> Register:
    specs = _community_specs()
    notes = {
        "CH-06": "Dis-benefit: extra documentation time; mitigation via templates from Q4",
        "CH-05": "Unplanned benefit spotted after go-live",
    }
    benefits = [_benefit(s, trust_ods="TAJ", programme="FF",
                         local={"planned_saving_gbp": s.local.get("planned_saving_gbp"),
                                "pmo_notes": notes.get(s.benefit_id)}) for s in specs]
    measurements = []
    for spec in specs:
        if spec.measure is None or spec.performance is None or spec.benefit_id == "CH-08":
            continue
        for period, value in _series(spec, MONTHS, rng):
            measurements.append(_measurement(spec.benefit_id, period, value, source=spec.source,
                                             evidence_grade="measured"))
    measurements.append(_measurement(
        "CH-04", Period.month(2020, 3), "Continuity comments up from 12 to 31 a quarter; 4 negative comments "
        "about repeating history, down from 15.", source="FFT thematic review", evidence_grade="measured"))
    measurements.append(_measurement("CH-O2", Period.month(2020, 9), 3150, source="Print management",
                                     evidence_grade="estimated", note="September estimate"))
    plan = []
    start = Period.month(2019, 10)
    for spec in specs[:2]:
        assert spec.baseline is not None and spec.target is not None
        for k in range(18):
            share = 1 / (1 + math.exp(-(k - 6) / 2))  # an S-curve: slow start, fast middle, plateau
            level = spec.baseline + (spec.target - spec.baseline) * share
            plan.append(Row(f"{spec.benefit_id}@{start.shift(k)}", {
                "benefit_id": spec.benefit_id, "period": Raw(str(start.shift(k))),
                "planned_value": round(level, 0)}))
    return Register("TAJ", "FF", benefits, measurements, quarterly=False, trajectory=plan)


_CANONICAL = ("benefit_id", "trust_ods", "programme", "project", "title", "benefit_type", "category",
              "beneficiary",
              "is_disbenefit", "planned", "measure", "unit", "direction", "baseline_value", "baseline_start",
              "baseline_end", "target_value", "target_date", "realisation_start", "unit_value_gbp",
              "attribution_pct", "benefit_owner", "approval_status", "approved_by", "approved_on",
              "confidence",
              "evidence")

COMMUNITY = Example(
    file="community_taj.xlsx",
    description="A community trust (TAJ, programme FF). snake_case headers close to the "
    "canonical names, real Excel date cells, TRUE/FALSE flags, a free-text unit "
    "('contacts/day'), a "
    "local 'planned_saving_gbp' column with a 'Total' row under the table, a qualitative "
    "benefit with text evidence as a measurement, an unplanned benefit (CH-05), a "
    "dis-benefit (CH-06) and a 'Trajectory' sheet with an S-shaped plan for CH-01 and "
    "CH-02. Monthly figures as real dates.",
    style=Style(
        name="community", trust="TAJ", id_style="short", quarterly=False,
        benefit_sheet="Benefits", measurement_sheet="Measurements",
        benefit_headers={name: name for name in _CANONICAL},
        measurement_headers={name: name for name in ("benefit_id", "period", "value", "source",
                                                     "evidence_grade",
                                                     "note")},
        local_columns=((27, "planned_saving_gbp"), (28, "pmo_notes")),
        totals_row="Total", totals_gap=False, totals_of=("planned_saving_gbp",),
        dates="cell", date_format=DATE_FORMAT, money="number_fmt", money_format=MONEY_FORMAT,
        percent="number",
        flags="bool", periods="date_cell", thousands=False, canonical=True,
        local_formats={"planned_saving_gbp": MONEY_FORMAT},
        trajectory_sheet="Trajectory",
        trajectory_headers={"benefit_id": "benefit_id", "period": "period", "planned_value": "planned_value"},
        look=Look(header_fill="41B6E6", bold_totals=True,
                  widths=(10, 9, 10, 22, 44, 24, 24, 11, 12, 9, 40, 13, 10, 14, 13, 13, 12, 12, 16, 14, 14,
                          28, 15,
                          20, 12, 11, 50, 18, 50),
                  measurement_widths=(11, 10, 12, 22, 15, 60), trajectory_widths=(11, 10, 14), freeze="B2",
                  measurement_freeze="A2", trajectory_freeze="A2"),
    ),
    register=_community_register,
    mistakes=(
        Mistake(BENEFITS, "CH-08", "target_date", "BRM308", "error",
                "CH-08's target date (31/03/2019) is before its realisation start (01/10/2019): "
                "the year was mistyped."),
        Mistake(BENEFITS, "CH-09", "unit_value_gbp", "BRM502", "warning",
                "CH-09 values each clinic base at £1,450,000: plausible for a lease, "
                "but worth a second look."),
        Mistake(MEASUREMENTS, "CH-O2@2020-09", "benefit_id", "BRM402", "error",
                "'CH-O2' (letter O) should be CH-02 (zero): no benefit has that reference."),
    ),
)


# ------------------------------------------------------------------------------------------------
# (d) An ambulance trust that keeps its figures wide: a column per quarter beside the register.
# ------------------------------------------------------------------------------------------------

def _ambulance_specs() -> list[Spec]:
    signed: dict[str, Any] = {"status": "approved", "approved_by": "Director of Finance",
                              "approved_on": date(2020, 1, 28)}
    return [
        Spec("AMB-01", "ePCR", "Fewer paper patient report forms printed", "cash_releasing",
             "resource_sustainability", "trust", "paper patient report forms printed a quarter", "count",
             "decrease", 62_000, 8_000, 0.35, "Head of Operations Support", source="Print contract",
             performance=lambda k: 0.95, **signed),
        Spec("AMB-02", "ePCR", "Less crew time on handover paperwork", "non_cash_releasing",
             "staff_experience",
             "staff", "crew hours on handover paperwork a quarter", "hours", "decrease", 5_200, 3_400, 27.50,
             "Deputy Director of Operations", attribution=70, source="Crew survey and ePCR timings",
             performance=lambda k: 0.9, **signed),
        Spec("AMB-03", "ePCR", "More patients treated without a trip to hospital",
             "quantitative_non_financial",
             "clinical_outcomes", "patients", "% of incidents seen and treated at scene", "percent",
             "increase",
             31.0, 38.0, None, "Medical Director", decimals=1, source="CAD and ePCR",
             performance=lambda k: 1.05, **signed),
        Spec("AMB-04", "Summary care record", "Crews can see a patient's medicines at the scene",
             "qualitative",
             "safety_quality", "patients", None, None, None, None, None, None, "Chief Pharmacist",
             evidence="Clinical audit, February 2020: crews viewed the medicines list at 64% of falls calls; "
             "12 avoidable conveyances prevented.", **signed),
        Spec("AMB-05", "CAD upgrade", "Faster call triage", "quantitative_non_financial",
             "patient_experience",
             "patients", "mean minutes from call answer to triage outcome", "minutes", "decrease", 4.2, 3.0,
             None,
             "Head of Emergency Operations Centre", decimals=1, status="submitted", source="CAD",
             performance=lambda k: 0.8),
    ]


_AMBULANCE_SPELL = {
    "cash_releasing": "CRB", "non_cash_releasing": "NCRB",
    "quantitative_non_financial": "Quantitative (non-financial)",
    "qualitative": "Qualitative", "resource_sustainability": "Efficiency / Productivity",
    "staff_experience": "Staff experience", "clinical_outcomes": "Clinical effectiveness",
    "safety_quality": "Quality & Safety", "patient_experience": "Patient experience", "trust": "Trust",
    "staff": "Staff", "patients": "Patients", "count": "Number", "hours": "Hrs", "percent": "%",
    "minutes": "Mins", "increase": "Higher is better", "decrease": "Lower is better",
    "approved": "Signed-off",
    "submitted": "Pending approval", "draft": "In draft", "high": "High", "medium": "Medium", "low": "Low",
}


def _ambulance_register(rng: random.Random) -> Register:
    specs = _ambulance_specs()
    leads = {"ePCR": "J. Mensah", "Summary care record": "Dr P. Rao", "CAD upgrade": "K. Doyle"}
    benefits = [_benefit(s, trust_ods="RX1", programme="GDE", local={"Exec Lead": leads[s.project]})
                for s in specs]
    measurements = []
    for spec in specs:
        if spec.measure is None:
            continue
        for period, value in _series(spec, QUARTERS, rng):
            if spec.benefit_id == "AMB-05" and QUARTERS[1] < period < QUARTERS[5]:
                continue  # the CAD reports were not run while the upgrade went in
            measurements.append(_measurement(spec.benefit_id, period, value))
    return Register("RX1", "GDE", benefits, measurements, quarterly=True)


def _ambulance_spike(reg: Register, _layout: Layout) -> str:
    typed = next(m.cells["value"] for m in reg.measurements if m.uid == f"AMB-02@{QUARTERS[3]}")
    return (f"AMB-02's 2019/20 Q4 is {typed:,g} hours: {typed / 100:,g} typed with two noughts too many, "
            "a hundred times the quarters either side.")


AMBULANCE = Example(
    file="ambulance_wide_rx1.xlsx",
    description="An ambulance trust (RX1) that keeps its figures wide: a column per quarter ('Q1 19/20', "
    "'Q2 19/20', ...) to the right of the register's own columns, each filled cell one measurement "
    "and a blank cell none. Spellings trusts use ('Efficiency / Productivity', 'Quality & Safety', "
    "'Signed-off', 'Pending approval'), a local 'Exec Lead' column, one title row.",
    style=Style(
        name="ambulance", trust="RX1", id_style="gde", quarterly=True,
        benefit_sheet="Benefits Register", measurement_sheet="Benefits Register",
        benefit_headers={
            "benefit_id": "Benefit No.", "trust_ods": "Org Code", "programme": "Programme",
            "project": "Project", "title": "Benefit", "benefit_type": "Type", "category": "Category",
            "beneficiary": "Beneficiary", "measure": "Measure", "unit": "Unit", "direction": "Polarity",
            "baseline_value": "Baseline", "baseline_start": "Baseline From", "baseline_end": "Baseline To",
            "target_value": "Target", "target_date": "Target Date", "realisation_start": "Go-live",
            "unit_value_gbp": "£ per Unit", "attribution_pct": "Attribution",
            "benefit_owner": "Benefit Owner",
            "approval_status": "Status", "approved_by": "Signed Off By", "approved_on": "Signed Off On",
            "evidence": "Evidence",
        },
        measurement_headers={"benefit_id": "Benefit No."},
        local_columns=((20, "Exec Lead"),),
        title_rows=("Example Ambulance Service NHS Trust — benefits register, "
                    "quarterly figures to the right",),
        merge_titles=False,
        dates="uk_text", money="gbp_text", percent="text", periods="q_short", thousands=False, wide="right",
        spellings=_every_field(_AMBULANCE_SPELL),
        look=Look(header_fill="005EB8", header_font="FFFFFF", title_fonts=((True, False, 14, "003087"),),
                  freeze="C4"),
    ),
    register=_ambulance_register,
    mistakes=(
        Mistake(MEASUREMENTS, f"AMB-01@{QUARTERS[2]}", "value", "BRM407", "error",
                "AMB-01's 2019/20 Q3 says 'TBC' where a number of forms is expected.", value=Raw("TBC")),
        Mistake(BENEFITS, "AMB-03", "target_value", "BRM302", "error",
                "AMB-03's target (28%) is below its baseline (31%) for a measure where higher is better: "
                "38% was meant.", value=28.0),
        Mistake(MEASUREMENTS, f"AMB-02@{QUARTERS[3]}", "value", "BRM501", "warning", _ambulance_spike,
                value=lambda typed: typed * 100),
        Mistake(MEASUREMENTS, f"AMB-05@{QUARTERS[5]}", "value", "BRM504", "warning",
                "AMB-05 has no figures for 2019/20 Q3 to 2020/21 Q1 (the CAD upgrade); the first figure "
                "after the gap is flagged."),
    ),
)

EXAMPLES: dict[str, Example] = {e.file: e for e in (ACUTE, MENTAL_HEALTH, COMMUNITY, AMBULANCE)}


def write_examples(folder: str | Path, *, seed: int = SEED) -> list[Planted]:
    """Write the example registers and their README into `folder`; return what was planted."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    planted: list[Planted] = []
    for name, example in EXAMPLES.items():
        planted += write_example(example, target / name, random.Random(f"{seed}:{name}"), seed=seed)
    with atomic_path(target / "README.md") as tmp:
        tmp.write_text(examples_readme(planted), encoding="utf-8")
    return planted


def write_example(example: Example, path: Path, rng: random.Random, *, seed: int = SEED) -> list[Planted]:
    """One example: its register built, its mistakes planted, written, and where each landed."""
    register = example.register(rng)
    for mistake in example.mistakes:
        rows = register.benefits if mistake.sheet == BENEFITS else register.measurements
        row = next(r for r in rows if r.uid == mistake.uid)
        if mistake.value is not _KEEP:
            old = row.cells.get(mistake.field)
            row.cells[mistake.field] = mistake.value(old) if callable(mistake.value) else mistake.value
        row.cells.update(mistake.also)
    layout = write_register(register, example.style, path, seed=seed)
    planted = []
    for mistake in example.mistakes:
        cell = layout.cell(mistake.sheet, mistake.uid, mistake.field)
        assert cell is not None, mistake
        what = mistake.what if isinstance(mistake.what, str) else mistake.what(register, layout)
        planted.append(Planted(example.file, layout.sheet_names[mistake.sheet], cell, mistake.severity,
                               mistake.code, what))
    return planted


def examples_readme(planted: list[Planted]) -> str:
    lines = [
        "# Example trust registers",
        "",
        "Generated by `xl_brm.examples.write_examples`",
        "(run `python workbooks/make_examples.py`);",
        "do not edit by hand. The trusts, people and figures are invented; the ODS codes are the",
        "specification's example codes. Figures run from April 2019 to September 2020, so use",
        f"`--as-of {AS_OF}`:",
        "",
        "```",
        "xl-brm validate workbooks/examples/",
        f"xl-brm compute workbooks/examples/community_taj.xlsx --as-of {AS_OF}",
        "```",
        "",
        "## House styles",
        "",
    ]
    for name, example in EXAMPLES.items():
        lines += [f"- **{name}** — {example.description}", ""]
    lines += [
        "## Mistakes planted on purpose",
        "",
        "Each file has a couple of genuine errors and a few warnings, so the demo shows xl-brm",
        "finding things. Nothing else in the files gives a finding (local columns, notes, totals",
        "and spacer rows included): `tests/excel_out/test_examples.py` checks that `xl-brm",
        "validate` reports exactly these codes at exactly these cells.",
        "",
        "| file | sheet | cell | severity | code | rule | what is wrong |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in planted:
        title = RULES[p.code].title if p.code in RULES else ""
        lines.append(f"| {p.file} | {p.sheet} | {p.cell} | {p.severity} | {p.code} | {title} | {p.what} |")
    lines.append("")
    return "\n".join(lines)
