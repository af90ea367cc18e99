"""Helpers of the sync tests: small submissions, a scripted store for retry paths (the one place
mocks are allowed), and a real uvicorn store process on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from xl_brm.contract import (
    BenefitIn,
    ClientInfo,
    MeasurementIn,
    SheetSource,
    SourceInfo,
    SubmissionIn,
)
from xl_brm.sync import Prepared, RetryPolicy

FAST = RetryPolicy(
    attempts=5, timeout=10.0, wait_initial=0.001, wait_max=0.01, wait_jitter=0.001,
    connect_timeout=2.0, read_timeout=5.0,
)
"""A retry policy that does not make the tests wait."""

TOKEN = "xlbrm_test-token-DO-NOT-LEAK-6f1c2a9e"


def scripted_hash(benefit: dict[str, Any]) -> str:
    """The scripted store's content hash of one benefit of a body (its JSON, keys sorted)."""
    return hashlib.sha256(json.dumps(benefit, sort_keys=True).encode()).hexdigest()


def make_prepared(contents: dict[str, float], *, trust: str = "RJ1") -> Prepared:
    """A submission of benefits `id -> one measurement value`, hashed as the scripted store
    hashes them (so it can say which it holds)."""
    benefits = []
    for row, (benefit_id, value) in enumerate(sorted(contents.items()), start=2):
        benefits.append(
            BenefitIn(
                row=row,
                fields={"benefit_id": benefit_id, "trust_ods": trust, "title": "Fewer errors"},
                measurements=[MeasurementIn(row=row, period="2019-10", value=value)],
            )
        )
    body = SubmissionIn(
        trust_ods=trust,
        rules_version="test",
        client=ClientInfo(name="xl-brm", version="0.1.0"),
        source=SourceInfo(
            path="register.xlsx",
            benefits=SheetSource(
                sheet="Benefits", header_row=1,
                columns={"benefit_id": "A", "trust_ods": "B", "title": "C"},
            ),
            measurements=SheetSource(
                sheet="Measurements", header_row=1,
                columns={"benefit_id": "A", "period": "B", "value": "C"},
            ),
        ),
        benefits=benefits,
    )
    prepared = Prepared(body=body)
    prepared.hashes = {b["fields"]["benefit_id"]: scripted_hash(b)
                       for b in prepared.data["benefits"]}
    return prepared


def store_hashes(body: dict[str, Any]) -> list[str | None]:
    """Content hashes as the real store computes them (its own `assess`, no database)."""
    from xl_brm.national.ingest import assess

    verdicts = assess(SubmissionIn.model_validate(body)).verdicts
    return [v.content_hash for v in verdicts]


