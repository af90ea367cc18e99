"""Enumerations of SPEC §2, with the human spellings trusts actually type.

Each enum's `SPELLINGS` maps a *folded* spelling (lower case, letters and digits only) to a member.
`fold()` is the one folding function used for enum values and header names alike.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case and drop everything but letters and digits: 'Cash-Releasing ' -> 'cashreleasing'."""
    return _NON_ALNUM.sub("", text.lower().replace("£", "gbp").replace("%", "pct"))


class BenefitType(StrEnum):
    CASH_RELEASING = "cash_releasing"
    NON_CASH_RELEASING = "non_cash_releasing"
    QUANTITATIVE_NON_FINANCIAL = "quantitative_non_financial"
    QUALITATIVE = "qualitative"

    @property
    def is_financial(self) -> bool:
        return self in (BenefitType.CASH_RELEASING, BenefitType.NON_CASH_RELEASING)

    @property
    def is_quantitative(self) -> bool:
        return self is not BenefitType.QUALITATIVE


class Category(StrEnum):
    SAFETY_QUALITY = "safety_quality"
    CLINICAL_OUTCOMES = "clinical_outcomes"
    PATIENT_EXPERIENCE = "patient_experience"
    STAFF_EXPERIENCE = "staff_experience"
    RESOURCE_SUSTAINABILITY = "resource_sustainability"


class Beneficiary(StrEnum):
    TRUST = "trust"
    PATIENTS = "patients"
    STAFF = "staff"
    WIDER_NHS = "wider_nhs"
    SOCIETY = "society"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class BaselineMethod(StrEnum):
    GIVEN = "given"
    MEAN = "mean"
    MEDIAN = "median"
    LAST = "last"
    SAME_PERIOD_LAST_YEAR = "same_period_last_year"


class ApprovalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class EvidenceGrade(StrEnum):
    MEASURED = "measured"
    ESTIMATED = "estimated"
    ASSUMED = "assumed"


class Unit(StrEnum):
    """Known units; any other text is accepted as a free-text unit."""

    COUNT = "count"
    HOURS = "hours"
    MINUTES = "minutes"
    DAYS = "days"
    GBP = "gbp"
    PERCENT = "percent"
    RATE_PER_1000 = "rate_per_1000"
    SCORE = "score"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NOT_STARTED = "not_started"
    NO_DATA = "no_data"
    QUALITATIVE = "qualitative"


