"""Every command on hundreds of hostile workbooks: findings or one clear error, in bounded time
and memory, never a traceback.

    python tests/fuzz/fuzz_workbooks.py                  # 400 files, a fresh seed (printed)
    python tests/fuzz/fuzz_workbooks.py --seed 1234      # the same files again
    python tests/fuzz/fuzz_workbooks.py --seed 1234 --only 17 --keep /tmp/fuzz   # one file, kept

Each file (`workbook_mutations.mutants`) goes through `validate`, `compute`, `validate
--annotate`, `map` and `submit --dry-run` (against a real national store on loopback, with
the token of the trust the file came from). Each command is the real `xl-brm` entry point in
a process of its own, forked from this one once the command line is imported (2,000 commands
would otherwise spend most of their time importing Python). Its wall time and the peak
resident memory of its process tree (the command, and the reader it forks) are measured.

A command passes when it exits 0, 1 or 2, says nothing that looks like a traceback or a Rust
panic, names the file when it exits 2, takes at most `--seconds` and `--megabytes`, and, for a
file the safety gate must refuse, exits 2. The last line starts with `SUMMARY fuzz_workbooks:`.
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from workbook_mutations import Mutant, mutants

from xl_brm.demo import TRUSTS as DEMO_TRUSTS

REPO = Path(__file__).resolve().parents[2]
TRUSTS = {Path(name).stem: ods for name, ods in DEMO_TRUSTS.items()}
"""Example file stem -> its trust, whose token a submission of its mutants carries."""
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": ("validate", "{path}", "--format", "json"),
    "compute": ("compute", "{path}", "--as-of", "2020-09", "--format", "json"),
    "annotate": ("validate", "{path}", "--annotate", "{out}", "--format", "json"),
    "map": ("map", "{path}", "--out", "{out}/saved.mapping.ini"),
    "submit": ("submit", "{path}", "--url", "{url}", "--dry-run"),
}
SMELLS = ("Traceback (most recent call last)", "panicked at", "memory allocation of", "stack backtrace")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    command: str
    mutant: Mutant
    code: int
    seconds: float
    megabytes: float
    stdout: str
    stderr: str
    cpu: float = 0.0
    """CPU seconds of the command and the reader it forked."""
    problems: list[str] = field(default_factory=list)


# -- one command in a process of its own ---------------------------------------------------------


@dataclass
class Job:
    """One command running in a process of its own (forked from this one)."""

    command: str
    mutant: Mutant
    pid: int
    started: float
    out: IO[bytes]
    err: IO[bytes]
    peak: int = 0


def start(command: str, mutant: Mutant, args: list[str], env: dict[str, str]) -> Job:
    """Fork a process that runs `xl-brm ARGS` through its real entry point (this process has
    imported and warmed the command line, so the fork starts where a fresh process would be
    after its imports)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115  (kept by the Job until the command ends)
    err = tempfile.TemporaryFile()  # noqa: SIM115
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the command
        code = 3
        try:
            os.setpgid(0, 0)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            # fresh streams on the redirected descriptors (pytest may have replaced sys.stdout)
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), encoding="utf-8",
                                          write_through=True)
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), encoding="utf-8",
                                          write_through=True)
            os.environ.update(env)
            # this process's own clean-up (its temporary folder) is not the command's to run
            atexit.unregister(weakref.finalize._exitfunc)  # type: ignore[attr-defined]
            sys.argv = ["xl-brm", *args]
            from xl_brm.launch import main

            try:
                main()
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)
    return Job(command, mutant, pid, started, out, err)


def finish(job: Job, timeout: float) -> Run | None:
    """The job's run once it has ended (killed at `timeout`), else None; samples its memory."""
    done, raw, usage = os.wait4(job.pid, os.WNOHANG)
    if not done:
        job.peak = max(job.peak, _tree_rss(job.pid))
        if time.perf_counter() - job.started > timeout:
            with _quiet():
                os.killpg(job.pid, signal.SIGKILL)
        return None
    seconds = time.perf_counter() - job.started
    peak = max(job.peak, usage.ru_maxrss * 1024)  # the largest process, its reaped children included
    with _quiet():
        os.killpg(job.pid, signal.SIGKILL)  # nothing of the command may outlive it
    job.out.seek(0)
    job.err.seek(0)
    return Run(job.command, job.mutant, os.waitstatus_to_exitcode(raw), seconds, peak / 2**20,
               job.out.read().decode("utf-8", "replace"), job.err.read().decode("utf-8", "replace"),
               cpu=usage.ru_utime + usage.ru_stime)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], (ProcessLookupError, PermissionError))  # type: ignore[arg-type]


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, now."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
            with open(f"/proc/{p}/task/{p}/children", "rb") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


