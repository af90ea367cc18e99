"""The validate benchmark still runs end to end (tiny size), so the script cannot rot unnoticed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent / "benchmarks" / "bench_validate.py"


def test_bench_validate_quick_prints_its_summary(tmp_path: Path) -> None:
    for module in ("fastexcel", "pandas", "pandera", "frictionless"):
        pytest.importorskip(module, reason="the benchmark's peers come with the `bench` extra")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    output = done.stdout + done.stderr
    summary = [line for line in done.stdout.splitlines()
               if line.startswith("SUMMARY bench_validate:")]
    assert summary, output
    assert "FAILED" not in summary[-1], output
    assert done.returncode == 0, output
    assert "| failed" not in done.stdout, output
    tools = ("python-calamine (raw read)", "fastexcel (raw read)", "xl-brm validate (end to end)",
             "pandas + pandera", "frictionless")
    for tool in tools:
        assert tool in done.stdout, output
