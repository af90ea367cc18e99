"""Against a real store on loopback (SQLite and PostgreSQL): 'unchanged' is the store's word,
a dry run is authorised as a submission is, and `xl-brm submit` recovers by itself from a
pending submission the store will never take, with `--status` and `--drop-pending` beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_sync_e2e import MEASURED, benefit, blocked_register, national, write_register
from typer.testing import CliRunner

from xl_brm.cli import app as cli
from xl_brm.errors import StoreRejected, SyncError
from xl_brm.sync import PendingSubmission, SyncState, pull, state_path_for, submit


def _register(path: Path, trust: str, *, title: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_register(path, [benefit("EPMA-01", trust=trust),
                                 benefit("EPMA-02", trust=trust, title=title)], MEASURED[:3])


class Counting(httpx.BaseTransport):
    """A real HTTP transport that counts what reaches the store."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_change_another_copy_sent_is_not_hidden_by_the_local_state(live_store, tmp_path):
    server, trust, token, national_token = live_store
    original = _register(tmp_path / "office" / "register.xlsx", trust)
    assert submit(original, url=server.url, token=token).counts["accepted"] == 2
    mine = national(server, national_token, trust)["EPMA-02"]["content_hash"]

    copy = tmp_path / "laptop" / "register.xlsx"  # another copy of the register ...
    copy.parent.mkdir()
    shutil.copy(original, copy)
    _register(copy, trust, title="Fewer errors, as the laptop says")
    sent = submit(copy, url=server.url, token=token).results  # ... sent version 2
    assert [(r.benefit_id, r.status, r.version) for r in sent] == [
        ("EPMA-01", "unchanged", 1), ("EPMA-02", "accepted", 2)]

    counting = Counting()
    again = submit(original, url=server.url, token=token, transport=counting)
    assert "/v1/submissions" in counting.paths  # the store was asked, and the change went
    assert [(r.benefit_id, r.status, r.version) for r in again.results] == [
        ("EPMA-02", "accepted", 3)]
    assert again.skipped == ["EPMA-01"]
    assert national(server, national_token, trust)["EPMA-02"]["content_hash"] == mine
    assert {s.benefit_id: s.status for s in pull(original, url=server.url, token=token)} == {
        "EPMA-01": "in_sync", "EPMA-02": "in_sync"}

    counting = Counting()
    quiet = submit(original, url=server.url, token=token, transport=counting)
    assert quiet.answer is None and quiet.skipped == ["EPMA-01", "EPMA-02"]
    assert counting.paths == [f"/v1/trusts/{trust}/hashes"]  # asked, and nothing to send


def test_a_dry_run_or_a_resubmit_with_another_trusts_token_is_refused(
    live_store, store_db, tmp_path
):
    from xl_brm.national import create_token

    server, trust, token, national_token = live_store
    db_url, schema = store_db
    other = create_token(db_url, trust="ZZ9", db_schema=schema)
    path = _register(tmp_path / "register.xlsx", trust)
    submit(path, url=server.url, token=token)
    assert submit(path, url=server.url, token=token).answer is None  # all held: nothing sent
    for who in (other, national_token):
        for dry_run in (True, False):
            with pytest.raises(StoreRejected) as caught:
                submit(path, url=server.url, token=who, dry_run=dry_run)
            assert caught.value.status == 403, (who == other, dry_run)
    dry = submit(path, url=server.url, token=token, dry_run=True)
    assert dry.answer is None and dry.skipped == ["EPMA-01", "EPMA-02"]


class SubmissionsUnavailable(httpx.BaseTransport):
    """The store's submission endpoint answers 503 (a restart); everything else gets through."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/submissions":
            return httpx.Response(503, json={"title": "Service unavailable", "status": 503})
        return self.inner.handle_request(request)


def _xl_brm(*args: str, token: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"XL_BRM_TOKEN": token, "COLUMNS": "200"})


def _forge_pending(path: Path, url: str, change: Any) -> None:
    """Rewrite the pending submission's body as `change` says (same key, hashes recomputed)."""
    state_file = state_path_for(path)
    state = SyncState.load(state_file)
    pending = state.store(url).pending
    assert pending is not None
    body = change(pending.body_bytes().decode("ascii"))
    state.store(url).pending = PendingSubmission.create(
        key=pending.idempotency_key, hashes=pending.hashes, body=body.encode("ascii"))
    state.save(state_file)


