"""Building the submission body from a real workbook: approved rows only, errors block, cells
located as the trust's workbook has them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sync_e2e import MEASURED, benefit, write_register

from xl_brm.api import load
from xl_brm.contract import SubmissionIn
from xl_brm.errors import SyncError
from xl_brm.model import content_hash
from xl_brm.sync import build_submission, prepare


def test_body_carries_approved_rows_with_their_cells(tmp_path: Path) -> None:
    path = write_register(tmp_path / "r.xlsx",
                          [benefit("EPMA-01"), benefit("EPMA-02", status="Draft")], MEASURED[:3])
    raw, validation = load(path)
    body = build_submission(raw, validation, client_version="9.9.9")
    assert isinstance(body, SubmissionIn)
    assert body.trust_ods == "RJ1" and body.client.version == "9.9.9"
    assert body.source.path == "r.xlsx"
    assert body.source.benefits.header_row == 3  # a title row and a blank row above the header
    assert body.source.benefits.columns["baseline_value"] == "K"
    assert body.source.measurements is not None
    assert body.source.measurements.columns["period"] == "B"
    (only,) = body.benefits
    assert only.row == 4
    assert only.fields["benefit_type"] == "quantitative_non_financial"  # canonical, not "Quantitative"
    assert only.fields["target_date"] == "2021-03-31"  # ISO, read day-first from 31/03/2021
    assert only.fields["attribution_pct"] == "80.0%"  # reads back as 80, never as a fraction
    assert [(m.row, m.period, m.value) for m in only.measurements] == [
        (2, "2019-10", 110.0), (3, "2019-11", 100.0)
    ]
    assert "CONFIDENTIAL" not in body.model_dump_json()


def test_hashes_are_the_models_content_hash(tmp_path: Path) -> None:
    path = write_register(tmp_path / "r.xlsx", [benefit("EPMA-01")], MEASURED[:2])
    raw, validation = load(path)
    prepared = prepare(raw, validation)
    b = validation.register.benefits[0]
    assert prepared.hashes == {"EPMA-01": content_hash(b, validation.register.measurements["EPMA-01"])}


def test_any_error_blocks_and_lists_the_cells(tmp_path: Path) -> None:
    draft = benefit("EPMA-09", status="Draft")
    draft[12] = "31/02/2021"  # a draft row's impossible date still blocks the whole submission
    path = write_register(tmp_path / "bad.xlsx", [benefit("EPMA-01"), draft], MEASURED[:2])
    raw, validation = load(path)
    with pytest.raises(SyncError) as caught:
        build_submission(raw, validation)
    message = str(caught.value)
    assert "bad.xlsx" in message and "Benefits!M5" in message
    assert "xl-brm validate" in caught.value.hint


def test_body_round_trips_through_json(tmp_path: Path) -> None:
    path = write_register(tmp_path / "r.xlsx", [benefit("EPMA-01")], MEASURED[:2])
    raw, validation = load(path)
    body = build_submission(raw, validation)
    again = SubmissionIn.model_validate(json.loads(body.model_dump_json()))
    assert again == body
