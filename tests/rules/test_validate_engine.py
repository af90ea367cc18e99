"""The engine around the rules: defaults, the Register it builds, clean cases, other callers."""

from __future__ import annotations

import gc
from datetime import date, datetime
from typing import Any

from rules_workbooks import (
    CLEAN_BENEFIT,
    TODAY,
    clean_parts,
    codes,
    months,
    of,
    validate,
    workbook,
)

from xl_brm.enums import BenefitType, Direction, EvidenceGrade
from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Measurement, content_hash
from xl_brm.normalise import to_json_value
from xl_brm.periods import Period
from xl_brm.table import RawWorkbook
from xl_brm.validate import Defaults, validate_row, validate_workbook


def test_defaults_fill_blank_trust_and_programme() -> None:
    parts = clean_parts()
    for row in parts["Benefits"]:
        row["trust_ods"] = None
        row["programme"] = ""
    result = validate(parts, defaults=Defaults(trust_ods="rj1", programme="GDE"))
    assert result.findings == []
    assert {b.trust_ods for b in result.register.benefits} == {"RJ1"}
    assert {b.programme for b in result.register.benefits} == {"GDE"}


def test_defaults_cover_missing_columns_too() -> None:
    parts = clean_parts()
    for row in parts["Benefits"]:
        del row["trust_ods"], row["programme"]
    assert validate(parts, defaults=Defaults(trust_ods="RJ1", programme="GDE")).findings == []
    result = validate(parts, settings={"trust_ods": "RJ1", "programme": "GDE"})
    assert result.findings == []
    assert result.register.trust_ods == "RJ1"


def test_missing_core_column_is_reported_once_and_rows_stay_out() -> None:
    parts = clean_parts()
    for row in parts["Benefits"]:
        del row["trust_ods"]
    result = validate(parts)
    assert codes(result.findings) == ["BRM101"]
    assert result.findings[0].column == "trust_ods"
    assert result.register.benefits == []


def test_without_a_benefit_id_column_one_brm101_says_why_no_measurement_joins() -> None:
    parts = clean_parts()
    assert parts["Measurements"]
    for row in parts["Benefits"]:
        del row["benefit_id"]
    result = validate(parts)
    assert codes(result.findings) == ["BRM101"]
    assert result.findings[0].column == "benefit_id" and result.measurement_count == 0


def test_an_unknown_measurement_id_names_the_register_id_it_most_likely_means() -> None:
    benefits = [_benefit_row(benefit_id=b) for b in ("EPMA-01", "GDE-001", "A-1", "A1")]
    rows = [m for b in ("epma 1", "gde-001", "a1", "XYZ-9") for m in months(b, (2019, 4), [5.0])]
    found = of(validate({"Benefits": benefits, "Measurements": rows}).findings, "BRM402")
    assert [f.message.partition("sheet")[2] for f in found] == [
        " (the register has 'EPMA-01')", " (the register has 'GDE-001')", "", ""]  # A-1 or A1: no guess


def test_gaps_in_a_qualitative_benefits_evidence_are_not_reported() -> None:
    # evidence collected every six months: a gap for a quantitative series, not for this one
    quantitative = _benefit_row(benefit_id="Q1")
    qualitative = _benefit_row(benefit_id="Q2", benefit_type="qualitative", evidence="Staff survey")
    series = months("Q1", (2019, 4), [5.0, 6.0])
    series.append({**months("Q1", (2019, 10), [7.0])[0]})
    evidence = months("Q2", (2019, 4), ["Survey: fewer complaints"])
    evidence.append({**months("Q2", (2019, 10), ["Survey: steady"])[0]})
    found = validate({"Benefits": [quantitative, qualitative], "Measurements": series + evidence})
    assert [(f.code, f.row) for f in found.findings] == [("BRM504", 4)]


def _benefit_row(**changes: Any) -> dict[str, Any]:
    return {**CLEAN_BENEFIT, **changes}


def test_reader_findings_are_kept_and_not_repeated() -> None:
    parts = clean_parts()
    for row in parts["Benefits"]:
        del row["title"]
    raw = workbook(parts)
    told = Finding("BRM101", "error", "no title column", sheet="Benefits", column="title")
    raw.findings.append(told)
    result = validate_workbook(raw, today=TODAY)
    assert result.findings == [told]


