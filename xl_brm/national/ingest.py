"""Receive one submission: re-validate, decide per benefit, store new versions exactly once.

    assess()   body -> RawWorkbook -> validate_workbook -> per-benefit verdicts (no database)
    submit()   idempotency + locking around assess() and the write

Concurrency. On PostgreSQL a transaction first takes a *try* advisory lock on (trust, key): if
another worker holds it the first request is still in progress and we answer 409. It then takes
an advisory lock on the trust, so one trust's submissions are applied one at a time (different
trusts run in parallel), and re-reads the key inside the lock to replay a request that finished
meanwhile. Unique constraints on (trust, key) and (trust, benefit, version) back this up.
On SQLite every write runs under BEGIN IMMEDIATE, so writers are serialised anyway; a
process-local set of keys in flight gives the 409.

All or nothing. A submission is stored in one transaction, with its answer (serialised as
strict JSON before anything is written, so an answer that could not be sent is never kept for
replay): any failure rolls all of it back, and the 500 then says truthfully that nothing was
stored (or, if the commit itself failed, that the retry will tell). A value no register can
hold (`REFUSED`: implausible numbers, control characters, periods outside the window)
refuses the whole submission with 422, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, text

from xl_brm._gc import gc_paused
from xl_brm.enums import ApprovalStatus
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Measurement, benefit_json, content_hash
from xl_brm.national import tables
from xl_brm.national.db import Database
from xl_brm.national.figures import FyValue, fy_values
from xl_brm.national.problems import ProblemError
from xl_brm.national.rebuild import to_raw_workbook
from xl_brm.national.schemas import SubmissionIn

NOT_APPROVED = "NAT101"
"""The store's own finding (not a workbook rule): only approved benefits may be submitted."""
OTHER_TRUST = "BRM406"
"""The catalogue's trust-mismatch rule, applied against the submitting token's trust."""

log = logging.getLogger("xl_brm.national.ingest")

REFUSED = frozenset({"BRM206", "BRM214", "BRM215", "BRM216"})
"""Rules whose findings mean a value no register can hold (SPEC §2.1, §3, §7.3): attribution
outside 0-100%, numbers beyond their plausible bounds, control characters, periods outside the
window. The store refuses the whole submission with 422 naming each cell, as the wire schema
refuses NaN."""

KEY_LOCK_CLASS = 0x7862  # 'xb': advisory lock class ids for (trust, key) and trust locks
TRUST_LOCK_CLASS = 0x7863


@dataclass(slots=True)
class Verdict:
    """The store's view of one submitted benefit, before versions are known."""

    benefit_id: str | None
    row: int
    findings: list[dict[str, Any]]
    benefit: Benefit | None = None
    measurements: list[Measurement] = field(default_factory=list)
    content_hash: str | None = None
    status: str = "rejected"
    version: int | None = None

    @property
    def candidate(self) -> bool:
        return self.benefit is not None


@dataclass(slots=True)
class Assessment:
    verdicts: list[Verdict]
    findings: list[dict[str, Any]]
    """Findings that belong to no single benefit."""


def lock_text(db: Database, *parts: str) -> str:
    """What an advisory lock is taken on. Advisory locks are database-wide, so the schema is
    part of it: two stores in one database (e.g. tests) never wait for each other."""
    return " ".join((db.schema or "public", *parts))


def request_hash(body: SubmissionIn, raw: bytes | None = None) -> str:
    """What "the same body" means for an idempotency key: the same bytes, as the sync client
    resends them (hashing 35 MB of bytes is far cheaper than re-serialising the model)."""
    return hashlib.sha256(raw if raw is not None else body.model_dump_json().encode()).hexdigest()


def _store_finding(
    code: str, message: str, sheet: str, row: int, column: str | None, cell: str | None, value: Any
) -> dict[str, Any]:
    return Finding(
        code=code,
        severity="error",
        message=message,
        sheet=sheet,
        row=row,
        column=column,
        cell=cell,
        value=value,
    ).to_json()


