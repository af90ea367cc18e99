"""One file on two cores: the gate here, the reading in a forked child (xl_brm.cli.sandbox).

Real forks, real files: the child's answer must equal the one-process answer, a refused file
must give the gate's message with nothing done by the child, and a crash must be a report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from xl_brm.api import Options, Reader
from xl_brm.cli import sandbox
from xl_brm.cli.parallel import check
from xl_brm.findings import FileReport

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reader"))
import hostile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "workbooks" / "examples").glob("*.xlsx"))

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="needs fork() and two cores")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_child_answers_what_one_process_answers(path: Path) -> None:
    options = Options()
    forked = sandbox.validate(path, lambda read: check(path, options, None, read))
    alone = check(path, options, None)
    assert forked == alone
    assert forked.benefits > 0 and forked.issues  # the examples hold planted mistakes


def test_a_refused_file_gets_the_gates_message_and_the_child_does_nothing(tmp_path: Path) -> None:
    path = hostile.far_cell(tmp_path, with_a1=True)
    marker = tmp_path / "child-used-the-cells"

    def work(read: Reader) -> FileReport:
        read(path)  # the gate refuses the file, so this never returns
        marker.write_text("the child went on after the gate refused the file")
        return check(path, Options(), None)

    report = sandbox.validate(path, work)
    (finding,) = report.issues
    assert finding.code == "BRM100" and "XFD1048576" in finding.message
    assert not marker.exists()


def test_a_child_that_dies_is_reported_not_fatal(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "fine.xlsx")

    def work(read: Reader) -> FileReport:
        read(path)
        os.abort()  # as python-calamine does when an allocation fails

    report = sandbox.validate(path, work)
    (finding,) = report.issues
    assert finding.code == "BRM100" and "crash" in finding.message
    assert str(path) in finding.message or report.path == str(path)
