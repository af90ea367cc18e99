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
    """Current versions' realised figures for one combination of every dimension."""

    trust_ods: str
    programme: str
    category: str
    benefit_type: str
    financial_year: str
    evidence_grade: str
    is_disbenefit: bool
    benefits: int = Field(description="Benefits with a counted figure in this group.")
    realised_quantity: float
    realised_value_gbp: float | None = Field(description="Null for non-financial benefit types.")


class SummaryTotal(BaseModel):
    """A total along one dimension, kept apart by benefit type, evidence grade and dis-benefit."""

    dimension: Literal["trust_ods", "programme", "category", "benefit_type", "financial_year"]
    key: str
    benefit_type: str
    evidence_grade: str
    is_disbenefit: bool
    realised_quantity: float
    realised_value_gbp: float | None


class BenefitCount(BaseModel):
    trust_ods: str
    benefit_type: str
    benefits: int


class SummaryOut(BaseModel):
    """National totals. Cash-releasing and non-cash-releasing money are never added together."""

    rules_version: str
    rows: list[SummaryRow]
    totals: list[SummaryTotal]
    benefit_counts: list[BenefitCount]


class TrustReturn(BaseModel):
    trust_ods: str
    submitted: bool
    last_submission_at: datetime | None
    submissions_since: int


class ReturnsOut(BaseModel):
    since: datetime
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