# -- the national store -------------------------------------------------------------------------


class Store:
    """`xl-brm national serve` on loopback with SQLite, and a token for each example trust."""

    def __init__(self, folder: Path) -> None:
        from xl_brm.national import create_token

        self.db = f"sqlite:///{folder / 'national.db'}"
        self.tokens = {ods: create_token(self.db, trust=ods) for ods in TRUSTS.values()}
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "XL_BRM_REQUESTS_PER_MINUTE": "1000000", "PYTHONWARNINGS": "ignore"}
        with open(folder / "store.log", "wb") as log:  # the server keeps its own handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", "xl_brm", "national", "serve", "--db", self.db,
                 "--port", str(self.port)],
                stdout=subprocess.DEVNULL, stderr=log, cwd=folder, env=env)
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"the national store did not start: see {folder / 'store.log'}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


# -- judging ----------------------------------------------------------------------------------


def busy() -> float:
    """How many times over the machine's cores are booked (1 when idle or just busy): a time
    limit set for an idle machine is stretched by this on a shared one."""
    return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def judge(run: Run, *, seconds: float, megabytes: float) -> None:
    said = run.stdout + run.stderr
    name = run.mutant.name
    if run.code < 0:
        run.problems.append(f"ended by signal {-run.code}")
    elif run.code not in (0, 1, 2):
        run.problems.append(f"exit code {run.code}")
    for smell in SMELLS:
        if smell in said:
            run.problems.append(f"printed {smell!r}")
    if run.code == 2 and name not in said and Path(name).stem not in said:
        run.problems.append("exit 2 without naming the file")
    allowed = seconds * busy()
    if run.seconds > allowed:
        run.problems.append(
            f"took {run.seconds:.1f} s (limit {allowed:.0f}: {seconds:g} s on an idle machine)")
    if run.megabytes > megabytes:
        run.problems.append(f"peaked at {run.megabytes:.0f} MB (limit {megabytes:g})")
    if run.mutant.must_refuse and run.code != 2:
        run.problems.append(f"exit {run.code}: the safety gate must refuse this file")


def fuzz(seed: int, count: int, *, shard: tuple[int, int] = (0, 1), only: set[int] | None = None,
         seconds: float = 10.0, megabytes: float = 1024.0, jobs: int = 2, keep: Path | None = None,
         log: bool = True) -> tuple[list[Run], float]:
    """Run every command on `count` mutants of `seed` (those of this `shard`, or `only`),
    `jobs` commands at a time."""
    started = time.perf_counter()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="xl-brm-fuzz-") as tmp:
        folder = Path(tmp)
        warm_up(folder)
        store = Store(folder)
        running: list[Job] = []
        left: dict[str, int] = {}
        try:
            work = _commands(folder, store, _chosen(seed, count, shard, only))
            while True:
                while len(running) < jobs and (next_job := next(work, None)) is not None:
                    command, mutant, args, env = next_job
                    left[mutant.name] = left.get(mutant.name, 0) + 1
                    running.append(start(command, mutant, args, env))
                if not running:
                    break
                for job in list(running):
                    run = finish(job, timeout=max(60.0, 3 * seconds))
                    if run is None:
                        continue
                    running.remove(job)
                    judge(run, seconds=seconds, megabytes=megabytes)
                    runs.append(run)
                    _report(run, seed, count, keep, log)
                    left[run.mutant.name] -= 1
                    if not left[run.mutant.name]:
                        (folder / run.mutant.name).unlink(missing_ok=True)
                time.sleep(0.005)
        finally:
            for job in running:
                with _quiet():
                    os.killpg(job.pid, signal.SIGKILL)
            store.stop()
    return runs, time.perf_counter() - started


def _commands(folder: Path, store: Store, chosen: Iterator[tuple[int, Mutant]]
              ) -> Iterator[tuple[str, Mutant, list[str], dict[str, str]]]:
    for index, mutant in chosen:
        path = folder / mutant.name
        path.write_bytes(mutant.data)
        out = folder / f"out-{index}"
        out.mkdir()
        base = mutant.name.removesuffix(".xlsx").rsplit("-", 1)[-1]
        trust = next(ods for stem, ods in TRUSTS.items() if base.startswith(stem))
        env = {"XL_BRM_TOKEN": store.tokens[trust], "COLUMNS": "160"}
        for command, template in COMMANDS.items():
            yield command, mutant, [a.format(path=path, out=out, url=store.url) for a in template], env


