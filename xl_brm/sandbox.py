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

`validate`, `compute`, `map` and `--annotate` (whose copy the child writes) read their file this
way, and `pull` too: `isolated(path, work)` runs any work on a `GatedReader` and hands back its
answer, or raises the error the child met (`loaded` does the same for work on the validated
workbook). The child may use
at most `READER_MEMORY_BYTES` (its data segment, `RLIMIT_DATA`): a workbook that needs more
stops the child, not the machine, and gets a clear message.

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
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from xl_brm._halves import widen
from xl_brm.errors import InputError, XlBrmError
from xl_brm.findings import FileReport
from xl_brm.parse_ahead import parse_ahead
from xl_brm.reader import _limits as lim

if TYPE_CHECKING:
    from xl_brm.api import Options, Reader
    from xl_brm.reader._read import GatedReader
    from xl_brm.reader._safety import SafetyReport
    from xl_brm.table import RawWorkbook
    from xl_brm.validate import Validation

# This module is imported, and the reader forked, before the rest of xl-brm loads (see the
# module docstring): it imports little, the rest when first used.

T = TypeVar("T")
Work = Callable[["GatedReader"], T]
"""What the child does with a reader that waits for the gate before it hands over any cell.
It is pickled to the child: a module-level function, or a `functools.partial` of one."""

_CHILD_FAILED = 70
MEMORY_ENV = "XL_BRM_READER_MEMORY_MB"


def available() -> bool:
    """fork() exists (not on Windows) and there is a second core to use."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def check(
    path: Path, options: Options, annotate_dir: Path | None = None, read: Reader | None = None
) -> FileReport:
    """`validate_file`, with a reader bug made a finding on its file, never a traceback."""
    from xl_brm.api import validate_file

    try:
        return validate_file(path, options, annotate_dir=annotate_dir, read=read)
    except Exception as exc:  # the last line of defence for one file
        return failed(path, exc)


def validate(path: Path, work: Work[FileReport]) -> FileReport:
    """`work(read)` run in a forked child while this process runs the safety gate on `path`:
    a file that cannot be read, or that stops the child, is a report with one finding."""
    try:
        return isolated(path, work)
    except Exception as exc:  # the gate's refusal, or a child that died
        return failed(path, exc)


def isolated(path: str | Path, work: Work[T]) -> T:
    """`work(read)` in a forked, memory-limited child while this process runs the safety gate
    on `path`; its answer once the gate has passed. Raises the gate's refusal, the error the
    work met (an `XlBrmError`), or `InputError` when the child died. Without fork() the gate
    runs first and the work here."""
    p = Path(path)
    if not available():
        from xl_brm.reader._read import GatedReader

        return work(GatedReader.checked(p))
    child = _take_early(p) or _Child(p)
    return child.run(work)


def loaded(path: str | Path, options: Options, then: Callable[[RawWorkbook, Validation], T]) -> T:
    """`then(raw, validation)` of the workbook at `path`, read and validated in the reader
    (`isolated`): what a caller that is not a command of its own needs from one workbook.
    `then` must pickle (a module-level function) and should answer with something small."""
    return isolated(path, partial(_load_then, Path(path), options, then))


def _load_then(path: Path, options: Options, then: Callable[[RawWorkbook, Validation], T],
               read: Reader) -> T:
    from xl_brm.api import load

    raw, validation = load(path, options, read=read)
    return then(raw, validation)


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
    from xl_brm.api import unreadable_report

    return unreadable_report(path, as_input_error(path, exc))


def as_input_error(path: Path, exc: BaseException) -> InputError:
    """Any failure to read `path` as the one kind of error a user is shown for a file."""
    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, MemoryError):
        return _too_big(path)
    return InputError(
        f"could not be read ({type(exc).__name__}: {exc})", path=path,
        hint="open it in Excel, save it as .xlsx and try again; if it still fails, report it")


def crashed(path: Path) -> FileReport:
    """The report of a file that passed the gate but stopped the process reading it."""
    from xl_brm.api import unreadable_report

    return unreadable_report(path, _stopped(path))


def _stopped(path: Path) -> InputError:
    return InputError(
        "made the spreadsheet reader stop (it crashed, or needed more than the "
        f"{memory_limit() // lim.MiB:,} MB of memory a reader may use), so it was skipped",
        path=path,
        hint=f"open it in Excel, save it as a new .xlsx and try again; for a very large register, "
             f"{MEMORY_ENV} sets the reader's memory in MB")


def _too_big(path: Path) -> InputError:
    return InputError(
        f"needs more than the {memory_limit() // lim.MiB:,} MB of memory a reader may use",
        path=path,
        hint=f"remove unused rows, columns and sheets, or set {MEMORY_ENV} to allow more")


def memory_limit() -> int:
    """Bytes a reading process may use: `READER_MEMORY_BYTES`, or `XL_BRM_READER_MEMORY_MB`."""
    try:
        return int(os.environ[MEMORY_ENV]) * lim.MiB
    except (KeyError, ValueError):
        return lim.READER_MEMORY_BYTES


def limit_memory() -> None:
    """Cap this process's data segment (`RLIMIT_DATA`: the heap and every private writable
    mapping, which is what a parser's allocations become). Called first thing in each process
    that reads a workbook; a no-op where there are no resource limits (Windows)."""
    try:
        import resource
    except ImportError:
        return
    limit = memory_limit()
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


# -- this process ------------------------------------------------------------------------------


class _Child:
    """A forked reader of one file, parsing from the moment it exists, and its three pipes:
    the work (this process -> child), the gate's report (likewise) and the answer (back)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        work_in, self._work_out = os.pipe()
        gate_in, self._gate_out = os.pipe()
        self._answer_in, answer_out = os.pipe()
        widen(answer_out)
        self._owner = os.getpid()
        self._pid = os.fork()
        if self._pid == 0:
            for fd in (self._work_out, self._gate_out, self._answer_in):
                os.close(fd)
            _child(path, work_in, gate_in, answer_out)
        for fd in (work_in, gate_in, answer_out):
            os.close(fd)

    def run(self, work: Work[T]) -> T:
        try:
            with suppress(BrokenPipeError), open(self._work_out, "wb") as out:
                pickle.dump(work, out, protocol=pickle.HIGHEST_PROTOCOL)  # a dead child: see below
            self._work_out = -1
            from xl_brm.reader._safety import check_safety

            report = check_safety(self.path)
            # sent from a thread: a large report and a large answer would otherwise fill both pipes
            threading.Thread(target=_send, args=(self._gate_out, report), daemon=True).start()
            self._gate_out = -1  # _send closes it
            answer = _receive(self._answer_in)
        finally:
            self.end()
        if answer is None:
            raise _stopped(self.path)
        done, value = answer
        if not done:
            raise value
        return value  # type: ignore[no-any-return]

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


