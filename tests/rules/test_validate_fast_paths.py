"""The engine's fast paths (column memos, quiet series, bulk GC promotion, a Register built
only when read) read like the slow ones."""

from __future__ import annotations

import copy
import gc
from typing import Any

from rules_workbooks import CLEAN_BENEFIT, TODAY, clean_parts, codes, months, of, validate, workbook

from xl_brm._gc import PROMOTE_AFTER
from xl_brm.fields import BENEFIT_FIELD
from xl_brm.model import Benefit, Measurement
from xl_brm.validate import _Reading, validate_workbook


def _benefit(**changes: Any) -> dict[str, Any]:
    row = copy.deepcopy(CLEAN_BENEFIT)
    row.update(changes)
    return row


def test_every_benefits_field_is_a_model_field() -> None:
    # the Register copies a row's values over a blank Benefit in model field order
    assert set(BENEFIT_FIELD) <= set(Benefit.model_fields)


def test_true_and_one_in_one_text_column_read_as_themselves() -> None:
    # True == 1 == 1.0 as dict keys, yet a text cell reads them as TRUE and 1
    rows = [_benefit(benefit_id=b, title=t) for b, t in (("A", True), ("B", 1.0), ("C", 1), ("D", True))]
    register = validate({"Benefits": rows}).register
    assert [b.title for b in register.benefits] == ["TRUE", "1", "1", "TRUE"]


def test_true_and_one_as_measurement_ids_and_sources_read_as_themselves() -> None:
    benefits = [_benefit(benefit_id="TRUE"), _benefit(benefit_id="1")]
    readings = months("x", (2019, 4), [100.0, 101.0, 102.0, 103.0])
    for row, (bid, source) in zip(readings, ((True, 1.0), (1.0, True), (True, True), (1, 1)), strict=True):
        row["benefit_id"], row["source"] = bid, source
    found = validate({"Benefits": benefits, "Measurements": readings})
    assert not of(found.findings, "BRM402")
    got = {bid: [(m.row, m.source) for m in ms] for bid, ms in found.register.measurements.items()}
    assert got == {"TRUE": [(2, "1"), (4, "TRUE")], "1": [(3, "TRUE"), (5, "1")]}


def test_a_measurement_id_that_reads_with_a_note_is_reported_on_every_row() -> None:
    # the memo of benefit ids is filled from the column before the rows are read: an id that
    # reads with a note (BRM208, a leading '+') must stay out of it, or rows would go unreported
    # (B2's rows come first, so the period, source and grade of +B1's rows are known already)
    benefits = [_benefit(benefit_id="B2"), _benefit(benefit_id="+B1")]
    readings = months("B2", (2019, 4), [5.0, 6.0, 7.0]) + months("+B1", (2019, 4), [100.0, 101.0, 102.0])
    found = validate({"Benefits": benefits, "Measurements": readings})
    assert [f.row for f in of(found.findings, "BRM208") if f.sheet == "Measurements"] == [5, 6, 7]
    assert sorted(found.register.measurements) == ["+B1", "B2"]


def test_repeated_ambiguous_dates_wait_for_us_evidence() -> None:
    # 01/04/2019 reads as 1 April or 4 January: 3 rows x 2 columns share the one reading
    rows = [
        _benefit(benefit_id=f"B{i}", baseline_start="01/04/2019", approved_on="03/02/2020") for i in range(3)
    ]
    assert not of(validate({"Benefits": rows}).findings, "BRM203")
    rows.append(_benefit(benefit_id="B3", approved_on="12/31/2020"))  # only reads month-first
    found = validate({"Benefits": rows}).findings
    assert [(f.column, f.row) for f in of(found, "BRM203")] == [
        ("baseline_start", 2),
        ("baseline_start", 3),
        ("baseline_start", 4),
        ("approved_on", 2),
        ("approved_on", 3),
        ("approved_on", 4),
    ]
    assert [(f.column, f.row) for f in of(found, "BRM202")] == [("approved_on", 5)]


def test_repeated_bad_cells_are_each_reported_in_row_order() -> None:
    rows = [_benefit(benefit_id=f"B{i}", category="Cashable" if i % 2 else "Safety") for i in range(5)]
    found = validate({"Benefits": rows}).findings
    assert [(f.code, f.row, f.cell) for f in of(found, "BRM204")] == [
        ("BRM204", 3, "G3"),
        ("BRM204", 5, "G5"),
    ]


def test_an_unhashable_cell_is_read_like_any_other() -> None:
    rows = [_benefit(benefit_id="A", title=["a list"]), _benefit(benefit_id="B")]
    register = validate({"Benefits": rows}).register
    assert [b.title for b in register.benefits] == ["['a list']", CLEAN_BENEFIT["title"]]


def _series(values: list[Any]) -> list[str]:
    readings = months("EPMA-01", (2019, 10), values)
    return codes(validate({"Benefits": [_benefit()], "Measurements": readings}).findings)


