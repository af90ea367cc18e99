"""The fast submission builder against the one it replaced (`legacy_build.py`): the same bytes,
the same hashes, and the same refusals, from real workbooks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from legacy_build import legacy_body, legacy_bytes
from openpyxl import Workbook
from sync_support import make_prepared

from xl_brm.api import Options, load
from xl_brm.contract import MEASUREMENT_CELLS, MeasurementIn, SubmissionIn
from xl_brm.errors import SyncError
from xl_brm.fields import BENEFIT_FIELD, MEASUREMENT_FIELD
from xl_brm.model import Measurement, content_hash
from xl_brm.periods import Period
from xl_brm.sync import Prepared, build_submission, prepare
from xl_brm.sync._build import (
    _USUAL_KEYS,
    _check_outline,
    _Converter,
    _measurement_lists,
)
from xl_brm.validate import Defaults

HEADER = ["Benefit ID", "Trust ODS", "Programme", "Project", "Benefit Title", "Benefit Type",
          "Category", "Measure", "Unit", "Direction", "Baseline", "Baseline Start", "Target",
          "Target Date", "Realisation Start", "Attribution %", "Owner", "Status", "Approved By",
          "Approved On", "Evidence", "Confidence", "Local notes"]


def benefit(bid: str, *, kind: str = "Quantitative", status: str = "Approved",
            title: str | None = None, attribution: str = "80%",
            evidence: str | None = None) -> list[Any]:
    approved = status == "Approved"
    return [bid, "RJ1", "GDE", "EPMA — fase 2", title or f"Fewer medication errors {bid}", kind,
            "Safety & quality", "medication errors", "count", "decrease", 120, date(2019, 4, 1),
            60, "31/03/2021", date(2019, 10, 1), attribution, "Chief Pharmacist", status,
            "Director of Nursing" if approved else None, "15/01/2020" if approved else None,
            evidence, "High", "CONFIDENTIAL local remark"]


MEASURED: list[list[Any]] = [
    ["EPMA-01", "2019-10", 110, "Datix", "Measured", None],
    ["EPMA-01", "Nov-19", 100.25, None, "Estimated", "naïve estimate"],
    ["EPMA-01", "2019/20 Q3", 0, "Datix", "Measured", None],
    ["EPMA-02", "2019-10", 95, "Datix", "Measured", "ok"],
    ["EPMA-02", "2019-11", -0.0, "Datix", "Measured", "minus nought"],
    ["EPMA-03", "2019-10", "Much better — ward feedback", "Survey", "Assumed", None],
    ["EPMA-04", "2019-10", 1, None, None, None],
]


def write_rich(path: Path, *, drop: tuple[str, ...] = (),
               measurement_header: tuple[str, ...] = ("Benefit ID", "Period", "Value", "Source",
                                                      "Evidence Grade", "Note")) -> Path:
    """Approved quantitative and qualitative rows, a draft, non-ASCII text, 0.5%, quarters."""
    keep = [i for i, h in enumerate(HEADER) if h not in drop]
    wb = Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(["Benefits register — local copy"])
    ws.append([HEADER[i] for i in keep])
    rows = [benefit("EPMA-01"),
            benefit("EPMA-02", attribution="0.5%", title="Café staff — £ saved"),
            benefit("EPMA-03", kind="Qualitative", evidence="Staff survey: ‘much better’"),
            benefit("EPMA-04", status="Draft")]
    for row in rows:
        ws.append([row[i] for i in keep])
    ms = wb.create_sheet("Measurements")
    ms.append(list(measurement_header))
    full = ("Benefit ID", "Period", "Value", "Source", "Evidence Grade", "Note")
    for m in MEASURED:
        ms.append([m[full.index(h)] for h in measurement_header])
    if drop:
        st = wb.create_sheet("BRM Settings")
        st.append(["trust_ods", "RJ1"])
        st.append(["programme", "GDE"])
    wb.save(path)
    return path


def loaded(path: Path, **options: Any) -> tuple[Any, Any]:
    raw, validation = load(path, Options(**options))
    errors = [f for f in validation.findings if f.severity == "error"]
    assert not errors, errors
    return raw, validation


@pytest.mark.parametrize("variant", ["all columns", "defaults from settings", "few columns"])
def test_bytes_are_those_of_the_pydantic_builder(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "r.xlsx"
    if variant == "all columns":
        write_rich(path)
    elif variant == "defaults from settings":
        write_rich(path, drop=("Trust ODS", "Programme"))
    else:
        write_rich(path, measurement_header=("Benefit ID", "Period", "Value"))
    raw, validation = loaded(path)
    prepared = prepare(raw, validation, client_version="9.9.9")
    old = legacy_body(raw, validation, client_version="9.9.9")

    sent = prepared.to_bytes()
    assert sent == legacy_bytes(old)  # byte for byte what the old builder sent
    assert SubmissionIn.model_validate_json(sent) == old  # and what the store parses
    assert prepared.data == old.model_dump(mode="json")
    assert prepared.body == old
    register = validation.register
    assert prepared.hashes == {
        b.benefit_id: content_hash(b, register.measurements.get(b.benefit_id, []))
        for b in register.benefits if b.approval_status == "approved"
    }
    assert b"CONFIDENTIAL" not in sent and sent.isascii()


def test_narrowed_bytes_match_too(tmp_path: Path) -> None:
    raw, validation = loaded(write_rich(tmp_path / "r.xlsx"))
    prepared = prepare(raw, validation, client_version="1")
    old = legacy_body(raw, validation, client_version="1")
    narrowed = prepared.only(["EPMA-03", "EPMA-01"])
    kept = old.model_copy(update={"benefits": [b for b in old.benefits
                                               if b.fields["benefit_id"] != "EPMA-02"]})
    assert narrowed.to_bytes() == legacy_bytes(kept)
    assert set(narrowed.hashes) == {"EPMA-01", "EPMA-03"}
    assert len(prepared.data["benefits"]) == 3  # narrowing leaves the original whole


def test_build_submission_still_gives_the_model(tmp_path: Path) -> None:
    raw, validation = loaded(write_rich(tmp_path / "r.xlsx"))
    body = build_submission(raw, validation, client_version="1")
    assert isinstance(body, SubmissionIn)
    assert body == legacy_body(raw, validation, client_version="1")


def test_a_prepared_made_from_a_model_behaves_as_before() -> None:
    made = make_prepared({"B1": 1.0, "B2": 2.5})
    assert made.data == made.body.model_dump(mode="json")
    assert made.trust_ods == "RJ1" and made.source_path == "register.xlsx"
    only = made.only(["B2"])
    assert [b.fields["benefit_id"] for b in only.body.benefits] == ["B2"]
    assert only == Prepared(data=only.data, hashes=only.hashes)
    with pytest.raises(TypeError):
        Prepared()


def test_measurement_keys_are_the_schemas() -> None:
    """The written-out measurement dicts follow MeasurementIn's fields, in its order."""
    assert tuple(MeasurementIn.model_fields) == _USUAL_KEYS == ("row", *MEASUREMENT_CELLS)


