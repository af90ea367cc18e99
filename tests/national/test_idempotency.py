"""Idempotency keys, scoped per trust: replay, reuse with another body, and in progress."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import store_factory as factory
from sqlalchemy import text
from store_harness import Store

from xl_brm.national.store import TRUST_LOCK_CLASS, lock_text


def test_same_key_same_body_replays_the_original_answer(store: Store) -> None:
    body = factory.body([factory.benefit(2, 2)])
    first = store.post(body, key="k-1")
    again = store.post(body, key="k-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()  # same submission_id, 'accepted' not 'unchanged'
    assert again.headers["idempotent-replayed"] == "true"
    assert store.count("submissions") == 1 and store.count("benefit_versions") == 1


def test_same_key_different_body_is_422(store: Store) -> None:
    assert store.post(factory.body([factory.benefit(2, 2)]), key="k-2").status_code == 200
    other = store.post(factory.body([factory.benefit(2, 2, title="Something else")]), key="k-2")
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert store.count("benefit_versions") == 1


def test_keys_are_scoped_per_trust(store: Store) -> None:
    assert store.post(factory.body([factory.benefit(2, 2)]), key="shared").status_code == 200
    theirs = factory.body([factory.benefit(2, 2, benefit_id="R1", trust="RRV")], trust="RRV")
    response = store.post(theirs, who="RRV", key="shared")
    assert response.status_code == 200 and response.json()["trust_ods"] == "RRV"
    assert "idempotent-replayed" not in response.headers


def test_invalid_key_is_refused(store: Store) -> None:
    response = store.post(factory.body([factory.benefit(2, 2)]), key="x" * 300)
    assert response.status_code == 422


@contextmanager
def _hold_write_lock(store: Store) -> Iterator[None]:
    """Block the store's writers from outside, as a slow first request would."""
    if store.db.is_sqlite:
        path = store.settings.db.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    else:
        key = {"c": TRUST_LOCK_CLASS, "k": lock_text(store.db, "RJ1")}
        with store.db.writer.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:c, hashtext(:k))"), key)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:c, hashtext(:k))"), key)
                conn.commit()


def _in_background(call: Callable[[], httpx.Response]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    return thread, out


def _wait_for_409(call: Callable[[], httpx.Response]) -> httpx.Response:
    import time

    deadline = time.monotonic() + 20
    while True:
        response = call()
        if response.status_code == 409 or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def test_same_key_while_the_first_is_in_progress_is_409(store: Store) -> None:
    body = factory.body([factory.benefit(2, 2)])
    with _hold_write_lock(store):
        thread, out = _in_background(lambda: store.post(body, key="slow"))
        _wait_until_blocked(store, "slow")
        second = _wait_for_409(lambda: store.post(body, key="slow"))
        assert second.status_code == 409, second.text
        assert second.headers["content-type"] == "application/problem+json"
        assert second.headers["retry-after"]
    thread.join(timeout=60)
    assert out[0].status_code == 200
    replay = store.post(body, key="slow")
    assert replay.json() == out[0].json()
    assert store.count("benefit_versions") == 1


def _wait_until_blocked(store: Store, key: str) -> None:
    """Until the first request holds its key and waits for the write lock we hold."""
    import time

    deadline = time.monotonic() + 20
    while ("RJ1", key) not in store.app.state.inflight:
        if time.monotonic() > deadline:
            raise AssertionError("the first request never started")
        time.sleep(0.02)
    if not store.db.is_postgres:
        time.sleep(0.3)  # it is now between claiming the key and BEGIN IMMEDIATE
        return
    while time.monotonic() < deadline:
        with store.db.reader.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                    "AND classid::bigint = :c AND objid::bigint = (hashtext(:k)::bigint & 4294967295)"
                ),
                {"c": TRUST_LOCK_CLASS, "k": lock_text(store.db, "RJ1")},
            ).scalar_one()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the first request never reached the lock")


def test_in_progress_is_409_across_workers_on_postgres(make_store: Callable[..., Store]) -> None:
    """Two stateless workers over one database: the second sees the first's key in progress."""
    first = make_store()
    if not first.db.is_postgres:
        return  # one SQLite file is served by one process
    second = make_store()
    second.tokens = first.tokens
    body = factory.body([factory.benefit(2, 2)])
    with _hold_write_lock(first):
        thread, out = _in_background(lambda: first.post(body, key="two-workers"))
        _wait_until_blocked(first, "two-workers")
        response = _wait_for_409(lambda: second.post(body, key="two-workers"))
        assert response.status_code == 409, response.text
    thread.join(timeout=60)
    assert out[0].status_code == 200
    assert second.post(body, key="two-workers").json() == out[0].json()
    assert first.count("benefit_versions") == 1


def test_concurrent_submissions_of_one_trust_never_duplicate_versions(store: Store) -> None:
    bodies = [factory.body([factory.benefit(2, 2, title=f"Title {i % 3}")]) for i in range(12)]
    threads = [threading.Thread(target=store.post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    history = store.get("/v1/trusts/RJ1/benefits/EPMA-01/versions", who="RJ1").json()["versions"]
    assert [v["version"] for v in history] == list(range(1, len(history) + 1))
    assert store.count("current_benefits") == 1
