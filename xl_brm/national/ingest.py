"""Decide what the store makes of one submission, without touching the database.

    assess()   body -> RawWorkbook -> validate_workbook -> per-benefit verdicts
    decide()   verdicts + the trust's current versions -> accepted / unchanged / rejected
    answer()   the verdicts as the body of the store's answer

`xl_brm.national.store` wraps these in idempotency, locks and the write. A value no register
can hold (`REFUSED`: implausible numbers, control characters, periods outside the window)
refuses the whole submission with 422, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xl_brm import display
from xl_brm.contract import SubmissionIn
from xl_brm.enums import ApprovalStatus
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Measurement, content_hash
from xl_brm.national.problems import ProblemError
from xl_brm.national.rebuild import to_raw_workbook
from xl_brm.rules import STORE_RULES
from xl_brm.rules._checks import check

NOT_APPROVED = "NAT101"
"""The store's own rule (`xl_brm.rules.STORE_RULES`): only approved benefits may be submitted."""
OTHER_TRUST = "BRM406"
"""The catalogue's trust-mismatch rule, applied against the submitting token's trust."""

log = logging.getLogger("xl_brm.national.ingest")

REFUSED = frozenset({"BRM206", "BRM214", "BRM215", "BRM216"})
"""Rules whose findings mean a value no register can hold (SPEC §2.1, §3, §7.3): attribution
outside 0-100%, numbers beyond their plausible bounds, control characters, periods outside the
window. The store refuses the whole submission with 422 naming each cell, as the wire schema
refuses NaN."""


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


def request_hash(body: SubmissionIn, raw: bytes | None = None) -> str:
    """What "the same body" means for an idempotency key: the same bytes, as the sync client
    resends them (hashing 35 MB of bytes is far cheaper than re-serialising the model)."""
    return hashlib.sha256(raw if raw is not None else body.model_dump_json().encode()).hexdigest()


@check(NOT_APPROVED, scope="store")
def not_approved(benefit: Benefit, sheet: str, row: int, status_col: str | None) -> dict[str, Any]:
    """NAT101 at a submitted benefit's approval_status cell."""
    return (
        STORE_RULES[NOT_APPROVED]
        .finding(
            sheet=sheet,
            row=row,
            column="approval_status",
            cell=f"{status_col}{row}" if status_col else None,
            value=benefit.approval_status.value,
        )
        .to_json()
    )


def assess(body: SubmissionIn, *, today: date | None = None) -> Assessment:
    """Run the rule engine over the submitted cells and decide which benefits may be stored."""
    from xl_brm.validate import Defaults, validate_workbook

    clock = Clock()
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
            verdict.findings.append(not_approved(benefit, bsheet, verdict.row, status_col))
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
            f"Values no register can hold in {display.count(len(refused), 'cell')} (numbers beyond their "
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


class Clock:
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


def decide(verdicts: Sequence[Verdict], current: dict[str, tuple[int, str]]) -> None:
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


def answer(
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


def serialise(answer: dict[str, Any]) -> bytes:
    """The answer as strict JSON (no NaN or infinities), the bytes sent and saved for replay.

    Raises ValueError when it cannot be: inside the write transaction, so nothing is kept.
    """
    return json.dumps(answer, separators=(",", ":"), allow_nan=False).encode()
