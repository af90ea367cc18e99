"""An unchanged resubmit answers from the sync state without reading the workbook, and only when
reading it would have given the same answer: any change to the file, the options, the state or
the clock reads it again."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sync_support import FAST, TOKEN, ScriptedStore, store_hashes
from test_sync_e2e import MEASURED, MemoryKeyring, benefit, memory_keyring, write_register

import xl_brm.api
from xl_brm.errors import SyncError
from xl_brm.sync import SyncState, state_path_for, submit, workbook_fingerprint
from xl_brm.validate import Defaults

URL = "http://store.test"
__all__ = ["memory_keyring"]  # a fixture of test_sync_e2e, used here too


class Reads:
    """Counts the workbook reads of `submit` (the real `load` still does the reading)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch,
                 after: Callable[[Path], None] | None = None) -> None:
        self.count = 0
        self.after = after
        real = xl_brm.api.load

        def counted(path: Any, *args: Any) -> Any:
            self.count += 1
            out = real(path, *args)
            if self.after is not None:
                self.after(Path(path))
            return out

        monkeypatch.setattr(xl_brm.api, "load", counted)


@pytest.fixture
def scripted() -> ScriptedStore:
    """The scripted store, hashing as the real store does (these bodies come from workbooks)."""
    return ScriptedStore(hashes=store_hashes)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


def register(path: Path, *, title: str | None = None) -> Path:
    return write_register(path, [benefit("EPMA-01"), benefit("EPMA-02", title=title),
                                 benefit("EPMA-03", status="Draft")], MEASURED)


def run(path: Path, transport: httpx.MockTransport, **options: Any) -> Any:
    return submit(path, url=URL, token=TOKEN, transport=transport, retry=FAST, **options)


def test_unchanged_resubmit_does_not_read_and_answers_as_reading_would(
    tmp_path: Path, scripted: ScriptedStore, transport: httpx.MockTransport, reads: Reads
) -> None:
    path = register(tmp_path / "r.xlsx")
    first = run(path, transport)
    assert first.counts == {"accepted": 2, "unchanged": 0, "rejected": 0}
    recorded = SyncState.load(state_path_for(path)).store(URL).acknowledged
    assert recorded is not None and recorded.benefits == ["EPMA-01", "EPMA-02"]

    quick = run(path, transport)
    assert reads.count == 1  # only the first run read the workbook
    assert len(scripted.submissions()) == 1  # and nothing more was sent

    state = SyncState.load(state_path_for(path))
    state.store(URL).acknowledged = None  # forget the fingerprint: the run must read
    state.save(state_path_for(path))
    slow = run(path, transport)
    assert reads.count == 2
    for outcome in (quick, slow):
        assert outcome.answer is None and outcome.replayed == []
        assert outcome.skipped == ["EPMA-01", "EPMA-02"]
        assert outcome.counts == {"accepted": 0, "unchanged": 2, "rejected": 0}
        assert outcome.trust_ods == "RJ1" and outcome.ok and not outcome.dry_run
    assert SyncState.load(state_path_for(path)).store(URL).acknowledged == recorded  # re-learnt

    run(path, transport)
    assert reads.count == 2


def test_any_change_to_the_file_reads_it_again(
    tmp_path: Path, scripted: ScriptedStore, transport: httpx.MockTransport, reads: Reads
) -> None:
    path = register(tmp_path / "r.xlsx")
    run(path, transport)
    register(path, title="Fewer errors, revised")
    changed = run(path, transport)
    assert reads.count == 2
    assert [(r.benefit_id, r.status) for r in changed.results] == [("EPMA-02", "accepted")]

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # touched only
    touched = run(path, transport)
    assert reads.count == 3 and touched.answer is None and len(touched.skipped) == 2

    data = bytearray(path.read_bytes())
    assert data[:4] == b"PK\x03\x04"
    data[10] ^= 0x01  # the first zip entry's time: same size, same cells, one byte different
    mtime = path.stat().st_mtime_ns
    path.write_bytes(bytes(data))
    os.utime(path, ns=(mtime, mtime))  # and the same mtime: only the hash tells
    again = run(path, transport)
    assert reads.count == 4 and again.answer is None and len(again.skipped) == 2


