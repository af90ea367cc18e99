"""The NHS.UK frontend CSS shipped in the package is exactly what tools/vendor_nhsuk.py makes
from the npm package pinned in package-lock.json, and refers to nothing outside itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from xl_brm.assets import nhsuk_css

from .conftest import ROOT


def test_vendored_css_has_no_remote_reference() -> None:
    css = nhsuk_css()
    assert css.startswith("/*! nhsuk-frontend ")
    assert not re.search(r"url\((?![\"']?data:)", css), "every url() is a data: URI"
    assert "https://" not in css and "http://" not in css and "@import" not in css
    assert ".nhsuk-table__cell--numeric" in css and ".nhsuk-tag--green" in css


def test_vendored_css_is_reproducible_from_the_pinned_npm_package() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/nhsuk-frontend"]["version"]
    assert f"/*! nhsuk-frontend {pinned} " in nhsuk_css()
    if not (ROOT / "node_modules" / "nhsuk-frontend").exists():
        if os.environ.get("XL_BRM_REQUIRE_BROWSER") == "1":
            pytest.fail("node_modules is missing: run `npm ci` (make setup does)")
        pytest.skip("node_modules is missing: run `npm ci`")
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "vendor_nhsuk.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