def _receive(fd: int) -> tuple[bool, Any] | None:
    """The child's answer, (True, value) or (False, error), or None if it died before giving a
    whole one."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    try:
        answer = pickle.loads(b"".join(chunks))
    except Exception:  # cut short, or an error that does not unpickle: the child failed
        return None
    if isinstance(answer, tuple) and len(answer) == 2 and (answer[0] or isinstance(answer[1], XlBrmError)):
        return answer
    return None


# -- the child ---------------------------------------------------------------------------------


def _child(path: Path, work_in: int, gate_in: int, answer_out: int) -> NoReturn:
    """Never returns: the child leaves with os._exit, skipping the interpreter's teardown (which
    would only free, one by one, the millions of objects the parent never sees). With no work
    sent (the pipe closes empty) it simply leaves."""
    code = _CHILD_FAILED
    try:
        limit_memory()
        # a crash here is an outcome the parent reports, not a bug dump: no Python or Rust
        # backtrace reaches the user (the answer carries every message the child has)
        faulthandler.disable()
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        os.close(quiet)
        gc.disable()  # a short-lived process whose objects form no cycles worth collecting
        ahead = parse_ahead(path)  # calamine parses without holding Python's lock, so ...
        # ... the reader and the rule engine are imported, and the work awaited, meanwhile
        threading.Thread(target=importlib.import_module, args=("xl_brm.validate",), daemon=True).start()
        from xl_brm.reader._read import GatedReader

        with open(work_in, "rb") as source:
            work = pickle.load(source)
        # the workbooks read are kept to the end: freeing millions of objects one by one takes
        # longer than os._exit takes to drop the whole process
        read = GatedReader(path, _GateReport(gate_in), ahead, kept=_never_freed)
        try:
            answer: tuple[bool, Any] = (True, work(read))
        except XlBrmError as error:
            answer = (False, _portable(error))
        except Exception as exc:  # a bug or MemoryError: a message, never a traceback
            answer = (False, as_input_error(path, exc))
        with open(answer_out, "wb") as out:
            pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)


def _portable(error: XlBrmError) -> XlBrmError:
    """The error itself if it crosses the pipe intact, else one with the same message."""
    try:
        pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        return XlBrmError(error.message, hint=error.hint)
    return error


_never_freed: list[Any] = []


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
