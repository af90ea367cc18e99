"""One file on two cores: the gate here, the reading in a forked child (xl_brm.sandbox).

Real forks, real files: the child's answer must equal the one-process answer, a refused file
must give the gate's message with nothing done by the child, and a crash must be a report. The
child forked early (before its work is known, as `xl-brm validate FILE` does) must answer the
same, and must be gone when it is not wanted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from xl_brm import sandbox
from xl_brm.api import Options, Reader
from xl_brm.findings import FileReport
from xl_brm.launch import json_report_only, lone_workbook
from xl_brm.sandbox import check

sys.path.insert(0, str(Path(__file__).resolve().parent / "reader"))
import hostile

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "workbooks" / "examples").glob("*.xlsx"))

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="needs fork() and two cores")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_child_answers_what_one_process_answers(path: Path) -> None:
    options = Options()
    forked = sandbox.validate(path, partial(check, path, options, None))
    alone = check(path, options, None)
    assert forked == alone
    assert forked.benefits > 0 and forked.issues  # the examples hold planted mistakes


def test_a_child_forked_early_answers_the_same(tmp_path: Path) -> None:
    path = EXAMPLES[0]
    sandbox.start_early(path)
    early = sandbox.validate(path, partial(check, path, Options(), None))
    assert early == check(path, Options(), None)
    assert sandbox._early is None  # taken, so a second run forks afresh


def test_an_early_child_for_another_file_is_ended_and_a_new_one_reads(tmp_path: Path) -> None:
    wrong, right = EXAMPLES[0], EXAMPLES[1]
    sandbox.start_early(wrong)
    child = sandbox._early
    assert child is not None
    report = sandbox.validate(right, partial(check, right, Options(), None))
    assert report == check(right, Options(), None)
    assert child._pid == -1  # killed and reaped


def _use_the_cells_anyway(path: Path, marker: Path, read: Reader) -> FileReport:
    read(path)  # the gate refuses the file, so this never returns
    marker.write_text("the child went on after the gate refused the file")
    return check(path, Options(), None)


@pytest.mark.parametrize("early", [False, True], ids=["forked-late", "forked-early"])
def test_a_refused_file_gets_the_gates_message_and_the_child_does_nothing(
    tmp_path: Path, early: bool
) -> None:
    path = hostile.far_cell(tmp_path, with_a1=True)
    marker = tmp_path / "child-used-the-cells"
    if early:
        sandbox.start_early(path)
    report = sandbox.validate(path, partial(_use_the_cells_anyway, path, marker))
    (finding,) = report.issues
    assert finding.code == "BRM100" and "XFD1048576" in finding.message
    assert not marker.exists()


def _abort(path: Path, read: Reader) -> FileReport:
    read(path)
    os.abort()  # as python-calamine does when an allocation fails


def test_a_child_that_dies_is_reported_not_fatal(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "fine.xlsx")
    report = sandbox.validate(path, partial(_abort, path))
    (finding,) = report.issues
    assert finding.code == "BRM100" and "crash" in finding.message
    assert str(path) in finding.message or report.path == str(path)


# -- the command: `xl-brm validate FILE` forks its reader before the CLI loads -----------------


def test_the_lone_workbook_is_guessed_only_for_validate_with_one_workbook(tmp_path: Path) -> None:
    a = hostile.workbook(tmp_path / "a.xlsx")
    b = hostile.workbook(tmp_path / "b.xlsm")
    assert lone_workbook(["validate", str(a), "--format", "json"]) == a
    assert lone_workbook(["validate", str(a), str(b)]) is None
    assert lone_workbook(["validate", str(tmp_path)]) is None
    assert lone_workbook(["validate", str(tmp_path / "missing.xlsx")]) is None
    assert lone_workbook(["validate", str(a), "--help"]) is None
    assert lone_workbook(["compute", str(a)]) is None


def test_only_validate_file_format_json_skips_the_command_line(tmp_path: Path) -> None:
    a = hostile.workbook(tmp_path / "a.xlsx")
    for args in (
        ["validate", str(a), "--format", "json"],
        ["validate", "--format", "json", str(a)],
        ["validate", "-f", "json", str(a)],
        ["validate", str(a), "--format=json"],
    ):
        assert json_report_only(args, a), args
    for args in (
        ["validate", str(a)],  # the table, for people
        ["validate", str(a), "--format", "csv"],
        ["validate", str(a), "--format", "json", "--trust", "RJ1"],
        ["validate", str(a), "--format", "json", "--annotate", str(tmp_path)],
        ["validate", str(a), "json", "--format"],
        ["validate", "--format", "json"],
    ):
        assert not json_report_only(args, a), args


_LOADED_AT_EXIT = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('typer loaded:', 'typer' in sys.modules, file=sys.stderr))\n"
    "from xl_brm.launch import main\n"
    "sys.argv = ['xl-brm', *sys.argv[1:]]\n"
    "main()\n"
)


@pytest.mark.parametrize(("extra", "loaded"), [((), False), (("--trust", "RJ1"), True)])
def test_the_json_report_skips_loading_the_command_line(extra: tuple[str, ...], loaded: bool) -> None:
    """The same report either way (tests/cli/test_json_in_reader.py); the lane loads no typer."""
    done = subprocess.run([sys.executable, "-c", _LOADED_AT_EXIT, "validate", str(EXAMPLES[0]),
                           "--format", "json", *extra], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and '"issues"' in done.stdout
    assert f"typer loaded: {loaded}" in done.stderr


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_brm", *args], capture_output=True, text=True,
                          timeout=120)


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_usage_error_leaves_no_early_reader_behind(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "leftover-check.xlsx")
    run = _command("validate", str(path), "--format", "no-such-format")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    deadline = time.monotonic() + 5
    while _processes_naming(str(path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_naming(str(path)) == []


def test_the_command_with_an_early_reader_reports_what_the_library_does(tmp_path: Path) -> None:
    path = EXAMPLES[0]
    run = _command("validate", str(path), "--format", "json")
    (file,) = json.loads(run.stdout)["files"]
    alone = check(path, Options(), None)
    assert [(i["code"], i["cell"]) for i in file["issues"]] == [(f.code, f.cell) for f in alone.issues]
    assert file["benefits"] == alone.benefits and file["measurements"] == alone.measurements
    assert run.returncode == (0 if alone.ok else 1)  # the exit without teardown keeps the code


def test_the_command_gives_the_gates_message_for_a_hostile_lone_file(tmp_path: Path) -> None:
    path = hostile.xxe(tmp_path)
    run = _command("validate", str(path), "--format", "json")
    assert run.returncode == 2, run.stderr
    (file,) = json.loads(run.stdout)["files"]
    (finding,) = file["issues"]
    assert finding["code"] == "BRM100" and "DOCTYPE" in finding["message"]


# -- any work, behind the same gate and memory limit --------------------------------------------


def _fail_with_usage_error(read: object) -> None:
    from xl_brm.errors import UsageError

    raise UsageError("the work said no", hint="do something else")


def _data_limit(read: object) -> int:
    for line in Path("/proc/self/limits").read_text().splitlines():
        if line.startswith("Max data size"):
            return int(line.split()[3])
    raise AssertionError("no data limit listed")


def _allocate(nbytes: int, read: object) -> int:
    return len(bytearray(nbytes))


def test_isolated_hands_back_the_works_answer(tmp_path: Path) -> None:
    from xl_brm.reader import GatedReader, propose_mapping

    path = EXAMPLES[0]
    mapping = sandbox.isolated(path, GatedReader.mapping)
    mapping.save(tmp_path / "forked.ini")
    propose_mapping(path).save(tmp_path / "alone.ini")
    assert (tmp_path / "forked.ini").read_text() == (tmp_path / "alone.ini").read_text()


def test_isolated_raises_the_error_the_work_met(tmp_path: Path) -> None:
    from xl_brm.errors import UsageError

    with pytest.raises(UsageError, match="the work said no") as caught:
        sandbox.isolated(EXAMPLES[0], _fail_with_usage_error)
    assert caught.value.hint == "do something else"


def test_isolated_raises_the_gates_refusal_and_a_childs_death(tmp_path: Path) -> None:
    from xl_brm.errors import InputError, UnsafeWorkbookError

    marker = tmp_path / "child-used-the-cells"
    with pytest.raises(UnsafeWorkbookError, match="XFD1048576"):
        sandbox.isolated(hostile.far_cell(tmp_path, with_a1=True),
                         partial(_use_the_cells_anyway, hostile.far_cell(tmp_path, with_a1=True), marker))
    assert not marker.exists()
    fine = hostile.workbook(tmp_path / "fine.xlsx")
    with pytest.raises(InputError, match="stop") as caught:
        sandbox.isolated(fine, partial(_abort, fine))
    assert "fine.xlsx" in str(caught.value)


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="needs /proc")
def test_the_reader_runs_within_its_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from xl_brm.reader import _limits as lim

    assert sandbox.isolated(EXAMPLES[0], _data_limit) == lim.READER_MEMORY_BYTES
    monkeypatch.setenv(sandbox.MEMORY_ENV, "600")
    assert sandbox.isolated(EXAMPLES[0], _data_limit) == 600 * 1024 * 1024
    assert lim.READER_MEMORY_BYTES < 1536 * 1024 * 1024  # under the 1.5 GB a command may use


def _data_mb() -> int:
    """This process's data segment (a forked child starts with all of it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmData")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_work_that_needs_more_memory_gets_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from xl_brm.errors import InputError

    limit = _data_mb() + 300  # room for 300 MB more than the child inherits
    monkeypatch.setenv(sandbox.MEMORY_ENV, str(limit))
    assert sandbox.isolated(EXAMPLES[0], partial(_allocate, 100 * 1024 * 1024)) == 100 * 1024 * 1024
    with pytest.raises(InputError, match=f"more than the {limit:,} MB") as caught:
        sandbox.isolated(EXAMPLES[0], partial(_allocate, 500 * 1024 * 1024))
    assert EXAMPLES[0].name in str(caught.value) and sandbox.MEMORY_ENV in str(caught.value)