def test_explicit_defaults_beat_the_settings_sheet() -> None:
    parts = clean_parts()
    result = validate(parts, defaults=Defaults(trust_ods="RRV"), settings={"trust_ods": "RJ1"})
    mismatches = of(result.findings, "BRM406")
    assert [f.value for f in mismatches] == ["RJ1", "RJ1"]
    assert "RRV (--trust)" in mismatches[0].message


def test_bad_settings_value_is_reported() -> None:
    result = validate(clean_parts(), settings={"trust_ods": "Guy's"})
    assert [(f.code, f.sheet, f.column) for f in result.findings] == [("BRM205", "BRM Settings", "trust_ods")]


def test_without_defaults_the_majority_trust_is_the_workbooks() -> None:
    parts = clean_parts()
    third = dict(CLEAN_BENEFIT, benefit_id="EPMA-02", trust_ods="RRV")
    parts["Benefits"].append(third)
    result = validate(parts)
    (f,) = of(result.findings, "BRM406")
    assert f.row == 4 and f.value == "RRV" and "given by most rows" in f.message
    assert result.register.trust_ods == "RJ1"


def test_bad_optional_cell_keeps_the_benefit_with_none() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["target_date"] = "soon"
    result = validate(parts)
    assert codes(result.findings) == ["BRM202"]  # not also BRM309 "target_date missing"
    benefit = result.register.benefit("EPMA-01")
    assert benefit is not None and benefit.target_date is None
    assert not result.ok


def test_bad_core_cell_keeps_the_benefit_out_but_its_measurements_known() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["category"] = "Misc"
    result = validate(parts)
    assert codes(result.findings) == ["BRM204"]  # its measurements are not "unknown benefit"
    assert [b.benefit_id for b in result.register.benefits] == ["QUAL-01"]
    assert "EPMA-01" not in result.register.measurements


def test_local_columns_are_kept_on_the_benefit() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["Directorate"] = "Pharmacy"
    parts["Benefits"][0]["RAG (local)"] = None
    result = validate(parts)
    assert result.findings == []
    benefit = result.register.benefit("EPMA-01")
    assert benefit is not None and benefit.local == {"Directorate": "Pharmacy"}
    assert "local" not in benefit.model_dump()


def test_register_values_are_typed() -> None:
    result = validate(clean_parts())
    benefit = result.register.benefit("EPMA-01")
    assert benefit is not None
    assert benefit.benefit_type is BenefitType.CASH_RELEASING
    assert benefit.direction is Direction.DECREASE
    assert benefit.unit_value_gbp == 35.0
    assert benefit.attribution_pct == 80.0
    assert benefit.target_date == date(2021, 3, 31)
    assert benefit.approved_on == date(2020, 1, 15)
    assert benefit.row == 2
    ms = result.register.measurements["EPMA-01"]
    assert ms[0].period == Period.month(2019, 4) and ms[0].value == 120.0
    assert ms[0].evidence_grade is EvidenceGrade.MEASURED and ms[0].source == "Datix"
    qual = result.register.measurements["QUAL-01"]
    assert [m.value for m in qual] == ["Survey planned", "Survey done: staff positive"]


def test_built_models_equal_validated_ones() -> None:
    result = validate(clean_parts())
    for benefit in result.register.benefits:
        again = Benefit.model_validate({**benefit.model_dump(), "row": benefit.row, "local": benefit.local})
        assert again == benefit
        benefit.title = "Renamed"  # assignment works on a built model
        assert benefit.title == "Renamed"
    for ms in result.register.measurements.values():
        for m in ms:
            assert Measurement.model_validate({**m.model_dump(), "row": m.row}) == m
    benefit = result.register.benefits[0]
    content_hash(benefit, result.register.measurements[benefit.benefit_id])