def _report(run: Run, seed: int, count: int, keep: Path | None, log: bool) -> None:
    if not run.problems:
        return
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / run.mutant.name).write_bytes(run.mutant.data)
    if log:
        print(f"FAIL {run.mutant.name} {run.command}: {'; '.join(run.problems)}\n"
              f"  reproduce: python tests/fuzz/fuzz_workbooks.py --seed {seed} --files {count} "
              f"--only {run.mutant.index} --keep /tmp/xl-brm-fuzz\n"
              f"  stderr: {run.stderr[-600:]}", flush=True)


def warm_up(folder: Path) -> None:
    """Import and run every command once here, on a clean example, so that each forked command
    starts with the modules, compiled patterns and caches a long-lived process would have."""
    from xl_brm.cli import app

    example = REPO / "workbooks" / "examples" / "community_taj.xlsx"
    saved = sys.stdout, sys.stderr, sys.argv
    with open(os.devnull, "w") as sink:
        sys.stdout = sys.stderr = sink
        try:
            for template in COMMANDS.values():
                if "submit" in template:
                    import xl_brm.sync  # noqa: F401  (no store yet: import only)
                    continue
                sys.argv = ["xl-brm", *(a.format(path=example, out=folder, url="") for a in template)]
                with contextlib.suppress(SystemExit):
                    app()
        finally:
            sys.stdout, sys.stderr, sys.argv = saved


def _chosen(seed: int, count: int, shard: tuple[int, int],
            only: set[int] | None) -> Iterator[tuple[int, Mutant]]:
    part, parts = shard
    wanted = only if only is not None else {i for i in range(count) if i % parts == part}
    yield from ((m.index, m) for m in mutants(seed, count, wanted))


def summary(runs: list[Run], elapsed: float, seed: int) -> str:
    files = len({r.mutant.name for r in runs})
    lines = [f"seed {seed}: {files} files, {len(runs)} commands in {elapsed:.1f} s "
             f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"]
    lines.append(f"{'command':<9} {'exit 0/1/2':>11} {'cpu s':>6} {'worst s':>8}  {'file':<46} "
                 f"{'worst MB':>9}  file")
    for command in COMMANDS:
        mine = [r for r in runs if r.command == command]
        if not mine:
            continue
        codes = Counter(r.code for r in mine)
        slow = max(mine, key=lambda r: r.seconds)
        big = max(mine, key=lambda r: r.megabytes)
        cpu = sum(r.cpu for r in mine)
        lines.append(f"{command:<9} {codes[0]:>3}/{codes[1]:>3}/{codes[2]:>3} {cpu:>6.1f} "
                     f"{slow.seconds:>8.2f}  {slow.mutant.name[:46]:<46} {big.megabytes:>9.0f}  "
                     f"{big.mutant.name[:46]}")
    by_family = Counter(r.mutant.family for r in runs if r.command == "validate")
    refused = Counter(r.mutant.family for r in runs if r.command == "validate" and r.code == 2)
    lines.append("families (refused/files): " + ", ".join(
        f"{f} {refused[f]}/{n}" for f, n in sorted(by_family.items())))
    failed = [r for r in runs if r.problems]
    lines.append(f"SUMMARY fuzz_workbooks: seed {seed}, {files} files, {len(runs)} commands, "
                 f"{len(failed)} failed, {elapsed:.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh one, printed")
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--shard", default="0/1", help="K/N: only files i with i %% N == K")
    parser.add_argument("--only", type=int, nargs="*", help="only these file numbers")
    parser.add_argument("--seconds", type=float, default=10.0, help="limit per command")
    parser.add_argument("--megabytes", type=float, default=1024.0, help="limit per command")
    parser.add_argument("--jobs", type=int, default=2, help="commands at a time")
    parser.add_argument("--keep", type=Path, help="keep failing files here")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    part, parts = (int(x) for x in args.shard.split("/"))
    print(f"fuzz_workbooks: seed {seed} (reproduce with --seed {seed})", flush=True)
    runs, elapsed = fuzz(seed, args.files, shard=(part, parts), only=set(args.only) if args.only else None,
                         seconds=args.seconds, megabytes=args.megabytes, jobs=args.jobs, keep=args.keep)
    print(summary(runs, elapsed, seed))
    sys.exit(1 if any(r.problems for r in runs) else 0)


if __name__ == "__main__":
    main()
