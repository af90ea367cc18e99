"""Human spellings of SPEC §2.1 map to canonical enum members."""

from __future__ import annotations

import pytest

from xl_brm.enums import ApprovalStatus, BenefitType, Category, Direction, EvidenceGrade, fold, parse_enum
from xl_brm.fields import BENEFIT_FIELDS, MEASUREMENT_FIELDS


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


def test_a_cell_of_brackets_costs_its_length_not_its_square() -> None:
    # 32,767 '(' (Excel's longest cell) took minutes when the aside pattern ran over '('
    import time

    from xl_brm.enums import BenefitType, parse_enum

    start = time.perf_counter()
    assert parse_enum(BenefitType, "(" * 32_767) is None
    assert parse_enum(BenefitType, "[" * 32_767 + ")") is None
    assert time.perf_counter() - start < 5  # about 10 ms
    assert parse_enum(BenefitType, "Cash releasing [see note (1)]") is BenefitType.CASH_RELEASING
