"""Bodies only the national store answers with: a benefit's versions, the national summary,
returns and the rule catalogue. What trusts and the store both speak is `xl_brm.contract`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class BenefitVersion(BaseModel):
    version: int
    content_hash: str
    submission_id: str
    received_at: datetime
    benefit: dict[str, Any]


class BenefitVersionsOut(BaseModel):
    trust_ods: str
    benefit_id: str
    versions: list[BenefitVersion]


class SummaryRow(BaseModel):
    """Current versions' realised figures for one combination of every dimension, one measure
    and one unit."""

    trust_ods: str
    programme: str
    category: str
    benefit_type: str
    financial_year: str
    evidence_grade: str
    is_disbenefit: bool
    measure: str | None = Field(description="What is counted; quantities are summed only within it.")
    unit: str | None
    benefits: int = Field(description="Benefits with a counted figure in this group.")
    realised_quantity: float = Field(description="In `unit` of `measure`.")
    realised_value_gbp: float | None = Field(description="Null for non-financial benefit types.")
    pv_gbp: float | None = Field(
        description="Realised value discounted to `base_fy` (Green Book); null where there is no money."
    )


class SummaryTotal(BaseModel):
    """Money along one dimension, kept apart by benefit type, evidence grade and dis-benefit."""

    dimension: Literal["trust_ods", "programme", "category", "benefit_type", "financial_year"]
    key: str
    benefit_type: str
    evidence_grade: str
    is_disbenefit: bool
    realised_value_gbp: float
    pv_gbp: float


class QuantityTotal(BaseModel):
    """A realised quantity along one dimension, within one measure and unit (never across)."""

    dimension: Literal["trust_ods", "programme", "category", "benefit_type", "financial_year"]
    key: str
    measure: str
    unit: str
    evidence_grade: str
    is_disbenefit: bool
    realised_quantity: float


class BenefitCount(BaseModel):
    trust_ods: str
    benefit_type: str
    benefits: int


class SummaryOut(BaseModel):
    """National totals. Cash-releasing and non-cash-releasing money are never added together,
    and quantities are added only within one measure and unit."""

    rules_version: str
    base_fy: str | None = Field(
        description="The one financial year every present value is discounted to (all trusts)."
    )
    rows: list[SummaryRow]
    totals: list[SummaryTotal]
    quantity_totals: list[QuantityTotal]
    benefit_counts: list[BenefitCount]


ReturnStatus = Literal["submitted", "submitted_late", "not_submitted", "overdue"]


class TrustReturn(BaseModel):
    trust_ods: str
    expected: bool = Field(
        description="A return is expected: the trust holds a token that is not revoked, or is in "
        "the store's list of expected trusts."
    )
    submitted: bool
    status: ReturnStatus = Field(
        description="submitted (on time, or no due date given), submitted_late (first submission "
        "since `since` came after `due`), not_submitted (not yet due) or overdue."
    )
    late: bool
    first_submission_at: datetime | None = Field(description="The first submission since `since`.")
    last_submission_at: datetime | None = Field(description="The latest submission ever.")
    submissions_since: int


class ReturnsOut(BaseModel):
    since: datetime
    due: datetime | None = Field(description="A return first received at or after this moment is late.")
    trusts: list[TrustReturn]


class RuleOut(BaseModel):
    code: str
    slug: str
    severity: str
    title: str
    message: str
    fix: str
    why: str = ""


class RulesOut(BaseModel):
    rules_version: str
    rules: list[RuleOut]
