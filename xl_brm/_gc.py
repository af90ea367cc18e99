"""One way to pause Python's cyclic garbage collector around bulk work.

Reading a register, validating it, building a submission and ingesting one each create millions
of short-lived objects that form no cycles. Every automatic collection walks all of them again,
which tripled calamine's `to_python()` and cost a third of an ingest. Reference counting still
frees everything as usual; cycles made meanwhile are collected once the collector runs again.
Counted, so nested or concurrent users (store worker threads) resume it only when the last ends,
and it stays off if the host had switched it off. `XL_BRM_PLAIN=1` (`xl_brm._speed`)
leaves the collector alone.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from xl_brm._speed import plain

_lock = threading.Lock()
_users = 0
_resume = False


PROMOTE_AFTER = 50_000
"""Tracked objects made while paused above which they are promoted on resuming."""


@contextmanager
def gc_paused() -> Iterator[None]:
    global _users, _resume
    if plain():
        yield
        return
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
                _promote_survivors()
                gc.enable()


def _promote_survivors() -> None:
    """Move what a large piece of work built straight to the collector's oldest generation.

    Re-enabled, the collector would first scan every object made while it was paused (a
    Register: ~500k measurements and their dicts, ~0.1 s) only to find them all alive, then
    scan them again one generation up. They hold no cycles, so `freeze` + `unfreeze` moves them
    (and anything else young) to the oldest generation without a scan; garbage among them is
    still freed by a full collection. Skipped when someone else has frozen objects, so as not
    to unfreeze theirs.
    """
    if gc.get_count()[0] > PROMOTE_AFTER and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