def test_steady_series_at_the_spike_limits() -> None:
    # a step of exactly 10x is not a spike; 10.1x away from both neighbours is
    assert _series([10.0, 100.0, 100.0, 10.0]) == []
    assert _series([10.0, 10.0, 101.0, 10.0, 10.0]) == ["BRM501"]
    assert _series([-10.0, -10.0, -101.0, -10.0, -10.0]) == ["BRM501"]
    assert _series([5.0, 0.0, 5.0, 0.0, 5.0]) == []  # zeros are never spikes
    assert _series([1.0, 9.0, 1.0, 9.0]) == []


def test_gaps_and_repeats_still_found_after_quiet_benefits() -> None:
    benefits = [_benefit(benefit_id=f"B{i}") for i in range(3)]
    readings = (
        months("B0", (2019, 10), [100.0, 101.0, 102.0])
        + months("B1", (2019, 10), [100.0, 101.0, 102.0])  # the same months: facts reused
        + [r for k, r in enumerate(months("B2", (2019, 10), [100.0] * 6)) if k not in (1, 2, 3, 4)]
        + months("B0", (2019, 10), [90.0])  # a repeat of B0's first month, after the others
    )
    found = validate({"Benefits": benefits, "Measurements": readings}).findings
    assert [(f.code, f.row) for f in found] == [("BRM403", 10), ("BRM504", 9)]


def test_a_large_validation_leaves_the_collector_as_it_found_it() -> None:
    readings = months("EPMA-01", (2019, 10), [100.0] * 20) * (PROMOTE_AFTER // 20)  # repeats: BRM403s
    raw = workbook({"Benefits": [_benefit()], "Measurements": readings})
    assert gc.isenabled()
    gc.collect()
    found = validate_workbook(raw, today=TODAY)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < PROMOTE_AFTER  # promoted, not left for a full scan
    assert found.register.measurement_count == 20
    assert len(of(found.findings, "BRM403")) == len(readings) - 20


def test_someone_elses_frozen_objects_stay_frozen() -> None:
    readings = months("EPMA-01", (2019, 10), [100.0] * 20) * (PROMOTE_AFTER // 20)
    raw = workbook({"Benefits": [_benefit()], "Measurements": readings})
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        validate_workbook(raw, today=TODAY)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def _eventful_parts() -> dict[str, list[dict[str, Any]]]:
    """Measurements that are kept, repeated, text, noted and orphaned; plans; a bad benefit."""
    parts = clean_parts()
    parts["Measurements"][0]["note"] = "go-live month"
    parts["Measurements"] += [
        dict(parts["Measurements"][3], value=1.0),  # a repeat of EPMA-01's 4th month: dropped
        dict(parts["Measurements"][4], period="2020-06", value="text for a number"),  # dropped
        *months("NOPE-01", (2019, 4), [1.0, 2.0]),  # no such benefit
    ]
    parts["Benefits"].append(_benefit(benefit_id="EPMA-02", category="Cashable"))  # not in Register
    parts["Trajectory"] = [
        {"benefit_id": "EPMA-01", "period": "2020-04", "planned_value": 90.0},
        {"benefit_id": "EPMA-01", "period": "2019-04", "planned_value": 120.0},
    ]
    return parts


def test_the_register_is_built_when_first_read_and_once() -> None:
    found = validate(_eventful_parts())
    assert {"BRM402", "BRM403", "BRM407", "BRM204"} <= set(codes(found.findings))
    register = found.register
    assert found.register is register
    assert (found.trust_ods, found.benefit_count, found.measurement_count) == (
        register.trust_ods,
        len(register.benefits),
        register.measurement_count,
    )
    assert [b.benefit_id for b in register.benefits] == ["EPMA-01", "QUAL-01"]
    epma = register.measurements["EPMA-01"]
    assert [m.row for m in epma] == list(range(2, 14))  # sorted, first of a repeat kept
    assert epma[0].note == "go-live month" and 1.0 not in [m.value for m in epma]
    assert [p.planned_value for p in register.trajectory["EPMA-01"]] == [120.0, 90.0]


def test_built_measurements_are_what_pydantic_would_build() -> None:
    assert _Reading._fields == tuple(Measurement.model_fields)  # `_measurements` relies on it
    register = validate(_eventful_parts()).register
    for ms in register.measurements.values():
        for m in ms:
            assert Measurement.model_validate({**m.model_dump(), "row": m.row}) == m
            assert m.model_fields_set == set(Measurement.model_fields)
            assert list(m.__dict__) == list(Measurement.model_fields)


def test_a_run_leaves_no_cyclic_garbage() -> None:
    # a kept exception's traceback once tied the whole run into a cycle, freed only by a
    # collection (~10 ms for 10k rows, more for a full register)
    raw = workbook(_eventful_parts())
    gc.collect()
    validation = validate_workbook(raw, today=TODAY)
    assert validation.register.benefits
    del validation
    assert gc.collect() == 0
