"""HTTP bodies of the national store (SPEC §7.3), shared with the sync client.

A submission carries the trust's cells as it read them (canonical field -> JSON value) together
with where they came from (sheet names, column letters, row numbers), so the store can rebuild a
`RawWorkbook` and run the same rule engine: its findings then name the same cells as
`xl-brm validate`. Every model forbids unknown keys, so a body can never set what the store
decides itself (versions, hashes, submission ids, times, the submitting trust's token).

Numbers on the wire are finite JSON numbers within the plausible bounds of any figure
(±1e12, SPEC §2.1, §7.3): NaN, infinities, 1e309 and huge integers are refused here, with 422.
Lists and maps stop at their first bad item (`fail_fast`), so a body of a million NaNs costs
one error, not four million. Names that are not cells (client, path, sheets, rules version)
hold no control characters. A cell's text is checked by the rule engine instead, like any
cell (BRM215), and the store refuses the submission when it finds one (`ingest.REFUSED`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD
from xl_brm.normalise import MAX_MAGNITUDE

MAX_TEXT = 32_767
"""Excel's own limit on the characters in one cell."""

FiniteNumber = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
WholeNumber = Annotated[int, Field(ge=-int(MAX_MAGNITUDE), le=int(MAX_MAGNITUDE))]

JsonScalar = Annotated[str, Field(max_length=MAX_TEXT)] | WholeNumber | FiniteNumber | bool | None
"""A cell as JSON: numbers, text (dates ISO `2019-10-01`, enums canonical), booleans or blank."""

NAME_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""Names that are not cells: no control characters at all."""

ODS_PATTERN = r"^[A-Z0-9]{3,5}$"
COLUMN_PATTERN = r"^[A-Z]{1,3}$"

MEASUREMENT_CELLS = ("period", "value", "source", "evidence_grade", "note")
"""Measurement fields carried per row (benefit_id is implied by the enclosing benefit)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClientInfo(_Strict):
    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN, examples=["xl-brm"])
    version: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN, examples=["0.1.0"])


class SheetSource(_Strict):
    """Where one canonical sheet sits in the trust's workbook."""

    sheet: str = Field(min_length=1, max_length=31, pattern=NAME_PATTERN, examples=["Benefits"])
    header_row: int = Field(ge=1, le=1_048_576, examples=[3])
    columns: dict[str, str] = Field(
        default_factory=dict,
        fail_fast=True,
        description="Canonical field -> column letter, e.g. {'benefit_id': 'A'}.",
        examples=[{"benefit_id": "A", "title": "B"}],
    )

    @model_validator(mode="after")
    def _letters(self) -> SheetSource:
        seen: dict[str, str] = {}
        for name, letter in self.columns.items():
            if not re.match(COLUMN_PATTERN, letter):
                raise ValueError(
                    f"column of '{name}' must be a column letter like 'A' or 'AB', not {letter!r}"
                )
            if letter in seen:
                raise ValueError(f"column {letter} is given for both '{seen[letter]}' and '{name}'")
            seen[letter] = name
        return self


class SourceInfo(_Strict):
    """The workbook a submission was read from: its name and the layout of its sheets."""

    path: str = Field(min_length=1, max_length=255, pattern=NAME_PATTERN, examples=["register.xlsx"])
    benefits: SheetSource
    measurements: SheetSource | None = None

    @model_validator(mode="after")
    def _known_fields(self) -> SourceInfo:
        unknown = sorted(set(self.benefits.columns) - set(BENEFIT_FIELD))
        if unknown:
            raise ValueError(f"source.benefits.columns names fields the register does not have: {unknown}")
        if self.measurements is not None:
            unknown = sorted(set(self.measurements.columns) - set(MEASUREMENT_FIELD))
            if unknown:
                raise ValueError(
                    "source.measurements.columns names fields the Measurements sheet "
                    f"does not have: {unknown}"
                )
        return self


class MeasurementIn(_Strict):
    """One Measurements row of the benefit it is nested in."""

    row: int = Field(ge=1, le=1_048_576, description="Excel row number on the Measurements sheet.")
    period: JsonScalar = Field(default=None, examples=["2019-10"])
    value: JsonScalar = Field(default=None, examples=[95.0])
    source: JsonScalar = None
    evidence_grade: JsonScalar = Field(default=None, examples=["measured"])
    note: JsonScalar = None