def assess(body: SubmissionIn, *, today: date | None = None) -> Assessment:
    """Run the rule engine over the submitted cells and decide which benefits may be stored."""
    from xl_brm.validate import Defaults, validate_workbook

    clock = _Clock()
    raw = to_raw_workbook(body)
    clock.lap("rebuild")
    validation = validate_workbook(raw, defaults=Defaults(trust_ods=body.trust_ods), today=today)
    clock.lap("validate")
    bsheet = body.source.benefits.sheet
    msheet = body.source.measurements.sheet if body.source.measurements else None
    verdicts: list[Verdict] = []
    for b in body.benefits:
        raw_id = b.fields.get("benefit_id")
        verdicts.append(Verdict(benefit_id=None if raw_id is None else str(raw_id), row=b.row, findings=[]))
    findings = [*raw.findings, *validation.findings]
    _refuse_implausible(findings)
    owner = _owners(body, bsheet, msheet) if findings else {}  # a clean register needs no map
    general: list[dict[str, Any]] = []
    blocked = False
    errors: set[int] = set()
    for finding in findings:
        index = owner.get((finding.sheet or "", finding.row or 0))
        if index is None:
            general.append(finding.to_json())
            blocked = blocked or finding.severity == "error"
        else:
            verdicts[index].findings.append(finding.to_json())
            if finding.severity == "error":
                errors.add(index)

    by_row = {b.row: b for b in validation.register.benefits if b.row is not None}
    status_col = body.source.benefits.columns.get("approval_status")
    trust_col = body.source.benefits.columns.get("trust_ods")
    for i, verdict in enumerate(verdicts):
        benefit = by_row.get(verdict.row)
        if blocked or i in errors or benefit is None:
            continue
        verdict.benefit_id = benefit.benefit_id
        if benefit.approval_status is not ApprovalStatus.APPROVED:
            verdict.findings.append(
                _store_finding(
                    NOT_APPROVED,
                    f"Only approved benefits are submitted nationally; this one is "
                    f"'{benefit.approval_status.value}'. Approve it in the register first.",
                    bsheet,
                    verdict.row,
                    "approval_status",
                    f"{status_col}{verdict.row}" if status_col else None,
                    benefit.approval_status.value,
                )
            )
            continue
        if benefit.trust_ods != body.trust_ods:
            from xl_brm.rules import RULES

            verdict.findings.append(
                RULES[OTHER_TRUST]
                .finding(
                    sheet=bsheet,
                    row=verdict.row,
                    column="trust_ods",
                    cell=f"{trust_col}{verdict.row}" if trust_col else None,
                    value=benefit.trust_ods,
                    trust=body.trust_ods,
                    source="the submitting trust's token",
                )
                .to_json()
            )
            continue
        verdict.benefit = benefit
        verdict.measurements = validation.register.measurements.get(benefit.benefit_id, [])
        verdict.content_hash = content_hash(benefit, verdict.measurements)
        verdict.status = "accepted"
    clock.lap("content_hash")
    clock.report(f"assess {len(body.benefits)} benefits")
    return Assessment(verdicts=verdicts, findings=general)


def _refuse_implausible(findings: list[Finding]) -> None:
    """422, naming every cell, when any finding is one of `REFUSED`."""
    refused = [f for f in findings if f.code in REFUSED]
    if refused:
        raise ProblemError(
            422,
            "implausible-values",
            f"{len(refused)} cell(s) hold values no register can hold (numbers beyond their "
            "plausible bounds, attribution outside 0-100%, control characters, or periods "
            "outside the plausible window); "
            "nothing was stored. Correct the cells listed in `findings` and submit again.",
            findings=[f.to_json() for f in refused[:100]],
        )


