"""The hostile-bodies benchmark still runs end to end (tiny bodies), so it cannot rot unnoticed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_hostile_bodies.py"


def test_bench_hostile_bodies_prints_its_table_and_summary(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "5", "--shapes", "issue-repro", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    lines = done.stdout.splitlines()
    assert any(line.startswith("| issue-repro ") and "|    422 |" in line for line in lines), output
    assert any(line.startswith("| ordinary ") and "|    200 |" in line for line in lines), output
    assert lines[-1].startswith("SUMMARY bench_hostile_bodies:") and lines[-1].endswith("targets met")
