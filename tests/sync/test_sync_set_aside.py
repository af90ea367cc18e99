"""A sync client that cannot be wedged: a submission the store refuses for good is set aside
(with the store's reason and the cells it named), never resent, and the next submit sends the
workbook as it is. Refusals that say nothing about the body keep it pending. Against the
scripted store (httpx.MockTransport: the one place mocks are allowed); `test_sync_e2e` and
`test_sync_cli` do the same against a real store."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from sync_support import FAST, TOKEN, ScriptedStore, make_prepared

from xl_brm.errors import StoreRejected, SyncError
from xl_brm.sync import RetryPolicy, SyncState, drop_pending, push, sync_status

URL = "http://store.test"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / ".xl-brm" / "register.xlsx.sync.json"


def _push(state: Path, transport: httpx.BaseTransport, contents: dict[str, float],
          retry: RetryPolicy = FAST) -> object:
    return push(make_prepared(contents), state_path=state, url=URL, token=TOKEN,
                transport=transport, retry=retry)


def _pending_from_an_outage(state: Path, scripted: ScriptedStore,
                            transport: httpx.MockTransport, contents: dict[str, float]) -> str:
    """A run during an outage leaves its submission pending; returns its key."""
    scripted.script = [503] * FAST.attempts
    with pytest.raises(SyncError):
        _push(state, transport, contents)
    pending = SyncState.load(state).store(URL).pending
    assert pending is not None
    return pending.idempotency_key


def test_a_500_every_time_is_set_aside_within_seconds_and_the_correction_is_sent(
    scripted: ScriptedStore, transport: httpx.MockTransport, state: Path
) -> None:
    scripted.script = [500] * 100  # a store that fails on this body, however often it is sent
    started = time.monotonic()
    with pytest.raises(StoreRejected) as caught:
        _push(state, transport, {"B1": 9.5}, retry=RetryPolicy())  # the default budget
    elapsed = time.monotonic() - started
    assert len(scripted.submissions()) == RetryPolicy().server_error_attempts == 3
    assert elapsed < 6, f"a permanent failure kept the user waiting {elapsed:.1f} s"
    assert caught.value.status == 500
    assert "3 times" in str(caught.value) and "set aside" in str(caught.value)
    saved = SyncState.load(state).store(URL)
    assert saved.pending is None
    (aside,) = saved.set_aside
    assert aside.status == 500 and aside.benefits == ["B1"] and aside.attempts == 1
    refused_key = scripted.submissions()[0].headers["Idempotency-Key"]
    assert aside.idempotency_key == refused_key

    scripted.script = []  # the trust corrects the cell; the store takes the new body
    outcome = _push(state, transport, {"B1": 1.5})
    assert outcome.replayed == [] and outcome.counts["accepted"] == 1  # type: ignore[attr-defined]
    last = scripted.submissions()[-1]
    assert last.headers["Idempotency-Key"] != refused_key
    assert json.loads(last.content)["benefits"][0]["measurements"][0]["value"] == 1.5
    assert all(r.headers["Idempotency-Key"] != refused_key for r in scripted.submissions()[3:])


def test_a_pending_submission_refused_for_good_on_replay_is_set_aside_and_the_workbook_sent(
    scripted: ScriptedStore, transport: httpx.MockTransport, state: Path
) -> None:
    key = _pending_from_an_outage(state, scripted, transport, {"B1": 1.0, "B2": 2.0})
    scripted.script = [422]  # the replay: refused for what it carries
    scripted.problem = {"errors": [
        {"loc": ["benefits", "1", "measurements", "0", "value", "float"], "msg": "not finite"},
        {"loc": ["benefits", "0", "fields", "title"], "msg": "bad"},
    ]}
    outcome = _push(state, transport, {"B1": 1.0, "B2": 2.5})  # B2 corrected meanwhile
    (aside,) = outcome.set_aside  # type: ignore[attr-defined]
    assert aside.idempotency_key == key and aside.status == 422
    assert aside.cells == ["Measurements!C3: not finite", "Benefits!C2: bad"]  # the trust's cells
    assert aside.reason.startswith("422 status 422: scripted")
    assert outcome.answer is not None and outcome.ok  # type: ignore[attr-defined]
    sent = json.loads(scripted.submissions()[-1].content)
    assert {b["fields"]["benefit_id"] for b in sent["benefits"]} == {"B1", "B2"}
    assert scripted.submissions()[-1].headers["Idempotency-Key"] != key
    saved = SyncState.load(state).store(URL)
    assert saved.pending is None and [a.idempotency_key for a in saved.set_aside] == [key]
    assert {b: e.version for b, e in saved.benefits.items()} == {"B1": 1, "B2": 1}


@pytest.mark.parametrize("status", [400, 403, 404, 413, 415, 422])
def test_a_4xx_about_the_body_sets_it_aside(
    scripted: ScriptedStore, transport: httpx.MockTransport, state: Path, status: int
) -> None:
    _pending_from_an_outage(state, scripted, transport, {"B1": 1.0})
    scripted.script = [status]
    outcome = _push(state, transport, {"B1": 1.5})  # corrected since
    assert [a.status for a in outcome.set_aside] == [status]  # type: ignore[attr-defined]
    assert len(scripted.submissions()) == FAST.attempts + 2  # refused once, then the workbook


@pytest.mark.parametrize("status", [401, 408, 409, 429, 502, 503, 504])
def test_a_refusal_that_says_nothing_about_the_body_keeps_it_pending(
    scripted: ScriptedStore, transport: httpx.MockTransport, state: Path, status: int
) -> None:
    key = _pending_from_an_outage(state, scripted, transport, {"B1": 1.0})
    scripted.script = [status] * FAST.attempts
    with pytest.raises(SyncError):
        _push(state, transport, {"B1": 1.0})
    saved = SyncState.load(state).store(URL)
    assert saved.pending is not None and saved.pending.idempotency_key == key
    assert saved.set_aside == []


def test_a_problem_that_says_it_is_not_retryable_is_not_retried(
    scripted: ScriptedStore, transport: httpx.MockTransport, state: Path
) -> None:
    scripted.script = [503] * 10
    scripted.problem = {"retryable": False}
    with pytest.raises(StoreRejected, match="set aside"):
        _push(state, transport, {"B1": 1.0})
    assert len(scripted.submissions()) == 1
    assert [a.status for a in SyncState.load(state).store(URL).set_aside] == [503]


def test_a_500_is_tried_three_times_a_503_the_whole_budget(
    scripted: ScriptedStore, transport: httpx.MockTransport, state: Path
) -> None:
    scripted.script = [500, 500, "ok"]  # a passing glitch is still retried
    assert _push(state, transport, {"B1": 1.0}).counts["accepted"] == 1  # type: ignore[attr-defined]
    assert len(scripted.submissions()) == 3
    scripted.script = [503] * (FAST.attempts - 1)
    assert _push(state, transport, {"B1": 2.0}).counts["accepted"] == 1  # type: ignore[attr-defined]
    assert len(scripted.submissions()) == 3 + FAST.attempts


def test_status_and_drop_pending(
    scripted: ScriptedStore, transport: httpx.MockTransport, tmp_path: Path
) -> None:
    workbook = tmp_path / "register.xlsx"
    state = tmp_path / ".xl-brm" / "register.xlsx.sync.json"
    assert sync_status(workbook).stores == {}
    assert drop_pending(workbook) == []
    scripted.script = [422]
    with pytest.raises(StoreRejected):
        _push(state, transport, {"B1": 1.0})
    _pending_from_an_outage(state, scripted, transport, {"B1": 2.0})
    seen = sync_status(workbook).store(URL)
    assert seen.pending is not None and [a.status for a in seen.set_aside] == [422]
    assert sync_status(workbook, url="http://elsewhere.test").stores == {}

    assert drop_pending(workbook, url="http://elsewhere.test") == []
    dropped = drop_pending(workbook, url=URL + "/")
    assert [store for store, _ in dropped] == [URL, URL]
    assert "pending submission" in dropped[0][1] and "set-aside" in dropped[1][1]
    assert sync_status(workbook).store(URL).pending is None
    assert sync_status(workbook).store(URL).set_aside == []

    scripted.script = []
    outcome = _push(state, transport, {"B1": 2.0})  # the workbook as it is, under a new key
    assert outcome.replayed == [] and outcome.counts["accepted"] == 1  # type: ignore[attr-defined]


def test_dropping_a_pending_submission_the_store_applied_stores_nothing_twice(
    scripted: ScriptedStore, transport: httpx.MockTransport, tmp_path: Path
) -> None:
    workbook = tmp_path / "register.xlsx"
    state = tmp_path / ".xl-brm" / "register.xlsx.sync.json"

    def lost_answer(request: httpx.Request) -> httpx.Response:
        answer = scripted(request)
        if request.url.path == "/v1/submissions":
            raise httpx.ReadTimeout("the answer was lost")
        return answer

    with pytest.raises(SyncError):
        _push(state, httpx.MockTransport(lost_answer), {"B1": 1.0})
    assert scripted.applied == 1
    drop_pending(workbook)
    outcome = _push(state, transport, {"B1": 1.0})
    assert [(r.benefit_id, r.status) for r in outcome.results] == [  # type: ignore[attr-defined]
        ("B1", "unchanged")]
    assert scripted.applied == 1


def test_the_cells_a_refusal_names() -> None:
    from xl_brm.sync._refusal import named_cells

    body = make_prepared({"B1": 1.0, "B2": 2.0}).to_bytes()
    problem = {"errors": [
        {"loc": ["body", "benefits", "1", "fields", "title"], "msg": "too long"},  # FastAPI's
        {"loc": ["benefits", "0", "measurements", "0"], "msg": "bad row"},
        {"loc": ["benefits", "0", "row"]},
        {"loc": ["benefits", "7", "fields", "title"]},  # no such benefit
        {"loc": ["trust_ods"], "msg": "not an ODS code"},  # no cell to name
        "not a dict",
    ], "findings": [{"sheet": "Benefits", "cell": "F9", "message": "BRM201 not a number"}]}
    assert named_cells(problem, body) == [
        "Benefits!C3: too long", "Measurements row 2: bad row", "Benefits row 2",
        "Benefits!F9: BRM201 not a number"]
    assert named_cells({"sheet": "Benefits", "cell": "A1"}, b"") == ["Benefits!A1"]
    assert named_cells(problem | {"findings": []}, b"not json") == []
    assert named_cells({"errors": [{"loc": ["benefits", "0", "fields", "x"]}]}, b"{}") == []
    many = {"errors": [{"loc": ["benefits", "0", "fields", "title"], "msg": str(i)}
                       for i in range(30)]}
    assert len(named_cells(many, body)) == 10


def test_the_very_bytes_just_refused_are_not_sent_again_in_the_same_run(
    scripted: ScriptedStore, transport: httpx.MockTransport, state: Path
) -> None:
    key = _pending_from_an_outage(state, scripted, transport, {"B1": 1.0})
    scripted.script = [500] * 100
    with pytest.raises(StoreRejected, match="set aside"):
        _push(state, transport, {"B1": 1.0})  # nothing corrected since
    assert len(scripted.submissions()) == FAST.attempts + 3  # the replay's 3 tries, no more
    saved = SyncState.load(state).store(URL)
    assert saved.pending is None and [a.idempotency_key for a in saved.set_aside] == [key]
    scripted.script = []  # next run (the store mended): the workbook goes, under a new key
    assert _push(state, transport, {"B1": 1.0}).counts["accepted"] == 1  # type: ignore[attr-defined]
    assert scripted.submissions()[-1].headers["Idempotency-Key"] != key