def test_measurements_come_out_sorted_and_first_repeat_wins() -> None:
    parts = clean_parts()
    parts["Measurements"].reverse()
    parts["Measurements"].append(dict(parts["Measurements"][-1], value=1.0))  # EPMA-01 2019-04 again
    result = validate(parts)
    assert codes(result.findings) == ["BRM403"]
    ms = result.register.measurements["EPMA-01"]
    assert [m.period for m in ms] == sorted(m.period for m in ms)
    assert len(ms) == 12 and 1.0 not in [m.value for m in ms]


def test_placeholder_and_blank_rows_are_skipped_silently() -> None:
    parts = clean_parts()
    parts["Measurements"].append({"benefit_id": "EPMA-01", "period": "2020-04", "value": None})
    parts["Measurements"].append({"benefit_id": None, "period": None, "value": ""})
    parts["Benefits"].append({"benefit_id": None, "title": "   "})
    result = validate(parts)
    assert result.findings == []
    assert result.register.measurement_count == 14


def test_measurement_text_and_odd_cells_take_the_slow_path_correctly() -> None:
    parts = clean_parts()
    parts["Measurements"][0].update(value="12,000", benefit_id=" EPMA-01 ", evidence_grade="Estimate")
    parts["Measurements"][1].update(value=119, source="  ", note="after go-live")
    result = validate(parts)
    assert of(result.findings, "BRM501")  # 12,000 among ~120s is a spike: it was read as a number
    ms = result.register.measurements["EPMA-01"]
    assert ms[0].value == 12000.0 and ms[0].evidence_grade is EvidenceGrade.ESTIMATED
    assert ms[1].value == 119.0 and ms[1].note == "after go-live" and ms[1].source is None


def test_quarters_and_months_mixed_are_different_periods() -> None:
    parts = clean_parts()
    parts["Measurements"] += [
        {"benefit_id": "EPMA-01", "period": "2020/21 Q1", "value": 80.0},
        {"benefit_id": "EPMA-01", "period": "Q2 2020/21", "value": 78.0},
    ]
    result = validate(parts)
    assert result.findings == []
    assert result.register.measurements["EPMA-01"][-1].period == Period.quarter(2020, 2)


def test_clean_cases_of_the_row_rules() -> None:
    parts = clean_parts()
    first = parts["Benefits"][0]
    first.update(is_disbenefit="Yes", target_value=150.0)  # dis-benefits may worsen: no BRM302
    unplanned = dict(
        CLEAN_BENEFIT, benefit_id="EPMA-02", planned="No", target_value=None, target_date=None
    )  # an unanticipated benefit needs no target
    qualitative_draft = dict(
        parts["Benefits"][1],
        benefit_id="QUAL-02",
        approval_status="Draft",
        evidence=None,
        approved_by=None,
        approved_on=None,
    )
    parts["Benefits"] += [unplanned, qualitative_draft]
    assert validate(parts).findings == []


def test_ambiguous_dates_without_us_evidence_are_not_reported() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["target_date"] = "02/08/2021"
    result = validate(parts)
    assert result.findings == []
    assert result.register.benefits[0].target_date == date(2021, 8, 2)


def test_step_changes_are_not_spikes() -> None:
    parts = clean_parts()
    parts["Measurements"] = months("EPMA-01", (2019, 4), [100.0] * 6 + [5.0] * 6)
    assert validate(parts).findings == []


def test_computed_baseline_with_enough_points_is_clean() -> None:
    parts = clean_parts()
    parts["Benefits"][0].update(baseline_method="Mean", baseline_value=None)
    assert validate(parts).findings == []
    parts["Benefits"][0].update(baseline_end=None)  # the window runs up to realisation_start
    assert validate(parts).findings == []


def test_validate_row_for_the_cell_function() -> None:
    assert validate_row(CLEAN_BENEFIT, today=TODAY) == []
    row = dict(CLEAN_BENEFIT, baseline_value="n/a", trust_ods=None)
    found = validate_row(row, defaults=Defaults(trust_ods="RJ1"), today=TODAY)
    assert [(f.code, f.column, f.sheet, f.row, f.cell, f.value) for f in found] == [
        ("BRM201", "baseline_value", None, None, None, "n/a")
    ]
    found = validate_row(
        dict(CLEAN_BENEFIT, trust_ods="RRV"), defaults=Defaults(trust_ods="RJ1"), today=TODAY
    )
    assert codes(found) == ["BRM406"]
    assert codes(validate_row({"benefit_id": "X"}, today=TODAY)).count("BRM210") == 8


