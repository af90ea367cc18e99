"""A submission is stored whole or not at all, and a 500 says truthfully which (issue 11).

Failures are real database failures: a trigger that raises while the store writes (SQLite and
PostgreSQL), and on PostgreSQL a deferred constraint trigger that fails the COMMIT itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import store_factory as factory
from sqlalchemy import text
from store_harness import Store

from xl_brm.national import ingest, queries
from xl_brm.rules import RULES_VERSION

TABLES = ("submissions", "benefit_versions", "current_benefits", "measurements", "fy_values")
NOTHING = dict.fromkeys(TABLES, 0)


def stored(store: Store) -> dict[str, int]:
    return {table: store.count(table) for table in TABLES}


def body() -> dict[str, Any]:
    return factory.body([factory.benefit(2, 2), factory.benefit(3, 8, benefit_id="EPMA-02")])


@contextmanager
def failing_insert(store: Store, table: str) -> Iterator[None]:
    """Make every insert into `table` fail inside the database, until the block ends."""
    with store.db.write() as conn:
        if store.db.is_sqlite:
            conn.exec_driver_sql(
                f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
        else:
            conn.execute(text(_PG_FAIL.format(name=f"fail_{table}")))
            conn.execute(
                text(f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                     f"FOR EACH ROW EXECUTE FUNCTION fail_{table}()")
            )
    try:
        yield
    finally:
        with store.db.write() as conn:
            conn.execute(text(f"DROP TRIGGER fail_{table}" + ("" if store.db.is_sqlite else f" ON {table}")))


_PG_FAIL = (
    "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
)


@pytest.mark.parametrize("table", ["benefit_versions", "measurements", "fy_values"])
def test_a_failure_anywhere_in_the_write_stores_none_of_the_submission(store: Store, table: str) -> None:
    with failing_insert(store, table):
        response = store.post(body(), key="k-1")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/submission-failed" and problem["stored"] is False
    assert "stored none of it" in problem["detail"] and "Idempotency-Key is safe" in problem["detail"]
    assert stored(store) == NOTHING
    # the key was not used up: the same request now goes through
    retried = store.post(body(), key="k-1")
    assert retried.status_code == 200 and retried.json()["counts"]["accepted"] == 2
    assert "idempotent-replayed" not in retried.headers
    assert stored(store)["benefit_versions"] == 2


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_failed_commit_says_the_outcome_is_unknown_and_a_retry_settles_it(store: Store) -> None:
    with store.db.write() as conn:
        conn.execute(text(_PG_FAIL.format(name="fail_at_commit")))
        conn.execute(
            text("CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON submissions "
                 "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit()")
        )
    response = store.post(body(), key="k-2")
    assert response.status_code == 500
    problem = response.json()
    assert problem["stored"] is None and "cannot tell whether the save completed" in problem["detail"]
    assert stored(store) == NOTHING  # PostgreSQL rolled the failed commit back
    with store.db.write() as conn:
        conn.execute(text("DROP TRIGGER fail_at_commit ON submissions"))
    assert store.post(body(), key="k-2").json()["counts"]["accepted"] == 2


def test_an_answer_that_cannot_be_sent_is_never_saved_for_replay(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the answer held a bare NaN: saved for replay, then a 500 on every retry."""
    real = ingest._answer

    def with_nan(*args: Any, **kwargs: Any) -> dict[str, Any]:
        answer = real(*args, **kwargs)
        answer["results"][0]["findings"].append({"value": float("nan")})
        return answer

    monkeypatch.setattr(ingest, "_answer", with_nan)
    failed = store.post(body(), key="k-3")
    assert failed.status_code == 500 and failed.json()["stored"] is False
    assert stored(store) == NOTHING
    monkeypatch.setattr(ingest, "_answer", real)
    first = store.post(body(), key="k-3")
    assert first.status_code == 200
    replay = store.post(body(), key="k-3")
    assert replay.headers["idempotent-replayed"] == "true" and replay.content == first.content


def test_an_answer_saved_with_a_bare_nan_before_this_fix_replays_as_text(store: Store) -> None:
    sent = json.dumps(body()).encode()
    saved = '{"submission_id":"s-old","counts":{"accepted":0},"findings":[{"value":NaN}]}'
    with store.db.write() as conn:
        conn.execute(
            queries.tables.submissions.insert().values(
                id="s-old", trust_ods="RJ1", idempotency_key="k-old",
                request_hash=hashlib.sha256(sent).hexdigest(), received_at=datetime.now(UTC),
                rules_version=RULES_VERSION, client_name="xl-brm", client_version="0.1.0",
                source_path="register.xlsx", accepted=0, unchanged=0, rejected=0, response=saved,
            )
        )
    headers = {**store.auth("RJ1"), "Content-Type": "application/json", "Idempotency-Key": "k-old"}
    replay = store.client.post("/v1/submissions", content=sent, headers=headers)
    assert replay.status_code == 200
    assert replay.json()["findings"] == [{"value": "NaN"}]


def test_a_500_elsewhere_claims_nothing_about_storage(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("injected")

    monkeypatch.setattr(queries, "summary", broken)
    response = store.get("/v1/national/summary")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "stored" not in response.json()["detail"] and "half" not in response.json()["detail"]
    assert store.get("/v1/health", who=None).status_code == 200  # on the same connection
