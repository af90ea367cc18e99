"""Fixtures of the sync tests: a scripted store for retry paths and a real store on loopback."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sync_support import ScriptedStore, StoreProcess, free_port, prepare_db


@pytest.fixture
def scripted() -> ScriptedStore:
    return ScriptedStore()


@pytest.fixture
def transport(scripted: ScriptedStore) -> httpx.MockTransport:
    return httpx.MockTransport(scripted)


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str | None]]:
    """(SQLAlchemy URL, PostgreSQL schema or None): a fresh store database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}", None
        return
    pg_url: str = request.getfixturevalue("pg_url")
    schema = f"sync_{uuid.uuid4().hex[:12]}"
    yield pg_url, schema
    import sqlalchemy

    engine = sqlalchemy.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="module")
def store_server(
    store_db: tuple[str, str | None], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StoreProcess, str]]:
    """A real store on loopback, shared by a module's tests: (process, national token)."""
    db_url, schema = store_db
    _, national = prepare_db(db_url, schema)
    server = StoreProcess(db_url=db_url, port=free_port(), schema=schema,
                          log_path=tmp_path_factory.mktemp("log") / "store.log")
    server.start()
    try:
        yield server, national
    finally:
        server.stop()


_trusts = itertools.count(1)


@pytest.fixture
def live_store(
    store_server: tuple[StoreProcess, str], store_db: tuple[str, str | None]
) -> tuple[StoreProcess, str, str, str]:
    """(store, a new trust's ODS code, its token, national token): each test its own trust, so
    tests sharing a store never see each other's rows."""
    from xl_brm.national import create_token

    server, national = store_server
    db_url, schema = store_db
    trust = f"T{next(_trusts):03d}"
    return server, trust, create_token(db_url, trust=trust, db_schema=schema), national