def test_validate_row_ignores_unknown_keys() -> None:
    assert validate_row({**CLEAN_BENEFIT, "My column": "=oops"}, today=TODAY) == []


def test_for_benefit_groups_findings() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["baseline_value"] = "n/a"
    parts["Measurements"][13]["value"] = 4.0
    result = validate(parts)
    assert codes(result.for_benefit("EPMA-01")) == ["BRM201"]
    assert codes(result.for_benefit("QUAL-01")) == ["BRM408"]


def test_gc_is_left_as_it_was() -> None:
    assert gc.isenabled()
    validate(clean_parts())
    assert gc.isenabled()


def _json_parts() -> dict[str, list[dict[str, Any]]]:
    """What the national store rebuilds from a submission body (SPEC §7.3)."""
    excel = validate(clean_parts()).register
    benefits = []
    for b in excel.benefits:
        dumped = b.model_dump(mode="json")
        benefits.append({n: to_json_value(BENEFIT_FIELD[n], getattr(b, n)) for n in dumped})
        assert benefits[-1]["attribution_pct"] in ("80.0%", "100.0%")
    measurements = [
        {n: to_json_value(MEASUREMENT_FIELD[n], getattr(m, n)) for n in MEASUREMENT_FIELD}
        for ms in excel.measurements.values()
        for m in ms
    ]
    return {"Benefits": benefits, "Measurements": measurements}


def test_store_json_inputs_validate_cleanly_and_hash_the_same() -> None:
    excel = validate(clean_parts()).register
    parts = _json_parts()
    assert parts["Benefits"][0]["benefit_type"] == "cash_releasing"
    assert parts["Benefits"][0]["target_date"] == "2021-03-31"
    assert parts["Measurements"][0]["period"] == "2019-04"
    store = validate(parts)
    assert store.findings == []
    for b in excel.benefits:
        again = store.register.benefit(b.benefit_id)
        assert again is not None
        assert content_hash(again, store.register.measurements[b.benefit_id]) == content_hash(
            b, excel.measurements[b.benefit_id]
        )


def test_plain_json_numbers_and_booleans_validate_too() -> None:
    parts = _json_parts()
    first = parts["Benefits"][0]
    first.update(attribution_pct=80, baseline_value=120, is_disbenefit=False, planned=True)
    parts["Measurements"][0]["value"] = 120
    result = validate(parts)
    assert result.findings == []
    assert result.register.benefits[0].attribution_pct == 80.0


def test_a_workbook_without_a_benefits_sheet() -> None:
    raw = workbook(clean_parts())
    del raw.tables["Benefits"]
    result = validate_workbook(raw, today=TODAY)
    assert result.findings == [] and result.register.benefits == []


def test_formula_cells_in_measurements() -> None:
    from xl_brm.table import FormulaWithoutValue

    parts = clean_parts()
    parts["Measurements"][2]["value"] = FormulaWithoutValue("=B4*2")
    result = validate(parts)
    (f,) = result.findings
    assert (f.code, f.cell, f.to_json()["value"]) == ("BRM106", "C4", "=B4*2")
    assert "=B4*2" in f.message


def test_today_defaults_to_the_real_date() -> None:
    parts = clean_parts()
    next_year = datetime(date.today().year + 1, date.today().month, 1)  # inside the plausible window
    parts["Measurements"].append({"benefit_id": "EPMA-01", "period": next_year, "value": 1.0})
    assert "BRM405" in codes(validate_workbook(workbook(parts)).findings)


def test_raw_workbook_is_not_changed() -> None:
    raw = workbook(clean_parts())
    before = [(t.sheet, [r.values for r in t.rows]) for t in raw.tables.values()]
    validate_workbook(raw, defaults=Defaults(trust_ods="RJ1"), today=TODAY)
    assert [(t.sheet, [r.values for r in t.rows]) for t in raw.tables.values()] == before
    assert isinstance(raw, RawWorkbook)
