"""Canonical fields of each sheet (SPEC §2): the one place that says what a column is.

The reader maps headers with `synonyms`, the parser converts cells by `kind`, the template
builds dropdowns and input help from `enum` and `help`, the national store keeps `core` fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from xl_brm.enums import (
    ApprovalStatus,
    BaselineMethod,
    Beneficiary,
    BenefitType,
    Category,
    Confidence,
    Direction,
    EvidenceGrade,
    Unit,
    fold,
)

Kind = Literal["text", "ods", "enum", "unit", "bool", "number", "percent", "money", "date", "period", "value"]
"""How a cell is read. `unit` is an enum that also accepts free text; `value` is a number,
or text evidence for a qualitative benefit (the Measurements sheet)."""


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    core: bool = False
    """Mandatory nationally (SPEC §2.1 'national core' = yes)."""
    help: str = ""
    enum: type[StrEnum] | None = None
    synonyms: tuple[str, ...] = ()
    default: object = None
    max_length: int | None = None
    example: str = ""
    keywords: tuple[str, ...] = ()
    """Word stems that name this field in headers no synonym matches (see reader.headers)."""
    folded: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = (self.name, self.name.replace("_", " "), *self.synonyms)
        object.__setattr__(self, "folded", frozenset(fold(n) for n in names))


_BARE_NO = "no$ -row -line -seq -serial -item -page -sheet"
"""A column headed just "No." holds the benefit's number when no other header names the ID
(a keyword, so an exact synonym elsewhere wins); "Row No." and the like are row counters."""

BENEFIT_FIELDS: tuple[Field, ...] = (
    Field(
        "benefit_id",
        "text",
        core=True,
        max_length=64,
        example="EPMA-01",
        help="Your reference for the benefit, unique within the trust.",
        synonyms=(
            "Benefit ID",
            "Benefit Ref",
            "Benefit Reference",
            "Ref",
            "Ref No",
            "Reference",
            "ID",
            "Benefit No",
            "Benefit Number",
            "BRM ID",
            "Benefit Code",
        ),
        keywords=("ref", "id$", "identifier", "benefit no$", "benefit num", "unique", "benefit code",
                  _BARE_NO),
    ),
    Field(
        "trust_ods",
        "ods",
        core=True,
        example="RJ1",
        help="ODS code of the trust: 3-5 upper-case letters or digits, e.g. RJ1.",
        synonyms=(
            "Trust ODS",
            "ODS",
            "ODS Code",
            "Trust Code",
            "Organisation Code",
            "Org Code",
            "Provider Code",
        ),
        keywords=("ods", "trust code", "org code", "organisation code", "organization code", "provider code"),
    ),
    Field(
        "programme",
        "text",
        core=True,
        example="GDE",
        help="The national programme that funds the initiative, e.g. GDE or FF.",
        synonyms=("Programme", "Program", "Funding Programme", "National Programme", "Funding Stream"),
        keywords=("programme", "program -manag -lead", "prog$", "funding", "fund$"),
    ),
    Field(
        "project",
        "text",
        core=True,
        example="EPMA",
        help="The digital initiative, e.g. EPMA or Positive patient ID.",
        synonyms=("Project", "Initiative", "Scheme", "Workstream", "Digital Initiative", "Project Name"),
        keywords=(
            "project -manag -lead -owner -code -id$ -ref -cost -start",
            "scheme -cost -ref -id$ -no$ -code -number",
            "workstream",
            "initiative",
            "work stream",
        ),
    ),
    Field(
        "title",
        "text",
        core=True,
        example="Fewer medication administration errors",
        help="A short description of the benefit.",
        synonyms=(
            "Title",
            "Benefit",
            "Benefit Title",
            "Benefit Name",
            "Benefit Description",
            "Description",
            "Name",
        ),
        keywords=(
            "title",
            "descr",
            "statement",
            "summary",
            "benefit name -owner -approv -sign -lead",
            "name -owner -approv -sign -lead -trust -org",
        ),
    ),
    Field(
        "benefit_type",
        "enum",
        core=True,
        enum=BenefitType,
        example="cash_releasing",
        help="cash_releasing, non_cash_releasing, quantitative_non_financial or qualitative.",
        synonyms=(
            "Type",
            "Benefit Type",
            "Classification",
            "Benefit Class",
            "Benefit Classification",
            "Financial Type",
            "Cash/Non-cash",
            "Cash or Non-cash",
        ),
        keywords=(
            "type -unit -measure -data",
            "classif",
            "crb",
            "ncrb",
            "cash -value -gbp -saving",
            "cashable",
            "financial -value -year",
        ),
    ),
    Field(
        "category",
        "enum",
        core=True,
        enum=Category,
        example="safety_quality",
        help="safety_quality, clinical_outcomes, patient_experience, staff_experience or "
        "resource_sustainability.",
        synonyms=("Category", "Benefit Category", "Domain", "Theme", "Benefit Area"),
        keywords=("categ", "theme", "domain", "benefit area", "dimension"),
    ),
    Field(
        "beneficiary",
        "enum",
        enum=Beneficiary,
        example="patients",
        help="Who gains: trust, patients, staff, wider_nhs or society.",
        synonyms=("Beneficiary", "Who Benefits", "Stakeholder", "Benefits To"),
        keywords=("beneficiar", "who benefit", "stakeholder"),
    ),
    Field(
        "is_disbenefit",
        "bool",
        default=False,
        example="No",
        help="Yes if this is a dis-benefit (a negative consequence).",
        synonyms=("Dis-benefit", "Disbenefit", "Is Disbenefit", "Dis-benefit?", "Negative"),
        keywords=("disbenefit", "dis benefit", "negative"),
    ),
    Field(
        "planned",
        "bool",
        default=True,
        example="Yes",
        help="No for an unanticipated benefit recorded after the fact.",
        synonyms=("Planned", "Planned?", "Anticipated", "Expected"),
        keywords=(
            "planned -saving -value -gbp -cost -date -target -level -figure -amount -start -end",
            "unplanned",
            "anticipat",
            "expected benefit$",
        ),
    ),
    Field(
        "measure",
        "text",
        example="medication administration errors",
        help="What is counted. Needed for quantitative benefits.",
        synonyms=("Measure", "Metric", "KPI", "Indicator", "Measure Description", "Measured By"),
        keywords=("measur -code -unit -value -date -national -period -frequen", "metric", "kpi", "indicator"),
    ),
    Field(
        "national_measure_code",
        "text",
        example="",
        help="Optional code from the national measure catalogue.",
        synonyms=("National Measure", "National Measure Code", "Measure Code", "National Code"),
        keywords=("national measure", "measure code", "national code", "nmc$"),
    ),
    Field(
        "unit",
        "unit",
        enum=Unit,
        example="count",
        help="count, hours, minutes, days, gbp, percent, rate_per_1000, score, or your own text.",
        synonyms=("Unit", "Units", "Unit of Measure", "UoM", "Measure Unit"),
        keywords=("unit -value -cost -price -gbp -per -owner", "uom", "units"),
    ),
    Field(
        "direction",
        "enum",
        enum=Direction,
        example="decrease",
        help="increase or decrease: which way is an improvement.",
        synonyms=("Direction", "Improvement Direction", "Desired Direction", "Polarity", "Good Is"),
        keywords=("direction", "polarity", "better", "desired"),
    ),
    Field(
        "baseline_value",
        "number",
        example="120",
        help="The baseline level of the measure (or leave blank and give a baseline method).",
        synonyms=(
            "Baseline",
            "Baseline Value",
            "Baseline Figure",
            "Baseline Level",
            "Start Value",
            "Current Value",
            "As Is",
        ),
        keywords=(
            "baseline -start -end -from -to$ -until -date -method -period -how -calc -basis -source"
            " -begin -finish -year",
            "as is",
            "current value",
            "current level",
            "starting value",
            "start value",
        ),
    ),
    Field(
        "baseline_start",
        "date",
        example="01/04/2019",
        help="First day of the baseline window (dd/mm/yyyy).",
        synonyms=("Baseline Start", "Baseline From", "Baseline Start Date", "Baseline Period Start"),
        keywords=("baseline start", "baseline from", "baseline begin", "baseline commenc"),
    ),
    Field(
        "baseline_end",
        "date",
        example="30/09/2019",
        help="Last day of the baseline window (dd/mm/yyyy).",
        synonyms=("Baseline End", "Baseline To", "Baseline End Date", "Baseline Period End"),
        keywords=("baseline end", "baseline to$", "baseline until", "baseline finish"),
    ),
    Field(
        "baseline_method",
        "enum",
        enum=BaselineMethod,
        default=BaselineMethod.GIVEN,
        example="given",
        help="given, mean, median, last or same_period_last_year.",
        synonyms=("Baseline Method", "Baseline Calculation", "Baseline Basis"),
        keywords=("baseline method", "baseline calc", "baseline basis", "baselined", "method"),
    ),
    Field(
        "target_value",
        "number",
        example="60",
        help="The level the measure should reach by the target date.",
        synonyms=("Target", "Target Value", "Target Level", "Goal", "To Be", "Expected Value"),
        keywords=("target -date -due -by$ -when -achiev -year -month", "to be$", "goal", "aim"),
    ),
    Field(
        "target_date",
        "date",
        example="31/03/2021",
        help="When the target should be reached (dd/mm/yyyy).",
        synonyms=("Target Date", "Target By", "Due Date", "Target Achievement Date", "Deadline"),
        keywords=(
            "target date",
            "target due",
            "target by$",
            "target when",
            "target achiev",
            "due date",
            "deadline",
            "date due",
            "target month",
            "target year",
        ),
    ),
    Field(
        "realisation_start",
        "date",
        example="01/10/2019",
        help="When the benefit is expected to start appearing (dd/mm/yyyy).",
        synonyms=(
            "Realisation Start",
            "Realisation Start Date",
            "Realization Start",
            "Start Date",
            "Benefit Start",
            "Go Live",
            "Go-Live Date",
            "Expected Start",
        ),
        keywords=(
            "realis start",
            "realiz start",
            "realis date",
            "realisation from",
            "benefit start",
            "start date -baseline",
            "go live",
            "golive",
            "live date",
            "commence -baseline",
        ),
    ),
    Field(
        "unit_value_gbp",
        "money",
        example="£35.00",
        help="£ per unit of the measure. Needed for cash and non-cash releasing benefits.",
        synonyms=(
            "Unit Value",
            "Unit Value £",
            "Unit Value (£)",
            "Value per Unit",
            "£ per Unit",
            "Unit Cost",
            "Cost per Unit",
            "Unit Price",
            "Financial Value per Unit",
        ),
        keywords=(
            "per unit",
            "unit value",
            "unit cost",
            "unit price",
            "value per",
            "cost per",
            "unit gbp",
            "gbp unit",
            "price per",
            "rate gbp",
            "tariff",
        ),
    ),
    Field(
        "attribution_pct",
        "percent",
        default=100.0,
        example="80%",
        help="Share of the change attributed to the initiative, 0-100 (default 100).",
        synonyms=(
            "Attribution",
            "Attribution %",
            "Attribution Pct",
            "Attribution Percent",
            "Attributable",
            "% Attributable",
            "Contribution %",
        ),
        keywords=("attribut", "contribution", "attributable"),
    ),
    Field(
        "benefit_owner",
        "text",
        core=True,
        example="Chief Pharmacist",
        help="Who is accountable for realising the benefit.",
        synonyms=(
            "Owner",
            "Benefit Owner",
            "Lead",
            "Benefit Lead",
            "Responsible Owner",
            "Accountable Owner",
            "SRO",
        ),
        keywords=("owner", "lead$", "sro$", "responsible", "accountable"),
    ),
    Field(
        "approval_status",
        "enum",
        core=True,
        enum=ApprovalStatus,
        example="draft",
        help="draft, submitted, approved or rejected.",
        synonyms=("Status", "Approval", "Approval Status", "Sign Off", "Sign-off Status", "Approved?"),
        keywords=(
            "status -rag -sync -national",
            "approval -date -by$ -on$ -when",
            "approved$ -date -by$ -on$ -when",
            "sign off -date -by$ -on$",
        ),
    ),
    Field(
        "approved_by",
        "text",
        example="Director of Finance",
        help="Who approved the benefit. Needed when approved.",
        synonyms=("Approved By", "Approver", "Signed Off By"),
        keywords=("approv by$", "approver", "sign by$", "authoris by$", "agreed by$"),
    ),
    Field(
        "approved_on",
        "date",
        example="15/01/2020",
        help="When it was approved (dd/mm/yyyy). Needed when approved.",
        synonyms=("Approved On", "Approval Date", "Date Approved", "Signed Off On", "Sign-off Date"),
        keywords=(
            "approv date",
            "approv on$",
            "approv when",
            "sign date",
            "sign on$",
            "authoris date",
            "agreed date",
            "date agreed",
        ),
    ),
    Field(
        "confidence",
        "enum",
        enum=Confidence,
        example="medium",
        help="high, medium or low.",
        synonyms=("Confidence", "Confidence Level", "RAG Confidence", "Certainty"),
        keywords=("confiden", "certaint", "likelihood"),
    ),
    Field(
        "evidence",
        "text",
        example="Audit of 200 drug rounds, Jan 2020",
        help="Narrative evidence. Needed for approved qualitative benefits.",
        synonyms=(
            "Evidence",
            "Evidence Narrative",
            "Narrative",
            "Evidence Notes",
            "Qualitative Evidence",
            "Supporting Evidence",
        ),
        keywords=("evidence -grade", "narrative", "qualitative"),
    ),
)

MEASUREMENT_FIELDS: tuple[Field, ...] = (
    Field(
        "benefit_id",
        "text",
        core=True,
        max_length=64,
        example="EPMA-01",
        help="The benefit this measurement belongs to.",
        synonyms=("Benefit ID", "Benefit Ref", "Ref", "Ref No", "Reference", "ID", "Benefit"),
        keywords=("ref", "id$", "identifier", "benefit no$", "benefit num", "benefit code", "benefit$",
                  _BARE_NO),
    ),
    Field(
        "period",
        "period",
        core=True,
        example="2019-10",
        help="A month (2019-10, Oct-19) or a quarter (2019/20 Q3).",
        synonyms=("Period", "Month", "Quarter", "Reporting Period", "Date", "Period Ending", "Qtr", "Mth"),
        keywords=("period", "month", "quarter", "qtr", "mth", "date", "reporting", "week"),
    ),
    Field(
        "value",
        "value",
        core=True,
        example="95",
        help="The measured value; for a qualitative benefit, text evidence.",
        synonyms=("Value", "Actual", "Actual Value", "Measurement", "Result", "Observed"),
        keywords=("value", "actual", "measured", "result", "figure", "observ", "amount", "reading"),
    ),
    Field(
        "source",
        "text",
        example="Datix",
        help="Where the figure comes from.",
        synonyms=("Source", "Data Source", "Source System"),
        keywords=("source", "system", "data from"),
    ),
    Field(
        "evidence_grade",
        "enum",
        enum=EvidenceGrade,
        default=EvidenceGrade.MEASURED,
        example="measured",
        help="measured, estimated or assumed (default measured).",
        synonyms=("Evidence Grade", "Grade", "Data Quality", "Basis"),
        keywords=("grade", "basis", "evidence", "quality", "confiden", "measured or", "estimat"),
    ),
    Field(
        "note",
        "text",
        example="",
        help="Anything worth knowing about this figure.",
        synonyms=("Note", "Notes", "Comment", "Comments"),
        keywords=("note", "comment", "remark", "narrative"),
    ),
)

TRAJECTORY_FIELDS: tuple[Field, ...] = (
    Field(
        "benefit_id",
        "text",
        core=True,
        max_length=64,
        synonyms=("Benefit ID", "Benefit Ref", "Ref", "Ref No", "Reference", "ID", "Benefit"),
        keywords=("ref", "id$", "identifier", "benefit no$", "benefit num", "benefit$"),
    ),
    Field(
        "period",
        "period",
        core=True,
        synonyms=("Period", "Month", "Quarter"),
        keywords=("period", "month", "quarter", "date"),
    ),
    Field(
        "planned_value",
        "number",
        core=True,
        synonyms=("Planned", "Planned Value", "Plan", "Trajectory", "Expected"),
        keywords=("plan", "trajector", "expected", "profile", "forecast"),
    ),
)

SHEETS: dict[str, tuple[Field, ...]] = {
    "Benefits": BENEFIT_FIELDS,
    "Measurements": MEASUREMENT_FIELDS,
    "Trajectory": TRAJECTORY_FIELDS,
}
"""Canonical sheet name -> its fields. Sheets are found by these names (folded) or synonyms."""

SHEET_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Benefits": ("Benefits", "Benefit Register", "Benefits Register", "Register", "Benefits Log"),
    "Measurements": (
        "Measurements",
        "Measures",
        "Actuals",
        "Tracking",
        "Benefit Tracking",
        "Data",
        "Monthly Data",
    ),
    "Trajectory": ("Trajectory", "Trajectories", "Plan", "Planned", "Profile"),
}

SETTINGS_SHEET = "BRM Settings"
"""Optional sheet of `key | value` rows giving workbook-wide defaults (trust_ods, programme)."""

TOOL_SHEETS = frozenset({"Guide", "Lists", "Computed", "Computed by period", "Summary", "Issues",
                         "BRM Computed", "BRM Summary", "BRM National"})
"""Sheets xl-brm itself writes (the template, computed and annotated copies, the ribbon): never
the trust's data, so never reported as a sheet left unread."""

BENEFIT_FIELD = {f.name: f for f in BENEFIT_FIELDS}
MEASUREMENT_FIELD = {f.name: f for f in MEASUREMENT_FIELDS}
CORE_BENEFIT_FIELDS = tuple(f.name for f in BENEFIT_FIELDS if f.core)
