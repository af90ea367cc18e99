"""The validate benchmark still runs end to end (tiny size), so the script cannot rot unnoticed,
and its dirty register is found out cell by cell: every kind of spoilt cell, at the cell where
the generator put it, and nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from xl_brm.api import validate_file
from xl_brm.examples import write_dirty_register
from xl_brm.examples.dirty import KINDS, bad_cells, data_cells

SCRIPT = Path(__file__).parent / "benchmarks" / "bench_validate.py"


def test_bench_validate_quick_prints_its_summary(tmp_path: Path) -> None:
    for module in ("fastexcel", "pandas", "pandera", "frictionless"):
        pytest.importorskip(module, reason="the benchmark's peers come with the `bench` extra")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    output = done.stdout + done.stderr
    summary = [line for line in done.stdout.splitlines()
               if line.startswith("SUMMARY bench_validate:")]
    assert summary, output
    assert "FAILED" not in summary[-1], output
    assert done.returncode == 0, output
    assert "| failed" not in done.stdout, output
    assert "clean validate" in summary[-1] and "dirty validate" in summary[-1], output
    tools = ("python-calamine (raw read)", "fastexcel (raw read)", "xl-brm validate (end to end)",
             "pydantic per-row model", "pandas + pandera", "frictionless")
    for tool in tools:
        assert tool in done.stdout, output
    # The dirty register's findings, counted by the real command, are what was planted.
    found = re.findall(r"xl-brm findings: ([\d,]+)\s+by code: (.*)", done.stdout)
    planted = re.findall(r"planted:\s+([\d,]+)\s+by code: (.*)", done.stdout)
    assert len(found) == 2 and found[0][0] == "0", output  # the clean register, then the dirty
    assert planted and found[1] == planted[0], output


def test_every_spoilt_cell_of_the_dirty_register_is_found_where_it_was_put(tmp_path: Path) -> None:
    path = tmp_path / "dirty.xlsx"
    benefits, months = 60, 12
    spoilt = write_dirty_register(path, benefits=benefits, months=months)
    assert {s.kind for s in spoilt} == set(KINDS), "a tiny register should still plant every kind"
    share = bad_cells(spoilt) / data_cells(benefits, months)
    assert 0.02 < share < 0.04, share

    report = validate_file(path)
    found = Counter((f.sheet, f.cell, f.code) for f in report.issues)
    missed = [s for s in spoilt if found[(s.sheet, s.cell, s.code)] != 1]
    assert not missed, f"{len(missed)} spoilt cells not found once each, e.g. {missed[:3]}"
    expected = {(s.sheet, s.cell, s.code) for s in spoilt}
    unplanted = [f for f in report.issues if (f.sheet, f.cell, f.code) not in expected]
    assert not unplanted, f"findings nobody planted, e.g. {unplanted[:3]}"


def test_the_dirty_register_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    first = write_dirty_register(tmp_path / "a.xlsx", benefits=40, months=6, seed=7)
    again = write_dirty_register(tmp_path / "b.xlsx", benefits=40, months=6, seed=7)
    other = write_dirty_register(tmp_path / "c.xlsx", benefits=40, months=6, seed=8)
    assert first == again
    assert first != other
