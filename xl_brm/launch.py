"""The `xl-brm` command. For `xl-brm validate FILE` it first forks the reader of FILE, so that the
workbook is parsed on the spare core while the command line loads (a fifth of a second of
imports); the CLI then hands that reader its work, or ends it (see `xl_brm.sandbox`)."""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def main() -> None:
    lone = lone_workbook(sys.argv[1:])
    if lone is None:
        from xl_brm.cli import main as cli

        cli()
        return
    from xl_brm import sandbox

    sandbox.start_early(lone)
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