def _pending_while_down(path: Path, server: Any, token: str) -> None:
    from xl_brm.sync import RetryPolicy

    quick = RetryPolicy(attempts=2, wait_initial=0.01, wait_max=0.01, wait_jitter=0.0)
    with pytest.raises(SyncError):
        submit(path, url=server.url, token=token, transport=SubmissionsUnavailable(), retry=quick)


def test_a_pending_submission_the_store_refuses_names_the_cell_and_is_set_aside(
    live_store, tmp_path
):
    """A body with a number the store refuses (here, one that overflows to infinity): the
    store's 422 locates it, and the set-aside record names the trust's cell."""
    server, trust, token, national_token = live_store
    path = _register(tmp_path / "register.xlsx", trust)
    _pending_while_down(path, server, token)

    def overflow(body: str) -> str:
        assert '"value":110.0' in body
        return body.replace('"value":110.0', '"value":1e400', 1)

    _forge_pending(path, server.url, overflow)
    outcome = submit(path, url=server.url, token=token)
    (aside,) = outcome.set_aside
    assert aside.status == 422 and aside.cells[0].startswith("Measurements!C")
    assert outcome.ok and outcome.answer is not None  # and the workbook itself went
    assert {b: v["version"] for b, v in national(server, national_token, trust).items()} == {
        "EPMA-01": 1, "EPMA-02": 1}


def test_a_pending_submission_from_an_older_xl_brm_is_set_aside_and_the_workbook_sent(
    live_store, tmp_path
):
    """A submission left pending by a run before xl-brm was upgraded carries the old rules
    version: the store refuses it for good (422 'update xl-brm'). It used to be resent first on
    every run, forever; now it is set aside and the workbook goes."""
    server, trust, token, national_token = live_store
    path = _register(tmp_path / "register.xlsx", trust)
    _pending_while_down(path, server, token)

    def older(body: str) -> str:
        data = json.loads(body)
        data["rules_version"] = "2025.1-older"
        return json.dumps(data, separators=(",", ":"))

    _forge_pending(path, server.url, older)

    status = _xl_brm("submit", str(path), "--status", token=token)
    assert status.exit_code == 0 and "Pending since" in status.stdout and "2 benefits" in status.stdout

    sent = _xl_brm("submit", str(path), "--url", server.url, token=token)
    assert sent.exit_code == 0, sent.output
    assert "set aside" in sent.stdout and "422 Update xl-brm" in sent.stdout
    assert "2 accepted, 0 unchanged, 0 rejected" in sent.stdout
    assert {b: v["version"] for b, v in national(server, national_token, trust).items()} == {
        "EPMA-01": 1, "EPMA-02": 1}

    status = _xl_brm("submit", str(path), "--status", "--url", server.url, token=token)
    assert status.exit_code == 0
    assert "Set aside" in status.stdout and "422 Update xl-brm" in status.stdout
    assert "--drop-pending" in status.stdout
    dropped = _xl_brm("submit", str(path), "--drop-pending", token=token)
    assert dropped.exit_code == 0 and "Dropped the set-aside submission" in dropped.stdout
    assert "Nothing pending or set aside." in _xl_brm("submit", str(path), "--status",
                                                      token=token).stdout
    again = _xl_brm("submit", str(path), "--url", server.url, token=token)
    assert again.exit_code == 0 and "0 accepted, 2 unchanged, 0 rejected" in again.stdout


def test_submit_exit_codes(live_store, tmp_path):
    server, trust, token, _ = live_store
    blocked = blocked_register(tmp_path / "bad.xlsx", trust)
    result = _xl_brm("submit", str(blocked), "--url", server.url, token=token)
    assert result.exit_code == 1, result.output  # validation errors, as SPEC says
    assert "Benefits!K5" in result.output and "Traceback" not in result.output

    good = _register(tmp_path / "good.xlsx", trust)
    assert _xl_brm("submit", str(good), token=token).exit_code == 2  # no --url
    assert _xl_brm("submit", str(good), "--status", "--drop-pending", token=token).exit_code == 2
    refused = _xl_brm("submit", str(good), "--url", server.url, token="xlbrm_unknown")
    assert refused.exit_code == 2 and "401" in refused.output
    assert _xl_brm("submit", str(good), "--url", server.url, token=token).exit_code == 0
