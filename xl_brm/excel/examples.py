"""Example trust registers in three house styles, and large registers for benchmarks.

The examples are what `xl-brm demo` runs on and what the README shows, so they look like real
trust sheets (title rows, their own column names, UK text dates, £ strings, local columns,
spacer and notes rows) and carry a few deliberate mistakes. Every planted mistake is recorded
in `PLANTED` terms as the files are written, and `workbooks/examples/README.md` is generated
from that record, so the documentation can never name the wrong cell.

All trusts, people and figures are invented; the ODS codes are the SPEC's example codes.
Output is deterministic: the same seed gives the same values.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm.excel import _style as st
from xl_brm.excel._fast_xlsx import write_xlsx
from xl_brm.excel._save import atomic_path, save_atomic
from xl_brm.periods import Period
from xl_brm.rules import RULES

SEED = 2019
AS_OF = "2020-09"
"""The last period the examples have data for: the as-of date for the demo."""

MONTHS = [Period.month(2019, 4).shift(i) for i in range(18)]  # 2019-04 .. 2020-09
QUARTERS = [Period.quarter(2019, q) for q in (1, 2, 3, 4)] + [Period.quarter(2020, q) for q in (1, 2)]


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


def _uk(day: date | None) -> str | None:
    return day.strftime("%d/%m/%Y") if day else None


def _gbp(value: float | None) -> str | None:
    return None if value is None else f"£{value:,.2f}"


def _style_header(sheet: Worksheet, row: int, ncols: int, fill: str, *, font_colour: str = "000000") -> None:
    for col in range(1, ncols + 1):
        cell = sheet.cell(row=row, column=col)
        cell.font = Font(bold=True, color=font_colour)
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width


class _Sheet:
    """Writes rows under a header and remembers where each (row, column) landed."""

    def __init__(self, sheet: Worksheet, header: list[str], header_row: int) -> None:
        self.sheet, self.header, self.row = sheet, header, header_row
        for col, name in enumerate(header, start=1):
            sheet.cell(row=header_row, column=col, value=name)

    def letter(self, column: str) -> str:
        return str(get_column_letter(self.header.index(column) + 1))

    def add(self, values: dict[str, Any], *, formats: dict[str, str] | None = None) -> int:
        self.row += 1
        for col, name in enumerate(self.header, start=1):
            value = values.get(name)
            if value is None:
                continue
            cell = self.sheet.cell(row=self.row, column=col, value=value)
            if formats and name in formats:
                cell.number_format = formats[name]
        return self.row

    def cell(self, row: int, column: str) -> str:
        return f"{self.letter(column)}{row}"

    def skip(self, n: int = 1) -> None:
        self.row += n


# --------------------------------------------------------------------------------------------
# (a) A GDE acute trust: two title rows, its own column names, UK text dates, £ strings,
#     monthly text periods, local "RAG (local)" and "Comments" columns, notes below the table.
# --------------------------------------------------------------------------------------------

ACUTE_FILE = "acute_gde_rj1.xlsx"


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


def write_acute(path: Path, rng: random.Random) -> list[Planted]:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Benefits Register"
    ws["A1"] = "Example Acute Hospitals NHS Foundation Trust — GDE Benefits Register"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Version 3.2, last updated 14/02/2020 by the Digital PMO. Figures are monthly."
    ws["A2"].font = Font(italic=True)
    header = [
        "Benefit Ref",
        "Trust Code",
        "Programme",
        "Project",
        "Benefit Description",
        "Cash/Non-cash",
        "Category",
        "Beneficiary",
        "Measure",
        "Unit",
        "Direction",
        "Baseline",
        "Baseline From",
        "Baseline To",
        "Target",
        "Target Date",
        "Go Live",
        "Unit Value (£)",
        "Attribution %",
        "Benefit Owner",
        "Status",
        "Approved By",
        "Approval Date",
        "Confidence",
        "Evidence",
        "RAG (local)",
        "Comments",
    ]
    out = _Sheet(ws, header, 3)
    _style_header(ws, 3, len(header), "D9D9D9")
    planted: list[Planted] = []
    local_rag = {
        "GDE-01": "G",
        "GDE-02": "G",
        "GDE-03": "A",
        "GDE-04": "G",
        "GDE-05": "R",
        "GDE-06": "G",
        "GDE-07": "A",
        "GDE-08": "A",
        "GDE-09": "G",
        "GDE-10": "A",
    }
    comments = {
        "GDE-03": "Duplicate-test rules live since Nov 2019",
        "GDE-05": "Portal uptake slower than planned; comms campaign in Q3",
        "GDE-08": "Awaiting Finance view on the unit value",
    }
    specs = _acute_specs()
    for spec in specs:
        s = _ACUTE_SPELL
        row = out.add(
            {
                "Benefit Ref": spec.benefit_id,
                "Trust Code": "RJ1",
                "Programme": "GDE",
                "Project": spec.project,
                "Benefit Description": spec.title,
                "Cash/Non-cash": s[spec.benefit_type],
                "Category": s[spec.category],
                "Beneficiary": s[spec.beneficiary],
                "Measure": spec.measure,
                "Unit": s.get(spec.unit or ""),
                "Direction": s.get(spec.direction or ""),
                "Baseline": spec.baseline,
                "Baseline From": _uk(spec.baseline_start) if spec.measure else None,
                "Baseline To": _uk(spec.baseline_end) if spec.measure else None,
                "Target": spec.target,
                "Target Date": _uk(spec.target_date) if spec.measure else None,
                "Go Live": _uk(spec.realisation_start),
                "Unit Value (£)": _gbp(spec.unit_value),
                "Attribution %": f"{spec.attribution:g}%",
                "Benefit Owner": spec.owner,
                "Status": s[spec.status],
                "Approved By": spec.approved_by,
                "Approval Date": _uk(spec.approved_on),
                "Confidence": s.get(spec.confidence or ""),
                "Evidence": spec.evidence,
                "RAG (local)": local_rag[spec.benefit_id],
                "Comments": comments.get(spec.benefit_id),
            }
        )
        if spec.benefit_id == "GDE-04":
            planted.append(
                Planted(
                    ACUTE_FILE,
                    ws.title,
                    out.cell(row, "Approved By"),
                    "error",
                    "BRM304",
                    "GDE-04 is Approved with an approval date but nobody named in Approved By.",
                )
            )
        if spec.benefit_id == "GDE-08":
            ws[out.cell(row, "Cash/Non-cash")] = "Cashable"
            planted.append(
                Planted(
                    ACUTE_FILE,
                    ws.title,
                    out.cell(row, "Cash/Non-cash"),
                    "error",
                    "BRM204",
                    "'Cashable' is not a benefit type (did they mean cash-releasing or non-cash-releasing?).",
                )
            )
    last = out.row
    ws.cell(
        row=last + 2,
        column=1,
        value="Notes: unit values are from Finance's 2019/20 reference costs. "
        "Cash-releasing benefits need Director of Finance sign-off.",
    )
    ws.cell(
        row=last + 3,
        column=1,
        value="RAG (local) is the PMO's own judgement at the monthly board, not a computed status.",
    )
    for r in (last + 2, last + 3):
        ws.cell(row=r, column=1).font = Font(italic=True, color="595959")
    _widths(
        ws,
        [
            11,
            8,
            10,
            18,
            44,
            13,
            16,
            12,
            40,
            8,
            16,
            10,
            12,
            12,
            10,
            12,
            12,
            13,
            12,
            28,
            18,
            20,
            13,
            11,
            50,
            10,
            40,
        ],
    )
    ws.freeze_panes = "B4"

    data = wb.create_sheet("Monthly Data")
    data["A1"] = "Monthly benefit tracking — figures supplied by benefit owners"
    data["A1"].font = Font(bold=True, size=12)
    mh = ["Benefit Ref", "Month", "Actual", "Data Source", "Grade", "Notes"]
    meas = _Sheet(data, mh, 2)
    _style_header(data, 2, len(mh), "D9D9D9")
    for spec in specs:
        if spec.measure is None:
            continue
        for period, value in _series(spec, MONTHS, rng):
            grade = "estimated" if spec.benefit_id == "GDE-07" and period.index % 3 == 0 else "measured"
            note = None
            if spec.benefit_id == "GDE-10" and str(period) == "2020-02":
                typed = round(value * 100)  # the decimal point dropped: 47.5 typed as 4750
                note, spike, value = "from RIS monthly pack", value, typed
            row = meas.add(
                {
                    "Benefit Ref": spec.benefit_id,
                    "Month": period.start.strftime("%b-%y"),
                    "Actual": value,
                    "Data Source": spec.source,
                    "Grade": _GRADE[grade],
                    "Notes": note,
                }
            )
            if note:
                planted.append(
                    Planted(
                        ACUTE_FILE,
                        data.title,
                        meas.cell(row, "Actual"),
                        "warning",
                        "BRM501",
                        f"GDE-10 Feb-20 is {value:g} hours: {spike:g} with the decimal point "
                        "dropped, a hundred times its neighbours.",
                    )
                )
    row = meas.add(
        {
            "Benefit Ref": "GDE-11",
            "Month": "Sep-20",
            "Actual": 42,
            "Data Source": "RIS",
            "Grade": "Actual",
            "Notes": "new benefit, not yet on the register",
        }
    )
    planted.append(
        Planted(
            ACUTE_FILE,
            data.title,
            meas.cell(row, "Benefit Ref"),
            "error",
            "BRM402",
            "GDE-11 has a measurement but no row on the Benefits Register.",
        )
    )
    _widths(data, [11, 9, 10, 20, 10, 40])
    data.freeze_panes = "A3"
    save_atomic(wb, path)
    return planted


# --------------------------------------------------------------------------------------------
# (b) A mental-health trust: BRM Settings supplies trust_ods and programme, merged title cells,
#     a hidden local column, spacer rows between schemes, quarterly periods "2019/20 Q1".
# --------------------------------------------------------------------------------------------

MENTAL_HEALTH_FILE = "mental_health_rrv.xlsx"


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


def write_mental_health(path: Path, rng: random.Random) -> list[Planted]:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Benefits"
    header = [
        "Ref No",
        "Scheme",
        "Benefit Title",
        "Benefit Type",
        "Domain",
        "Who Benefits",
        "KPI",
        "UoM",
        "Good Is",
        "Baseline Method",
        "Baseline Figure",
        "Baseline Start",
        "Baseline End",
        "Target Level",
        "Target By",
        "Realisation Start Date",
        "Value per Unit",
        "Attributable",
        "Lead",
        "Sign-off Status",
        "Signed Off By",
        "Sign-off Date",
        "Confidence Level",
        "Narrative",
        "Cost Centre",
    ]
    last_col = get_column_letter(len(header))
    ws["A1"] = "Example Mental Health NHS Trust"
    ws["A2"] = "Digital programme: benefits register 2019/20 to 2020/21"
    ws.merge_cells(f"A1:{last_col}1")
    ws.merge_cells(f"A2:{last_col}2")
    ws["A1"].font = Font(bold=True, size=16, color="FFFFFF")
    ws["A1"].fill = PatternFill("solid", start_color="330072", end_color="330072")
    ws["A2"].font = Font(bold=True, size=12, color="330072")
    ws["A1"].alignment = ws["A2"].alignment = Alignment(horizontal="center")
    out = _Sheet(ws, header, 4)
    _style_header(ws, 4, len(header), "AE2573", font_colour="FFFFFF")
    date_format = "d mmm yyyy"
    formats = {
        "Baseline Start": date_format,
        "Baseline End": date_format,
        "Target By": date_format,
        "Realisation Start Date": date_format,
        "Sign-off Date": date_format,
        "Value per Unit": st.MONEY_FORMAT,
        "Baseline Figure": "#,##0.0",
        "Target Level": "#,##0.0",
    }
    planted: list[Planted] = []
    groups = _mh_specs()
    cost_centres = {"Mobile EPR": "W4410", "e-Rostering": "W2230", "Digital therapies": "C1175"}
    seen: set[str] = set()
    for g, group in enumerate(groups):
        if g:
            out.skip()  # a spacer row between schemes
        for spec in group:
            s = _MH_SPELL
            dated = spec.measure is not None
            row = out.add(
                {
                    "Ref No": spec.benefit_id,
                    "Scheme": spec.project,
                    "Benefit Title": spec.title,
                    "Benefit Type": s[spec.benefit_type],
                    "Domain": s[spec.category],
                    "Who Benefits": s[spec.beneficiary],
                    "KPI": spec.measure,
                    "UoM": s.get(spec.unit or ""),
                    "Good Is": s.get(spec.direction or ""),
                    "Baseline Method": s[spec.baseline_method] if dated else None,
                    "Baseline Figure": spec.baseline,
                    "Baseline Start": spec.baseline_start if dated else None,
                    "Baseline End": spec.baseline_end if dated else None,
                    "Target Level": spec.target,
                    "Target By": spec.target_date if dated else None,
                    "Realisation Start Date": spec.realisation_start,
                    "Value per Unit": spec.unit_value,
                    "Attributable": spec.attribution,
                    "Lead": spec.owner,
                    "Sign-off Status": s[spec.status],
                    "Signed Off By": spec.approved_by,
                    "Sign-off Date": spec.approved_on,
                    "Confidence Level": s.get(spec.confidence or ""),
                    "Narrative": spec.evidence,
                    "Cost Centre": cost_centres[spec.project],
                },
                formats=formats,
            )
            ws[out.cell(row, "Attributable")].number_format = '0"%"'
            if spec.benefit_id in seen:
                planted.append(
                    Planted(
                        MENTAL_HEALTH_FILE,
                        ws.title,
                        out.cell(row, "Ref No"),
                        "error",
                        "BRM401",
                        "MH-07 is used twice: 'Lower printing costs' should have its own reference.",
                    )
                )
            seen.add(spec.benefit_id)
            if spec.benefit_id == "MH-04":
                planted.append(
                    Planted(
                        MENTAL_HEALTH_FILE,
                        ws.title,
                        out.cell(row, "Narrative"),
                        "error",
                        "BRM306",
                        "MH-04 is signed off but its Narrative (evidence) is empty.",
                    )
                )
    _widths(
        ws,
        [
            9,
            18,
            46,
            24,
            24,
            13,
            36,
            11,
            8,
            14,
            14,
            13,
            13,
            12,
            13,
            14,
            13,
            11,
            30,
            14,
            20,
            13,
            11,
            60,
            11,
        ],
    )
    ws.column_dimensions["Y"].hidden = True  # Cost Centre: finance's column, hidden from the board pack
    ws.freeze_panes = "D5"

    data = wb.create_sheet("Actuals")
    mh = ["Ref No", "Quarter", "Result", "Source System", "Data Quality", "Comment"]
    meas = _Sheet(data, mh, 1)
    _style_header(data, 1, len(mh), "AE2573", font_colour="FFFFFF")
    grades = {"measured": "Measured data", "estimated": "Estimate", "assumed": "Assumption"}
    baseline_rows: list[int] = []
    for spec in (s for group in groups for s in group):
        if spec.measure is None or spec.title == "Lower printing costs":
            continue
        # MH-05's baseline is the mean of its baseline window, so give _series one to work from.
        series_spec = spec if spec.baseline is not None else _with_baseline(spec, 42.0)
        for period, value in _series(series_spec, QUARTERS, rng):
            if spec.benefit_id == "MH-02" and QUARTERS[0] < period < QUARTERS[4]:
                continue  # the owner left in summer 2019; a new lead picked the figures up in 2020
            grade = "estimated" if spec.benefit_id == "MH-01" and period.start.year == 2020 else "measured"
            row = meas.add(
                {
                    "Ref No": spec.benefit_id,
                    "Quarter": str(period),
                    "Result": value,
                    "Source System": spec.source,
                    "Data Quality": grades[grade],
                }
            )
            if spec.benefit_id == "MH-05" and period in QUARTERS[:2]:
                baseline_rows.append(row)
            if spec.benefit_id == "MH-02" and period == QUARTERS[4]:
                planted.append(
                    Planted(
                        MENTAL_HEALTH_FILE,
                        data.title,
                        meas.cell(row, "Quarter"),
                        "warning",
                        "BRM504",
                        "MH-02 has no figures for 2019/20 Q2, Q3 or Q4; the first figure after "
                        "the gap is flagged.",
                    )
                )
    mh05 = next(row for row in range(5, out.row + 1) if ws.cell(row=row, column=1).value == "MH-05")
    planted.append(
        Planted(
            MENTAL_HEALTH_FILE,
            ws.title,
            out.cell(mh05, "Baseline Method"),
            "warning",
            "BRM503",
            "MH-05's baseline is the average of its baseline window (Apr-Sep 2019), "
            f"which holds only two quarterly figures (Actuals rows {baseline_rows[0]} "
            f"and {baseline_rows[1]}).",
        )
    )
    _widths(data, [9, 12, 12, 18, 14, 30])
    data.freeze_panes = "A2"

    settings = wb.create_sheet("BRM Settings")
    settings["A1"], settings["B1"] = "trust_ods", "RRV"
    settings["A2"], settings["B2"] = "programme", "GDE"
    settings["D1"] = "Workbook-wide values for xl-brm: every benefit belongs to this trust and programme."
    _widths(settings, [14, 10])
    save_atomic(wb, path)
    return planted


def _with_baseline(spec: Spec, baseline: float) -> Spec:
    return dataclasses.replace(spec, baseline=baseline)


# --------------------------------------------------------------------------------------------
# (c) A community trust: canonical-ish snake_case headers, real Excel dates, a totals row,
#     qualitative, unplanned and dis-benefits, and a Trajectory sheet.
# --------------------------------------------------------------------------------------------

COMMUNITY_FILE = "community_taj.xlsx"


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


def write_community(path: Path, rng: random.Random) -> list[Planted]:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Benefits"
    header = [
        "benefit_id",
        "trust_ods",
        "programme",
        "project",
        "title",
        "benefit_type",
        "category",
        "beneficiary",
        "is_disbenefit",
        "planned",
        "measure",
        "unit",
        "direction",
        "baseline_value",
        "baseline_start",
        "baseline_end",
        "target_value",
        "target_date",
        "realisation_start",
        "unit_value_gbp",
        "attribution_pct",
        "benefit_owner",
        "approval_status",
        "approved_by",
        "approved_on",
        "confidence",
        "evidence",
        "planned_saving_gbp",
        "pmo_notes",
    ]
    out = _Sheet(ws, header, 1)
    _style_header(ws, 1, len(header), "41B6E6")
    dates = ("baseline_start", "baseline_end", "target_date", "realisation_start", "approved_on")
    formats = {d: st.DATE_FORMAT for d in dates} | {
        "unit_value_gbp": st.MONEY_FORMAT,
        "planned_saving_gbp": st.MONEY_FORMAT,
    }
    planted: list[Planted] = []
    specs = _community_specs()
    notes = {
        "CH-06": "Dis-benefit: extra documentation time; mitigation via templates from Q4",
        "CH-05": "Unplanned benefit spotted after go-live",
    }
    for spec in specs:
        dated = spec.measure is not None
        row = out.add(
            {
                "benefit_id": spec.benefit_id,
                "trust_ods": "TAJ",
                "programme": "FF",
                "project": spec.project,
                "title": spec.title,
                "benefit_type": spec.benefit_type,
                "category": spec.category,
                "beneficiary": spec.beneficiary,
                "is_disbenefit": spec.is_disbenefit,
                "planned": spec.planned,
                "measure": spec.measure,
                "unit": spec.unit,
                "direction": spec.direction,
                "baseline_value": spec.baseline,
                "baseline_start": spec.baseline_start if dated else None,
                "baseline_end": spec.baseline_end if dated else None,
                "target_value": spec.target,
                "target_date": spec.target_date if dated else None,
                "realisation_start": spec.realisation_start,
                "unit_value_gbp": spec.unit_value,
                "attribution_pct": spec.attribution,
                "benefit_owner": spec.owner,
                "approval_status": spec.status,
                "approved_by": spec.approved_by,
                "approved_on": spec.approved_on,
                "confidence": spec.confidence,
                "evidence": spec.evidence,
                "planned_saving_gbp": spec.local.get("planned_saving_gbp"),
                "pmo_notes": notes.get(spec.benefit_id),
            },
            formats=formats,
        )
        if spec.benefit_id == "CH-08":
            planted.append(
                Planted(
                    COMMUNITY_FILE,
                    ws.title,
                    out.cell(row, "target_date"),
                    "error",
                    "BRM308",
                    "CH-08's target date (31/03/2019) is before its realisation start "
                    "(01/10/2019): the year was mistyped.",
                )
            )
        if spec.benefit_id == "CH-09":
            planted.append(
                Planted(
                    COMMUNITY_FILE,
                    ws.title,
                    out.cell(row, "unit_value_gbp"),
                    "warning",
                    "BRM502",
                    "CH-09 values each clinic base at £1,450,000: plausible for a lease, "
                    "but worth a second look.",
                )
            )
    total_row = out.row + 1
    ws.cell(row=total_row, column=1, value="Total").font = st.BOLD
    saving = ws.cell(
        row=total_row,
        column=header.index("planned_saving_gbp") + 1,
        value=sum(s.local.get("planned_saving_gbp", 0) for s in specs),
    )
    saving.number_format, saving.font = st.MONEY_FORMAT, st.BOLD
    _widths(
        ws,
        [
            10,
            9,
            10,
            22,
            44,
            24,
            24,
            11,
            12,
            9,
            40,
            13,
            10,
            14,
            13,
            13,
            12,
            12,
            16,
            14,
            14,
            28,
            15,
            20,
            12,
            11,
            50,
            18,
            50,
        ],
    )
    ws.freeze_panes = "B2"

    data = wb.create_sheet("Measurements")
    mh = ["benefit_id", "period", "value", "source", "evidence_grade", "note"]
    meas = _Sheet(data, mh, 1)
    _style_header(data, 1, len(mh), "41B6E6")
    for spec in specs:
        if spec.measure is None or spec.performance is None or spec.benefit_id == "CH-08":
            continue
        for period, value in _series(spec, MONTHS, rng):
            meas.add(
                {
                    "benefit_id": spec.benefit_id,
                    "period": datetime(period.year, period.month_number, 1),
                    "value": value,
                    "source": spec.source,
                    "evidence_grade": "measured",
                },
                formats={"period": "mmm-yy"},
            )
    meas.add(
        {
            "benefit_id": "CH-04",
            "period": datetime(2020, 3, 1),
            "source": "FFT thematic review",
            "value": "Continuity comments up from 12 to 31 a quarter; 4 negative comments about "
            "repeating history, down from 15.",
            "evidence_grade": "measured",
        },
        formats={"period": "mmm-yy"},
    )
    row = meas.add(
        {
            "benefit_id": "CH-O2",
            "period": datetime(2020, 9, 1),
            "value": 3150,
            "source": "Print management",
            "evidence_grade": "estimated",
            "note": "September estimate",
        },
        formats={"period": "mmm-yy"},
    )
    planted.append(
        Planted(
            COMMUNITY_FILE,
            data.title,
            meas.cell(row, "benefit_id"),
            "error",
            "BRM402",
            "'CH-O2' (letter O) should be CH-02 (zero): no benefit has that reference.",
        )
    )
    _widths(data, [11, 10, 12, 22, 15, 60])
    data.freeze_panes = "A2"

    plan = wb.create_sheet("Trajectory")
    th = ["benefit_id", "period", "planned_value"]
    traj = _Sheet(plan, th, 1)
    _style_header(plan, 1, len(th), "41B6E6")
    for spec in specs[:2]:
        assert spec.baseline is not None and spec.target is not None
        start = Period.of_date(date(2019, 10, 1))
        for k in range(18):
            share = 1 / (1 + math.exp(-(k - 6) / 2))  # an S-curve: slow start, fast middle, plateau
            level = spec.baseline + (spec.target - spec.baseline) * share
            traj.add(
                {
                    "benefit_id": spec.benefit_id,
                    "period": str(start.shift(k)),
                    "planned_value": round(level, 0),
                }
            )
    _widths(plan, [11, 10, 14])
    plan.freeze_panes = "A2"
    save_atomic(wb, path)
    return planted


EXAMPLES: dict[str, Callable[[Path, random.Random], list[Planted]]] = {
    ACUTE_FILE: write_acute,
    MENTAL_HEALTH_FILE: write_mental_health,
    COMMUNITY_FILE: write_community,
}

DESCRIPTIONS = {
    ACUTE_FILE: "A GDE acute trust (RJ1). Sheet 'Benefits Register' with two title rows above the "
    "header, its own column names ('Benefit Ref', 'Benefit Description', 'Cash/Non-cash', "
    "'Go Live', 'Unit Value (£)'), UK text dates ('01/04/2019'), £ strings ('£38.50'), "
    "percent strings ('80%'), local 'RAG (local)' and 'Comments' columns and two notes rows "
    "below the table. Monthly figures on 'Monthly Data' (one title row, 'Apr-19' months, "
    "grades spelled 'Actual'/'Estimate').",
    MENTAL_HEALTH_FILE: "A mental-health trust (RRV). No ODS or programme column: a 'BRM Settings' "
    "sheet supplies both. Merged title cells over two rows, a blank row, then the header on "
    "row 4; spacer rows between schemes; a hidden local 'Cost Centre' column (Y); "
    "real date cells shown as '1 Apr 2019'; attribution as Excel percentages; "
    "spellings such as 'Signed off', 'Up'/'Down', 'Organisation'. Quarterly figures "
    "('2019/20 Q1') on 'Actuals'.",
    COMMUNITY_FILE: "A community trust (TAJ, programme FF). snake_case headers close to the "
    "canonical names, real Excel date cells, TRUE/FALSE flags, a free-text unit "
    "('contacts/day'), a "
    "local 'planned_saving_gbp' column with a 'Total' row under the table, a qualitative "
    "benefit with text evidence as a measurement, an unplanned benefit (CH-05), a "
    "dis-benefit (CH-06) and a 'Trajectory' sheet with an S-shaped plan for CH-01 and "
    "CH-02. Monthly figures as real dates.",
}


def write_examples(folder: str | Path, *, seed: int = SEED) -> list[Planted]:
    """Write the example registers and their README into `folder`; return what was planted."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    planted: list[Planted] = []
    for name, writer in EXAMPLES.items():
        planted += writer(target / name, random.Random(f"{seed}:{name}"))
    with atomic_path(target / "README.md") as tmp:
        tmp.write_text(examples_readme(planted), encoding="utf-8")
    return planted