@dataclass
class ScriptedStore:
    """An in-memory stand-in for the store's submission and hashes endpoints, for retry and
    replay paths.

    `script` is a queue of what to do with the next submissions: 'ok', a status code, or an
    exception instance to raise (a transport error). Once empty, every submission is 'ok'.
    `hashes_script` does the same for the hashes endpoint. Like the real store it replays the
    stored answer for a key it has seen, answers 'unchanged' for content it holds, and says
    which content hashes it holds. `hashes` computes a body's content hashes: by default
    `scripted_hash` (what `make_prepared` uses), `store_hashes` for bodies read from real
    workbooks.
    """

    script: list[Any] = field(default_factory=list)
    hashes_script: list[Any] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, tuple[int, str]] = field(default_factory=dict)
    retry_after: str | None = None
    applied: int = 0
    problem: dict[str, Any] = field(default_factory=dict)
    """Extra members of the problem body of a scripted error answer."""
    hashes: Callable[[dict[str, Any]], list[str | None]] = field(
        default=lambda body: [scripted_hash(b) for b in body["benefits"]]
    )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        held = request.url.path.endswith("/hashes")
        queue = self.hashes_script if held else self.script
        step = queue.pop(0) if queue else "ok"
        if isinstance(step, Exception):
            raise step
        if isinstance(step, int):
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return httpx.Response(
                step,
                headers={**headers, "Content-Type": "application/problem+json"},
                json={"type": "about:blank", "title": f"status {step}", "status": step,
                      "detail": "scripted", **self.problem},
            )
        if held:
            sent = json.loads(request.content)["hashes"]
            trust = request.url.path.split("/")[3]
            return httpx.Response(200, json={"trust_ods": trust, "held": {
                b: self.versions[b][0] for b, h in sent.items()
                if b in self.versions and self.versions[b][1] == h
            }})
        key = request.headers.get("Idempotency-Key")
        if key and key in self.answers:
            return httpx.Response(200, json=self.answers[key])
        dry_run = "dry_run" in request.url.query.decode()
        answer = self._apply(json.loads(request.content), dry_run=dry_run)
        if key:
            self.answers[key] = answer
        return httpx.Response(200, json=answer)

    def _apply(self, body: dict[str, Any], *, dry_run: bool) -> dict[str, Any]:
        results = []
        for benefit, digest in zip(body["benefits"], self.hashes(body), strict=True):
            benefit_id = benefit["fields"]["benefit_id"]
            assert digest is not None, f"the store would reject {benefit_id}"
            version, old = self.versions.get(benefit_id, (0, ""))
            status = "unchanged" if old == digest else "accepted"
            if status == "accepted":
                version += 1
                if not dry_run:
                    self.versions[benefit_id] = (version, digest)
                    self.applied += 1
            results.append({"benefit_id": benefit_id, "row": benefit["row"], "status": status,
                            "version": version, "content_hash": digest, "findings": []})
        counts = {s: sum(r["status"] == s for r in results)
                  for s in ("accepted", "unchanged", "rejected")}
        return {"submission_id": str(uuid.uuid4()), "trust_ods": body["trust_ods"],
                "rules_version": body["rules_version"], "dry_run": dry_run,
                "results": results, "counts": counts}

    def submissions(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == "/v1/submissions"]

    def hash_queries(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/hashes")]


# --- a real store on loopback -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVER_SCRIPT = """
import sys, uvicorn
from xl_brm.national import StoreSettings, create_app
settings = StoreSettings(db=sys.argv[1], db_schema=sys.argv[3] or None,
                         requests_per_minute=1_000_000)
app = create_app(settings)
if sys.argv[4] == "standby":
    sys.stdin.readline()  # warm and migrated; serve when told to
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", access_log=False, timeout_keep_alive=30)
"""

REPO = Path(__file__).resolve().parents[2]


@dataclass
class StoreProcess:
    """A real national store: uvicorn in its own process, so it can be killed for real.

    With `standby=True` a second, fully imported store process waits beside the live one, the
    way a process supervisor keeps a hot spare: after a SIGKILL, `start()` tells the spare to
    bind the port (well under a second) instead of paying for Python imports again.
    """

    db_url: str
    port: int
    schema: str | None = None
    log_path: Path | None = None
    standby: bool = False
    process: subprocess.Popen[bytes] | None = None
    spare: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, mode: str) -> subprocess.Popen[bytes]:
        args = [sys.executable, "-c", SERVER_SCRIPT, self.db_url, str(self.port),
                self.schema or "", mode]
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        if self.log_path is None:
            return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, cwd=REPO, env=env)
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the handle
            return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=log, stderr=log,
                                    cwd=REPO, env=env)

    def start(self, *, wait: bool = True) -> None:
        if self.spare is not None and self.spare.poll() is None:
            assert self.spare.stdin is not None
            self.spare.stdin.write(b"go\n")
            self.spare.stdin.flush()
            self.process, self.spare = self.spare, None
        else:
            self.process = self._spawn("serve")
        self.starts += 1
        if wait:
            self.wait_ready()
        if self.standby:
            self.spare = self._spawn("standby")

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"store exited with {code}; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("store did not start")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no flush — a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()

    def stop(self) -> None:
        for proc in (self.spare, self.process):
            if proc is None:
                continue
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdin is not None:
                proc.stdin.close()
        self.spare = None


def prepare_db(db_url: str, schema: str | None = None) -> tuple[str, str]:
    """Migrate a store database and issue a trust token for RJ1 and a national token."""
    from xl_brm.national import create_token

    trust = create_token(db_url, trust="RJ1", db_schema=schema)
    national = create_token(db_url, national=True, db_schema=schema)
    return trust, national


