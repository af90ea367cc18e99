"""How fast does a register reach the national store, and how fast is the national summary?

    python tests/benchmarks/bench_store.py           # SQLite + PostgreSQL, 10k/240k, 5M summary
    python tests/benchmarks/bench_store.py --quick       # tiny register, SQLite only
    python tests/benchmarks/bench_store.py --backends postgres --summary-measurements 1000000

For each backend a real store runs in its own process (`create_app` under uvicorn on loopback;
SQLite in a temporary file, PostgreSQL in a database this script creates and drops). The real
sync client (`xl_brm.sync.submit`, in a fresh process each time) then submits the generated
10k-benefit / 240k-measurement register:

* first submit: every approved benefit is new;
* unchanged resubmit: the client sends the content hashes its state file recorded and the
  store says it holds them all (the workbook is not read);
* full resubmit (`full=True`): every row is sent again and the store answers 'unchanged'.

Server ingest rate = measurements stored / seconds the store spent on the POST (from the server's
own request timing). On PostgreSQL the same submission body is then re-addressed to further trusts
and POSTed through the store's own ingest path until the store holds `--summary-measurements`
(default 5M), and `GET /v1/national/summary` is timed. The last line starts `SUMMARY bench_store:`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    HERE,
    Sample,
    check_line,
    child_env,
    default_workdir,
    launch,
    measure,
    read_peak_mb,
    register_file,
    table,
    workload,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SIZES = {"quick": (100, 12), "standard": (10_000, 24)}
TARGETS = {"first_submit_s": 15.0, "resubmit_s": 2.0, "pg_ingest_per_s": 20_000.0, "summary_s": 1.0}


@dataclass(slots=True)
class Server:
    """A store running in its own process."""

    url: str
    proc: subprocess.Popen[bytes]
    timing_log: Path
    rss_file: Path
    peak_mb: float = 0.0

    def requests(self) -> list[dict[str, Any]]:
        if not self.timing_log.exists():
            return []
        return [json.loads(line) for line in self.timing_log.read_text().splitlines() if line]

    def stop(self) -> None:
        """SIGTERM (uvicorn shuts down cleanly), SIGKILL after 20 s; then read its peak memory."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.peak_mb = read_peak_mb(self.rss_file)


