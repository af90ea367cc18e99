"""Shared plumbing for the benchmark scripts: run one workload in a fresh process, time it, and
read that process's own peak memory, so each tool is measured alone in the same run.

Peak memory comes from `os.wait4(pid)` on exactly that process (see `LAUNCHER`), not from a
maximum over every child this script has ever started.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORKLOADS = HERE / "_workloads.py"
if str(REPO) not in sys.path:
    sys.path.insert(1, str(REPO))


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of one workload in its own process."""

    seconds: float
    """Wall time from starting the process to its exit (interpreter start-up included)."""
    peak_mb: float
    """Peak resident memory of the process, in MiB."""
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False

    def report(self) -> dict[str, object]:
        """The JSON line a workload prints last on stdout (empty if it printed none)."""
        for line in reversed(self.stdout.strip().splitlines()):
            if line.startswith("{"):
                try:
                    value = json.loads(line)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    return value
        return {}


@dataclass(slots=True)
class Result:
    """The repeated runs of one tool, summarised by their medians (and the best run)."""

    tool: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""
    scale: float = 1.0
    """Multiplier applied to the measured time when it was extrapolated from a sample."""
    failed: str = ""
    """Why the runs do not count although the processes exited cleanly (e.g. unreadable output)."""

    @property
    def ok(self) -> bool:
        clean = all(s.returncode in (0, 1) and not s.timed_out for s in self.samples)
        return not self.failed and bool(self.samples) and clean

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples) * self.scale

    @property
    def best(self) -> float:
        """The fastest run (on a shared machine, the least disturbed), extrapolation applied."""
        return min(s.seconds for s in self.samples) * self.scale

    @property
    def peak_mb(self) -> float:
        return statistics.median(s.peak_mb for s in self.samples)

    @property
    def work_seconds(self) -> float | None:
        """Median of the in-process time the workload reported (excludes start-up), if it did."""
        values = [s.report().get("seconds") for s in self.samples]
        numbers = [float(v) for v in values if isinstance(v, int | float)]
        return statistics.median(numbers) * self.scale if numbers else None


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every measured process: this checkout first on the import path, so
    the benchmark measures this working tree whatever state the venv's editable install is in."""
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


LAUNCHER = """
import os, signal, sys
out, argv = sys.argv[1], sys.argv[2:]
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
pid = os.posix_spawnp(argv[0], argv, os.environ, setsigdef=(signal.SIGTERM, signal.SIGINT))
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
"""
"""Runs a command and records its peak RSS. Linux charges a child, at exec, with the peak RSS of
the process it was forked from; this tiny launcher (`python -S`, a few MB) stands between this
script and the workload, so a workload is never charged with this script's memory."""


def launch(cmd: Sequence[str], rss_file: Path) -> list[str]:
    """`cmd` wrapped by the launcher, which writes the command's peak RSS (KiB) to `rss_file`."""
    return [sys.executable, "-S", "-c", LAUNCHER, str(rss_file), *cmd]


def read_peak_mb(rss_file: Path) -> float:
    try:
        kib = float(rss_file.read_text())
    except (OSError, ValueError):
        return float("nan")
    return (kib / 1024 if sys.platform == "darwin" else kib) / 1024