SYNONYMS: dict[type[StrEnum], dict[str, tuple[str, ...]]] = {
    BenefitType: {
        "cash_releasing": ("Cash releasing", "Cash-releasing benefit", "CRB", "CR", "Cash",
                           "Financial cash releasing", "Financial - cash releasing", "Cash saving",
                           "Cash releasing saving"),
        "non_cash_releasing": ("Non-cash releasing", "Non-cash releasing benefit", "Non cash", "NCRB",
                               "NCR", "Non-cashable", "Non-cash", "Financial non-cash releasing",
                               "Financial - non-cash releasing", "Cost avoidance"),
        "quantitative_non_financial": ("Quantitative", "Quantitative non-financial",
                                       "Non-financial quantitative", "Non-financial quantifiable",
                                       "Quantifiable", "Quantifiable non-financial", "Measurable",
                                       "Measurable non-financial", "QNF", "Non-financial (measurable)"),
        "qualitative": ("Qual", "Qualitative non-financial", "Non-financial qualitative",
                        "Non-quantifiable", "Unquantifiable", "Intangible", "Narrative"),
    },
    Category: {
        "safety_quality": ("Safety", "Safety and quality", "Quality and safety", "Patient safety", "Quality",
                           "Safe", "Clinical safety", "Quality improvement", "Harm reduction", "Safer care",
                           "Medication safety"),
        "clinical_outcomes": ("Clinical outcome", "Outcomes", "Patient outcomes", "Health outcomes",
                              "Clinical effectiveness", "Effectiveness", "Effective", "Outcome",
                              "Population health"),
        "patient_experience": ("Patient experience", "Experience", "Patient satisfaction", "Caring",
                               "Responsive", "Access", "Patient access", "Service user experience",
                               "Patient and carer experience", "Carer experience", "Patient engagement"),
        "staff_experience": ("Staff experience", "Workforce", "Staff satisfaction", "Staff wellbeing",
                             "Staff well-being", "Wellbeing", "Staff", "People", "Employee experience",
                             "Staff engagement", "Staff retention", "Working lives"),
        "resource_sustainability": ("Resource", "Resources", "Sustainability", "Resource and sustainability",
                                    "Efficiency", "Productivity", "Efficiency and productivity",
                                    "Productivity and efficiency", "Financial", "Finance", "Cost reduction",
                                    "Cost saving", "Cost savings", "Cost avoidance", "Savings",
                                    "Value for money", "Operational efficiency", "Capacity", "Time saving",
                                    "Time released", "Environmental", "Environment", "Carbon reduction",
                                    "Green", "Net zero", "Estates", "Use of resources",
                                    "Financial sustainability"),
    },
    Beneficiary: {
        "patients": ("Patient", "Service users", "Service user", "Patients and carers", "Carers"),
        "staff": ("Staff member", "Clinicians", "Clinical staff", "Workforce", "Employees", "Nurses"),
        "trust": ("Organisation", "Organization", "Provider", "Hospital", "The trust"),
        "wider_nhs": ("Wider NHS", "System", "ICS", "ICB", "Integrated care system", "Health system",
                      "Commissioners", "CCG", "Partners", "Health and care system", "Social care"),
        "society": ("Public", "Community", "Local population", "Population", "Citizens", "Wider society"),
    },
    Direction: {
        "increase": ("Up", "Higher is better", "Increase is better", "Higher", "More", "Maximise",
                     "Maximize", "Increasing", "Rise", "Higher the better", "Up is good"),
        "decrease": ("Down", "Lower is better", "Reduce", "Reduction", "Decrease is better", "Lower", "Less",
                     "Fewer", "Minimise", "Minimize", "Decreasing", "Fall", "Lower the better",
                     "Down is good"),
    },
    BaselineMethod: {
        "given": ("Given value", "Fixed", "Stated", "Value", "Agreed", "Manual"),
        "mean": ("Average", "Avg", "Mean average", "Mean of period"),
        "median": ("Median value",),
        "last": ("Latest", "Most recent", "Last value", "Final"),
        "same_period_last_year": ("Same period last year", "SPLY", "Prior year", "Previous year",
                                  "Same month last year"),
    },
    ApprovalStatus: {
        "draft": ("Draft", "In draft", "Proposed", "Identified", "Not submitted", "Work in progress",
                  "WIP", "Being developed"),
        "submitted": ("Submitted", "Awaiting approval", "Pending", "Pending approval", "For approval",
                      "Under review", "In review", "Awaiting sign-off", "Awaiting sign off",
                      "Submitted for approval"),
        "approved": ("Approved", "Signed off", "Signed-off", "Agreed", "Accepted", "Validated", "Confirmed",
                     "Ratified"),
        "rejected": ("Rejected", "Declined", "Not approved", "Not agreed", "Refused"),
    },
    Confidence: {
        "high": ("H", "Hi"),
        "medium": ("M", "Med", "Moderate", "Mid"),
        "low": ("L", "Lo"),
    },
    EvidenceGrade: {
        "measured": ("Actual", "Actuals", "Measured data", "Recorded", "Audited", "Verified", "Data"),
        "estimated": ("Estimate", "Est", "Estimated data", "Projected", "Projection", "Modelled",
                      "Modeled", "Proxy"),
        "assumed": ("Assumption", "Assumed data", "Anecdotal"),
    },
    Unit: {
        "count": ("Number", "No.", "Nos", "Count of", "Quantity", "Qty", "Numbers"),
        "hours": ("Hrs", "Hour", "Hr", "Hours saved"),
        "minutes": ("Mins", "Minute", "Min"),
        "days": ("Day",),
        "gbp": ("£", "GBP £", "Pounds", "£ (GBP)", "Pounds sterling", "Sterling"),
        "percent": ("%", "Per cent", "Percentage", "Pct", "Percent (%)"),
        "rate_per_1000": ("Rate per 1,000", "Per 1000", "Per 1,000", "Rate per thousand"),
        "score": ("Points", "Index", "Rating"),
    },
}
"""The spellings trusts use for each member, beyond its own name (docs/spellings.md lists them)."""