@dataclass(slots=True)
class BackendResult:
    backend: str
    first: Sample | None = None
    first_server_s: float | None = None
    resubmits: list[Sample] = field(default_factory=list)
    full_resubmits: list[Sample] = field(default_factory=list)
    full_server_s: list[float] = field(default_factory=list)
    measurements: int = 0
    bulk_rate: float | None = None
    bulk_total: int = 0
    summary_s: list[float] = field(default_factory=list)
    summary_server_s: list[float] = field(default_factory=list)
    server_peak_mb: float = 0.0
    stored: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ingest_rate(self) -> float | None:
        if self.first_server_s and self.measurements:
            return self.measurements / self.first_server_s
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db_url: str, workdir: Path, *, schema: str | None = None) -> Server:
    import httpx

    port = free_port()
    log = workdir / f"server-{port}.timing.jsonl"
    errors = (workdir / f"server-{port}.stderr").open("w")
    rss_file = workdir / f"server-{port}.rss"
    cmd = [sys.executable, str(HERE / "_store_server.py"), db_url, str(port), str(log),
           schema or ""]
    proc = subprocess.Popen(launch(cmd, rss_file), stdout=errors, stderr=errors,
                            start_new_session=True, env=child_env())
    server = Server(url=f"http://127.0.0.1:{port}", proc=proc, timing_log=log, rss_file=rss_file)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            stderr = (workdir / f"server-{port}.stderr").read_text()[-2000:]
            raise SystemExit(f"the store did not start:\n{stderr}")
        try:
            if httpx.get(server.url + "/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit("the store did not answer within 60 s")


def create_pg_database(admin_url: str) -> tuple[str, str]:
    """A fresh database for this run: (its SQLAlchemy URL, its name)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"xl_brm_bench_{os.getpid()}"
    admin = make_url(admin_url)
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False), name


def drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def submit(workbook: Path, server: Server, token: str, *, full: bool = False) -> Sample:
    env = {"XL_BRM_TOKEN": token}
    cmd = [sys.executable, str(HERE / "_store_client.py"), "submit", str(workbook), server.url]
    if full:
        cmd.append("--full")
    return measure(cmd, env=env, timeout=900)


def last_post_seconds(server: Server, before: int) -> float | None:
    posts = [r for r in server.requests()[before:]
             if r["method"] == "POST" and r["path"] == "/v1/submissions"]
    return sum(r["seconds"] for r in posts) if posts else None


def describe(sample: Sample) -> str:
    report = sample.report()
    if sample.returncode != 0 or not report:
        tail = (sample.stderr.strip().splitlines() or ["no output"])[-1]
        return f"FAILED (exit {sample.returncode}): {tail[:300]}"
    return f"{sample.seconds:.2f} s, counts {report.get('counts')}"


def bench_backend(backend: str, args: argparse.Namespace, register: Path, trusts: list[str],
                  measurements: int, benefits: int) -> BackendResult:
    from xl_brm.national import create_token

    result = BackendResult(backend, measurements=measurements)
    work = Path(tempfile.mkdtemp(prefix=f"xl-brm-store-{backend}-", dir=args.workdir))
    pg_name = None
    if backend == "sqlite":
        db_url = f"sqlite:///{work / 'store.db'}"
    else:
        db_url, pg_name = create_pg_database(args.pg_url)
    server = None
    try:
        tokens = {t: create_token(db_url, trust=t) for t in trusts}
        national = create_token(db_url, national=True)
        server = start_server(db_url, work)
        print(f"\n== {backend}: store at {server.url}, {benefits:,} benefits, {measurements:,} "
              f"measurements")
        book = work / register.name
        shutil.copy(register, book)
        token = tokens[trusts[0]]

        before = len(server.requests())
        result.first = submit(book, server, token)
        result.first_server_s = last_post_seconds(server, before)
        print(f"  first submit           {describe(result.first)}"
              + (f"; server {result.first_server_s:.2f} s" if result.first_server_s else ""))
        if result.first.returncode != 0:
            result.problems.append(f"{backend}: first submit failed")
            return result
        stored = stored_measurements(db_url)
        if stored is not None:
            result.measurements = stored  # only approved benefits are sent, with their measurements
            print(f"  stored after first submit: {stored:,} measurements "
                  f"(approved benefits only)")
        for i in range(args.repeat):
            sample = submit(book, server, token)
            result.resubmits.append(sample)
            print(f"  unchanged resubmit {i + 1}/{args.repeat} {describe(sample)}")
        for i in range(args.repeat):
            before = len(server.requests())
            sample = submit(book, server, token, full=True)
            result.full_resubmits.append(sample)
            server_s = last_post_seconds(server, before)
            if server_s is not None:
                result.full_server_s.append(server_s)
            print(f"  full resubmit {i + 1}/{args.repeat}      {describe(sample)}"
                  + (f"; server {server_s:.2f} s" if server_s is not None else ""))

        if backend == "postgres" and args.summary_measurements > 0:
            bulk_summary(result, args, server, book, national, db_url, result.measurements)
        else:
            summary_latency(result, server, national, db_url, times=args.summary_repeat)
        return result
    finally:
        if server is not None:
            server.stop()
            result.server_peak_mb = server.peak_mb
        if pg_name is not None:
            drop_pg_database(args.pg_url, pg_name)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def bulk_summary(result: BackendResult, args: argparse.Namespace, server: Server, book: Path,
                 national: str, db_url: str, per_trust: int) -> None:
    """Fill the store to `--summary-measurements` through its ingest path, then time the summary."""
    from xl_brm.national import create_token

    extra = max(0, -(-(args.summary_measurements - per_trust) // per_trust))
    if extra:
        tokens = {f"X{i:03d}": create_token(db_url, trust=f"X{i:03d}") for i in range(extra)}
        tokens_path = book.with_suffix(".tokens.json")
        tokens_path.write_text(json.dumps(tokens))
        print(f"  bulk-loading {extra} more trusts x {per_trust:,} measurements through "
              f"POST /v1/submissions ...")
        before = len(server.requests())
        sample = measure(workload_bulk(book, server, tokens_path), timeout=3600)
        tokens_path.unlink()
        if sample.returncode != 0:
            result.problems.append("bulk load failed: "
                                   + (sample.stderr.strip().splitlines() or [""])[-1][:300])
            return
        posts = [r for r in server.requests()[before:]
                 if r["method"] == "POST" and r["path"] == "/v1/submissions"]
        server_s = sum(r["seconds"] for r in posts)
        result.bulk_total = per_trust * len(posts)
        result.bulk_rate = result.bulk_total / server_s if server_s else None
        print(f"  bulk load: {len(posts)} submissions, {result.bulk_total:,} measurements, server "
              f"{server_s:.1f} s = {result.bulk_rate or 0:,.0f} measurements/s")
    summary_latency(result, server, national, db_url, times=args.summary_repeat)


def workload_bulk(book: Path, server: Server, tokens_path: Path) -> list[str]:
    return [sys.executable, str(HERE / "_store_client.py"), "bulk", str(book), server.url,
            str(tokens_path)]


def summary_latency(result: BackendResult, server: Server, national: str, db_url: str, *,
                    times: int) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {national}"}
    count = stored_measurements(db_url)
    result.stored = count
    stored = f"{count:,} stored measurements" if count is not None else "the store"
    with httpx.Client(base_url=server.url, timeout=120) as client:
        client.get("/v1/national/summary", headers=headers)  # warm the connection and caches
        for _ in range(times):
            before = len(server.requests())
            start = time.perf_counter()
            response = client.get("/v1/national/summary", headers=headers)
            result.summary_s.append(time.perf_counter() - start)
            server_rows = [r for r in server.requests()[before:]
                           if r["path"] == "/v1/national/summary"]
            result.summary_server_s.extend(r["seconds"] for r in server_rows)
            if response.status_code != 200:
                result.problems.append(
                    f"summary: HTTP {response.status_code} {response.text[:200]}")
                return
    print(f"  national summary over {stored}: "
          f"median {statistics.median(result.summary_s) * 1000:.0f} ms, "
          f"max {max(result.summary_s) * 1000:.0f} ms ({times} calls)")


def stored_measurements(db_url: str) -> int | None:
    """Measurements of current benefit versions, counted in the store's own tables."""
    from sqlalchemy import create_engine, func, select

    from xl_brm.national import tables

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            cb, m = tables.current_benefits, tables.measurements
            return int(conn.execute(
                select(func.count()).select_from(m.join(cb, cb.c.version_id == m.c.version_id))
            ).scalar_one())
    except Exception:
        return None
    finally:
        engine.dispose()


def med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def render(results: list[BackendResult]) -> str:
    rows = []
    for r in results:
        def seconds(samples: list[Sample]) -> str:
            ok = [s.seconds for s in samples if s.returncode == 0]
            return f"{statistics.median(ok):.2f}" if ok else "-"
        full_server = med(r.full_server_s)
        rows.append([
            r.backend,
            f"{r.first.seconds:.2f}" if r.first and r.first.returncode == 0 else "failed",
            f"{r.first_server_s:.2f}" if r.first_server_s else "-",
            f"{r.ingest_rate:,.0f}" if r.ingest_rate else "-",
            seconds(r.resubmits),
            seconds(r.full_resubmits) + (f" ({full_server:.2f})" if full_server else ""),
            f"{r.bulk_rate:,.0f} over {r.bulk_total / 1e6:.1f}M" if r.bulk_rate else "-",
            f"{statistics.median(r.summary_s) * 1000:.0f}" if r.summary_s else "-",
            f"{r.server_peak_mb:.0f}",
        ])
    return table(["store", "first submit s", "server s", "ingest meas/s", "unchanged resubmit s",
                  "full resubmit s (server)", "bulk ingest meas/s", "summary ms", "server peak MB"],
                 rows)


def checks(results: list[BackendResult], args: argparse.Namespace) -> list[tuple[bool | None, str]]:
    out: list[tuple[bool | None, str]] = []
    for r in results:
        if r.first is None or r.first.returncode != 0:
            out.append((False, f"{r.backend}: first submit failed"))
            continue
        out.append((r.first.seconds <= TARGETS["first_submit_s"],
                    f"{r.backend}: first submit {r.first.seconds:.2f} s (target <= 15 s)"))
        resub = [s.seconds for s in r.resubmits if s.returncode == 0]
        if resub:
            value = statistics.median(resub)
            out.append((value <= TARGETS["resubmit_s"],
                        f"{r.backend}: unchanged resubmit {value:.2f} s (target <= 2 s)"))
        if r.backend == "postgres":
            rates = [x for x in (r.ingest_rate, r.bulk_rate) if x]
            if rates:
                rate = min(rates)
                out.append((rate >= TARGETS["pg_ingest_per_s"],
                            f"postgres: ingest {rate:,.0f} measurements/s (slowest of first submit "
                            f"and bulk load; target >= 20,000/s)"))
            if r.summary_s:
                value = statistics.median(r.summary_s)
                total = r.stored if r.stored is not None else r.measurements + r.bulk_total
                out.append((value <= TARGETS["summary_s"] if total >= 5_000_000 else None,
                            f"postgres: national summary {value * 1000:.0f} ms over "
                            f"{total / 1e6:.2f}M measurements (target <= 1 s over 5M)"))
    for r in results:
        out.extend((False, p) for p in r.problems)
    if args.quick:
        out = [(None, text + " [quick: targets apply to 10k/240k]") for _ok, text in out]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny register, SQLite only, one run")
    parser.add_argument("--workdir", type=Path, default=None,
                        help=f"where registers are cached (default {default_workdir()})")
    parser.add_argument("--backends", default=None, help="sqlite,postgres (default both)")
    parser.add_argument("--pg-url", default=os.environ.get("XL_BRM_TEST_PG", DEFAULT_PG),
                        help="an existing PostgreSQL database to connect through (a fresh database "
                             "is created beside it and dropped afterwards)")
    parser.add_argument("--summary-measurements", type=int, default=None,
                        help="fill PostgreSQL to this many measurements before timing the summary "
                             "(default 5,000,000; 0 with --quick)")
    parser.add_argument("--summary-repeat", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=None, help="resubmits per kind (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the stores' temporary folders")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows even when piped to a file
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    backends = (args.backends or ("sqlite" if args.quick else "sqlite,postgres")).split(",")
    if args.summary_measurements is None:
        args.summary_measurements = 0 if args.quick else 5_000_000
    scratch = None
    if args.workdir is None:
        if args.quick:
            scratch = tempfile.TemporaryDirectory(prefix="xl-brm-bench-")
            args.workdir = Path(scratch.name)
        else:
            args.workdir = default_workdir()
    args.workdir.mkdir(parents=True, exist_ok=True)

    benefits, months = SIZES["quick" if args.quick else "standard"]
    register = register_file(args.workdir, benefits=benefits, months=months)
    probe = measure(workload("probe", str(register)))
    info = json.loads(probe.stdout) if probe.returncode == 0 else {}
    trusts = info.get("Benefits", {}).get("trusts") or []
    measurements = info.get("Measurements", {}).get("rows", benefits * months)
    if not trusts:
        sys.exit(f"could not find the register's trust code: {probe.stderr[-500:]}")
    print(f"xl-brm store benchmark: {register.name}, trusts {trusts}, backends {backends}")
    results = []
    for backend in backends:
        try:
            results.append(bench_backend(backend, args, register, trusts, measurements, benefits))
        except (SystemExit, Exception) as error:
            failed = BackendResult(backend, measurements=measurements)
            failed.problems.append(f"{backend}: {type(error).__name__}: {str(error)[:400]}")
            print(f"  {backend} FAILED: {error}")
            results.append(failed)
    print()
    print(render(results))
    print()
    verdicts = checks(results, args)
    for ok, text in verdicts:
        print(check_line(ok, text))
    parts = []
    for r in results:
        if r.first is not None and r.first.returncode == 0:
            resub = med([s.seconds for s in r.resubmits if s.returncode == 0])
            text = f"{r.backend} first {r.first.seconds:.1f} s"
            if resub is not None:
                text += f", resubmit {resub:.2f} s"
            if r.ingest_rate:
                text += f", ingest {r.ingest_rate:,.0f}/s"
            if r.summary_s:
                text += f", summary {statistics.median(r.summary_s) * 1000:.0f} ms"
            parts.append(text)
        else:
            parts.append(f"{r.backend} FAILED")
    decided = [ok for ok, _t in verdicts if ok is not None]
    parts.append(f"{sum(decided)}/{len(decided)} targets met" if decided else "targets not judged")
    print("SUMMARY bench_store: " + "; ".join(parts))
    if scratch is not None:
        scratch.cleanup()
    return 0 if all(r.first is not None and r.first.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