def _owners(body: SubmissionIn, bsheet: str, msheet: str | None) -> dict[tuple[str, int], int]:
    """(sheet, row) -> index of the submitted benefit that row belongs to."""
    owner: dict[tuple[str, int], int] = {}
    for i, b in enumerate(body.benefits):
        owner[(bsheet, b.row)] = i
        if msheet is not None:
            for m in b.measurements:
                owner[(msheet, m.row)] = i
    return owner


class _Clock:
    """Phase timings at DEBUG level, so a slow ingest can be explained: wall time, and this
    thread's CPU time (which a busy machine or a waiting database does not inflate)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.start_cpu = self.last_cpu = time.thread_time()
        self.laps: list[str] = []

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.laps.append(f"{name} {now - self.last:.2f}s (cpu {cpu - self.last_cpu:.2f}s)")
        self.last, self.last_cpu = now, cpu

    def report(self, what: str) -> None:
        log.debug(
            "%s: %s (total %.2fs, cpu %.2fs)",
            what,
            ", ".join(self.laps),
            time.perf_counter() - self.start,
            time.thread_time() - self.start_cpu,
        )


def _current(conn: Connection, trust: str) -> dict[str, tuple[int, str]]:
    cb = tables.current_benefits
    rows = conn.execute(
        select(cb.c.benefit_id, cb.c.version, cb.c.content_hash).where(cb.c.trust_ods == trust)
    )
    return {r.benefit_id: (r.version, r.content_hash) for r in rows}


def _decide(verdicts: Sequence[Verdict], current: dict[str, tuple[int, str]]) -> None:
    for v in verdicts:
        if not v.candidate:
            v.status, v.version = "rejected", None
            continue
        assert v.benefit is not None
        have = current.get(v.benefit.benefit_id)
        if have is not None and have[1] == v.content_hash:
            v.status, v.version = "unchanged", have[0]
        else:
            v.status, v.version = "accepted", (have[0] + 1 if have else 1)


def _answer(
    body: SubmissionIn, submission_id: str, assessment: Assessment, *, dry_run: bool
) -> dict[str, Any]:
    results = [
        {
            "benefit_id": v.benefit_id,
            "row": v.row,
            "status": v.status,
            "version": v.version,
            "content_hash": v.content_hash if v.status != "rejected" else None,
            "findings": v.findings,
        }
        for v in assessment.verdicts
    ]
    counts = {
        s: sum(1 for v in assessment.verdicts if v.status == s) for s in ("accepted", "unchanged", "rejected")
    }
    return {
        "submission_id": submission_id,
        "trust_ods": body.trust_ods,
        "rules_version": body.rules_version,
        "dry_run": dry_run,
        "results": results,
        "counts": counts,
        "findings": assessment.findings,
    }


class InFlight:
    """Idempotency keys being processed by this process (SQLite's 409 while in progress)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: set[tuple[str, str]] = set()

    def claim(self, trust: str, key: str) -> bool:
        with self._lock:
            if (trust, key) in self._keys:
                return False
            self._keys.add((trust, key))
            return True

    def __contains__(self, item: object) -> bool:
        with self._lock:
            return item in self._keys

    def release(self, trust: str, key: str) -> None:
        with self._lock:
            self._keys.discard((trust, key))


def _in_progress() -> ProblemError:
    return ProblemError(
        409,
        "request-in-progress",
        "A submission with this Idempotency-Key is still being processed. Retry shortly with the "
        "same key to get its answer.",
        headers={"Retry-After": "1"},
    )


def _replay(row: Any, digest: str) -> Outcome:
    if row.request_hash != digest:
        raise ProblemError(
            422,
            "idempotency-key-reused",
            "This Idempotency-Key was already used for a different submission. Use a new key for "
            "new content.",
        )
    # An answer saved before answers were checked may hold a bare NaN: its text, not a 500.
    answer: dict[str, Any] = json.loads(row.response, parse_constant=str)
    return Outcome(answer, serialise(answer), replayed=True)


def serialise(answer: dict[str, Any]) -> bytes:
    """The answer as strict JSON (no NaN or infinities), the bytes sent and saved for replay.

    Raises ValueError when it cannot be: inside the write transaction, so nothing is kept.
    """
    return json.dumps(answer, separators=(",", ":"), allow_nan=False).encode()


def _find_key(conn: Connection, trust: str, key: str) -> Any:
    s = tables.submissions
    return conn.execute(
        select(s.c.request_hash, s.c.response).where(s.c.trust_ods == trust, s.c.idempotency_key == key)
    ).first()


@dataclass(slots=True)
class Outcome:
    answer: dict[str, Any]
    body: bytes
    """`answer` as sent (`serialise`): for a stored submission, the bytes kept for replay."""
    replayed: bool = False


class SubmissionFailed(ProblemError):
    """A submission that failed inside the store, with the truth about what was stored."""

    def __init__(self, stage: str) -> None:
        stored, detail = _FAILED[stage]
        super().__init__(500, "submission-failed", detail, title="Submission failed", stored=stored)


_FAILED: dict[str, tuple[bool | None, str]] = {
    "working": (
        False,
        "The store failed while handling this submission and stored none of it. Retrying with "
        "the same Idempotency-Key is safe; tell the national programme office if it persists.",
    ),
    "committing": (
        None,
        "The store failed while saving this submission and cannot tell whether the save "
        "completed. Retry with the same Idempotency-Key: a saved submission is answered as it "
        "was, an unsaved one is processed anew.",
    ),
    "committed": (
        True,
        "The submission was stored, but the store failed before answering. Retry with the same "
        "Idempotency-Key to get its answer.",
    ),
}
"""What a `SubmissionFailed` says, by how far the submission got (`_Saving.stage`)."""


def submit(
    db: Database,
    inflight: InFlight,
    body: SubmissionIn,
    *,
    key: str | None,
    dry_run: bool,
    base_fy: int | None = None,
    today: date | None = None,
    raw: bytes | None = None,
) -> Outcome:
    """Process one submission from the trust `body.trust_ods` (already authorised).

    Raises `ProblemError` for an answer other than 200; any other failure becomes
    `SubmissionFailed`, which says truthfully whether the submission was stored.
    """
    saving = _Saving()
    try:
        with gc_paused():
            return _submit(
                db, inflight, body, key=key, dry_run=dry_run, base_fy=base_fy, today=today, raw=raw,
                saving=saving,
            )
    except ProblemError:
        raise
    except Exception as exc:
        log.error("submission of %s failed (%s)", body.trust_ods, saving.stage, exc_info=exc)
        raise SubmissionFailed(saving.stage) from exc


@dataclass(slots=True)
class _Saving:
    """How far a submission got: "working" until the write transaction's body has run (a
    failure rolls everything back), "committing" while the database commits it (a failure then
    leaves the outcome unknown), "committed" after."""

    stage: str = "working"


def _submit(
    db: Database,
    inflight: InFlight,
    body: SubmissionIn,
    *,
    key: str | None,
    dry_run: bool,
    base_fy: int | None,
    today: date | None,
    raw: bytes | None,
    saving: _Saving,
) -> Outcome:
    trust = body.trust_ods
    digest = request_hash(body, raw)
    if dry_run:
        assessment = assess(body, today=today)
        with db.read() as conn:
            _decide(assessment.verdicts, _current(conn, trust))
        answer = _answer(body, str(uuid.uuid4()), assessment, dry_run=True)
        return Outcome(answer, serialise(answer))

    if key is not None:
        with db.read() as conn:
            done = _find_key(conn, trust, key)
        if done is not None:
            return _replay(done, digest)
        if not inflight.claim(trust, key):
            raise _in_progress()
    try:
        assessment = assess(body, today=today)
        with db.read() as conn:
            _decide(assessment.verdicts, _current(conn, trust))
        clock = _Clock()
        figures = _figures(trust, [v for v in assessment.verdicts if v.status == "accepted"], base_fy, today)
        clock.lap("calc")
        with db.write() as conn:
            if db.is_postgres:
                if key is not None:
                    got = conn.execute(
                        text("SELECT pg_try_advisory_xact_lock(:c, hashtext(:k))"),
                        {"c": KEY_LOCK_CLASS, "k": lock_text(db, trust, key)},
                    ).scalar_one()
                    if not got:
                        raise _in_progress()
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"),
                    {"c": TRUST_LOCK_CLASS, "k": lock_text(db, trust)},
                )
            if key is not None:
                done = _find_key(conn, trust, key)
                if done is not None:
                    return _replay(done, digest)
            _decide(assessment.verdicts, _current(conn, trust))
            accepted = [v for v in assessment.verdicts if v.status == "accepted"]
            missing = [v for v in accepted if v.benefit_id not in figures]
            if missing:  # the register moved between our read and the lock
                figures.update(_figures(trust, missing, base_fy, today))
            submission_id = str(uuid.uuid4())
            answer = _answer(body, submission_id, assessment, dry_run=False)
            sent = serialise(answer)  # before any write: an answer that cannot be sent is never kept
            _write(db, conn, body, submission_id, key, digest, sent, answer["counts"], accepted, figures)
            clock.lap("write")
            saving.stage = "committing"
        saving.stage = "committed"
        clock.lap("commit")
        clock.report(f"store {len(accepted)} versions")
        return Outcome(answer, sent)
    finally:
        if key is not None:
            inflight.release(trust, key)