def test_other_options_read_it_again(
    tmp_path: Path, scripted: ScriptedStore, transport: httpx.MockTransport, reads: Reads
) -> None:
    path = write_register(tmp_path / "s.xlsx", [benefit("EPMA-01")], MEASURED[:2],
                          settings={"trust_ods": "RJ1", "programme": "GDE"})
    mapping = tmp_path / "mapping.toml"
    run(path, transport)
    run(path, transport)
    assert reads.count == 1

    other = run(path, transport, defaults=Defaults(programme="Digital"))
    assert reads.count == 2
    assert other.counts["accepted"] == 1  # --programme changed what is sent: the state alone
    #                                       would have wrongly answered 'unchanged'
    run(path, transport, defaults=Defaults(programme="Digital"))
    assert reads.count == 2  # the same options again: from the state
    back = run(path, transport)
    assert reads.count == 3 and back.counts["accepted"] == 1  # back to the sheet's programme

    fp = workbook_fingerprint(path, url=URL, mapping=None, defaults=None)
    assert fp is not None
    for changed in (
        workbook_fingerprint(path, url=URL, mapping=None, defaults=Defaults(trust_ods="RJ1")),
        workbook_fingerprint(path, url=URL + "/other", mapping=None, defaults=None),
    ):
        assert changed is not None and changed.options != fp.options
        assert changed.sha256 == fp.sha256
    assert workbook_fingerprint(path, url=URL + "/", mapping=None, defaults=None) == fp
    assert workbook_fingerprint(path, url=URL, mapping=mapping, defaults=None) is None  # missing
    mapping.write_text("[columns]\n")
    one = workbook_fingerprint(path, url=URL, mapping=mapping, defaults=None)
    mapping.write_text("[columns]\n# edited\n")
    two = workbook_fingerprint(path, url=URL, mapping=mapping, defaults=None)
    assert one is not None and two is not None and one.options != two.options


def test_full_and_dry_runs_always_read(
    tmp_path: Path, scripted: ScriptedStore, transport: httpx.MockTransport, reads: Reads
) -> None:
    path = register(tmp_path / "r.xlsx")
    run(path, transport)
    full = run(path, transport, full=True)
    assert reads.count == 2
    assert full.counts == {"accepted": 0, "unchanged": 2, "rejected": 0}  # the store said so
    dry = run(path, transport, dry_run=True)
    assert reads.count == 3 and dry.answer is None and dry.skipped == ["EPMA-01", "EPMA-02"]
    run(path, transport)
    assert reads.count == 3


def test_a_pending_submission_is_replayed_not_skipped(
    tmp_path: Path, scripted: ScriptedStore, transport: httpx.MockTransport, reads: Reads
) -> None:
    path = register(tmp_path / "r.xlsx")
    run(path, transport)
    register(path, title="Revised")
    scripted.script = [503] * FAST.attempts  # the store is down for this whole run
    with pytest.raises(SyncError):
        run(path, transport)
    saved = SyncState.load(state_path_for(path)).store(URL)
    assert saved.pending is not None and saved.acknowledged is None  # no shortcut meanwhile

    replay = run(path, transport)
    assert reads.count == 3
    assert len(replay.replayed) == 1 and replay.answer is None
    saved = SyncState.load(state_path_for(path)).store(URL)
    assert saved.pending is None and saved.acknowledged is not None
    run(path, transport)
    assert reads.count == 3


class Rejects(ScriptedStore):
    """The scripted store, refusing one benefit (and so never holding it)."""

    def _apply(self, body: dict[str, Any], *, dry_run: bool) -> dict[str, Any]:
        kept = [b for b in body["benefits"] if b["fields"]["benefit_id"] != "EPMA-02"]
        answer = super()._apply({**body, "benefits": kept}, dry_run=dry_run)
        for b in body["benefits"]:
            if b not in kept:
                answer["results"].append({"benefit_id": "EPMA-02", "row": b["row"],
                                          "status": "rejected", "version": None,
                                          "content_hash": None, "findings": []})
        return answer


def test_a_rejected_benefit_is_sent_again_next_time(tmp_path: Path, reads: Reads) -> None:
    path = register(tmp_path / "r.xlsx")
    store = Rejects(hashes=store_hashes)
    transport = httpx.MockTransport(store)
    first = run(path, transport)
    assert not first.ok
    assert SyncState.load(state_path_for(path)).store(URL).acknowledged is None
    again = run(path, transport)
    assert reads.count == 2
    assert [(r.benefit_id, r.status) for r in again.results] == [("EPMA-02", "rejected")]


