"""Retry, backoff, replay and error paths of the sync client, against a scripted store
(httpx.MockTransport: the one place mocks are allowed)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
import stamina.instrumentation
from sync_support import FAST, TOKEN, make_prepared

from xl_brm.errors import StoreRejected, SyncError
from xl_brm.sync import RetryPolicy, SyncState, push
from xl_brm.sync._http import _retry_after

URL = "http://store.test"


class Crash(BaseException):
    """Stands for the process dying (power cut, kill -9) mid-request."""


def _push(state: Path, transport: httpx.BaseTransport, contents: dict[str, float],
          **kwargs: object) -> object:
    return push(make_prepared(contents), state_path=state, url=URL, token=TOKEN,
                transport=transport, retry=kwargs.pop("retry", FAST), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / ".xl-brm" / "register.xlsx.sync.json"


def test_transport_errors_are_retried_with_the_same_key_and_bytes(scripted, transport, state):
    scripted.script = [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), 503]
    outcome = _push(state, transport, {"B1": 1.0, "B2": 2.0})
    sent = scripted.submissions()
    assert len(sent) == 4
    assert len({r.headers["Idempotency-Key"] for r in sent}) == 1
    assert len({r.content for r in sent}) == 1
    assert outcome.counts == {"accepted": 2, "unchanged": 0, "rejected": 0}
    saved = SyncState.load(state).store(URL)
    assert saved.pending is None
    assert {k: v.version for k, v in saved.benefits.items()} == {"B1": 1, "B2": 1}


def test_429_honours_retry_after(scripted, transport, state):
    waits: list[float] = []

    class Hook:
        def __call__(self, details: stamina.instrumentation.RetryDetails) -> None:
            waits.append(details.wait_for)

    scripted.script = [429]
    scripted.retry_after = "0.25"
    old = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([Hook()])
    try:
        _push(state, transport, {"B1": 1.0})
    finally:
        stamina.instrumentation.set_on_retry_hooks(old)
    assert waits == [0.25]
    assert len(scripted.submissions()) == 2


def test_retry_after_as_http_date_and_garbage():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = _retry_after(httpx.Response(503, headers={"Retry-After": later}))
    assert wait is not None and 25 < wait <= 30
    assert _retry_after(httpx.Response(503, headers={"Retry-After": "soon"})) is None
    assert _retry_after(httpx.Response(503, headers={"Retry-After": "-5"})) == 0.0
    assert _retry_after(httpx.Response(503)) is None


def test_gives_up_after_bounded_attempts_and_keeps_pending(scripted, transport, state):
    scripted.script = [503] * 5
    with pytest.raises(SyncError, match="503") as caught:
        _push(state, transport, {"B1": 1.0})
    assert not isinstance(caught.value, StoreRejected)
    assert len(scripted.submissions()) == FAST.attempts
    pending = SyncState.load(state).store(URL).pending
    assert pending is not None
    first = scripted.submissions()[0]
    assert pending.idempotency_key == first.headers["Idempotency-Key"]
    assert pending.body_bytes() == first.content

    # The next run resends that exact submission first, with the same key, and records it.
    outcome = _push(state, transport, {"B1": 1.0})
    replay = scripted.submissions()[-1]
    assert replay.headers["Idempotency-Key"] == pending.idempotency_key
    assert replay.content == pending.body_bytes()
    assert len(outcome.replayed) == 1 and outcome.answer is None
    assert outcome.skipped == []  # B1 went in the replay: nothing to ask the store about
    assert SyncState.load(state).store(URL).pending is None


def test_total_time_is_bounded(scripted, transport, state):
    scripted.script = [httpx.ConnectError("refused")] * 100
    policy = RetryPolicy(attempts=100, timeout=0.3, wait_initial=0.05, wait_max=0.05,
                         wait_jitter=0.0)
    with pytest.raises(SyncError, match="could not reach"):
        _push(state, transport, {"B1": 1.0}, retry=policy)
    assert 2 <= len(scripted.submissions()) < 20


def test_4xx_problem_is_final_and_carries_the_problem(state):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422,
            headers={"Content-Type": "application/problem+json"},
            json={"type": "https://xl-brm/problems/rules-version", "title": "Rules out of date",
                  "status": 422, "detail": "update xl-brm to rules 2025.1",
                  "rules_version": "2025.1"},
        )

    calls = []
    transport = httpx.MockTransport(lambda r: calls.append(r) or handler(r))
    with pytest.raises(StoreRejected) as caught:
        _push(state, transport, {"B1": 1.0})
    assert len(calls) == 1
    assert caught.value.status == 422
    assert caught.value.problem["rules_version"] == "2025.1"
    assert "update xl-brm" in str(caught.value)
    # A body the store will never take is not kept for replay.
    assert SyncState.load(state).store(URL).pending is None


def test_401_keeps_the_pending_submission_for_when_the_token_is_fixed(scripted, transport, state):
    scripted.script = [503] * FAST.attempts
    with pytest.raises(SyncError):
        _push(state, transport, {"B1": 1.0})  # the store is down: B1 is pending
    pending = SyncState.load(state).store(URL).pending
    assert pending is not None
    refused = httpx.MockTransport(
        lambda r: httpx.Response(401, json={"title": "Unauthorised", "status": 401})
    )
    with pytest.raises(StoreRejected, match="401") as caught:
        _push(state, refused, {"B1": 1.0})
    assert "XL_BRM_TOKEN" in caught.value.hint
    saved = SyncState.load(state).store(URL)
    assert saved.pending == pending.model_copy(update={"attempts": pending.attempts + 1})
    assert saved.set_aside == []  # the token is wrong, not the body
    outcome = _push(state, transport, {"B1": 1.0})  # the token fixed: resent as it was
    assert len(outcome.replayed) == 1
    assert scripted.submissions()[-1].headers["Idempotency-Key"] == pending.idempotency_key


def test_non_json_error_page_becomes_a_clear_error(state):
    transport = httpx.MockTransport(lambda r: httpx.Response(400, text="<html>Bad gateway</html>"))
    with pytest.raises(StoreRejected, match="400"):
        _push(state, transport, {"B1": 1.0})


def test_unreadable_success_answer_is_a_sync_error(state):
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text="not json"))
    with pytest.raises(SyncError, match="cannot read"):
        _push(state, transport, {"B1": 1.0})


def test_crash_after_writing_pending_is_replayed_with_the_same_key_and_body(scripted, state):
    """Simulate a crash mid-request: the pending state is on disk; the next run resends it
    byte for byte before sending what changed since, under a new key."""

    def dies(request: httpx.Request) -> httpx.Response:
        answer = scripted(request)  # the store receives and commits it...
        if request.url.path != "/v1/submissions":
            return answer
        raise Crash()  # ...and the client dies before it reads the answer

    with pytest.raises(Crash):
        _push(state, httpx.MockTransport(dies), {"B1": 1.0, "B2": 2.0})
    pending = SyncState.load(state).store(URL).pending
    assert pending is not None
    assert scripted.applied == 2

    # Meanwhile the user changed B2; the next run replays first, then sends B2 alone.
    outcome = _push(state, httpx.MockTransport(scripted), {"B1": 1.0, "B2": 2.5})
    replay, fresh = scripted.submissions()[1:]
    assert [r.url.path for r in scripted.requests[1:]] == [  # resent first, then B2
        "/v1/submissions", "/v1/submissions"]
    assert replay.headers["Idempotency-Key"] == pending.idempotency_key
    assert replay.content == pending.body_bytes()
    assert fresh.headers["Idempotency-Key"] != pending.idempotency_key
    assert [b["fields"]["benefit_id"] for b in json.loads(fresh.content)["benefits"]] == ["B2"]
    assert scripted.applied == 3  # B1 v1, B2 v1, B2 v2: the replay applied nothing twice
    (replayed,) = outcome.replayed
    assert [r.status for r in replayed.results] == ["accepted", "accepted"]
    saved = SyncState.load(state).store(URL)
    assert saved.pending is None
    assert {k: v.version for k, v in saved.benefits.items()} == {"B1": 1, "B2": 2}


def test_crash_before_sending_is_replayed_too(scripted, state):
    def dies(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/submissions":
            return scripted(request)
        raise Crash()

    with pytest.raises(Crash):
        _push(state, httpx.MockTransport(dies), {"B1": 1.0})
    assert scripted.applied == 0
    _push(state, httpx.MockTransport(scripted), {"B1": 1.0})
    assert scripted.applied == 1
    assert SyncState.load(state).store(URL).benefits["B1"].version == 1


def test_only_changed_benefits_are_sent(scripted, transport, state):
    _push(state, transport, {"B1": 1.0, "B2": 2.0, "B3": 3.0})
    again = _push(state, transport, {"B1": 1.0, "B2": 2.0, "B3": 3.0})
    assert len(scripted.submissions()) == 1
    assert sorted(again.skipped) == ["B1", "B2", "B3"]
    assert again.counts == {"accepted": 0, "unchanged": 3, "rejected": 0}
    _push(state, transport, {"B1": 1.0, "B2": 9.0, "B3": 3.0})
    last = json.loads(scripted.submissions()[-1].content)
    assert [b["fields"]["benefit_id"] for b in last["benefits"]] == ["B2"]
    full = _push(state, transport, {"B1": 1.0, "B2": 9.0, "B3": 3.0}, full=True)
    assert full.counts == {"accepted": 0, "unchanged": 3, "rejected": 0}


def test_dry_run_stores_nothing_and_sends_no_key(scripted, transport, state):
    outcome = _push(state, transport, {"B1": 1.0}, dry_run=True)
    (request,) = scripted.submissions()
    assert "Idempotency-Key" not in request.headers
    assert request.url.params["dry_run"] == "true"
    assert outcome.answer is not None and outcome.answer.dry_run
    assert SyncState.load(state).store(URL).benefits == {}
    assert scripted.applied == 0


def test_token_is_in_the_header_and_nowhere_else(scripted, transport, state, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    scripted.script = [httpx.ConnectError("refused"), 503, 429]
    _push(state, transport, {"B1": 1.0})
    assert scripted.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    # Fail once more, so error messages and a pending entry exist too.
    scripted.script = [500] * 10
    with pytest.raises(SyncError) as caught:
        _push(state, transport, {"B1": 2.0})
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert caplog.records, "expected the retries to be logged"
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert TOKEN not in logged
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_state_file_is_replaced_atomically(scripted, transport, state):
    _push(state, transport, {"B1": 1.0})
    _push(state, transport, {"B1": 2.0})
    leftovers = [p.name for p in state.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    data = json.loads(state.read_text())
    assert data["stores"][URL]["benefits"]["B1"]["version"] == 2


def test_damaged_state_file_is_a_clear_error(state, transport):
    state.parent.mkdir(parents=True)
    state.write_text("{not json")
    with pytest.raises(SyncError, match="not valid"):
        _push(state, transport, {"B1": 1.0})


def test_damaged_pending_body_is_refused(scripted, state):
    def dies(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/submissions":
            return scripted(request)
        raise Crash()

    with pytest.raises(Crash):
        _push(state, httpx.MockTransport(dies), {"B1": 1.0})
    data = json.loads(state.read_text())
    data["stores"][URL]["pending"]["body"] = data["stores"][URL]["pending"]["body"].replace(
        "1.0", "7.0"
    )
    state.write_text(json.dumps(data))
    with pytest.raises(SyncError, match="damaged"):
        _push(state, httpx.MockTransport(scripted), {"B1": 1.0})


def test_what_changed_is_pending_before_the_store_is_asked_about_the_rest(
    scripted, transport, state
):
    """The question about unchanged rows can fail too (the store going down): what changed
    is already written down by then, so it is resent next time, never dropped."""
    _push(state, transport, {"B1": 1.0, "B2": 2.0})
    scripted.hashes_script = [503] * FAST.attempts
    with pytest.raises(SyncError):
        _push(state, transport, {"B1": 1.5, "B2": 2.0})
    pending = SyncState.load(state).store(URL).pending
    assert pending is not None and list(pending.hashes) == ["B1"]
    outcome = _push(state, transport, {"B1": 1.5, "B2": 2.0})
    assert len(outcome.replayed) == 1 and outcome.skipped == ["B2"]
    assert scripted.versions["B1"][0] == 2 and scripted.applied == 3


def test_what_a_run_was_given_to_send_waits_in_line_when_an_earlier_one_is_unanswered(
    scripted, transport, state
):
    """Two runs in a row while the store is down: neither's content is dropped. Each waits in
    line, and the first run that gets through sends them in order, each once."""
    for value in (1.0, 2.0):
        scripted.script = [503] * FAST.attempts
        with pytest.raises(SyncError):
            _push(state, transport, {"B1": value, "B2": 5.0})
    saved = SyncState.load(state).store(URL)
    assert saved.pending is not None and [list(q.hashes) for q in saved.queued] == [["B1"]]
    outcome = _push(state, transport, {"B1": 3.0, "B2": 5.0})
    sent = [json.loads(r.content)["benefits"] for r in scripted.submissions()[-3:]]
    assert [[b["measurements"][0]["value"] for b in body] for body in sent] == [
        [1.0, 5.0], [2.0], [3.0]]
    assert [a.counts.accepted for a in outcome.replayed] == [2, 1]
    assert [(r.benefit_id, r.version) for r in outcome.results] == [("B1", 3)]
    assert scripted.applied == 4
    saved = SyncState.load(state).store(URL)
    assert saved.pending is None and saved.queued == []
    again = _push(state, transport, {"B1": 3.0, "B2": 5.0})
    assert again.answer is None and again.skipped == ["B1", "B2"]
