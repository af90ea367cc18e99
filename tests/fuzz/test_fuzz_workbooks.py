"""The workbook fuzz suite under pytest: every mutation family, through every command.

`make test` runs `XL_BRM_FUZZ_FILES` files (default 60: every family at least twice); CI also
runs the full suite (`make fuzz`: 400 files). The seed is fresh each run unless
`XL_BRM_FUZZ_SEED` is set, and is printed in the failure message so a failure can be replayed:

    python tests/fuzz/fuzz_workbooks.py --seed SEED --files N --only I --keep /tmp/xl-brm-fuzz
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/statm").exists(),
                                reason="the fuzz harness forks commands and reads /proc")


def test_every_command_answers_every_hostile_workbook_cleanly(tmp_path: Path) -> None:
    seed = int(os.environ.get("XL_BRM_FUZZ_SEED") or random.SystemRandom().randrange(1, 2**31))
    files = os.environ.get("XL_BRM_FUZZ_FILES", "60")
    run = subprocess.run(
        [sys.executable, str(HERE / "fuzz_workbooks.py"), "--seed", str(seed), "--files", files,
         "--keep", str(tmp_path / "failed")],
        capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, f"seed {seed}:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.startswith("SUMMARY fuzz_workbooks:") and " 0 failed" in summary, run.stdout


def test_the_same_seed_makes_the_same_files() -> None:
    sys.path.insert(0, str(HERE))
    from workbook_mutations import FAMILIES, mutants

    first = [(m.name, m.data) for m in mutants(1234, len(FAMILIES) + 5)]
    written = list(FAMILIES).index("openpyxl_edits")  # saved by openpyxl: no clock in the bytes
    again = {m.name: m.data for m in mutants(1234, len(FAMILIES) + 5, {3, written, len(FAMILIES) + 2})}
    assert {m for m, _ in first} >= set(again)
    assert all(dict(first)[name] == data for name, data in again.items())  # file i alone is file i
    assert {name.split("-")[1] for name, _ in first} == set(FAMILIES)  # every family at least once
