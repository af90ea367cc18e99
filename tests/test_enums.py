"""Human spellings of SPEC §2.1 map to canonical enum members."""

from __future__ import annotations

from pathlib import Path

import pytest

from xl_brm.enums import (
    SYNONYMS,
    ApprovalStatus,
    Beneficiary,
    BenefitType,
    Category,
    Confidence,
    Direction,
    EvidenceGrade,
    Unit,
    fold,
    parse_enum,
    read_enum,
)
from xl_brm.fields import BENEFIT_FIELDS, MEASUREMENT_FIELDS
from xl_brm.normalise import parse_enum_value
from xl_brm.spellings import markdown


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("Cash releasing", BenefitType.CASH_RELEASING),
        ("CRB", BenefitType.CASH_RELEASING),
        ("cash-releasing", BenefitType.CASH_RELEASING),
        ("Non-cash releasing", BenefitType.NON_CASH_RELEASING),
        ("NCRB", BenefitType.NON_CASH_RELEASING),
        ("Quantitative", BenefitType.QUANTITATIVE_NON_FINANCIAL),
        ("Qualitative", BenefitType.QUALITATIVE),
        ("quantitative_non_financial", BenefitType.QUANTITATIVE_NON_FINANCIAL),
    ],
)
def test_benefit_type_spellings(text: str, member: BenefitType) -> None:
    assert parse_enum(BenefitType, text) is member


def test_other_enums_accept_case_and_spacing() -> None:
    assert parse_enum(ApprovalStatus, " APPROVED ") is ApprovalStatus.APPROVED
    assert parse_enum(Category, "Patient Experience") is Category.PATIENT_EXPERIENCE
    assert parse_enum(Direction, "Lower is better") is Direction.DECREASE
    assert parse_enum(EvidenceGrade, "Estimate") is EvidenceGrade.ESTIMATED


def test_unknown_spelling_is_none_not_a_guess() -> None:
    assert parse_enum(BenefitType, "Cashish") is None
    assert parse_enum(Category, "") is None


def test_fold_ignores_case_spacing_and_punctuation() -> None:
    assert fold("Unit Value (£)") == fold("unit value gbp") == "unitvaluegbp"
    assert fold("Attribution %") == "attributionpct"


@pytest.mark.parametrize("fields", [BENEFIT_FIELDS, MEASUREMENT_FIELDS])
def test_no_header_spelling_maps_to_two_fields(fields: tuple) -> None:
    seen: dict[str, str] = {}
    for field in fields:
        for spelling in field.folded:
            assert seen.setdefault(spelling, field.name) == field.name, (spelling, seen[spelling], field.name)


@pytest.mark.parametrize(
    ("enum", "text", "member"),
    [
        (Category, "Efficiency / Productivity", Category.RESOURCE_SUSTAINABILITY),
        (Category, "Quality & Safety", Category.SAFETY_QUALITY),
        (Category, "Cost avoidance", Category.RESOURCE_SUSTAINABILITY),
        (Category, "Caring", Category.PATIENT_EXPERIENCE),
        (Category, "Staff wellbeing", Category.STAFF_EXPERIENCE),
        (Category, "Clinical effectiveness", Category.CLINICAL_OUTCOMES),
        (BenefitType, "Cash Releasing (CRB)", BenefitType.CASH_RELEASING),
        (BenefitType, "Non-cashable", BenefitType.NON_CASH_RELEASING),
        (BenefitType, "Quantifiable non-financial", BenefitType.QUANTITATIVE_NON_FINANCIAL),
        (BenefitType, "Non-quantifiable", BenefitType.QUALITATIVE),
        (ApprovalStatus, "Signed-off", ApprovalStatus.APPROVED),
        (ApprovalStatus, "Pending approval", ApprovalStatus.SUBMITTED),
        (ApprovalStatus, "Not approved", ApprovalStatus.REJECTED),
        (Direction, "Fewer", Direction.DECREASE),
        (Direction, "Maximise", Direction.INCREASE),
        (EvidenceGrade, "Modelled", EvidenceGrade.ESTIMATED),
        (Beneficiary, "Service users", Beneficiary.PATIENTS),
        (Beneficiary, "ICS", Beneficiary.WIDER_NHS),
        (Confidence, "Moderate", Confidence.MEDIUM),
        (Unit, "Qty", Unit.COUNT),
    ],
)
def test_spellings_trusts_use(enum: type, text: str, member: object) -> None:
    assert read_enum(enum, text) == (member, ())


def test_a_category_naming_two_is_read_as_the_first_and_said() -> None:
    assert read_enum(Category, "Quality / Efficiency") == (
        Category.SAFETY_QUALITY, (Category.RESOURCE_SUSTAINABILITY,))
    value, note = parse_enum_value("Quality / Efficiency", Category)
    assert value is Category.SAFETY_QUALITY
    assert note is not None and note.code == "BRM217"
    assert note.params == {"read": "safety_quality", "others": "resource_sustainability"}


@pytest.mark.parametrize(
    ("enum", "text"),
    [(Direction, "Up / Down"), (BenefitType, "Cash / Non-cash"), (ApprovalStatus, "Approved / Rejected"),
     (Category, "Safety / Compliance"), (BenefitType, "Cashable"), (BenefitType, "Financial")],
)
def test_a_guess_that_is_not_safe_is_refused(enum: type, text: str) -> None:
    assert parse_enum(enum, text) is None


def test_no_spelling_means_two_members_of_one_enum() -> None:
    for enum, by_member in SYNONYMS.items():
        seen: dict[str, str] = {fold(m.value): m.value for m in enum}
        for value, words in by_member.items():
            for word in words:
                assert seen.setdefault(fold(word), value) == value, (enum.__name__, word)


def test_the_spellings_page_is_current() -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "spellings.md"
    stale = "docs/spellings.md is stale: run `python -m xl_brm.spellings > docs/spellings.md`"
    assert page.read_text(encoding="utf-8") == markdown(), stale


def test_a_cell_of_brackets_costs_its_length_not_its_square() -> None:
    # 32,767 '(' (Excel's longest cell) took minutes when the aside pattern ran over '('
    import time

    from xl_brm.enums import BenefitType, parse_enum

    start = time.perf_counter()
    assert parse_enum(BenefitType, "(" * 32_767) is None
    assert parse_enum(BenefitType, "[" * 32_767 + ")") is None
    assert time.perf_counter() - start < 5  # about 10 ms
    assert parse_enum(BenefitType, "Cash releasing [see note (1)]") is BenefitType.CASH_RELEASING
