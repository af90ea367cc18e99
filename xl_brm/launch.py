"""The `xl-brm` command. For `xl-brm validate FILE` it first forks the reader of FILE, so that the
workbook is parsed on the spare core while the command line loads (a fifth of a second of
imports); the CLI then hands that reader its work, or ends it (see `xl_brm.sandbox`).

`xl-brm validate FILE --format json` and nothing more (a script's bulk check) skips the command
line's loading altogether: the reader is handed its work at once (`xl_brm.json_report`), so that
the safety gate starts sooner and the parse has the spare core to itself. Any other form, and
`XL_BRM_PLAIN=1`, goes through the command line, which does the same work the same way.
"""

from __future__ import annotations

import atexit
import errno
import os
import sys
from pathlib import Path

from xl_brm._speed import plain

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def main() -> None:
    lone = lone_workbook(sys.argv[1:])
    if lone is None:
        from xl_brm.cli import main as cli

        cli()
        return
    from xl_brm import sandbox

    sandbox.start_early(lone)
    if json_report_only(sys.argv[1:], lone) and sandbox.available() and not plain():
        _leave(_json_report(lone))
    from xl_brm.cli import main as cli

    try:
        cli()
    except SystemExit as done:
        _leave(done.code)
    _leave(0)


def lone_workbook(args: list[str]) -> Path | None:
    """The workbook `xl-brm validate` will read, if the arguments name exactly one. A guess made
    before the CLI checks them: a wrong one costs only the early reader's work."""
    if len(args) < 2 or args[0] != "validate" or "--help" in args:
        return None
    named = [Path(a) for a in args[1:] if not a.startswith("-") and a.lower().endswith(_WORKBOOK_SUFFIXES)]
    return named[0] if len(named) == 1 and named[0].is_file() else None


_JSON_ONLY = (("--format", "json"), ("-f", "json"), ("--format=json",))


def json_report_only(args: list[str], workbook: Path) -> bool:
    """True when the arguments are `validate`, `workbook` and `--format json`, in any order."""
    rest = list(args[1:])
    if str(workbook) not in rest:
        return False
    rest.remove(str(workbook))
    return tuple(rest) in _JSON_ONLY


def _json_report(workbook: Path) -> int:
    """`validate workbook --format json` as the command line runs it, without loading it."""
    from xl_brm.api import Options
    from xl_brm.json_report import print_report

    try:
        return print_report(workbook, Options(), None).exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as error:  # a reader that stopped reading (`| head`): as the command line ends
        if error.errno != errno.EPIPE:
            raise
        return 1


def _leave(code: object) -> None:
    """Exit as `sys.exit(code)` would, without the interpreter's teardown: freeing the modules
    of a one-shot command one by one takes longer (25 ms) than validating a small workbook.
    Only after a lone-workbook validate, which leaves no thread, pool or file for teardown
    to finish: the exit handlers still run (they end and reap the reader), and output is
    flushed."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe, as at a normal exit
            status = status or 120
    os._exit(status)
