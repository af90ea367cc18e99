"""Many files on every core: a file that kills its worker process is reported, and every other
file is still validated (real process pools, a real crash)."""

from __future__ import annotations

import faulthandler
import os
import shutil
from pathlib import Path

import pytest

from xl_brm.api import Options
from xl_brm.cli import parallel
from xl_brm.findings import FileReport
from xl_brm.sandbox import check

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "workbooks" / "examples").glob("*.xlsx"))


def _crash_on_doomed(path: Path, options: Options, annotate_dir: Path | None) -> FileReport:
    """`check`, except that a file named doomed.xlsx kills the process reading it, as a parser
    that aborts would."""
    if path.name == "doomed.xlsx":
        faulthandler.disable()  # a crash here is the test's, not a bug to dump
        os.abort()
    return check(path, options, annotate_dir)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool is used only with two cores")
def test_a_file_that_kills_its_worker_is_reported_and_the_others_are_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [shutil.copy(p, tmp_path / p.name) for p in EXAMPLES]
    doomed = shutil.copy(EXAMPLES[0], tmp_path / "doomed.xlsx")
    paths.insert(1, doomed)
    monkeypatch.setattr(parallel, "check", _crash_on_doomed)  # forked workers inherit it
    done: list[str] = []
    reports = parallel.validate_many(paths, Options(), on_done=lambda r: done.append(r.path))
    assert [r.path for r in reports] == [str(p) for p in paths] and sorted(done) == sorted(map(str, paths))
    (crashed,) = [r for r in reports if r.path == str(doomed)]
    (finding,) = crashed.issues
    assert finding.code == "BRM100" and "crash" in finding.message
    for report in reports:
        if report is not crashed:
            alone = check(Path(report.path), Options(), None)
            assert report.benefits == alone.benefits > 0
            assert [f.code for f in report.issues] == [f.code for f in alone.issues]
