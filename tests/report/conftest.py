"""The community example register computed once, its compute JSON from the real CLI, and the
board report written once per session (HTML, PDF and .xlsx) for the tests to read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from xl_brm.api import load
from xl_brm.computation import Computation, compute
from xl_brm.periods import parse_period

ROOT = Path(__file__).resolve().parents[2]
COMMUNITY = ROOT / "workbooks" / "examples" / "community_taj.xlsx"
ACUTE = ROOT / "workbooks" / "examples" / "acute_gde_rj1.xlsx"
AS_OF = "2020-09"
ARTEFACTS = ROOT / "out" / "test-artefacts"
"""Screenshots and rendered pages tests leave for people to look at (gitignored)."""


def xl_brm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xl_brm", *args], capture_output=True, text=True, timeout=300
    )


def compute_json(path: Path, *extra: str) -> dict[str, Any]:
    """What `xl-brm compute --format json` prints: the figures every report must equal."""
    run = xl_brm("compute", str(path), "--format", "json", *extra)
    assert run.returncode == 0, run.stderr
    body: dict[str, Any] = json.loads(run.stdout)
    return body


def required(tool: str, env: str = "XL_BRM_REQUIRE_BROWSER") -> str:
    """A program the test needs: skipped where missing unless CI demands it."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get(env) == "1":
            pytest.fail(f"{tool} is required here ({env}=1) but is not installed")
        pytest.skip(f"{tool} is not installed")
    return found


@pytest.fixture(scope="session")
def community() -> Computation:
    _raw, validation = load(COMMUNITY)
    return compute(validation, as_of=parse_period(AS_OF))


@pytest.fixture(scope="session")
def community_json() -> dict[str, Any]:
    return compute_json(COMMUNITY, "--as-of", AS_OF)


@pytest.fixture(scope="session")
def board_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The board report of the community example as the CLI writes it: .html, .pdf, .xlsx."""
    folder = tmp_path_factory.mktemp("board")
    html = folder / "board.html"
    run = xl_brm("report", str(COMMUNITY), "--as-of", AS_OF, "--out", str(html))
    assert run.returncode == 0, run.stderr
    run = xl_brm("report", str(COMMUNITY), "--as-of", AS_OF, "--out", str(folder / "board.xlsx"))
    assert run.returncode == 0, run.stderr
    return {"html": html, "pdf": folder / "board.pdf", "xlsx": folder / "board.xlsx"}