def _figures(
    trust: str, verdicts: Sequence[Verdict], base_fy: int | None, today: date | None
) -> dict[str, list[FyValue]]:
    items = [(v.benefit, v.measurements) for v in verdicts if v.benefit is not None]
    return fy_values(trust, items, base_fy=base_fy, today=today)


def _write(
    db: Database,
    conn: Connection,
    body: SubmissionIn,
    submission_id: str,
    key: str | None,
    digest: str,
    sent: bytes,
    counts: dict[str, int],
    accepted: list[Verdict],
    figures: dict[str, list[FyValue]],
) -> None:
    """Store the submission, its new versions, their measurements and realised figures.

    Rows are built as tuples in the column order named next to them and bulk-loaded (`_bulk`):
    ~250k measurement rows per large submission, so no per-row dict or SQLAlchemy processing.
    """
    now = datetime.now(UTC)
    trust = body.trust_ods
    conn.execute(
        tables.submissions.insert().values(
            id=submission_id,
            trust_ods=trust,
            idempotency_key=key,
            request_hash=digest,
            received_at=now,
            rules_version=body.rules_version,
            client_name=body.client.name,
            client_version=body.client.version,
            source_path=body.source.path,
            accepted=counts["accepted"],
            unchanged=counts["unchanged"],
            rejected=counts["rejected"],
            response=sent.decode(),
        )
    )
    if not accepted:
        return
    ids = _allocate_ids(db, conn, len(accepted))
    version_rows = []
    current_rows = []
    for v, vid in zip(accepted, ids, strict=True):
        assert v.benefit is not None and v.version is not None and v.content_hash is not None
        b = v.benefit
        version_rows.append(
            (
                vid,
                trust,
                b.benefit_id,
                v.version,
                v.content_hash,
                submission_id,
                now,
                b.programme,
                b.category.value,
                b.benefit_type.value,
                b.is_disbenefit,
                json.dumps(benefit_json(b), separators=(",", ":")),
            )
        )
        current_rows.append((trust, b.benefit_id, vid, v.version, v.content_hash, b.benefit_type.value, now))
    _bulk(db, conn, tables.benefit_versions, VERSION_COLUMNS, version_rows)
    # Replace the current pointers (we hold the trust's lock, so nobody else moves them).
    cb = tables.current_benefits
    replaced = [v.benefit.benefit_id for v in accepted if v.benefit is not None and (v.version or 0) > 1]
    for start in range(0, len(replaced), 500):
        chunk = replaced[start : start + 500]
        superseded = select(cb.c.version_id).where(cb.c.trust_ods == trust, cb.c.benefit_id.in_(chunk))
        conn.execute(delete(tables.fy_values).where(tables.fy_values.c.version_id.in_(superseded)))
        conn.execute(delete(cb).where(cb.c.trust_ods == trust, cb.c.benefit_id.in_(chunk)))
    _bulk(db, conn, cb, CURRENT_COLUMNS, current_rows)

    measurement_rows: list[tuple[Any, ...]] = []
    fy_rows: list[tuple[Any, ...]] = []
    period_text: dict[tuple[int, int], str] = {}
    for v, vid in zip(accepted, ids, strict=True):
        stored = v.benefit
        assert stored is not None
        for m in v.measurements:
            value = m.value
            period = m.period
            text_key = (period.index, period.months)
            period_str = period_text.get(text_key)
            if period_str is None:
                period_str = period_text[text_key] = str(period)
            measurement_rows.append(
                (
                    vid,
                    m.row or 0,
                    period_str,
                    float(value) if isinstance(value, (int, float)) else None,
                    value if isinstance(value, str) else None,
                    m.source,
                    m.evidence_grade.value,
                    m.note,
                )
            )
        programme, category = stored.programme, stored.category.value
        benefit_type, is_disbenefit = stored.benefit_type.value, stored.is_disbenefit
        for f in figures.get(stored.benefit_id, []):
            fy_rows.append(
                (
                    vid,
                    f.financial_year,
                    f.evidence_grade,
                    trust,
                    programme,
                    category,
                    benefit_type,
                    is_disbenefit,
                    f.realised_quantity,
                    f.realised_value_gbp,
                )
            )
    _bulk(db, conn, tables.measurements, MEASUREMENT_COLUMNS, measurement_rows)
    _bulk(db, conn, tables.fy_values, FY_COLUMNS, fy_rows)


