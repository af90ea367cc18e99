"""Shared fixtures. PostgreSQL and browser tests skip where the service or program is missing,
unless CI demands them (XL_BRM_REQUIRE_POSTGRES=1, XL_BRM_REQUIRE_BROWSER=1, set by .ci/run)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


CHROMIUM = os.environ.get("XL_BRM_CHROMIUM", "/usr/bin/chromium")
"""Debian's chromium: the only browser the tests use; never a downloaded one."""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # this machine has no internet: no calls home
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (which starts it with a fresh, temporary
    user-data-dir). One browser per test session; each test opens its own context."""
    if not Path(CHROMIUM).is_file():
        if os.environ.get("XL_BRM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_js() -> str:
    """axe-core (npm, installed by `make setup`): the accessibility checker run in the browser."""
    if not AXE.exists():
        if os.environ.get("XL_BRM_REQUIRE_BROWSER") == "1":
            pytest.fail("node_modules/axe-core is missing: run `npm ci` (make setup does)")
        pytest.skip("node_modules/axe-core is missing: run `npm ci`")
    return AXE.read_text(encoding="utf-8")