def examples_readme(planted: list[Planted]) -> str:
    lines = [
        "# Example trust registers",
        "",
        "Generated by `xl_brm.excel.examples.write_examples`",
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
    for name, text in DESCRIPTIONS.items():
        lines += [f"- **{name}** — {text}", ""]
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


# --------------------------------------------------------------------------------------------
# Large registers for the benchmark: openpyxl write-only mode, one house style with synonyms.
# --------------------------------------------------------------------------------------------

LARGE_BENEFIT_HEADER = (
    "Benefit Ref",
    "Trust Code",
    "Programme",
    "Project",
    "Benefit Description",
    "Benefit Type",
    "Category",
    "Beneficiary",
    "Measure",
    "Unit",
    "Direction",
    "Baseline",
    "Baseline From",
    "Baseline To",
    "Target",
    "Target Date",
    "Go Live",
    "Unit Value (£)",
    "Attribution %",
    "Benefit Owner",
    "Status",
    "Approved By",
    "Approval Date",
    "Confidence",
    "Evidence",
    "Local Notes",
)
LARGE_MEASUREMENT_HEADER = ("Benefit Ref", "Month", "Actual", "Data Source", "Grade", "Notes")
_PROJECTS = (
    "EPMA",
    "Order comms",
    "Patient portal",
    "eObs",
    "Clinical noting",
    "Theatres",
    "PACS",
    "Positive patient ID",
    "Shared care record",
    "e-Rostering",
)
_TYPES = (("CRB", "count", 4.2), ("NCRB", "hours", 31.5), ("Quantitative", "minutes", None))
_CATEGORIES = ("Safety", "Efficiency", "Patient experience", "Staff experience", "Clinical outcome")


def _large_benefits(n: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for i in range(1, n + 1):
        kind, unit, unit_value = _TYPES[i % 3]
        project = _PROJECTS[i % len(_PROJECTS)]
        decrease = i % 2 == 0
        baseline = float(rng.randint(200, 5000))
        target = round(baseline * (0.7 if decrease else 1.3))
        approved = i % 4 != 0
        yield (
            f"B{i:06d}",
            "RJ1",
            "GDE",
            project,
            f"{project} benefit {i}",
            kind,
            _CATEGORIES[i % 5],
            "Patients",
            f"{project} measure {i}",
            unit,
            "Lower is better" if decrease else "Higher is better",
            baseline,
            "01/04/2019",
            "30/09/2019",
            target,
            "31/03/2021",
            "01/10/2019",
            f"£{unit_value:,.2f}" if unit_value else None,
            "100%",
            "Benefit Owner",
            "Approved" if approved else "Draft",
            "Director of Finance" if approved else None,
            "15/01/2020" if approved else None,
            "Medium",
            None,
            None,
        )


def write_large_register(
    path: str | Path, *, benefits: int = 10_000, months: int = 24, seed: int = SEED
) -> Path:
    """A register of `benefits` rows and `benefits × months` measurements, for benchmarks.

    House style: the acute trust's column names, UK text dates, £ strings, 'Apr-19' months, one
    title row above the header. Streamed straight to SpreadsheetML (see `_fast_xlsx`): openpyxl's
    write-only mode took 100 s for the 10k register, this takes a few seconds, in flat memory.
    """
    rng = random.Random(seed)
    target = Path(path)
    rows = list(_large_benefits(benefits, rng))
    register: list[Sequence[Any]] = [
        ["Example Acute Hospitals NHS Foundation Trust — benefits register (benchmark)"],
        list(LARGE_BENEFIT_HEADER),
        *rows,
    ]
    labels = [Period.month(2019, 4).shift(m).start.strftime("%b-%y") for m in range(months)]

    def measurements() -> Iterator[Sequence[Any]]:
        yield LARGE_MEASUREMENT_HEADER
        gauss = rng.gauss
        for row in rows:
            ref, baseline, goal = row[0], row[11], row[14]
            step = (goal - baseline) / max(1, months)
            for m, label in enumerate(labels):
                value = round(baseline + step * m + gauss(0, baseline * 0.02), 1)
                yield (ref, label, value, "Datix", "Actual", None)

    sheets = [
        ("Benefits Register", register, len(register), len(LARGE_BENEFIT_HEADER)),
        ("Monthly Data", measurements(), 1 + benefits * months, len(LARGE_MEASUREMENT_HEADER)),
    ]
    with atomic_path(target) as tmp:
        write_xlsx(tmp, sheets)
    return target
