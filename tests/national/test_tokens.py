"""Tokens with a life cycle: expiry, revocation, last use, listing; and the migration that
brings a store created by the previous schema up to it. On SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from store_harness import Store
from typer.testing import CliRunner

from xl_brm.national import tables
from xl_brm.national.cli import app
from xl_brm.national.db import open_database
from xl_brm.national.migrate import alembic_config, upgrade
from xl_brm.national.problems import ProblemError
from xl_brm.national.tokens import (
    USE_RECORDED_EVERY,
    authenticate,
    hash_token,
    issue,
    list_tokens,
    revoke,
)


def _set(store: Store, token_id: int, **values: Any) -> None:
    t = tables.tokens
    with store.db.write() as conn:
        conn.execute(update(t).where(t.c.id == token_id).values(**values))


def _info(store: Store, token_id: int) -> Any:
    (info,) = [t for t in list_tokens(store.db) if t.id == token_id]
    return info


def _refusal(store: Store, token: str) -> dict[str, Any]:
    response = store.client.get("/v1/rules", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == 401 and token not in response.text
    return problem


def _works(store: Store, token: str) -> bool:
    response = store.client.get("/v1/rules", headers={"Authorization": f"Bearer {token}"})
    return response.status_code == 200


def test_a_revoked_token_gets_401_at_once(store: Store) -> None:
    info, token = issue(store.db, trust="RJ1")
    assert _works(store, token)
    _, revoked_now = revoke(store.db, info.id)
    assert revoked_now
    problem = _refusal(store, token)
    assert problem["type"] == "/problems/token-revoked" and "revoked on" in problem["detail"]
    _, again = revoke(store.db, info.id)
    assert not again  # revoking twice is harmless
    assert _info(store, info.id).status() == "revoked"
    assert _works(store, store.tokens["RJ1"])  # other tokens are untouched


def test_a_token_expires(store: Store) -> None:
    info, token = issue(store.db, trust="RJ1", expires_days=1)
    assert info.expires_at - info.created_at == timedelta(days=1)
    assert _works(store, token)
    now = datetime.now(UTC)
    _set(store, info.id, expires_at=now + timedelta(seconds=30))
    assert _works(store, token)  # inside its life
    _set(store, info.id, expires_at=now - timedelta(seconds=1))
    problem = _refusal(store, token)  # just outside it
    assert problem["type"] == "/problems/token-expired" and "expired on" in problem["detail"]
    assert _info(store, info.id).status() == "expired"
    with pytest.raises(ProblemError) as caught:  # at the boundary itself it is expired
        authenticate(store.db, token, now=now - timedelta(seconds=1))
    assert caught.value.status == 401


def test_the_default_life_is_a_year_and_bounds_are_checked(store: Store) -> None:
    from xl_brm.errors import UsageError

    info, _ = issue(store.db, national=True)
    assert info.expires_at - info.created_at == timedelta(days=365)
    for days in (0, -1, 3651):
        with pytest.raises(UsageError, match="1 to 3650 days"):
            issue(store.db, trust="RJ1", expires_days=days)
    assert issue(store.db, trust="RJ1", expires_days=3650)[0].expires_at > info.expires_at


def test_last_use_is_recorded_at_most_once_a_minute(store: Store) -> None:
    info, token = issue(store.db, trust="RJ1")
    assert _info(store, info.id).last_used_at is None
    before = datetime.now(UTC).replace(microsecond=0)
    assert _works(store, token)
    first = _info(store, info.id).last_used_at
    assert first is not None and first >= before
    for _ in range(3):
        assert _works(store, token)
    assert _info(store, info.id).last_used_at == first  # no write for each request
    _set(store, info.id, last_used_at=first - USE_RECORDED_EVERY)
    assert _works(store, token)
    assert _info(store, info.id).last_used_at >= first  # a minute later it is written again


def test_an_unknown_token_still_gets_401(store: Store) -> None:
    problem = _refusal(store, "xlbrm_" + "x" * 43)
    assert problem["type"] == "/problems/unknown-token"


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["token", *args])


def test_token_commands_list_and_revoke_without_showing_a_token(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    created = _cli("create", "--db", url, "--trust", "RJ1", "--expires", "30")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("xlbrm_")
    assert "id 1" in created.stderr and "expires" in created.stderr
    national = _cli("create", "--db", url, "--national").stdout.strip().splitlines()[-1]

    listed = _cli("list", "--db", url)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "scope", "created"]
    assert "trust RJ1" in lines[1] and "never" in lines[1] and lines[1].endswith("active")
    assert "national" in lines[2]
    for secret in (token, national, hash_token(token), hash_token(national)):
        assert secret not in listed.output

    revoked = _cli("revoke", "--db", url, "1")
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert _cli("list", "--db", url).stdout.splitlines()[1].endswith("revoked")
    assert _cli("revoke", "--db", url, "1").stdout.count("already revoked") == 1
    unknown = _cli("revoke", "--db", url, "99")
    assert unknown.exit_code == 2 and "no token with id 99" in unknown.output
    assert "Traceback" not in unknown.output

    import json

    as_json = json.loads(_cli("list", "--db", url, "--json", "--trust", "rj1").stdout)
    assert [(t["id"], t["status"], t["trust_ods"]) for t in as_json] == [(1, "revoked", "RJ1")]
    assert set(as_json[0]) == {"id", "trust_ods", "national", "created_at", "expires_at",
                               "last_used_at", "revoked_at", "status"}


def test_token_commands_name_a_bad_database_cleanly(tmp_path: Path) -> None:
    for args in (["list", "--db", "nosuch://x"], ["revoke", "--db", "nosuch://x", "1"],
                 ["create", "--db", "nosuch://x", "--trust", "RJ1"],
                 ["create", "--db", f"sqlite:///{tmp_path / 'n.db'}", "--trust", "RJ1",
                  "--expires", "0"]):
        result = _cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error:") and "Traceback" not in result.output


def test_a_store_created_by_the_previous_schema_is_migrated(backend: dict[str, Any]) -> None:
    db = open_database(backend["db"], schema=backend.get("db_schema"))
    try:
        config = alembic_config()
        with db.write() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")  # the schema before tokens had a life cycle
            conn.execute(text(
                "INSERT INTO tokens (token_hash, trust_ods, is_national, created_at) "
                "VALUES (:h, 'RJ1', false, :at)"
            ), {"h": hash_token("xlbrm_old"), "at": datetime(2020, 4, 1, tzinfo=UTC)})
        upgrade(db)
        upgrade(db)  # and again: a no-op
        (old,) = list_tokens(db)
        assert old.trust_ods == "RJ1" and old.last_used_at is None and old.revoked_at is None
        a_year = datetime.now(UTC) + timedelta(days=365)
        assert abs((old.expires_at - a_year).total_seconds()) < 120  # a year from the upgrade
        who = authenticate(db, "xlbrm_old")
        assert who.trust_ods == "RJ1" and who.token_id == old.id
        assert list_tokens(db)[0].last_used_at is not None
        # the constraints of the old table survived (SQLite rebuilds the table to add NOT NULL)
        for bad in ({"h": "a" * 64, "trust": None, "national": False},
                    {"h": hash_token("xlbrm_old"), "trust": "RJ1", "national": False}):
            with pytest.raises(IntegrityError), db.write() as conn:
                conn.execute(text(
                    "INSERT INTO tokens (token_hash, trust_ods, is_national, created_at, "
                    "expires_at) VALUES (:h, :trust, :national, :at, :at)"
                ), {**bad, "at": datetime.now(UTC)})
        with pytest.raises(IntegrityError), db.write() as conn:
            conn.execute(text(
                "INSERT INTO tokens (token_hash, trust_ods, is_national, created_at) "
                "VALUES (:h, 'RJ1', false, :at)"
            ), {"h": "b" * 64, "at": datetime.now(UTC)})  # an expiry is required now
    finally:
        db.dispose()


def test_recording_use_never_waits_behind_a_write_on_sqlite(tmp_path: Path) -> None:
    from xl_brm.national.tokens import open_store

    db = open_store(f"sqlite:///{tmp_path / 'n.db'}")
    try:
        info, token = issue(db, trust="RJ1")
        with db.write():  # a long submission holds the write lock
            assert authenticate(db, token).token_id == info.id  # answered, not blocked
        assert list_tokens(db)[0].last_used_at is None  # the bookkeeping waits for next time
        other = sqlite3.connect(tmp_path / "n.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writing (a token command, say)
        started = time.monotonic()
        assert authenticate(db, token).token_id == info.id
        assert time.monotonic() - started < 2  # not the 60 s busy timeout
        other.execute("ROLLBACK")
        other.close()
        assert list_tokens(db)[0].last_used_at is None
        authenticate(db, token)
        assert list_tokens(db)[0].last_used_at is not None
    finally:
        db.dispose()
