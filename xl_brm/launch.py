"""The `xl-brm` command. For `xl-brm validate FILE` it first forks the reader of FILE, so that the
workbook is parsed on the spare core while the command line loads (a fifth of a second of
imports); the CLI then hands that reader its work, or ends it (see `xl_brm.sandbox`)."""

from __future__ import annotations

import sys
from pathlib import Path

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def main() -> None:
    lone = lone_workbook(sys.argv[1:])
    if lone is not None:
        from xl_brm import sandbox

        sandbox.start_early(lone)
    from xl_brm.cli import main as cli

    cli()


def lone_workbook(args: list[str]) -> Path | None:
    """The workbook `xl-brm validate` will read, if the arguments name exactly one. A guess made
    before the CLI checks them: a wrong one costs only the early reader's work."""
    if len(args) < 2 or args[0] != "validate" or "--help" in args:
        return None
    named = [Path(a) for a in args[1:] if not a.startswith("-") and a.lower().endswith(_WORKBOOK_SUFFIXES)]
    return named[0] if len(named) == 1 and named[0].is_file() else None
