"""Headers no synonym names are matched by keywords, most specific first, each field once."""

from __future__ import annotations

import pytest

from xl_brm.reader.headers import assign_by_keywords, keyword_score, words


def test_words_reads_pound_and_percent_signs() -> None:
    assert words("Unit Cost (£)") == ("unit", "cost", "gbp")
    assert words("% Attributable") == ("pct", "attributable")


@pytest.mark.parametrize(
    ("header", "field"),
    [("Benefit Reference No.", "benefit_id"), ("Description of Benefit", "title"),
     ("CRB / NCRB", "benefit_type"), ("Trust ODS Code", "trust_ods"), ("Org (ODS)", "trust_ods"),
     ("Benefit Theme", "category"), ("Baseline Period From", "baseline_start"),
     ("Current Baseline", "baseline_value"), ("Target Figure", "target_value"),
     ("Target to be Achieved By", "target_date"), ("Date Target Due", "target_date"),
     ("Expected Realisation Start", "realisation_start"), ("£ Value per Unit", "unit_value_gbp"),
     ("Unit Cost £", "unit_value_gbp"), ("% Attributable to Project", "attribution_pct"),
     ("Benefit Owner (Name)", "benefit_owner"), ("Date Signed Off", "approved_on"),
     ("Signed Off By", "approved_by"), ("Benefit Status", "approval_status"),
     ("Is this a dis-benefit?", "is_disbenefit"), ("Higher or Lower is Better?", "direction"),
     ("Unit of Measurement", "unit"), ("KPI / Metric", "measure")],
)
def test_unseen_benefit_headers(header: str, field: str) -> None:
    assert keyword_score("Benefits", header) is not None
    assert keyword_score("Benefits", header)[0] == field  # type: ignore[index]


@pytest.mark.parametrize("header", ["RAG (local)", "Comments", "planned_saving_gbp", "Project Manager"])
def test_a_trusts_own_columns_stay_local(header: str) -> None:
    assert keyword_score("Benefits", header) is None


def test_most_specific_match_wins_and_no_field_is_taken_twice() -> None:
    headers = ["Target Figure", "Target Date", "Baseline", "Baseline From", "Go-Live"]
    assert assign_by_keywords("Benefits", headers, taken=[]) == {
        0: "target_value", 1: "target_date", 2: "baseline_value", 3: "baseline_start", 4: "realisation_start"}
    assert assign_by_keywords("Benefits", ["Target Figure", "Target Level"], taken=[]) == {0: "target_value"}
    assert assign_by_keywords("Benefits", ["Target Figure"], taken=["target_value"]) == {}


def test_measurement_headers() -> None:
    headers = ["Month Ending", "Benefit No.", "Measured Value", "Basis", "Comments"]
    assert assign_by_keywords("Measurements", headers, taken=[]) == {
        0: "period", 1: "benefit_id", 2: "value", 3: "evidence_grade", 4: "note"}


def test_a_bare_no_column_is_the_benefit_id_only_when_nothing_else_names_it() -> None:
    # "No." (1, 2, 3 ...) is the benefit's number in some registers, a row counter in others
    assert assign_by_keywords("Benefits", ["No.", "Benefit title"], taken=[]) == {0: "benefit_id", 1: "title"}
    assert assign_by_keywords("Benefits", ["No.", "Benefit title"], taken=["benefit_id"]) == {1: "title"}
    assert keyword_score("Benefits", "Row No.") is None and keyword_score("Benefits", "Line No") is None
    assert assign_by_keywords("Measurements", ["No.", "Qtr", "Actual"], taken=[]) == {
        0: "benefit_id", 1: "period", 2: "value"}


def test_period_abbreviations() -> None:
    assert keyword_score("Measurements", "Qtr")[0] == "period"  # type: ignore[index]
    assert keyword_score("Measurements", "Reporting Mth")[0] == "period"  # type: ignore[index]



def test_a_stem_matches_the_start_of_any_word_and_a_dollar_stem_a_whole_word() -> None:
    # by bisection over the sorted words: the neighbours of a stem must not confuse it
    assert keyword_score("Benefits", "Baseline Period Start Date") == keyword_score(
        "Benefits", "Start Baseline Period")
    assert keyword_score("Benefits", "Zzz Aaa") is None


def test_header_cells_of_one_enormous_word_cost_their_length_not_its_square() -> None:
    # 100 cells of one 32,767-character word (Excel's longest cell) in the rows where a header
    # is looked for: every prefix of every word took over a minute; now a fraction of a second.
    import time

    from xl_brm.reader import tables_from_grids

    long_words = [[f"{c}" * 32_767 for c in "abcdefghij"] for _ in range(10)]
    grid = [*long_words, ["Benefit ID", "Title", "Benefit Type"], ["B1", "Fewer falls", "Qualitative"]]
    keyword_score.cache_clear()
    start = time.perf_counter()
    raw = tables_from_grids({"Benefits": grid}, path="long.xlsx")
    elapsed = time.perf_counter() - start
    assert raw.tables["Benefits"].header_row == 11
    assert elapsed < 10, elapsed  # generous for a shared CI machine; ~0.3 s on a laptop


def test_brackets_in_a_long_header_cell_cost_its_length() -> None:
    import time

    from xl_brm.reader import header_columns

    start = time.perf_counter()
    columns = header_columns("Benefits", ["(" * 32_767, "[" * 32_767, "Unit Value (£)"])
    assert time.perf_counter() - start < 5
    assert [c.field for c in columns] == [None, None, "unit_value_gbp"]
