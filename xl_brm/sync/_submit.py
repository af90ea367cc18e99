"""Submit a workbook to the national store exactly once, and pull back what the store holds.

The order of work is what makes it safe:
1. a pending submission left by an earlier run (crash, timeout, lost answer) is resent first,
   with its own key and its own bytes, and its answer recorded;
2. only benefits whose content hash differs from the last acknowledged one are put in a new body;
3. the new key and body are written to the state file (atomically) BEFORE the first byte is sent;
4. the answer is recorded per benefit and the pending entry cleared in one atomic write.
A crash between any two steps leaves a state from which the next run converges, and the store
answers a resent key with its original answer instead of applying it twice.

A run that leaves every approved benefit acknowledged (and nothing pending) records the
workbook's fingerprint (`workbook_fingerprint`); a later run of the same file with the same
options answers 'unchanged' for every benefit from the state alone, as reading it would have.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import httpx

from xl_brm._gc import gc_paused
from xl_brm.errors import StoreRejected, SyncError
from xl_brm.national.schemas import BenefitResult, SubmissionOut, TrustBenefitsOut
from xl_brm.sync._build import Prepared, prepare
from xl_brm.sync._fingerprint import workbook_fingerprint
from xl_brm.sync._http import RetryPolicy, StoreClient
from xl_brm.sync._state import (
    Acknowledged,
    BenefitSync,
    Fingerprint,
    PendingSubmission,
    StoreSync,
    SyncState,
    hashes_digest,
    now_utc,
    state_lock,
    state_path_for,
    store_key,
)
from xl_brm.sync._token import resolve_token

if TYPE_CHECKING:
    from xl_brm.table import RawWorkbook
    from xl_brm.validate import Defaults, Validation

FINAL_REFUSALS = frozenset({400, 404, 413, 415, 422})
"""Answers that say this body will never be accepted: the pending entry is dropped."""


@dataclass(slots=True)
class SubmitOutcome:
    """What one `submit` did."""

    url: str
    state_path: Path
    dry_run: bool
    trust_ods: str | None = None
    answer: SubmissionOut | None = None
    """The store's answer to this run's new submission (None when nothing needed sending)."""
    replayed: SubmissionOut | None = None
    """The answer to a pending submission from an earlier run, resent with its own key."""
    skipped: list[str] = field(default_factory=list)
    """Approved benefits not sent because the store already has their current content."""
    replay_refused: str | None = None
    """Why the store refused, for good, a pending submission from an earlier run (it was
    dropped and its benefits sent again in this run's new submission)."""

    @property
    def results(self) -> list[BenefitResult]:
        return list(self.answer.results) if self.answer else []

    @property
    def counts(self) -> dict[str, int]:
        out = {"accepted": 0, "unchanged": len(self.skipped), "rejected": 0}
        for result in self.results:
            out[result.status] += 1
        return out

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        answers = [a for a in (self.replayed, self.answer) if a is not None]
        return all(r.status != "rejected" for a in answers for r in a.results)


@dataclass(frozen=True, slots=True)
class BenefitStatus:
    """One benefit, as the workbook and the national store each see it (`xl-brm pull`)."""

    benefit_id: str
    status: Literal["in_sync", "changed", "not_submitted", "not_approved", "only_national"]
    local_hash: str | None
    national_version: int | None
    national_hash: str | None
    received_at: str | None
    """When the store received the current version (ISO 8601), if it holds one."""


def submit(
    path: str | Path,
    *,
    url: str,
    token: str | None = None,
    dry_run: bool = False,
    mapping: str | Path | None = None,
    defaults: Defaults | None = None,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
    full: bool = False,
) -> SubmitOutcome:
    """Send a workbook's approved, changed benefits to the national store at `url`.

    `dry_run` asks the store to validate and answer without storing (nothing is recorded);
    `full` sends every approved benefit, changed or not (the store answers 'unchanged').
    Raises `SyncError` (blocked by errors, unreachable store) or `StoreRejected` (4xx).

    When the file, the options and the state are as a run that left everything acknowledged
    recorded them, nothing is read and every approved benefit is answered 'unchanged'.
    """
    from xl_brm.api import Options, load

    state_path = state_path_for(path)
    seen = workbook_fingerprint(path, url=url, mapping=mapping, defaults=defaults)
    if seen is not None and not (full or dry_run):
        unchanged = _unchanged(seen, state_path=state_path, url=url)
        if unchanged is not None:
            resolve_token(url, token)  # the same refusal as a run that reads the workbook
            return unchanged
    with gc_paused():
        raw, validation = load(path, Options(mapping=Path(mapping) if mapping else None,
                                             defaults=defaults))
        prepared = prepare(raw, validation)
    if seen != workbook_fingerprint(path, url=url, mapping=mapping, defaults=defaults):
        seen = None  # the file changed while it was read: what was read is not what was hashed
    return push(
        prepared,
        state_path=state_path,
        url=url,
        token=resolve_token(url, token),
        dry_run=dry_run,
        transport=transport,
        retry=retry,
        full=full,
        fingerprint=seen,
    )


def _unchanged(seen: Fingerprint, *, state_path: Path, url: str) -> SubmitOutcome | None:
    """The outcome of an unchanged resubmit, from the state alone; None when the workbook must
    be read (another file, other options, something pending, a benefit no longer acknowledged
    with the recorded hash, or the clock set back)."""
    if not state_path.exists():
        return None  # nothing recorded (and a run that gets blocked leaves no .xl-brm folder)
    try:
        with state_lock(state_path):
            state = SyncState.load(state_path)
    except SyncError:
        return None  # reading the workbook first, then the same refusal, as before
    store = state.stores.get(store_key(url))
    if store is None or store.pending is not None or store.acknowledged is None:
        return None
    last = store.acknowledged
    if last.fingerprint != seen or date.today() < last.on:
        return None
    held = {b: _acknowledged_hash(store, b) for b in last.benefits}
    if None in held.values() or hashes_digest(held) != last.hashes_sha256:
        return None
    return SubmitOutcome(url=url, state_path=state_path, dry_run=False,
                         trust_ods=last.trust_ods, skipped=list(last.benefits))


def push(
    prepared: Prepared,
    *,
    state_path: Path,
    url: str,
    token: str,
    dry_run: bool = False,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
    full: bool = False,
    fingerprint: Fingerprint | None = None,
) -> SubmitOutcome:
    """Send a prepared submission (the part of `submit` after reading the workbook).

    `fingerprint` is that of the workbook file `prepared` was read from: it is recorded when
    the run leaves every benefit of `prepared` acknowledged (never on a dry run)."""
    outcome = SubmitOutcome(
        url=url, state_path=state_path, dry_run=dry_run, trust_ods=prepared.trust_ods
    )
    with state_lock(state_path), StoreClient(
        url, token=token, retry=retry, transport=transport
    ) as client:
        state = SyncState.load(state_path)
        state.workbook = state.workbook or prepared.source_path
        store = state.store(url)
        store.trust_ods = prepared.trust_ods

        if store.pending is not None and not dry_run:
            try:
                outcome.replayed = _send_pending(client, state, store, state_path)
            except StoreRejected as error:
                if error.status not in FINAL_REFUSALS:
                    raise
                outcome.replay_refused = str(error)

        changed = [
            benefit_id
            for benefit_id, digest in prepared.hashes.items()
            if full or _acknowledged_hash(store, benefit_id) != digest
        ]
        sending = set(changed)
        outcome.skipped = [b for b in prepared.hashes if b not in sending]
        if not changed:
            if not dry_run:
                _remember(state, store, prepared, fingerprint, state_path)
            return outcome
        batch = prepared.only(changed)
        body = _body_bytes(batch)

        if dry_run:
            outcome.answer = client.post_submission(
                body, key=None, dry_run=True, answer=SubmissionOut
            )
            return outcome

        store.pending = PendingSubmission.create(
            key=str(uuid.uuid4()), body=body, hashes=batch.hashes
        )
        store.acknowledged = None  # new content is on its way: no shortcut until it is answered
        state.save(state_path)  # written down BEFORE the first byte goes out
        outcome.answer = _send_pending(client, state, store, state_path)
        _remember(state, store, prepared, fingerprint, state_path)
    return outcome


def _remember(
    state: SyncState,
    store: StoreSync,
    prepared: Prepared,
    seen: Fingerprint | None,
    state_path: Path,
) -> None:
    """Record the workbook's fingerprint when nothing is pending and every benefit of it is
    acknowledged with its current hash (a rejected one is not: the next run must read again)."""
    if seen is None or store.pending is not None:
        return
    if any(_acknowledged_hash(store, b) != h for b, h in prepared.hashes.items()):
        return
    last = Acknowledged(
        fingerprint=seen,
        trust_ods=prepared.trust_ods,
        benefits=list(prepared.hashes),
        hashes_sha256=hashes_digest(prepared.hashes),
        on=date.today(),
    )
    if store.acknowledged != last:
        store.acknowledged = last
        state.save(state_path)


def _acknowledged_hash(store: StoreSync, benefit_id: str) -> str | None:
    entry = store.benefits.get(benefit_id)
    return entry.content_hash if entry is not None and entry.version is not None else None


def _body_bytes(prepared: Prepared) -> bytes:
    """The exact bytes sent (`Prepared.to_bytes`)."""
    return prepared.to_bytes()


def _send_pending(
    client: StoreClient, state: SyncState, store: StoreSync, state_path: Path
) -> SubmissionOut:
    """Send the pending submission (same key, same bytes) and record the answer."""
    pending = store.pending
    assert pending is not None
    pending.attempts += 1
    try:
        answer = client.post_submission(
            pending.body_bytes(), key=pending.idempotency_key, dry_run=False, answer=SubmissionOut
        )
    except StoreRejected as error:
        if error.status in FINAL_REFUSALS:
            # The store will never take this body: forget it so the next run builds a new one.
            store.pending = None
        state.save(state_path)
        raise
    except SyncError:
        state.save(state_path)  # keep the pending entry (and its attempt count) for next time
        raise
    record_answer(store, answer, pending.hashes)
    store.pending = None
    state.save(state_path)
    return answer


def record_answer(store: StoreSync, answer: SubmissionOut, hashes: dict[str, str]) -> None:
    """Update per-benefit state from the store's answer to a submission."""
    at = now_utc()
    store.last_submission_id = answer.submission_id
    store.last_submission_at = at
    for result in answer.results:
        if result.benefit_id is None:
            continue
        entry = store.benefits.setdefault(result.benefit_id, BenefitSync())
        entry.status = result.status
        entry.submission_id = answer.submission_id
        entry.findings = len(result.findings)
        entry.sent_at = at
        if result.status in ("accepted", "unchanged"):
            entry.version = result.version
            entry.content_hash = hashes.get(result.benefit_id, result.content_hash)
            entry.national_hash = result.content_hash
            entry.acknowledged_at = at


def pull(
    path: str | Path,
    *,
    url: str,
    token: str | None = None,
    mapping: str | Path | None = None,
    defaults: Defaults | None = None,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> list[BenefitStatus]:
    """National status of each benefit of a workbook: in sync, changed locally, not submitted.

    Also records what the store holds in the sync state, so a lost state file heals itself.
    """
    from xl_brm.api import Options
    from xl_brm.sandbox import loaded

    trust, local, approved = loaded(path, Options(mapping=Path(mapping) if mapping else None,
                                                  defaults=defaults), _local_view)
    if not trust:
        raise SyncError(
            f"{Path(path).name}: the trust's ODS code is not known",
            hint="add a trust_ods column, a 'BRM Settings' sheet, or pass --trust",
        )
    state_path = state_path_for(path)
    with state_lock(state_path), StoreClient(
        url, token=resolve_token(url, token), retry=retry, transport=transport
    ) as client:
        national = client.get(f"/v1/trusts/{trust}/benefits", answer=TrustBenefitsOut)
        state = SyncState.load(state_path)
        store = state.store(url)
        store.trust_ods = trust
        for stored in national.benefits:
            if local.get(stored.benefit_id) == stored.content_hash:
                entry = store.benefits.setdefault(stored.benefit_id, BenefitSync())
                entry.version = stored.version
                entry.content_hash = entry.national_hash = stored.content_hash
                entry.submission_id = stored.submission_id
                entry.acknowledged_at = entry.acknowledged_at or stored.received_at
        state.save(state_path)
    return _statuses(local, approved, national)


def _local_view(
    _raw: RawWorkbook, validation: Validation
) -> tuple[str | None, dict[str, str], set[str]]:
    """What `pull` compares with the store: the trust, each benefit's content hash, the
    approved ones (computed where the workbook was read)."""
    from xl_brm.model import content_hash

    register = validation.register
    trust = register.trust_ods or next((b.trust_ods for b in register.benefits), None)
    local = {
        b.benefit_id: content_hash(b, register.measurements.get(b.benefit_id, []))
        for b in register.benefits
    }
    return trust, local, {b.benefit_id for b in register.benefits if b.approval_status == "approved"}


def _statuses(
    local: dict[str, str], approved: Iterable[str], national: TrustBenefitsOut
) -> list[BenefitStatus]:
    held = {b.benefit_id: b for b in national.benefits}
    approved = set(approved)
    out: list[BenefitStatus] = []
    for benefit_id, digest in local.items():
        stored = held.get(benefit_id)
        status: Literal["in_sync", "changed", "not_submitted", "not_approved", "only_national"]
        if stored is None:
            status = "not_submitted" if benefit_id in approved else "not_approved"
        elif stored.content_hash == digest:
            status = "in_sync"
        else:
            status = "changed"
        out.append(_status(benefit_id, status, digest, stored))
    for benefit_id, stored in held.items():
        if benefit_id not in local:
            out.append(_status(benefit_id, "only_national", None, stored))
    return out


def _status(benefit_id: str, status: Literal["in_sync", "changed", "not_submitted",
            "not_approved", "only_national"], digest: str | None, stored: object) -> BenefitStatus:
    from xl_brm.national.schemas import StoredBenefit

    held = stored if isinstance(stored, StoredBenefit) else None
    return BenefitStatus(
        benefit_id=benefit_id,
        status=status,
        local_hash=digest,
        national_version=held.version if held else None,
        national_hash=held.content_hash if held else None,
        received_at=held.received_at.isoformat() if held else None,
    )
