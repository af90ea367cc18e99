"""Validate many files on every core, so that one crashing file never takes the others down.

Each worker is memory-limited as a forked reader is (`sandbox.limit_memory`), and gates each
file before it parses it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

from xl_brm import sandbox
from xl_brm.api import Options
from xl_brm.findings import FileReport
from xl_brm.sandbox import check


def validate_many(
    paths: Sequence[Path],
    options: Options,
    *,
    annotate_dir: Path | None = None,
    on_done: Callable[[FileReport], None] = lambda _r: None,
) -> list[FileReport]:
    """Reports in the order of `paths`. Small runs stay in this process; larger ones use a pool,
    and a file that kills its worker process is retried alone and reported, not fatal."""
    if len(paths) == 1 and sandbox.available():
        reports = [sandbox.validate(paths[0], partial(check, paths[0], options, annotate_dir))]
        on_done(reports[0])
        return reports
    sandbox.stop_early()  # started for a lone workbook the command line did not turn out to name
    if len(paths) <= 1 or (os.cpu_count() or 1) == 1:
        reports = []
        for path in paths:
            reports.append(check(path, options, annotate_dir))
            on_done(reports[-1])
        return reports
    results: dict[int, FileReport] = {}
    pending = list(range(len(paths)))
    try:
        for i, report in _pooled(paths, pending, options, annotate_dir):
            results[i] = report
            on_done(report)
    except BrokenProcessPool:
        for i in [i for i in pending if i not in results]:
            results[i] = _isolated(paths[i], options, annotate_dir)
            on_done(results[i])
    return [results[i] for i in range(len(paths))]


def _pooled(
    paths: Sequence[Path], indices: list[int], options: Options, annotate_dir: Path | None
) -> Iterator[tuple[int, FileReport]]:
    from concurrent.futures import as_completed

    workers = min(len(indices), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers, initializer=sandbox.limit_memory) as pool:
        futures: dict[Future[FileReport], int] = {
            pool.submit(check, paths[i], options, annotate_dir): i for i in indices
        }
        for future in as_completed(futures):
            yield futures[future], future.result()


def _isolated(path: Path, options: Options, annotate_dir: Path | None) -> FileReport:
    """Run one file in a fresh process; if that process dies, the file is reported as unreadable."""
    try:
        with ProcessPoolExecutor(max_workers=1, initializer=sandbox.limit_memory) as pool:
            return pool.submit(check, path, options, annotate_dir).result()
    except BrokenProcessPool:
        return sandbox.crashed(path)