def test_defaults_and_mapping_options_are_honoured(tmp_path: Path) -> None:
    path = write_rich(tmp_path / "r.xlsx", drop=("Trust ODS", "Programme"))
    raw, validation = loaded(path, defaults=Defaults(trust_ods="RJ1", programme="Digital"))
    prepared = prepare(raw, validation, client_version="1")
    assert prepared.to_bytes() == legacy_bytes(legacy_body(raw, validation, client_version="1"))
    assert prepared.data["benefits"][0]["fields"]["programme"] == "Digital"


# --- the converter and the measurement checks, on real model objects ----------------------


def test_converter_never_mixes_up_equal_values_that_write_differently() -> None:
    convert = _Converter()
    percent = BENEFIT_FIELD["attribution_pct"]
    assert convert(percent, 0.0) == "0.0%"
    assert convert(percent, -0.0) == "-0.0%"  # 0.0 == -0.0, yet they are written differently
    when = BENEFIT_FIELD["target_date"]
    utc = datetime(2020, 1, 1, 12, tzinfo=UTC)
    same_instant = utc.astimezone(timezone(timedelta(hours=1)))
    assert utc == same_instant
    assert convert(when, utc) == "2020-01-01T12:00:00+00:00"
    assert convert(when, same_instant) == "2020-01-01T13:00:00+01:00"
    period = MEASUREMENT_FIELD["period"]
    assert convert(period, Period.month(2019, 10)) == "2019-10"
    assert convert(period, Period.quarter(2019, 3)) == "2019/20 Q3"
    assert convert(period, Period.month(2019, 10)) == "2019-10"


def _m(row: int | None, *, note: str | None = None, benefit_id: str = "B1") -> Measurement:
    return Measurement(benefit_id=benefit_id, period=Period.month(2019, 10), value=1.0, note=note,
                       row=row)


CELLS = [(name, MEASUREMENT_FIELD[name]) for name in MEASUREMENT_CELLS]


def test_measurement_rows_are_checked_as_the_schema_would() -> None:
    with pytest.raises(SyncError, match="two measurements claim Measurements row 7"):
        _measurement_lists([[_m(7)], [_m(7, benefit_id="B2")]], CELLS, _Converter())
    with pytest.raises(SyncError, match="cannot tell which Measurements row holds B1 2019-10"):
        _measurement_lists([[_m(None)]], CELLS, _Converter())
    with pytest.raises(SyncError, match="cannot be sent"):
        _measurement_lists([[_m(0)]], CELLS, _Converter())
    with pytest.raises(SyncError, match="row 5: the note is longer than 32,767 characters"):
        _measurement_lists([[_m(4), _m(5, note="x" * 32_768)]], CELLS, _Converter())
    (ok,) = _measurement_lists([[_m(4, note="x" * 32_767)]], CELLS, _Converter())
    assert ok == [MeasurementIn(row=4, period="2019-10", value=1.0, evidence_grade="measured",
                                note="x" * 32_767).model_dump(mode="json")]


def test_the_outline_is_checked_by_the_schema_itself(tmp_path: Path) -> None:
    raw, validation = loaded(write_rich(tmp_path / "r.xlsx"))
    data = json.loads(prepare(raw, validation).to_bytes())
    data["benefits"][1]["fields"]["title"] = "x" * 40_000
    with pytest.raises(SyncError, match=r"r.xlsx: the submission cannot be sent: benefits\.1"):
        _check_outline(raw, data, measurements=True)
    data = json.loads(prepare(raw, validation).to_bytes())
    data["source"]["measurements"] = None
    with pytest.raises(SyncError, match="measurements were found but no Measurements sheet"):
        _check_outline(raw, data, measurements=True)
