"""End to end: real .xlsx workbooks, the real reader and rule engine, a real uvicorn store on
loopback (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from openpyxl import Workbook

from xl_brm.errors import StoreRejected, SubmissionBlocked, SyncError
from xl_brm.sync import SyncState, pull, state_path_for, submit

HEADER = ["Benefit ID", "Trust ODS", "Programme", "Project", "Benefit Title", "Benefit Type",
          "Category", "Measure", "Unit", "Direction", "Baseline", "Target", "Target Date",
          "Realisation Start", "Attribution %", "Owner", "Status", "Approved By", "Approved On",
          "Local notes"]
"""A trust's own spellings: the reader maps them; 'Local notes' stays local."""


def benefit(bid: str, *, status: str = "Approved", title: str | None = None,
            trust: str = "RJ1") -> list[Any]:
    approved = status == "Approved"
    return [bid, trust, "GDE", "EPMA", title or f"Fewer medication errors {bid}", "Quantitative",
            "Safety & quality", "medication errors", "count", "decrease", 120, 60, "31/03/2021",
            date(2019, 10, 1), "80%", "Chief Pharmacist", status,
            "Director of Nursing" if approved else None, "15/01/2020" if approved else None,
            "CONFIDENTIAL local remark"]


def write_register(path: Path, benefits: list[list[Any]], measurements: list[tuple[Any, ...]],
                   *, settings: dict[str, str] | None = None) -> Path:
    """A register with a title row above the header, as trusts keep them."""
    drop = {"Trust ODS", "Programme"} if settings else set()
    keep = [i for i, h in enumerate(HEADER) if h not in drop]
    wb = Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(["Benefits register — local copy"])
    ws.append([])
    ws.append([HEADER[i] for i in keep])
    for row in benefits:
        ws.append([row[i] for i in keep])
    ms = wb.create_sheet("Measurements")
    ms.append(["Benefit ID", "Period", "Value", "Evidence Grade"])
    for m in measurements:
        ms.append(list(m))
    if settings:
        st = wb.create_sheet("BRM Settings")
        for key, value in settings.items():
            st.append([key, value])
    wb.save(path)
    return path


MEASURED = [("EPMA-01", "2019-10", 110), ("EPMA-01", "Nov-19", 100), ("EPMA-02", "2019-10", 95),
            ("EPMA-03", "2019-10", 99)]