def measure(cmd: Sequence[str], *, timeout: float | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Sample:
    """Run `cmd` in a fresh process; time it and read its own peak RSS."""
    env = child_env(env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as scratch:
        rss_file = Path(scratch) / "rss"
        start = time.perf_counter()
        proc = subprocess.Popen(
            launch(cmd, rss_file), stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Sample(
            seconds=seconds,
            peak_mb=read_peak_mb(rss_file),
            returncode=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            timed_out=timed_out,
        )


def repeat(tool: str, cmd: Sequence[str], *, times: int, timeout: float | None = None,
           env: dict[str, str] | None = None, log: Callable[[str], None] = print) -> Result:
    """Run a workload `times` times, each in a fresh process; stop early if it fails."""
    return in_rounds({tool: (tool, cmd)}, times=times, timeout=timeout, env=env, log=log)[tool]


def in_rounds(commands: Mapping[str, tuple[str, Sequence[str]]], *, times: int,
              timeout: float | None = None, env: dict[str, str] | None = None,
              log: Callable[[str], None] = print) -> dict[str, Result]:
    """Run each workload (key -> (tool, command)) `times` times, each in a fresh process, taking
    turns: a round runs every tool once. A machine that slows down for a while (another guest
    on the host, say) then slows every tool alike, and the ratios between them hold. A tool
    that fails is not run again."""
    results = {key: Result(tool) for key, (tool, _) in commands.items()}
    for i in range(times):
        for key, (tool, cmd) in commands.items():
            result = results[key]
            if result.samples and not _ran(result.samples[-1]):
                continue
            sample = measure(cmd, timeout=timeout, env=env)
            result.samples.append(sample)
            state = "timed out" if sample.timed_out else f"exit {sample.returncode}"
            log(f"  {tool:<24} run {i + 1}/{times}: {sample.seconds:8.2f} s  "
                f"{sample.peak_mb:8.1f} MB  ({state})")
            if not _ran(sample) and not sample.timed_out:
                tail = (sample.stderr.strip() or sample.stdout.strip()).splitlines() or ["(no output)"]
                log("    " + tail[-1][:300])
    return results


def _ran(sample: Sample) -> bool:
    return sample.returncode in (0, 1) and not sample.timed_out


def workload(name: str, *args: str) -> list[str]:
    """Command line of one peer workload in `_workloads.py`."""
    return [sys.executable, str(WORKLOADS), name, *args]


def xl_brm_command(*args: str) -> list[str]:
    """The real `xl-brm` command: the venv's console script, or the same entry point via -c."""
    script = Path(sys.executable).with_name("xl-brm")
    if script.exists():
        return [sys.executable, str(script), *args]
    entry = "import sys; from xl_brm.launch import main; sys.exit(main())"
    return [sys.executable, "-c", entry, *args]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain Markdown table (pastes straight into the README)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
              for r in rows]
    return "\n".join(lines)


def check_line(ok: bool | None, text: str) -> str:
    mark = "PASS" if ok else ("n/a " if ok is None else "FAIL")
    return f"[{mark}] {text}"


def register_file(workdir: Path, *, benefits: int, months: int, dirty: bool = False) -> Path:
    """The generated register of this size, written once and reused (cached by size and by the
    generators' source, so a changed generator never leaves a stale file being measured).

    `dirty`: the register with ~3% of its cells spoilt (`xl_brm.examples.dirty`); how many
    findings of each rule it should draw is kept beside it (`planted_counts`).
    """
    import hashlib
    import inspect
    from collections import Counter

    from xl_brm.examples import dirty as dirty_examples
    from xl_brm.examples import large as examples
    from xl_brm.examples import write_dirty_register, write_large_register

    workdir.mkdir(parents=True, exist_ok=True)
    source = inspect.getsource(examples) + (inspect.getsource(dirty_examples) if dirty else "")
    tag = hashlib.sha256(source.encode()).hexdigest()[:8]
    kind = "dirty" if dirty else "register"
    path = workdir / f"{kind}-{benefits}x{months}-{tag}.xlsx"
    if path.exists():
        return path

    partial = path.with_suffix(".partial.xlsx")
    start = time.perf_counter()
    if dirty:
        spoilt = write_dirty_register(partial, benefits=benefits, months=months)
        counts = Counter(s.code for s in spoilt)
        path.with_suffix(".planted.json").write_text(json.dumps(dict(sorted(counts.items()))))
    else:
        write_large_register(partial, benefits=benefits, months=months)
    partial.replace(path)
    print(f"  generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) "
          f"in {time.perf_counter() - start:.1f} s")
    return path


def planted_counts(path: Path) -> dict[str, int]:
    """For a dirty register: rule code -> how many findings were planted (empty if clean)."""
    try:
        return {str(k): int(v) for k, v in json.loads(path.with_suffix(".planted.json").read_text()).items()}
    except (OSError, ValueError):
        return {}


def default_workdir() -> Path:
    return Path(tempfile.gettempdir()) / "xl-brm-bench"