VERSION_COLUMNS = (
    "id",
    "trust_ods",
    "benefit_id",
    "version",
    "content_hash",
    "submission_id",
    "received_at",
    "programme",
    "category",
    "benefit_type",
    "is_disbenefit",
    "benefit",
)
CURRENT_COLUMNS = (
    "trust_ods",
    "benefit_id",
    "version_id",
    "version",
    "content_hash",
    "benefit_type",
    "updated_at",
)
MEASUREMENT_COLUMNS = (
    "version_id",
    "row",
    "period",
    "value_num",
    "value_text",
    "source",
    "evidence_grade",
    "note",
)
FY_COLUMNS = (
    "version_id",
    "financial_year",
    "evidence_grade",
    "trust_ods",
    "programme",
    "category",
    "benefit_type",
    "is_disbenefit",
    "realised_quantity",
    "realised_value_gbp",
)
"""Column order of the row tuples `_write` builds for each table."""


def _allocate_ids(db: Database, conn: Connection, n: int) -> list[int]:
    """Ids for `n` new benefit versions, taken before inserting so every row can be COPYed."""
    if n == 0:
        return []
    if db.is_postgres:
        rows = conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('benefit_versions', 'id')) FROM generate_series(1, :n)"
            ),
            {"n": n},
        )
        return sorted(r[0] for r in rows)
    # SQLite: we are the only writer (BEGIN IMMEDIATE), so the next ids are ours.
    top = conn.execute(select(func.coalesce(func.max(tables.benefit_versions.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + n))


def _bulk(
    db: Database, conn: Connection, table: Any, names: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows (tuples in `names` order) fast: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if sorted(names) != sorted(table.columns.keys()):  # every column, as the table has them
        raise ValueError(f"rows for {table.name} name {sorted(names)}, not its columns")
    quoted = ", ".join(f'"{n}"' for n in names)
    if db.is_postgres:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        finally:
            cursor.close()
    else:  # plain DB-API executemany: SQLAlchemy's per-row parameter processing costs more
        sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
        conn.exec_driver_sql(sql, rows)