def national(server: Any, token: str, trust: str) -> dict[str, dict[str, Any]]:
    answer = httpx.get(f"{server.url}/v1/trusts/{trust}/benefits",
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    answer.raise_for_status()
    return {b["benefit_id"]: b for b in answer.json()["benefits"]}


def test_submit_resubmit_change_and_pull(live_store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    server, trust, token, national_token = live_store
    path = write_register(
        tmp_path / "register.xlsx",
        [benefit("EPMA-01", trust=trust), benefit("EPMA-02", trust=trust),
         benefit("EPMA-03", trust=trust, status="Draft")],
        MEASURED,
    )
    first = submit(path, url=server.url, token=token)
    assert first.counts == {"accepted": 2, "unchanged": 0, "rejected": 0}
    assert {r.benefit_id for r in first.results} == {"EPMA-01", "EPMA-02"}  # approved only
    held = national(server, national_token, trust)
    assert set(held) == {"EPMA-01", "EPMA-02"}
    assert "CONFIDENTIAL" not in json.dumps(held)  # local columns never leave the trust

    state = SyncState.load(state_path_for(path)).store(server.url)
    assert state.pending is None
    for benefit_id in ("EPMA-01", "EPMA-02"):
        entry = state.benefits[benefit_id]
        assert entry.version == 1
        # the store rebuilt the same cells and reached the same content hash
        assert entry.content_hash == entry.national_hash == held[benefit_id]["content_hash"]

    again = submit(path, url=server.url, token=token)
    assert again.answer is None and sorted(again.skipped) == ["EPMA-01", "EPMA-02"]

    write_register(path, [benefit("EPMA-01", trust=trust),
                          benefit("EPMA-02", trust=trust, title="Fewer errors, revised"),
                          benefit("EPMA-03", trust=trust, status="Draft")], MEASURED)
    statuses = {s.benefit_id: s.status for s in pull(path, url=server.url, token=token)}
    assert statuses == {"EPMA-01": "in_sync", "EPMA-02": "changed", "EPMA-03": "not_approved"}

    changed = submit(path, url=server.url, token=token)
    assert [(r.benefit_id, r.status, r.version) for r in changed.results] == [
        ("EPMA-02", "accepted", 2)
    ]
    assert national(server, national_token, trust)["EPMA-02"]["version"] == 2
    statuses = {s.benefit_id: s.status for s in pull(path, url=server.url, token=token)}
    assert statuses["EPMA-02"] == "in_sync"

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in logged
    for file in tmp_path.rglob("*.json"):
        assert token not in file.read_text()


def test_workbook_defaults_reach_the_store_with_the_same_hash(live_store, tmp_path):
    """trust_ods and programme from a 'BRM Settings' sheet, with no column of their own."""
    server, trust, token, _ = live_store
    path = write_register(tmp_path / "settings.xlsx", [benefit("EPMA-01", trust=trust)],
                          MEASURED[:2],
                          settings={"trust_ods": trust, "programme": "GDE"})
    outcome = submit(path, url=server.url, token=token)
    assert outcome.counts["accepted"] == 1
    entry = SyncState.load(state_path_for(path)).store(server.url).benefits["EPMA-01"]
    assert entry.content_hash == entry.national_hash


def blocked_register(path: Path, trust: str) -> Path:
    """A register whose EPMA-02 baseline (cell K5) is not a number: an error that blocks it."""
    bad = benefit("EPMA-02", trust=trust)
    bad[10] = "n/a"
    return write_register(path, [benefit("EPMA-01", trust=trust), bad], MEASURED[:3])


def test_errors_block_and_name_the_cells(live_store, tmp_path):
    server, trust, token, national_token = live_store
    path = blocked_register(tmp_path / "bad.xlsx", trust)
    with pytest.raises(SubmissionBlocked) as caught:
        submit(path, url=server.url, token=token)
    assert "Benefits!K5" in str(caught.value)
    assert national(server, national_token, trust) == {}
    assert not state_path_for(path).exists()


def test_dry_run_stores_nothing(live_store, tmp_path):
    server, trust, token, national_token = live_store
    path = write_register(tmp_path / "dry.xlsx", [benefit("EPMA-01", trust=trust)], MEASURED[:2])
    outcome = submit(path, url=server.url, token=token, dry_run=True)
    assert outcome.answer is not None and outcome.answer.dry_run
    assert outcome.counts["accepted"] == 1
    assert national(server, national_token, trust) == {}
    assert SyncState.load(state_path_for(path)).store(server.url).benefits == {}


def test_wrong_token_is_a_clear_refusal(live_store, tmp_path):
    server, trust, _, _ = live_store
    path = write_register(tmp_path / "r.xlsx", [benefit("EPMA-01", trust=trust)], MEASURED[:2])
    with pytest.raises(StoreRejected) as caught:
        submit(path, url=server.url, token="xlbrm_not-a-real-token")
    assert caught.value.status == 401
    assert "not-a-real-token" not in str(caught.value)


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in memory (the OS one is not in CI)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_token_from_environment_or_keyring(live_store, tmp_path, monkeypatch, memory_keyring):
    server, trust, token, _ = live_store
    path = write_register(tmp_path / "r.xlsx", [benefit("EPMA-01", trust=trust)], MEASURED[:2])
    monkeypatch.delenv("XL_BRM_TOKEN", raising=False)
    with pytest.raises(SyncError, match="no token"):
        submit(path, url=server.url)
    memory_keyring.set_password("xl-brm", server.url, token)
    assert submit(path, url=server.url).counts["accepted"] == 1
    memory_keyring.passwords.clear()
    monkeypatch.setenv("XL_BRM_TOKEN", token)
    write_register(path, [benefit("EPMA-01", trust=trust, title="Changed")], MEASURED[:2])
    assert submit(path, url=server.url).counts["accepted"] == 1


class Crash(BaseException):
    """Stands for the client process dying."""


class DiesAfterTheStoreAnswers(httpx.BaseTransport):
    """A real HTTP transport; the client 'dies' after the store committed and answered a
    submission."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.answers: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if request.url.path != "/v1/submissions":
            return response  # the question which hashes the store holds goes through
        self.answers.append(json.loads(response.content))
        raise Crash()

    def close(self) -> None:
        self.inner.close()


def test_crash_after_commit_is_replayed_by_the_real_store(live_store, tmp_path):
    server, trust, token, national_token = live_store
    path = write_register(tmp_path / "r.xlsx", [benefit("EPMA-01", trust=trust)], MEASURED[:2])
    dies = DiesAfterTheStoreAnswers()
    with pytest.raises(Crash):
        submit(path, url=server.url, token=token, transport=dies)
    (lost_answer,) = dies.answers
    assert lost_answer["counts"]["accepted"] == 1
    pending = SyncState.load(state_path_for(path)).store(server.url).pending
    assert pending is not None

    outcome = submit(path, url=server.url, token=token)
    (replayed,) = outcome.replayed
    assert replayed.submission_id == lost_answer["submission_id"]  # the original answer
    assert outcome.answer is None and outcome.skipped == []  # it went in the replay
    assert national(server, national_token, trust)["EPMA-01"]["version"] == 1
    state = SyncState.load(state_path_for(path)).store(server.url)
    assert state.pending is None and state.benefits["EPMA-01"].version == 1


def test_the_stores_findings_on_a_wide_register_name_the_trusts_own_cells(live_store, tmp_path):
    """Periods across the page: the store sees the rows it was sent, the trust sees its cells."""
    server, trust, token, _national = live_store
    months = ["Oct-19", "Nov-19", "Dec-19", "Jan-20", "Feb-20", "Mar-20"]
    values = [110, 108, 11000, 104, 101, 99]  # a slip in Dec-19: a hundred times its neighbours
    wb = Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(HEADER + months)
    ws.append(benefit("EPMA-01", trust=trust) + values)
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    spike_cell = f"{chr(ord('A') + len(HEADER) + 2)}2"  # the Dec-19 column, the benefit's row

    outcome = submit(path, url=server.url, token=token)
    assert outcome.counts == {"accepted": 1, "unchanged": 0, "rejected": 0}
    found = [(f.code, f.sheet, f.cell) for r in outcome.results for f in r.findings]
    assert ("BRM501", "Benefits", spike_cell) in found, found