def edit_state(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    state_file = state_path_for(path)
    data = json.loads(state_file.read_text())
    change(data["stores"][URL])
    state_file.write_text(json.dumps(data))


@pytest.mark.parametrize("edit", ["hash", "version", "forgotten", "clock", "pending-elsewhere"])
def test_a_state_that_no_longer_agrees_reads_again(
    tmp_path: Path, scripted: ScriptedStore, transport: httpx.MockTransport, reads: Reads,
    edit: str,
) -> None:
    path = register(tmp_path / "r.xlsx")
    run(path, transport)

    def change(store: dict[str, Any]) -> None:
        if edit == "hash":
            store["benefits"]["EPMA-01"]["content_hash"] = "0" * 64
        elif edit == "version":
            store["benefits"]["EPMA-02"]["version"] = None
        elif edit == "forgotten":
            del store["benefits"]["EPMA-02"]
        elif edit == "clock":
            store["acknowledged"]["on"] = (date.today() + timedelta(days=1)).isoformat()
        else:
            store["acknowledged"]["fingerprint"]["options"] = "f" * 64

    edit_state(path, change)
    outcome = run(path, transport)
    assert reads.count == 2
    if edit in ("hash", "version", "forgotten"):  # sent again; the store says it holds it
        sent = {r.benefit_id: r.status for r in outcome.results}
        assert sent == ({"EPMA-01": "unchanged"} if edit == "hash" else {"EPMA-02": "unchanged"})
    else:  # the store, asked, still holds both: nothing is sent
        assert outcome.answer is None and outcome.skipped == ["EPMA-01", "EPMA-02"]
    assert outcome.counts == {"accepted": 0, "unchanged": 2, "rejected": 0}
    run(path, transport)
    assert reads.count == 2  # and the state has learnt it again


def test_another_store_has_its_own_fingerprint(
    tmp_path: Path, transport: httpx.MockTransport, reads: Reads
) -> None:
    path = register(tmp_path / "r.xlsx")
    run(path, transport)
    other = submit(path, url="http://other.test", token=TOKEN, transport=transport, retry=FAST)
    assert reads.count == 2 and other.counts["accepted"] == 0  # the scripted store is shared


def test_no_token_is_refused_on_the_short_path_too(
    tmp_path: Path, transport: httpx.MockTransport, reads: Reads,
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring,
) -> None:
    path = register(tmp_path / "r.xlsx")
    run(path, transport)
    monkeypatch.delenv("XL_BRM_TOKEN", raising=False)
    with pytest.raises(SyncError, match="no token"):
        submit(path, url=URL, transport=transport, retry=FAST)
    assert reads.count == 1


def test_a_file_changed_while_read_is_not_recorded(
    tmp_path: Path, transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = register(tmp_path / "r.xlsx")
    original = path.read_bytes()
    def save_meanwhile(p: Path) -> None:
        register(p, title="Saved meanwhile")

    counter = Reads(monkeypatch, after=save_meanwhile)
    run(path, transport)
    assert counter.count == 1
    assert SyncState.load(state_path_for(path)).store(URL).acknowledged is None
    assert path.read_bytes() != original


def test_a_blocked_workbook_leaves_nothing_behind(
    tmp_path: Path, transport: httpx.MockTransport
) -> None:
    bad = benefit("EPMA-02")
    bad[10] = "n/a"  # Baseline is not a number
    path = write_register(tmp_path / "bad.xlsx", [benefit("EPMA-01"), bad], MEASURED[:3])
    with pytest.raises(SyncError, match="submission blocked by"):
        run(path, transport)
    assert not state_path_for(path).parent.exists()


def test_a_damaged_state_file_is_reported_after_reading_as_before(
    tmp_path: Path, transport: httpx.MockTransport, reads: Reads
) -> None:
    path = register(tmp_path / "r.xlsx")
    run(path, transport)
    state_path_for(path).write_text("{not json")
    with pytest.raises(SyncError, match=r"sync state file .* is not valid"):
        run(path, transport)
    assert reads.count == 2
