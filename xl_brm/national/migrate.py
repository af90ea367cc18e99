"""Bring a store's database to the newest schema with Alembic, safely from several workers.

On PostgreSQL an advisory lock makes concurrent workers migrate one at a time; on SQLite the
write transaction (`BEGIN IMMEDIATE`) does the same.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from xl_brm.national.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x7861
"""Advisory lock class held (with the schema) while migrating."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(db: Database) -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date database)."""
    config = alembic_config()
    with db.write() as conn:
        if db.is_postgres:
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:id, hashtext(:schema))"),
                {"id": MIGRATION_LOCK, "schema": db.schema or "public"},
            )
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
