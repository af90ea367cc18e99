"""Store one submission exactly once: idempotency, locks and the write around `ingest`'s decisions.

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
stored (or, if the commit itself failed, that the retry will tell).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, text

from xl_brm._gc import gc_paused
from xl_brm.contract import SubmissionIn
from xl_brm.model import benefit_json
from xl_brm.national import ingest, tables
from xl_brm.national.db import Database
from xl_brm.national.figures import FyValue, fy_values
from xl_brm.national.ingest import Clock, Verdict, log, request_hash, serialise
from xl_brm.national.problems import ProblemError

KEY_LOCK_CLASS = 0x7862  # 'xb': advisory lock class ids for (trust, key) and trust locks
TRUST_LOCK_CLASS = 0x7863


def lock_text(db: Database, *parts: str) -> str:
    """What an advisory lock is taken on. Advisory locks are database-wide, so the schema is
    part of it: two stores in one database (e.g. tests) never wait for each other."""
    return " ".join((db.schema or "public", *parts))


def _current(conn: Connection, trust: str) -> dict[str, tuple[int, str]]:
    cb = tables.current_benefits
    rows = conn.execute(
        select(cb.c.benefit_id, cb.c.version, cb.c.content_hash).where(cb.c.trust_ods == trust)
    )
    return {r.benefit_id: (r.version, r.content_hash) for r in rows}


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
        assessment = ingest.assess(body, today=today)
        with db.read() as conn:
            ingest.decide(assessment.verdicts, _current(conn, trust))
        answer = ingest.answer(body, str(uuid.uuid4()), assessment, dry_run=True)
        return Outcome(answer, serialise(answer))

    if key is not None:
        with db.read() as conn:
            done = _find_key(conn, trust, key)
        if done is not None:
            return _replay(done, digest)
        if not inflight.claim(trust, key):
            raise _in_progress()
    try:
        assessment = ingest.assess(body, today=today)
        with db.read() as conn:
            ingest.decide(assessment.verdicts, _current(conn, trust))
        clock = Clock()
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
            ingest.decide(assessment.verdicts, _current(conn, trust))
            accepted = [v for v in assessment.verdicts if v.status == "accepted"]
            missing = [v for v in accepted if v.benefit_id not in figures]
            if missing:  # the register moved between our read and the lock
                figures.update(_figures(trust, missing, base_fy, today))
            submission_id = str(uuid.uuid4())
            answer = ingest.answer(body, submission_id, assessment, dry_run=False)
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
                b.project,
                b.title,
                b.measure,
                b.unit,
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
        measure, unit = stored.measure, stored.unit
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
                    measure,
                    unit,
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
    "project",
    "title",
    "measure",
    "unit",
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
    "measure",
    "unit",
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
