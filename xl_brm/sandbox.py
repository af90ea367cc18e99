"""One workbook on two cores: the safety gate in this process, the reading in a forked child.

The gate decompresses and scans every sheet before a parser may see it (about 0.3 s for a
240k-row register) and python-calamine then parses it (about 0.6 s). One after the other, the
gate is a third of the run. A child process may start parsing straight away because it is
allowed to crash on a hostile file: it waits for the gate's report before it uses any cell, and
its answer is taken only once the gate has passed. If the gate refuses the file, the child is
killed and the gate's message is the answer, exactly as when the file is read in one process.

The child may even be forked before anyone knows what it is for: `xl-brm validate FILE` forks it
first thing (`start_early`, from `xl_brm.launch`), so that calamine parses while the command line
loads; the CLI then sends it the work, or it is killed.

The work goes to the child and the answer comes back pickled. The child is this program, forked
from this process and running as the same user, so trusting its pickle grants it nothing it did
not already have.
"""

from __future__ import annotations

import atexit
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

from xl_brm.api import Options, Reader, unreadable_report, validate_file
from xl_brm.errors import InputError
from xl_brm.findings import FileReport
from xl_brm.reader._read import Ahead, parse_ahead, read_after_gate
from xl_brm.reader._safety import SafetyReport, check_safety

Work = Callable[[Reader], FileReport]
"""What the child does with a reader that waits for the gate before it hands over any cell.
It is pickled to the child: a module-level function, or a `functools.partial` of one."""

_CHILD_FAILED = 70


def available() -> bool:
    """fork() exists (not on Windows) and there is a second core to use."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def check(
    path: Path, options: Options, annotate_dir: Path | None = None, read: Reader | None = None
) -> FileReport:
    """`validate_file`, with a reader bug made a finding on its file, never a traceback."""
    try:
        return validate_file(path, options, annotate_dir=annotate_dir, read=read)
    except Exception as exc:  # the last line of defence for one file
        return failed(path, exc)


def validate(path: Path, work: Work) -> FileReport:
    """`work(read)` run in a forked child while this process runs the safety gate on `path`."""
    child = _take_early(path) or _Child(path)
    return child.run(work)


def start_early(path: Path) -> None:
    """Fork the reader of `path` now, before the work is known (see the module docstring)."""
    global _early
    if _early is None and available():
        _early = _Child(path)
        atexit.register(stop_early)


def stop_early() -> None:
    """The early reader is not wanted (other files, or no run at all): end it."""
    global _early
    if _early is not None:
        _early.end()
        _early = None


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


class _Child:
    """A forked reader of one file, parsing from the moment it exists, and its three pipes:
    the work (this process -> child), the gate's report (likewise) and the answer (back)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        work_in, self._work_out = os.pipe()
        gate_in, self._gate_out = os.pipe()
        self._answer_in, answer_out = os.pipe()
        self._owner = os.getpid()
        self._pid = os.fork()
        if self._pid == 0:
            for fd in (self._work_out, self._gate_out, self._answer_in):
                os.close(fd)
            _child(path, work_in, gate_in, answer_out)
        for fd in (work_in, gate_in, answer_out):
            os.close(fd)

    def run(self, work: Work) -> FileReport:
        try:
            with suppress(BrokenPipeError), open(self._work_out, "wb") as out:
                pickle.dump(work, out, protocol=pickle.HIGHEST_PROTOCOL)  # a dead child: see below
            self._work_out = -1
            try:
                report = check_safety(self.path)
            except Exception as exc:
                return failed(self.path, exc)
            # sent from a thread: a large report and a large answer would otherwise fill both pipes
            threading.Thread(target=_send, args=(self._gate_out, report), daemon=True).start()
            self._gate_out = -1  # _send closes it
            answer = _receive(self._answer_in)
        finally:
            self.end()
        return answer if answer is not None else crashed(self.path)

    def end(self) -> None:
        """The child is done or no longer wanted: make sure it is gone, reap it, close the pipes.
        Only the process that forked it may (a pool worker forked later inherits this object)."""
        if self._pid <= 0 or os.getpid() != self._owner:
            return
        with suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        # the kernel takes a while to tear down a big child: reap it while the report is
        # printed, and before this process exits (so its memory counts in this one's rusage)
        reaper = threading.Thread(target=os.waitpid, args=(self._pid, 0), daemon=True)
        reaper.start()
        _reapers.append(reaper)
        self._pid = -1
        for fd in (self._work_out, self._gate_out, self._answer_in):
            if fd >= 0:
                os.close(fd)


_early: _Child | None = None
_reapers: list[threading.Thread] = []


@atexit.register
def _reaped() -> None:
    for reaper in _reapers:
        reaper.join()


def _take_early(path: Path) -> _Child | None:
    """The early reader if it reads `path`; otherwise it is ended."""
    global _early
    child, _early = _early, None
    if child is not None and _same_file(child.path, path):
        return child
    if child is not None:
        child.end()
    return None


def _same_file(a: Path, b: Path) -> bool:
    with suppress(OSError):
        return os.path.samefile(a, b)
    return False


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


# -- the child ---------------------------------------------------------------------------------


def _child(path: Path, work_in: int, gate_in: int, answer_out: int) -> NoReturn:
    """Never returns: the child leaves with os._exit, skipping the interpreter's teardown (which
    would only free, one by one, the millions of objects the parent never sees). With no work
    sent (the pipe closes empty) it simply leaves."""
    code = _CHILD_FAILED
    try:
        faulthandler.disable()  # a crash here is an outcome the parent reports, not a bug dump
        gc.disable()  # a short-lived process whose objects form no cycles worth collecting
        ahead = parse_ahead(path)  # calamine parses without holding Python's lock, so ...
        # ... the rule engine is imported, and the work awaited, meanwhile
        threading.Thread(target=importlib.import_module, args=("xl_brm.validate",), daemon=True).start()
        with open(work_in, "rb") as source:
            work = pickle.load(source)
        answer = work(_reader(path, ahead, _GateReport(gate_in)))
        with open(answer_out, "wb") as out:
            pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)


def _reader(own: Path, ahead: Ahead, gate: Callable[[], SafetyReport]) -> Reader:
    def read(path: str | Path, *, mapping: Any = None, on_benefits: Any = None) -> Any:
        p = Path(path)
        raw = read_after_gate(p, gate, mapping=mapping, on_benefits=on_benefits,
                              ahead=ahead if p == own else None)
        _never_freed.extend((raw, on_benefits))
        return raw

    return read


_never_freed: list[Any] = []
"""What the child read and began validating, kept to the end: freeing millions of objects one
by one takes longer than os._exit takes to drop the whole process."""


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
