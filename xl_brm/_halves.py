"""Work split across the machine's two cores: the first half of a list in this process, the
second in a forked copy of it, side by side (`in_halves`); or any work in a forked copy that
answers in messages (`Forked`, for a register validated in two parts, `xl_brm.json_report`).

For the JSON report of a register with tens of thousands of findings (`xl_brm.json_report`):
each finding is said in the trust's words and written as JSON on its own, so the halves need
nothing from each other, and the copy, which already holds every finding, answers with bytes
through a pipe. Where there is no fork(), the copy cannot start or fails, or the plain path is
asked for (`xl_brm._speed`), both halves are worked here, one after the other: same answer.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import TypeVar

from xl_brm._speed import plain

T = TypeVar("T")
Bytes = bytes | memoryview


def in_halves(items: Sequence[T], work: Callable[[Sequence[T]], Bytes],
              meanwhile: Callable[[], object] = lambda: None) -> tuple[Bytes, list[Bytes]]:
    """work(first half), and [work(second half)]: the second half worked in a forked copy of
    this process if it can be (`Forked`), else here after the first. `meanwhile()` runs here
    after the first half, while the copy may still be busy."""
    half = len(items) // 2
    first, second = items[:half], items[half:]
    copy: Forked | None = None
    if not plain() and hasattr(os, "fork"):
        with suppress(OSError):  # no process to spare
            copy = Forked(lambda send: send(work(second)))
    theirs: Bytes | None = None
    try:
        mine = work(first)
        meanwhile()
        theirs = copy.receive() if copy is not None else None
    finally:
        finished = copy.close() if copy is not None else False
    if theirs is None or not finished:  # no copy, or it failed: its half is worked here
        theirs = work(second)
    return mine, [theirs]


class Forked:
    """Work done in a forked copy of this process, side by side with this one, that answers in
    messages through a pipe, in order (`send` for the copy, `receive` for this process). A copy
    that fails ends its messages early: `receive` then gives None, and `close` False."""

    def __init__(self, work: Callable[[Callable[[Bytes], None]], object]) -> None:
        """Raises OSError when there is no process to spare."""
        read_end, write_end = os.pipe()
        widen(write_end)
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the copy: never returns
            code = 1
            try:
                os.close(read_end)
                work(lambda message: _send(write_end, message))
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid, self._fd = pid, read_end

    def receive(self) -> bytes | None:
        """The copy's next message, or None when it ended without sending one."""
        head = self._read(_LENGTH.size)
        if head is None:
            return None
        return self._read(_LENGTH.unpack(head)[0])

    def close(self) -> bool:
        """Wait for the copy: True if it finished its work."""
        os.close(self._fd)
        _, status = os.waitpid(self._pid, 0)
        return os.waitstatus_to_exitcode(status) == 0

    def _read(self, n: int) -> bytes | None:
        chunks, left = [], n
        while left:
            chunk = os.read(self._fd, min(left, PIPE_BYTES))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _send(fd: int, message: Bytes) -> None:
    write_all(fd, _LENGTH.pack(len(message)))
    write_all(fd, message)


_LENGTH = struct.Struct("<Q")


def write_all(fd: int, data: Bytes) -> None:
    """All of `data` to `fd` (a write to a pipe may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def widen(fd: int) -> None:
    """Let the pipe hold a megabyte (Linux; 64 KB otherwise): 40 MB then crosses in forty
    hand-overs between the processes, not six hundred, each a wait on a busy machine."""
    with suppress(ImportError, AttributeError, OSError):  # no fcntl, or no F_SETPIPE_SZ
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


PIPE_BYTES = 1 << 20
"""Linux's default limit for an unprivileged process (/proc/sys/fs/pipe-max-size)."""
