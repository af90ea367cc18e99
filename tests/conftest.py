"""Shared fixtures. PostgreSQL tests skip where none is reachable, unless CI demands them."""

from __future__ import annotations

import os
import shutil

import pytest

PG_URL = os.environ.get("XL_BRM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> bool:
    try:
        import psycopg

        url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=2):
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A PostgreSQL SQLAlchemy URL; skips (or fails under CI's XL_BRM_REQUIRE_POSTGRES=1)."""
    if not _postgres_reachable():
        if os.environ.get("XL_BRM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but {PG_URL} is not reachable")
        pytest.skip("no PostgreSQL reachable (set XL_BRM_TEST_PG_URL)")
    return PG_URL


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice, skipped where not installed unless CI demands it (XL_BRM_REQUIRE_LIBREOFFICE=1)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("XL_BRM_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice is required here but soffice is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found
