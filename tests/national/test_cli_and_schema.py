"""`xl-brm national token create`, token storage, and migrations."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from xl_brm.errors import UsageError
from xl_brm.national import StoreSettings, create_app, create_token
from xl_brm.national.cli import app


def test_token_create_prints_the_token_last_and_stores_only_its_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    result = CliRunner().invoke(app, ["token", "create", "--db", url, "--trust", "rj1"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("xlbrm_") and len(token) >= 40  # 32 random bytes, urlsafe
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT token_hash, trust_ods, is_national FROM tokens")).all()
    engine.dispose()
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), "RJ1", False)]
    assert token not in (tmp_path / "n.db").read_bytes().decode("latin-1")


def test_token_create_needs_exactly_one_scope(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    for args in ([], ["--trust", "RJ1", "--national"], ["--trust", "not an ods"]):
        result = CliRunner().invoke(app, ["token", "create", "--db", url, *args])
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output
    with pytest.raises(UsageError):
        create_token(url)


def test_national_token_and_distinct_tokens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    tokens = {create_token(url, national=True) for _ in range(5)}
    assert len(tokens) == 5


def test_migrations_are_alembic_and_idempotent(backend: dict[str, Any]) -> None:
    settings = StoreSettings(**backend)
    first = create_app(settings)
    second = create_app(settings)  # a second worker starting on a migrated database
    db = first.state.db
    with db.read() as conn:
        names = set(inspect(conn).get_table_names())
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert {
        "tokens",
        "submissions",
        "benefit_versions",
        "current_benefits",
        "measurements",
        "fy_values",
        "rate_windows",
        "alembic_version",
    } <= names
    from alembic.script import ScriptDirectory

    from xl_brm.national.migrate import alembic_config

    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    first.state.db.dispose()
    second.state.db.dispose()


def test_sqlite_is_durable_and_in_wal_mode(tmp_path: Path) -> None:
    app_ = create_app(StoreSettings(db=f"sqlite:///{tmp_path / 'n.db'}"))
    with app_.state.db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 10_000
    app_.state.db.dispose()


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_BRM_DB", "sqlite:///elsewhere.db")
    monkeypatch.setenv("XL_BRM_MAX_ROWS", "42")
    monkeypatch.setenv("XL_BRM_CORS_ORIGINS", '["https://a.example"]')
    settings = StoreSettings()
    assert (settings.db, settings.max_rows, settings.cors_origins) == (
        "sqlite:///elsewhere.db",
        42,
        ["https://a.example"],
    )
