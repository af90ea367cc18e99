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


def _spellings(enum: type[StrEnum], extra: dict[str, str]) -> dict[str, StrEnum]:
    table: dict[str, StrEnum] = {fold(m.value): m for m in enum}
    table.update({fold(m.name): m for m in enum})
    table.update({fold(k): enum(v) for k, v in extra.items()})
    return table


SPELLINGS: dict[type[StrEnum], dict[str, StrEnum]] = {
    BenefitType: _spellings(
        BenefitType,
        {
            "Cash releasing": "cash_releasing",
            "CRB": "cash_releasing",
            "Cash": "cash_releasing",
            "Financial cash releasing": "cash_releasing",
            "Non-cash releasing": "non_cash_releasing",
            "Non cash": "non_cash_releasing",
            "NCRB": "non_cash_releasing",
            "Non-cashable": "non_cash_releasing",
            "Quantitative": "quantitative_non_financial",
            "Quantitative non-financial": "quantitative_non_financial",
            "Non-financial quantitative": "quantitative_non_financial",
            "QNF": "quantitative_non_financial",
            "Qual": "qualitative",
        },
    ),
    Category: _spellings(
        Category,
        {
            "Safety": "safety_quality",
            "Safety and quality": "safety_quality",
            "Quality and safety": "safety_quality",
            "Patient safety": "safety_quality",
            "Clinical outcome": "clinical_outcomes",
            "Outcomes": "clinical_outcomes",
            "Patient experience": "patient_experience",
            "Staff experience": "staff_experience",
            "Workforce": "staff_experience",
            "Resource": "resource_sustainability",
            "Sustainability": "resource_sustainability",
            "Resource and sustainability": "resource_sustainability",
            "Efficiency": "resource_sustainability",
        },
    ),
    Beneficiary: _spellings(
        Beneficiary,
        {"Patient": "patients", "Staff member": "staff", "Wider NHS": "wider_nhs", "System": "wider_nhs",
         "Organisation": "trust", "Public": "society"},
    ),
    Direction: _spellings(
        Direction,
        {"Up": "increase", "Higher is better": "increase", "Increase is better": "increase",
         "Down": "decrease", "Lower is better": "decrease", "Reduce": "decrease", "Reduction": "decrease",
         "Decrease is better": "decrease"},
    ),
    BaselineMethod: _spellings(
        BaselineMethod,
        {"Given value": "given", "Fixed": "given", "Average": "mean", "Latest": "last",
         "Same period last year": "same_period_last_year", "SPLY": "same_period_last_year"},
    ),
    ApprovalStatus: _spellings(
        ApprovalStatus,
        {"Draft": "draft", "In draft": "draft", "Submitted": "submitted", "Awaiting approval": "submitted",
         "Pending": "submitted", "Approved": "approved", "Signed off": "approved", "Rejected": "rejected",
         "Declined": "rejected"},
    ),
    Confidence: _spellings(Confidence, {"H": "high", "M": "medium", "Med": "medium", "L": "low"}),
    EvidenceGrade: _spellings(
        EvidenceGrade, {"Actual": "measured", "Measured data": "measured", "Estimate": "estimated",
                        "Assumption": "assumed"}
    ),
    Unit: _spellings(
        Unit,
        {"Number": "count", "No.": "count", "Count of": "count", "Hrs": "hours", "Hour": "hours",
         "Mins": "minutes", "Minute": "minutes", "Day": "days", "£": "gbp", "GBP £": "gbp",
         "Pounds": "gbp", "%": "percent", "Per cent": "percent", "Percentage": "percent",
         "Rate per 1,000": "rate_per_1000", "Per 1000": "rate_per_1000", "Points": "score"},
    ),
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


def parse_enum(enum: type[E], text: str) -> E | None:
    """The member a human spelling means, or None when it means none of them.

    'Cash Releasing (CRB)' and 'Quality & Safety' are read too: bracketed asides are dropped
    and '&' or '/' read as 'and', but only when the spelling as written means nothing.
    """
    table = SPELLINGS[enum]
    member = table.get(fold(text))
    if member is None:
        aside = _without_asides(text)
        plain = aside.replace("&", " and ").replace("/", " and ")
        member = table.get(fold(plain)) or table.get(fold(aside))
    return member  # type: ignore[return-value]
