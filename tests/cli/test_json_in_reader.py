"""`validate FILE --format json` rendered by the forked reader (`xl_brm.json_report`) writes the
same bytes, exit code and messages as the plain route that sends the findings to the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "workbooks" / "examples").glob("*.xlsx"))


def _run(*args: str, plain: bool) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "XL_BRM_PLAIN"}
    if plain:
        env["XL_BRM_PLAIN"] = "1"
    return subprocess.run([sys.executable, "-m", "xl_brm", *args], capture_output=True, env=env,
                          timeout=120, cwd=ROOT)


def _same(*args: str) -> subprocess.CompletedProcess[bytes]:
    fast, plain = _run(*args, plain=False), _run(*args, plain=True)
    assert (fast.returncode, fast.stdout, fast.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    return fast


@pytest.mark.parametrize("workbook", EXAMPLES, ids=lambda p: p.name)
def test_examples_give_the_same_bytes(workbook: Path) -> None:
    done = _same("validate", str(workbook), "--format", "json")
    assert done.stdout.startswith(b"{") and b'"issues"' in done.stdout


def test_an_unreadable_file_gives_the_same_bytes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip at all")
    done = _same("validate", str(broken), "--format", "json")
    assert done.returncode == 2 and b"BRM100" in done.stdout


def test_annotate_writes_the_same_copy(tmp_path: Path) -> None:
    fast = _run("validate", str(EXAMPLES[0]), "--format", "json", "--annotate", str(tmp_path / "a"),
                plain=False)
    plain = _run("validate", str(EXAMPLES[0]), "--format", "json", "--annotate", str(tmp_path / "b"),
                 plain=True)
    assert (fast.returncode, fast.stdout) == (plain.returncode, plain.stdout)
    assert [p.name for p in (tmp_path / "a").iterdir()] == [p.name for p in (tmp_path / "b").iterdir()] != []


def test_a_report_larger_than_a_pipe_gives_the_same_bytes(tmp_path: Path) -> None:
    """The reader writes the report to the standard output it shares with the CLI: a report of
    megabytes crosses a pipe in many writes, every byte once and in order; and with thousands of
    findings it is said in two halves on two cores (`xl_brm._halves`), spliced as one."""
    from xl_brm.examples.dirty import write_dirty_register
    from xl_brm.json_report import SPLIT_AT

    dirty = tmp_path / "dirty.xlsx"
    write_dirty_register(dirty, benefits=700, months=24)
    done = _same("validate", str(dirty), "--format", "json")
    assert done.returncode == 1 and len(done.stdout) > 1 << 20
    assert done.stdout.count(b'"code": ') > SPLIT_AT  # said and written in two halves


def test_a_reader_that_closes_the_pipe_early_ends_the_same_way(tmp_path: Path) -> None:
    """`xl-brm validate FILE --format json | head`: the pipe closes under the writer, on either route."""
    from xl_brm.examples.dirty import write_dirty_register

    dirty = tmp_path / "dirty.xlsx"
    write_dirty_register(dirty, benefits=300, months=24)

    def cut_short(plain: bool) -> tuple[int, bytes, bytes]:
        env = {k: v for k, v in os.environ.items() if k != "XL_BRM_PLAIN"}
        if plain:
            env["XL_BRM_PLAIN"] = "1"
        proc = subprocess.Popen([sys.executable, "-m", "xl_brm", "validate", str(dirty), "--format", "json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        assert proc.stdout is not None and proc.stderr is not None
        head = proc.stdout.read(100)
        proc.stdout.close()
        err = proc.stderr.read()
        return proc.wait(timeout=120), head, err

    assert cut_short(plain=False) == cut_short(plain=True)
