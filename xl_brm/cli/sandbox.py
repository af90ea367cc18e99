"""One workbook on two cores: the safety gate in this process, the reading in a forked child.

The gate decompresses and scans every sheet before a parser may see it (about 0.3 s for a
240k-row register) and python-calamine then parses it (about 0.6 s). One after the other, the
gate is a third of the run. A child process may start parsing straight away because it is
allowed to crash on a hostile file: it waits for the gate's report before it uses any cell, and
its answer is taken only once the gate has passed. If the gate refuses the file, the child is
killed and the gate's message is the answer, exactly as when the file is read in one process.

The answer comes back pickled. The child is this program, forked from this process and running
as the same user, so trusting its pickle grants it nothing it did not already have.
"""

from __future__ import annotations

import faulthandler
import gc
import importlib
import os
import pickle
import signal
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, NoReturn

from xl_brm.api import Reader, unreadable_report
from xl_brm.errors import InputError
from xl_brm.findings import FileReport
from xl_brm.reader._read import read_after_gate
from xl_brm.reader._safety import SafetyReport, check_safety

Work = Callable[[Reader], FileReport]
"""What the child does with a reader that parses at once and waits for the gate for the cells."""

_CHILD_FAILED = 70


def available() -> bool:
    """fork() exists (not on Windows) and there is a second core to use."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def validate(path: Path, work: Work) -> FileReport:
    """`work(read)` run in a forked child while this process runs the safety gate on `path`."""
    gate_in, gate_out = os.pipe()
    answer_in, answer_out = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(gate_out)
        os.close(answer_in)
        _child(work, gate_in, answer_out)
    os.close(gate_in)
    os.close(answer_out)
    try:
        try:
            report = check_safety(path)
        except Exception as exc:
            os.close(gate_out)
            return failed(path, exc)
        # sent from a thread: a large report and a large answer would otherwise fill both pipes
        threading.Thread(target=_send, args=(gate_out, report), daemon=True).start()
        answer = _receive(answer_in)
    finally:
        _end(pid)
        os.close(answer_in)
    return answer if answer is not None else crashed(path)


def failed(path: Path, exc: Exception) -> FileReport:
    """The report of a file that could not be read: the reader's own message, or for a bug in
    the reader (the last line of defence) what went wrong, never a traceback."""
    if not isinstance(exc, InputError):
        exc = InputError(
            f"could not be read ({type(exc).__name__}: {exc})", path=path,
            hint="open it in Excel, save it as .xlsx and try again; if it still fails, report it")
    return unreadable_report(path, exc)


def crashed(path: Path) -> FileReport:
    """The report of a file that passed the gate but killed the process reading it."""
    error = InputError("made the spreadsheet reader crash, so it was skipped", path=path,
                       hint="open it in Excel, save it as a new .xlsx and try again")
    return unreadable_report(path, error)


# -- this process ------------------------------------------------------------------------------


def _send(fd: int, report: SafetyReport) -> None:
    try:
        with open(fd, "wb") as out:
            pickle.dump(report, out, protocol=pickle.HIGHEST_PROTOCOL)
    except BrokenPipeError:
        pass  # the child finished without needing the cells (a workbook with no sheet to read)


def _receive(fd: int) -> FileReport | None:
    """The child's answer, or None if it died before giving a whole one."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    try:
        answer = pickle.loads(b"".join(chunks))
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return None
    return answer if isinstance(answer, FileReport) else None


def _end(pid: int) -> None:
    """The child is done or no longer wanted: make sure it is gone, and reap it."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


# -- the child ---------------------------------------------------------------------------------


def _child(work: Work, gate_in: int, answer_out: int) -> NoReturn:
    """Never returns: the child leaves with os._exit, skipping the interpreter's teardown (which
    would only free, one by one, the millions of objects the parent never sees)."""
    code = _CHILD_FAILED
    try:
        faulthandler.disable()  # a crash here is an outcome the parent reports, not a bug dump
        gc.disable()  # a short-lived process whose objects form no cycles worth collecting
        # import the rule engine while calamine parses (it does not hold Python's lock)
        threading.Thread(target=importlib.import_module, args=("xl_brm.validate",), daemon=True).start()
        answer = work(_reader(_GateReport(gate_in)))
        with open(answer_out, "wb") as out:
            pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)


def _reader(gate: Callable[[], SafetyReport]) -> Reader:
    def read(path: str | Path, *, mapping: Any = None, on_benefits: Any = None) -> Any:
        return read_after_gate(Path(path), gate, mapping=mapping, on_benefits=on_benefits)

    return read


class _GateReport:
    """The parent's gate report, read from the pipe the first time it is wanted."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._report: SafetyReport | None = None

    def __call__(self) -> SafetyReport:
        if self._report is None:
            with open(self._fd, "rb") as source:
                self._report = pickle.load(source)
        return self._report
