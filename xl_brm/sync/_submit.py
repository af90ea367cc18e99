"""Submit a workbook to the national store exactly once, and pull back what the store holds.

The order of work is what makes it safe:
1. the benefits whose content hash differs from the one on its way to the store (or, with
   nothing on its way, from the last acknowledged one) are written to the state file
   (atomically) as this run's submission, under a new key, BEFORE anything is sent. If an
   earlier run left a submission unanswered (crash, timeout, lost answer, a store that was
   down), this one waits in line behind it; so whatever fails, what a run was given to send is
   on disk, and is sent by a later run;
2. the store is asked which of the other content hashes it holds as current
   (`POST /v1/trusts/{ods}/hashes`); any it does not hold join this run's submission (written
   again under another key: nothing was sent under the first). So 'unchanged' is the store's
   word, never a guess from a local record that another copy of the register went past;
3. the waiting submissions are sent oldest first, each with its own key and its own bytes, and
   each answer recorded per benefit, and the entry cleared, in one atomic write.
A crash between any two steps leaves a state from which the next run converges, and the store
answers a resent key with its original answer instead of applying it twice.

A pending submission the store refuses for good (`_refusal.is_for_good`: a 4xx about the body,
a 500 repeated) is SET ASIDE: recorded with the store's reason and the cells it named, never
resent. Its benefits were never acknowledged, so this run (or the next) sends them again from
the workbook as it is; nothing is lost, and the store's content hashes keep anything it did
apply from being stored twice. `sync_status` shows what is pending or set aside;
`drop_pending` forgets both.

A run that leaves every approved benefit acknowledged (and nothing waiting) records the
workbook's fingerprint (`workbook_fingerprint`); a later run of the same file with the same
options sends the recorded hashes to the store without reading the workbook, and reads it only
when the store does not hold them all.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import httpx

from xl_brm._gc import gc_paused
from xl_brm.contract import BenefitResult, FindingOut, SubmissionOut, TrustBenefitsOut
from xl_brm.errors import StoreRejected, SyncError
from xl_brm.sync._build import Prepared, prepare
from xl_brm.sync._fingerprint import workbook_fingerprint
from xl_brm.sync._http import RetryPolicy, StoreClient
from xl_brm.sync._refusal import is_for_good, named_cells, one_line
from xl_brm.sync._state import (
    Acknowledged,
    BenefitSync,
    Fingerprint,
    PendingSubmission,
    SetAside,
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


@dataclass(slots=True)
class SubmitOutcome:
    """What one `submit` did."""

    url: str
    state_path: Path
    dry_run: bool
    trust_ods: str | None = None
    answer: SubmissionOut | None = None
    """The store's answer to this run's new submission (None when nothing needed sending)."""
    replayed: list[SubmissionOut] = field(default_factory=list)
    """Answers to submissions earlier runs wrote down, resent first, each with its own key."""
    skipped: list[str] = field(default_factory=list)
    """Approved benefits not sent because the store said it holds their current content."""
    set_aside: list[SetAside] = field(default_factory=list)
    """Pending submissions from earlier runs that the store refused for good in this run: set
    aside (their benefits were sent again in this run's new submission)."""

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
        answers = [*self.replayed, *([self.answer] if self.answer else [])]
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
    """Send a workbook's approved benefits that the store does not hold to the store at `url`.

    `dry_run` asks the store to validate and answer without storing (nothing is recorded);
    `full` sends every approved benefit, held or not (the store answers 'unchanged').
    Raises `SubmissionBlocked` (errors in the workbook), `SyncError` (unreachable store) or
    `StoreRejected` (refused; a refused submission is set aside, see `sync_status`).

    When the file, the options and the state are as a run that left everything acknowledged
    recorded them, the recorded content hashes go to the store first, and the workbook is read
    only if the store does not hold them all.
    """
    from xl_brm.api import Options, load

    state_path = state_path_for(path)
    seen = workbook_fingerprint(path, url=url, mapping=mapping, defaults=defaults)
    if seen is not None and not (full or dry_run):
        recorded = _recorded(seen, state_path=state_path, url=url)
        if recorded is not None:
            trust, hashes = recorded
            with StoreClient(url, token=resolve_token(url, token), retry=retry,
                             transport=transport) as client:
                held = client.held(trust, hashes)
            if held is not None and held.keys() >= hashes.keys():
                return SubmitOutcome(url=url, state_path=state_path, dry_run=False,
                                     trust_ods=trust, skipped=list(hashes))
    with gc_paused():
        raw, validation = load(path, Options(mapping=Path(mapping) if mapping else None,
                                             defaults=defaults))
        prepared = prepare(raw, validation)
    if seen != workbook_fingerprint(path, url=url, mapping=mapping, defaults=defaults):
        seen = None  # the file changed while it was read: what was read is not what was hashed
    outcome = push(
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
    return in_trust_cells(raw, outcome)


def _recorded(seen: Fingerprint, *, state_path: Path, url: str) -> tuple[str, dict[str, str]] | None:
    """The trust and the content hash of each approved benefit of the workbook, from the state
    alone; None when the workbook must be read (another file, other options, something
    pending, a benefit no longer acknowledged with the recorded hash, or the clock set back)."""
    if not state_path.exists():
        return None  # nothing recorded (and a run that gets blocked leaves no .xl-brm folder)
    try:
        with state_lock(state_path):
            state = SyncState.load(state_path)
    except SyncError:
        return None  # reading the workbook first, then the same refusal, as before
    store = state.stores.get(store_key(url))
    if store is None or store.waiting() or store.acknowledged is None:
        return None
    last = store.acknowledged
    if last.fingerprint != seen or date.today() < last.on:
        return None
    recorded: dict[str, str] = {}
    for benefit_id in last.benefits:
        digest = store.acknowledged_hash(benefit_id)
        if digest is None:
            return None
        recorded[benefit_id] = digest
    if hashes_digest(recorded) != last.hashes_sha256:
        return None
    return last.trust_ods, recorded


def in_trust_cells(raw: RawWorkbook, outcome: SubmitOutcome) -> SubmitOutcome:
    """The store's findings moved to the trust's own cells where the reader assembled a table
    from periods across the page: the store names the rows it was sent (`xl_brm.reader.wide`)."""
    from xl_brm.findings import Finding
    from xl_brm.reader.wide import relocate

    if all(t.origin is None for t in raw.tables.values()):
        return outcome
    for answer in [*outcome.replayed, *([outcome.answer] if outcome.answer else [])]:
        for result in answer.results:
            moved = relocate(raw, [Finding(**f.model_dump()) for f in result.findings])
            result.findings = [FindingOut(**f.to_json()) for f in moved]
    return outcome


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
        if dry_run:
            _rehearse(client, store, prepared, outcome, full=full)
            return outcome
        line = _Line(state, store, state_path, prepared)
        line.write_down(  # what changed, before this run sends anything
            b for b, h in prepared.hashes.items() if full or store.intended_hash(b) != h
        )
        _ask_about_the_rest(client, line, outcome)
        _send_in_order(client, line, outcome)
        _remember(state, store, prepared, fingerprint, state_path, save=True)
    return outcome


@dataclass(slots=True)
class _Line:
    """The submissions waiting in the state file, and this run's own one among them (the
    last, `mine`, rewritten under a new key while it has not been sent)."""

    state: SyncState
    store: StoreSync
    state_path: Path
    prepared: Prepared
    mine: PendingSubmission | None = None

    def write_down(self, benefits: Iterable[str]) -> None:
        """Make this run's submission carry `benefits` too (in workbook order), and save."""
        wanted = set(benefits) | set(self.mine.hashes if self.mine else ())
        if not wanted or (self.mine is not None and wanted == set(self.mine.hashes)):
            return
        batch = self.prepared.only(b for b in self.prepared.hashes if b in wanted)
        entry = PendingSubmission.create(key=str(uuid.uuid4()), body=batch.to_bytes(),
                                         hashes=batch.hashes)
        self.store.add_waiting(entry, replacing=self.mine)
        self.mine = entry
        self.state.save(self.state_path)  # written down BEFORE it is sent

    def waiting_benefits(self) -> set[str]:
        return {b for entry in self.store.waiting() for b in entry.hashes}


def _ask_about_the_rest(client: StoreClient, line: _Line, outcome: SubmitOutcome) -> None:
    """Ask the store about the benefits with nothing on their way, whose content this state
    believes it holds; what it does not hold joins this run's submission."""
    waiting = line.waiting_benefits()
    others = {b: h for b, h in line.prepared.hashes.items() if b not in waiting}
    if not others:
        return
    held = client.held(line.prepared.trust_ods, others) or {}  # None: an older store, send all
    _record_held(line.store, held, others)
    outcome.skipped = [b for b in line.prepared.hashes if b in held]
    line.write_down(b for b in others if b not in held)


def _send_in_order(client: StoreClient, line: _Line, outcome: SubmitOutcome) -> None:
    """Send every waiting submission, oldest first, each with its own key and bytes. One the
    store refuses for good is set aside: this run's own raises; an earlier one's benefits join
    this run's submission as the workbook has them now (unless those are the very bytes the
    store refused)."""
    store = line.store
    unsent: StoreRejected | None = None
    while (entry := store.next_to_send()) is not None:
        ours = line.mine is not None and entry.idempotency_key == line.mine.idempotency_key
        try:
            answer = _send_pending(client, line.state, store, line.state_path)
        except StoreRejected as error:
            if not is_for_good(error):
                raise
            aside = store.set_aside[-1]
            if ours:
                raise _set_aside_error(error, aside) from None
            outcome.set_aside.append(aside)
            if not _resend_set_aside(line, aside):
                unsent = _set_aside_error(error, aside)
            continue
        if ours:
            outcome.answer = answer
        else:
            outcome.replayed.append(answer)
    if unsent is not None:  # the workbook still holds what the store refused: say so
        raise unsent


def _resend_set_aside(line: _Line, aside: SetAside) -> bool:
    """The benefits of a submission set aside, from the workbook as it is now, in this run's
    submission; False (and nothing sent) when that would be the very bytes the store refused."""
    waiting = line.waiting_benefits()
    again = [b for b in aside.benefits if b in line.prepared.hashes and b not in waiting]
    if not again:
        return True
    wanted = set(again) | set(line.mine.hashes if line.mine else ())
    body = line.prepared.only(b for b in line.prepared.hashes if b in wanted).to_bytes()
    if hashlib.sha256(body).hexdigest() == aside.body_sha256:
        return False
    line.write_down(again)
    return True


def _rehearse(client: StoreClient, store: StoreSync, prepared: Prepared, outcome: SubmitOutcome,
              *, full: bool) -> None:
    """A dry run: the store says which of the unchanged it holds (so a dry run is always
    authorised by the store) and validates the rest, storing and recording nothing."""
    known = {b for b, h in prepared.hashes.items() if full or store.acknowledged_hash(b) != h}
    others = {b: h for b, h in prepared.hashes.items() if b not in known}
    held = client.held(prepared.trust_ods, others) or {}
    outcome.skipped = [b for b in prepared.hashes if b in held]
    sending = [b for b in prepared.hashes if b not in held]
    if sending:
        outcome.answer = client.post_submission(
            prepared.only(sending).to_bytes(), key=None, dry_run=True, answer=SubmissionOut
        )


def _set_aside_error(error: StoreRejected, entry: SetAside) -> StoreRejected:
    """The refusal of this run's own submission, saying it was set aside and what to do."""
    where = f" — {'; '.join(entry.cells)}" if entry.cells else ""
    return StoreRejected(
        f"{error.message}{where}. The submission was set aside: the next submit sends the "
        "workbook as it is then",
        status=error.status,
        problem=error.problem,
        hint=error.hint or "correct the workbook and submit again; `xl-brm submit FILE "
        "--status` shows what was set aside",
    )


def _record_held(store: StoreSync, held: dict[str, int], hashes: dict[str, str]) -> None:
    """What the store said it holds is acknowledged, whoever sent it."""
    at = now_utc()
    for benefit_id, version in held.items():
        entry = store.benefits.setdefault(benefit_id, BenefitSync())
        if entry.version != version or entry.content_hash != hashes[benefit_id]:
            entry.acknowledged_at = at
        entry.version = version
        entry.content_hash = entry.national_hash = hashes[benefit_id]


def _remember(
    state: SyncState,
    store: StoreSync,
    prepared: Prepared,
    seen: Fingerprint | None,
    state_path: Path,
    *,
    save: bool = False,
) -> None:
    """Record the workbook's fingerprint when nothing is pending and every benefit of it is
    acknowledged with its current hash (a rejected one is not: the next run must read again).
    `save` writes the state even when the fingerprint is not recorded."""
    last = None
    if seen is not None and not store.waiting() and all(
        store.acknowledged_hash(b) == h for b, h in prepared.hashes.items()
    ):
        last = Acknowledged(
            fingerprint=seen,
            trust_ods=prepared.trust_ods,
            benefits=list(prepared.hashes),
            hashes_sha256=hashes_digest(prepared.hashes),
            on=date.today(),
        )
    if last is not None and store.acknowledged != last:
        store.acknowledged = last
        save = True
    if save:
        state.save(state_path)


def _send_pending(
    client: StoreClient, state: SyncState, store: StoreSync, state_path: Path
) -> SubmissionOut:
    """Send the pending submission (same key, same bytes) and record the answer. A refusal
    for good sets it aside (`StoreSync.set_pending_aside`) before the error is raised."""
    pending = store.pending
    assert pending is not None
    pending.attempts += 1
    body = pending.body_bytes()
    try:
        answer = client.post_submission(
            body, key=pending.idempotency_key, dry_run=False, answer=SubmissionOut
        )
    except StoreRejected as error:
        if is_for_good(error):
            store.set_pending_aside(status=error.status, reason=one_line(error),
                                    cells=named_cells(error.problem, body))
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
    from xl_brm.contract import StoredBenefit

    held = stored if isinstance(stored, StoredBenefit) else None
    return BenefitStatus(
        benefit_id=benefit_id,
        status=status,
        local_hash=digest,
        national_version=held.version if held else None,
        national_hash=held.content_hash if held else None,
        received_at=held.received_at.isoformat() if held else None,
    )
