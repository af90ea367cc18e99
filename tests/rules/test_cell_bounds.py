"""Finite, plausible numbers and clean text at the cell (SPEC §2.1): at, inside and outside
every bound, and no parser ever raises anything but a CellError, whatever a cell holds."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD, TRAJECTORY_FIELDS
from xl_brm.normalise import (
    LARGE_MAGNITUDE,
    MAX_MAGNITUDE,
    MAX_UNIT_VALUE_GBP,
    CellError,
    Note,
    parse_date,
    parse_number,
    parse_percent,
    parse_period_value,
    parse_text,
    parse_value,
    parser_for,
)

UNIT_VALUE = parser_for(BENEFIT_FIELD["unit_value_gbp"])
BASELINE = parser_for(BENEFIT_FIELD["baseline_value"])
TARGET = parser_for(BENEFIT_FIELD["target_value"])
PLANNED = parser_for(next(f for f in TRAJECTORY_FIELDS if f.name == "planned_value"))
EVERY_FIELD = [*BENEFIT_FIELD.values(), *MEASUREMENT_FIELD.values(), *TRAJECTORY_FIELDS]


def code_of(parse: Any, value: object) -> str:
    with pytest.raises(CellError) as caught:
        parse(value)
    return caught.value.code


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize("parse", [BASELINE, TARGET, PLANNED, parse_value, parse_number])
def test_measurements_and_baselines_up_to_1e12(parse: Any) -> None:
    for inside in (0.0, 35.5, -120, 999_999_999.0, LARGE_MAGNITUDE):
        assert parse(inside) == (float(inside), None)
    for near in (LARGE_MAGNITUDE + 1, -5e11, MAX_MAGNITUDE, -MAX_MAGNITUDE, 10**12, "£2,500,000,000"):
        value, note = parse(near)
        assert abs(value) > LARGE_MAGNITUDE
        assert note == Note("BRM506", {"limit": "1,000,000,000"})
    for beyond in (1.001e12, -1.0000001e12, 10**12 + 1, 9.9e307, -1e300, "1e13", "1e400", 10**400):
        assert code_of(parse, beyond) == "BRM214"
    with pytest.raises(CellError) as caught:
        parse(9.9e307)
    assert caught.value.params == {"limit": "1,000,000,000,000"}


def test_unit_value_up_to_1bn_and_its_warning_is_the_engines() -> None:
    assert UNIT_VALUE(MAX_UNIT_VALUE_GBP) == (1e9, None)  # BRM502 (above £1m) is the engine's
    assert UNIT_VALUE("£2,400,000") == (2_400_000.0, None)
    assert UNIT_VALUE("-£1,000,000,000") == (-1e9, None)
    for beyond in (1e9 + 0.01, "£1,000,000,001", 9.9e307, float("inf"), "1e309"):
        with pytest.raises(CellError) as caught:
            UNIT_VALUE(beyond)
        assert (caught.value.code, caught.value.params) == ("BRM214", {"limit": "1,000,000,000"})


@pytest.mark.parametrize("parse", [BASELINE, UNIT_VALUE, parse_value, parse_number])
def test_nan_is_not_a_number_and_infinities_are_beyond_every_bound(parse: Any) -> None:
    assert code_of(parse, float("nan")) == "BRM201"
    assert code_of(parse, math.inf) == "BRM214"
    assert code_of(parse, -math.inf) == "BRM214"


def test_text_evidence_is_still_text() -> None:
    """A measurement that does not read as a number is evidence, 'nan' and 'Infinity' too."""
    assert parse_value("nan") == ("nan", None)
    assert parse_value("Infinity and beyond") == ("Infinity and beyond", None)


@pytest.mark.parametrize(
    ("raw", "code"),
    [(float("nan"), "BRM201"), (math.inf, "BRM206"), (-math.inf, "BRM206"), (10**400, "BRM206"),
     ("1e400%", "BRM206"), (100.0000001, "BRM206"), (-0.1, "BRM206")],
)
def test_attribution_stays_0_to_100(raw: object, code: str) -> None:
    assert code_of(parse_percent, raw) == code


def test_attribution_bounds_are_inclusive() -> None:
    assert parse_percent(0) == (0.0, None)
    assert parse_percent(100) == (100.0, None)
    assert parse_percent("100%") == (100.0, None)


@pytest.mark.parametrize("raw", [10**400, -(10**400), math.inf, float("nan"), 1e300])
def test_dates_and_periods_refuse_wild_numbers_cleanly(raw: object) -> None:
    assert code_of(parse_date, raw) == "BRM202"
    assert code_of(parse_period_value, raw) == "BRM212"


@pytest.mark.parametrize("raw", ["9999-12", "0001-01", "Mar-00", "1999/00 Q4", "Apr-99"])
def test_periods_outside_the_window_get_their_own_rule(raw: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_period_value(raw)
    assert caught.value.code == "BRM216"
    assert caught.value.params["first"] == "2000-04"


# ------------------------------------------------------------------ text

C0_REFUSED = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"]


@pytest.mark.parametrize("char", C0_REFUSED, ids=[f"U+{ord(c):04X}" for c in C0_REFUSED])
def test_every_c0_control_character_but_tab_and_newline_is_refused(char: str) -> None:
    for text in (f"Fewer{char}errors", f"{char}Fewer errors", f"Fewer errors{char}"):
        with pytest.raises(CellError) as caught:
            parse_text(text)
        assert caught.value.code == "BRM215"
        assert caught.value.params["char"] == f"U+{ord(char):04X}"
    with pytest.raises(CellError) as caught:
        parse_text(f"ab{char}c")
    assert caught.value.params["at"] == 3


def test_tab_and_line_breaks_are_text() -> None:
    assert parse_text("Line one\r\nLine two\tand a tab") == ("Line one\r\nLine two\tand a tab", None)
    assert parse_text("Caf\u00e9 \u2013 \U0001f600") == ("Caf\u00e9 \u2013 \U0001f600", None)


@pytest.mark.parametrize("spec", EVERY_FIELD, ids=lambda f: f"{f.name}-{f.kind}")
def test_nul_is_refused_in_every_field_whatever_its_kind(spec: Any) -> None:
    """Not 'not a date' or 'not Yes or No': the control character is what is wrong."""
    for text in ("Staff\x00survey", "2019-04\x00", "\x0012", "Yes\x1b", "RJ1\x00", "01/04/2019\x07"):
        assert code_of(parser_for(spec), text) == "BRM215", text


# ------------------------------------------------------------------ nothing but CellError

CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(["9999-12", "1e400", "-1e309", "£1e12", "NaN", "Infinity", "\x00", "2019-04\x00"]),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(raw=CELLS)
def test_no_cell_makes_any_parser_raise_anything_but_a_cell_error(raw: object) -> None:
    for spec in EVERY_FIELD:
        try:
            value, _note = parser_for(spec)(raw)
        except CellError:
            continue
        if isinstance(value, float):
            assert math.isfinite(value) and abs(value) <= MAX_MAGNITUDE, (spec.name, raw)
        if isinstance(value, str):
            assert not any(c in value for c in C0_REFUSED), (spec.name, raw)