class BenefitIn(_Strict):
    """One Benefits row: its national fields and its measurements."""

    row: int = Field(ge=1, le=1_048_576, description="Excel row number on the Benefits sheet.")
    fields: dict[str, JsonScalar] = Field(
        fail_fast=True,
        description="Canonical benefit field -> cell value. Local (trust-only) columns are never sent.",
        examples=[{"benefit_id": "EPMA-01", "approval_status": "approved"}],
    )
    measurements: list[MeasurementIn] = Field(default_factory=list, fail_fast=True)

    @model_validator(mode="after")
    def _national_fields(self) -> BenefitIn:
        unknown = sorted(set(self.fields) - set(BENEFIT_FIELD))
        if unknown:
            raise ValueError(f"fields names what the register does not have: {unknown}")
        return self


class SubmissionIn(_Strict):
    """`POST /v1/submissions`: approved benefits of one trust, with their measurements."""

    trust_ods: str = Field(pattern=ODS_PATTERN, examples=["RJ1"])
    rules_version: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    client: ClientInfo
    source: SourceInfo
    benefits: list[BenefitIn] = Field(fail_fast=True)

    @model_validator(mode="after")
    def _cells_have_columns(self) -> SubmissionIn:
        columns = self.source.benefits.columns
        rows: set[int] = set()
        for benefit in self.benefits:
            missing = sorted(k for k in benefit.fields if k not in columns)
            if missing:
                raise ValueError(
                    f"benefit on row {benefit.row} has fields with no column in source: {missing}"
                )
            if benefit.row in rows:
                raise ValueError(f"two benefits claim Benefits row {benefit.row}")
            rows.add(benefit.row)
        mrows: set[int] = set()
        for benefit in self.benefits:
            for m in benefit.measurements:
                if m.row in mrows:
                    raise ValueError(f"two measurements claim Measurements row {m.row}")
                mrows.add(m.row)
        if mrows and self.source.measurements is None:
            raise ValueError("measurements were sent but source.measurements is missing")
        return self


def cell_at(loc: tuple[Any, ...], body: Any) -> str | None:
    """The workbook cell a validation error's location points at ('Benefits!O12'), read from
    the raw body (`json.loads`): a client can then name the cell to fix. None when unknown."""
    try:
        if loc[0] != "benefits" or not isinstance(body, dict):
            return None
        benefit = body["benefits"][int(loc[1])]
        sheet_key, row, name = "benefits", benefit["row"], loc[3] if len(loc) > 3 else None
        if len(loc) > 4 and loc[2] == "measurements":
            sheet_key, row, name = "measurements", benefit["measurements"][int(loc[3])]["row"], loc[4]
        elif loc[2] != "fields":
            return None
        source = body["source"][sheet_key]
        letter = source["columns"][name]
        return f"{source['sheet']}!{letter}{int(row)}"
    except (IndexError, KeyError, TypeError, ValueError):
        return None


class FindingOut(BaseModel):
    """A rule finding as JSON (`xl_brm.findings.Finding.to_json`)."""

    code: str
    severity: Literal["error", "warning", "info"]
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: Any = None
    message: str


Status = Literal["accepted", "unchanged", "rejected"]


class BenefitResult(BaseModel):
    """The store's answer for one benefit."""

    benefit_id: str | None
    row: int | None = Field(default=None, description="Benefits row it came from.")
    status: Status
    version: int | None = Field(default=None, description="Stored version (null when rejected).")
    content_hash: str | None = None
    findings: list[FindingOut] = Field(default_factory=list)


class Counts(BaseModel):
    accepted: int = 0
    unchanged: int = 0
    rejected: int = 0


class SubmissionOut(BaseModel):
    """The answer to a submission (the same for a dry run, which stores nothing)."""

    submission_id: str
    trust_ods: str
    rules_version: str
    dry_run: bool
    results: list[BenefitResult]
    counts: Counts
    findings: list[FindingOut] = Field(
        default_factory=list,
        description="Findings that belong to no single benefit (e.g. a required column missing).",
    )


class Problem(BaseModel):
    """RFC 9457 problem details; extra members carry specifics (e.g. `rules_version`)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class MeasurementOut(BaseModel):
    period: str
    value: float | str | None
    source: str | None = None
    evidence_grade: str
    note: str | None = None


class StoredBenefit(BaseModel):
    """The current version of one benefit as the store holds it."""

    benefit_id: str
    version: int
    content_hash: str
    submission_id: str
    received_at: datetime
    benefit: dict[str, Any]
    measurements: list[MeasurementOut]


class TrustBenefitsOut(BaseModel):
    trust_ods: str
    benefits: list[StoredBenefit]


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