AMBIGUOUS: frozenset[type[StrEnum]] = frozenset({Category, Beneficiary})
"""Enums where a spelling joining two members ('Quality / Efficiency') is read as the first
with a warning (BRM217) naming the other: descriptive fields, where the first is the
benefit's main one. Elsewhere (a type, a direction, a status) it is refused."""


def _spellings(enum: type[StrEnum]) -> dict[str, StrEnum]:
    table: dict[str, StrEnum] = {fold(m.value): m for m in enum}
    table.update({fold(m.name): m for m in enum})
    for value, words in SYNONYMS.get(enum, {}).items():
        table.update({fold(w): enum(value) for w in words})
    return table


SPELLINGS: dict[type[StrEnum], dict[str, StrEnum]] = {
    enum: _spellings(enum)
    for enum in (BenefitType, Category, Beneficiary, Direction, BaselineMethod, ApprovalStatus, Confidence,
                 EvidenceGrade, Unit)
}


E = TypeVar("E", bound=StrEnum)


def _without_asides(text: str) -> str:
    """`text` with each closed bracketed aside, nested or not, as a space: 'Cash (CRB)' ->
    'Cash  '. One pass (a pattern that re-scans from each '(' took minutes on a cell of 32,767
    of them); an opening bracket never closed stays as it is."""
    out: list[str] = []
    opened: list[int] = []
    for ch in text:
        if ch in "([":
            opened.append(len(out))
        elif ch in ")]" and opened:
            del out[opened.pop():]
            if not opened:
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


_JOINS = re.compile(r"/|&|\+|,|;|\band\b|\bor\b", re.IGNORECASE)
"""Where a spelling joins two values (spaces around are folded away: a pattern that took them in
re-scanned a long run of spaces from every one of them)."""


def parse_enum(enum: type[E], text: str) -> E | None:
    """The member a human spelling means, or None when it means none of them (or is ambiguous
    where a guess is not safe: see `read_enum`)."""
    member, _others = read_enum(enum, text)
    return member


def read_enum(enum: type[E], text: str) -> tuple[E | None, tuple[E, ...]]:
    """The member a spelling means, and the other members it also names (ambiguous spellings).

    'Cash Releasing (CRB)', 'Quality & Safety' and 'Efficiency / Productivity' are read too:
    bracketed asides are dropped, and a spelling joining words with '/', '&', 'and' or ','
    is read part by part when it means nothing as written. Parts naming one member read as it;
    parts naming different members read as the first, with the others returned, for the
    descriptive enums in `AMBIGUOUS` only (elsewhere: None). An unknown part means None.
    """
    table = SPELLINGS[enum]
    member = table.get(fold(text))
    if member is not None:
        return member, ()  # type: ignore[return-value]
    plain = _without_asides(text)
    for candidate in (plain, plain.replace("&", " and ").replace("/", " and ")):
        member = table.get(fold(candidate))
        if member is not None:
            return member, ()  # type: ignore[return-value]
    parts = [p for p in _JOINS.split(plain) if p.strip()]
    if len(parts) < 2:
        return None, ()
    found = [table.get(fold(p)) for p in parts]
    if any(m is None for m in found):
        return None, ()
    first = found[0]
    others = tuple(dict.fromkeys(m for m in found if m is not first))
    if others and enum not in AMBIGUOUS:
        return None, ()
    return first, others  # type: ignore[return-value]
