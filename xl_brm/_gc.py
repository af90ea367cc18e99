"""One way to pause Python's cyclic garbage collector around bulk work.

Reading a register, validating it, building a submission and ingesting one each create millions
of short-lived objects that form no cycles. Every automatic collection walks all of them again,
which tripled calamine's `to_python()` and cost a third of an ingest. Reference counting still
frees everything as usual; cycles made meanwhile are collected once the collector runs again.
Counted, so nested or concurrent users (store worker threads) resume it only when the last ends,
and it stays off if the host had switched it off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_users = 0
_resume = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _users, _resume
    with _lock:
        if _users == 0:
            _resume = gc.isenabled()
            gc.disable()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _resume:
                gc.enable()
