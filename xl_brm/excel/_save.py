"""Atomic saving: a workbook appears complete at its path or not at all.

openpyxl writes straight to the target, so a crash (or Ctrl-C) half-way leaves a corrupt file
where the user's last good one was. We write to a temporary file in the same folder and
`os.replace` it into place, which is atomic on the same file system.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook

from xl_brm.errors import InputError


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on failure it goes."""
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError(
            "the folder to write into does not exist",
            path=target,
            hint=f"create {target.parent} first",
        )
    # Not mkstemp: its files are private (0600). O_EXCL with 0666 lets the umask decide, so
    # the finished workbook has the permissions any other new file of the user's would have.
    tmp = target.parent / f".{target.stem}.{secrets.token_hex(6)}{target.suffix}.tmp"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_atomic(workbook: Workbook, path: str | Path) -> Path:
    """Save an openpyxl workbook to `path` atomically and return the path."""
    target = Path(path)
    with atomic_path(target) as tmp:
        try:
            workbook.save(tmp)
        except PermissionError as exc:
            raise InputError(
                "cannot write the workbook",
                path=target,
                hint="close it in Excel or choose another folder",
            ) from exc
    return target
