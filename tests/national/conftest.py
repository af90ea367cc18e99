"""A real national store on loopback (uvicorn in a background thread), over SQLite or PostgreSQL.

Every store test takes `store` (or `make_store`) and so runs on both databases; PostgreSQL runs
in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from store_harness import Server, Store

from xl_brm.national import StoreSettings, create_app
from xl_brm.national.db import Database
from xl_brm.national.tokens import issue_token


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Settings for a fresh, empty database: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield {"db": f"sqlite:///{tmp_path / 'national.db'}"}
        return
    pg_url = request.getfixturevalue("pg_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield {"db": pg_url, "db_schema": schema}
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def make_store(backend: dict[str, Any]) -> Iterator[Callable[..., Store]]:
    """Start stores over the test's database; `make_store(max_rows=5)` overrides a setting."""
    running: list[tuple[Server, Store]] = []

    def start(**overrides: Any) -> Store:
        settings = StoreSettings(**{**backend, **overrides})
        app = create_app(settings)
        db: Database = app.state.db
        server = Server(app)
        server.start()
        url = f"http://127.0.0.1:{server.port}"
        store = Store(
            url=url, client=httpx.Client(base_url=url, timeout=60), db=db, settings=settings, app=app
        )
        store.tokens = {
            "RJ1": issue_token(db, trust="RJ1"),
            "RRV": issue_token(db, trust="RRV"),
            "national": issue_token(db, national=True),
            "unknown": "xlbrm_" + uuid.uuid4().hex,
        }
        running.append((server, store))
        return store

    yield start
    for server, store in running:
        store.client.close()
        server.stop()


@pytest.fixture
def store(make_store: Callable[..., Store]) -> Store:
    return make_store()
