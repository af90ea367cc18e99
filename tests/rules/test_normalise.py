"""Reading cells as their field's type: every human spelling of SPEC §2.1, and the refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from xl_brm.enums import ApprovalStatus, BenefitType, Category, Confidence, Direction, EvidenceGrade
from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD
from xl_brm.normalise import (
    CellError,
    is_blank,
    parse_bool,
    parse_date,
    parse_enum_value,
    parse_money,
    parse_number,
    parse_ods,
    parse_percent,
    parse_period_value,
    parse_text,
    parse_unit,
    parse_value,
    parser_for,
    to_json_value,
)
from xl_brm.periods import Period
from xl_brm.table import FormulaWithoutValue


def code_of(parse, value) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(CellError) as caught:
        parse(value)
    return caught.value.code


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("Cash releasing", BenefitType.CASH_RELEASING),
        ("CRB", BenefitType.CASH_RELEASING),
        ("cash_releasing", BenefitType.CASH_RELEASING),
        ("Non-cash releasing", BenefitType.NON_CASH_RELEASING),
        ("NCRB", BenefitType.NON_CASH_RELEASING),
        ("Quantitative", BenefitType.QUANTITATIVE_NON_FINANCIAL),
        ("Qualitative", BenefitType.QUALITATIVE),
        ("  qualitative ", BenefitType.QUALITATIVE),
    ],
)
def test_benefit_type_spellings(text: str, member: BenefitType) -> None:
    assert parse_enum_value(text, BenefitType) == (member, None)


def test_other_enum_spellings() -> None:
    assert parse_enum_value("Approved", ApprovalStatus)[0] is ApprovalStatus.APPROVED
    assert parse_enum_value("Signed off", ApprovalStatus)[0] is ApprovalStatus.APPROVED
    assert parse_enum_value("Safety", Category)[0] is Category.SAFETY_QUALITY
    assert parse_enum_value("Lower is better", Direction)[0] is Direction.DECREASE
    assert parse_enum_value("Med", Confidence)[0] is Confidence.MEDIUM
    assert parse_enum_value("Estimate", EvidenceGrade)[0] is EvidenceGrade.ESTIMATED


def test_unknown_enum_names_the_allowed_values() -> None:
    with pytest.raises(CellError) as caught:
        parse_enum_value("Financial (maybe)", BenefitType)
    assert caught.value.code == "BRM204"
    assert "cash_releasing" in caught.value.params["allowed"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Yes", True),
        ("No", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("FALSE", False),
        (True, True),
        (False, False),
        (1.0, True),
        (0.0, False),
        ("1", True),
        ("0", False),
    ],
)
def test_bool_spellings(raw: object, expected: bool) -> None:
    assert parse_bool(raw) == (expected, None)


def test_bool_refuses_other_words() -> None:
    assert code_of(parse_bool, "maybe") == "BRM211"
    assert code_of(parse_bool, 2.0) == "BRM211"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (120.0, 120.0),
        (7, 7.0),
        ("1,200", 1200.0),
        ("1200", 1200.0),
        ("£1,200.50", 1200.5),
        ("  95 ", 95.0),
        ("-3.5", -3.5),
        ("1e3", 1000.0),
        ("12%", 12.0),
        ("(£50)", -50.0),
        ("-£50", -50.0),
        ("£-50", -50.0),
        ("GBP 35", 35.0),
        (".5", 0.5),
    ],
)
def test_numbers_and_money(raw: object, expected: float) -> None:
    assert parse_number(raw) == (expected, None)
    assert parse_money(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw", ["n/a", "TBC", "12,5", "1,2000", "--5", True, float("nan"), datetime(2020, 1, 1)]
)
def test_not_numbers(raw: object) -> None:
    assert code_of(parse_number, raw) == "BRM201"


def test_blank_is_none_everywhere() -> None:
    for spec in (*BENEFIT_FIELD.values(), *MEASUREMENT_FIELD.values()):
        parse = parser_for(spec)
        for blank in (None, "", "   "):
            assert parse(blank) == (None, None), spec.name
    assert is_blank(" \t") and not is_blank(0.0)


def test_percent_readings() -> None:
    assert parse_percent("12.5%") == (12.5, None)
    assert parse_percent(12.5) == (12.5, None)
    assert parse_percent("80") == (80.0, None)
    assert parse_percent(0.0) == (0.0, None)
    assert parse_percent("0.5%") == (0.5, None)  # the % sign says percentage points
    value, note = parse_percent(0.8)  # Excel stores 80% as 0.8
    assert value == pytest.approx(80.0)
    assert note is not None and note.code == "BRM207" and note.params["reading"] == "80"
    value, note = parse_percent(1.0)
    assert value == 100.0 and note is not None


def test_percent_out_of_range() -> None:
    assert code_of(parse_percent, "120%") == "BRM206"
    assert code_of(parse_percent, -5.0) == "BRM206"
    assert code_of(parse_percent, "lots") == "BRM201"


def test_percent_json_form_reads_back_unchanged() -> None:
    spec = BENEFIT_FIELD["attribution_pct"]
    for value in (0.5, 1.0, 80.0, 100.0):
        assert parse_percent(to_json_value(spec, value)) == (value, None)


def test_dates_as_stored() -> None:
    assert parse_date(datetime(2019, 8, 2, 13, 30)) == (date(2019, 8, 2), None)
    assert parse_date(date(2019, 8, 2)) == (date(2019, 8, 2), None)


def test_excel_serials() -> None:
    assert parse_date(43679.0) == (date(2019, 8, 2), None)
    assert parse_date(43679) == (date(2019, 8, 2), None)
    assert parse_date(43679.75)[0] == date(2019, 8, 2)
    assert code_of(parse_date, 5.0) == "BRM202"


def test_uk_text_dates_are_day_first() -> None:
    assert parse_date("31/03/2021") == (date(2021, 3, 31), None)
    assert parse_date("31.03.21") == (date(2021, 3, 31), None)
    assert parse_date("1/4/2019") == (date(2019, 4, 1), parse_date("1/4/2019")[1])
    value, note = parse_date("02/08/2019")
    assert value == date(2019, 8, 2)  # 2 August, never 8 February
    assert note is not None and note.code == "BRM203"
    assert note.params["other"] == "08 February 2019"
    assert parse_date("05/05/2019") == (date(2019, 5, 5), None)  # same either way


def test_iso_and_worded_dates() -> None:
    assert parse_date("2019-08-02") == (date(2019, 8, 2), None)
    assert parse_date("2019-09-03 00:00:00") == (date(2019, 9, 3), None)
    assert parse_date("2 Aug 2019") == (date(2019, 8, 2), None)
    assert parse_date("02-Aug-19") == (date(2019, 8, 2), None)
    assert parse_date("August 2, 2019") == (date(2019, 8, 2), None)


def test_invalid_dates() -> None:
    assert code_of(parse_date, "31/02/2020") == "BRM202"
    assert code_of(parse_date, "2020-02-30") == "BRM202"
    assert code_of(parse_date, "soon") == "BRM202"
    assert code_of(parse_date, True) == "BRM202"
    with pytest.raises(CellError) as caught:
        parse_date("12/31/2020")
    assert caught.value.params["us_only"] is True
    assert "month-first" in caught.value.params["reason"]


def test_ods_codes() -> None:
    assert parse_ods("RJ1") == ("RJ1", None)
    assert parse_ods(" rrv ") == ("RRV", None)
    assert parse_ods("TAJ") == ("TAJ", None)
    assert code_of(parse_ods, "Guy's") == "BRM205"
    assert code_of(parse_ods, "RJ") == "BRM205"
    assert code_of(parse_ods, "RJ1234") == "BRM205"


def test_text() -> None:
    assert parse_text("  EPMA  ") == ("EPMA", None)
    assert parse_text(7.0) == ("7", None)
    assert parse_text(7.5) == ("7.5", None)
    assert parse_text("x" * 64, max_length=64)[0] == "x" * 64
    with pytest.raises(CellError) as caught:
        parse_text("x" * 65, max_length=64)
    assert caught.value.code == "BRM209" and caught.value.params["length"] == 65


@pytest.mark.parametrize("risky", ["=1+1", "+44 20", "-5 beds", "@SUM(A1)", "＝1+1"])
def test_formula_like_text_is_kept_with_a_note(risky: str) -> None:
    value, note = parse_text(risky)
    assert value == risky
    assert note is not None and note.code == "BRM208" and note.params["char"] == risky[0]


def test_units() -> None:
    assert parse_unit("Hrs") == ("hours", None)
    assert parse_unit("%") == ("percent", None)
    assert parse_unit("bed days") == ("bed days", None)


def test_periods() -> None:
    assert parse_period_value("2019-04") == (Period.month(2019, 4), None)
    assert parse_period_value("Apr-19") == (Period.month(2019, 4), None)
    assert parse_period_value("April 2019") == (Period.month(2019, 4), None)
    assert parse_period_value("2019/20 Q1") == (Period.quarter(2019, 1), None)
    assert parse_period_value("Q1 2019/20") == (Period.quarter(2019, 1), None)
    assert parse_period_value(datetime(2019, 4, 30)) == (Period.month(2019, 4), None)
    assert parse_period_value(43586.0) == (Period.month(2019, 5), None)
    assert code_of(parse_period_value, "Spring 2019") == "BRM212"


def test_measurement_values() -> None:
    assert parse_value(95.0) == (95.0, None)
    assert parse_value("1,200") == (1200.0, None)
    assert parse_value(" Staff positive ") == ("Staff positive", None)
    assert code_of(parse_value, datetime(2020, 1, 1)) == "BRM201"
    assert code_of(parse_value, float("nan")) == "BRM201"


def test_formula_cells_and_excel_errors_are_refused() -> None:
    formula = FormulaWithoutValue("SUM(A1:A3)")
    for spec in BENEFIT_FIELD.values():
        assert code_of(parser_for(spec), formula) == "BRM106", spec.name
    assert code_of(parse_number, "#DIV/0!") == "BRM213"
    assert code_of(parse_text, "#N/A") == "BRM213"
    assert code_of(parse_value, "#REF!") == "BRM213"
