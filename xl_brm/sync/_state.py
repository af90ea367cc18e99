"""The sync state file beside a workbook: what the national store has acknowledged, and the
submission that is on its way.

`.xl-brm/<workbook file name>.sync.json` holds, per store URL, each benefit's last acknowledged
version, content hash and time, the PENDING submission (idempotency key and the exact body
bytes), the submissions SET ASIDE because the store refused them for good (why, and the cells
it named), and the fingerprint of the workbook file when every approved benefit of it was last
acknowledged (so an unchanged resubmit need not read the workbook first). The pending
submission is written before anything is sent, so a crash, a timeout or a lost answer is resent
later with the same key and the same bytes, and the store answers it once.
Every write is atomic (temporary file, fsync, rename): a crash leaves the old file or the new one,
never half of one. The bearer token is never written here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xl_brm import display
from xl_brm.errors import SyncError

STATE_DIR = ".xl-brm"
FORMAT = 1


def state_path_for(workbook: str | Path) -> Path:
    """`register.xlsx` -> `.xl-brm/register.xlsx.sync.json` in the workbook's folder."""
    path = Path(workbook)
    return path.parent / STATE_DIR / f"{path.name}.sync.json"


def store_key(url: str) -> str:
    """One spelling per store, so `https://x/` and `https://x` share their state."""
    return url.strip().rstrip("/")


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class BenefitSync(_Model):
    """What the store last said about one benefit."""

    version: int | None = None
    """Last acknowledged (accepted or unchanged) version; None if never acknowledged."""
    content_hash: str | None = None
    """The local content hash of that version: rows whose hash differs are sent again."""
    national_hash: str | None = None
    """The hash the store reported (equal to `content_hash` when both sides agree)."""
    acknowledged_at: datetime | None = None
    status: Literal["accepted", "unchanged", "rejected"] | None = None
    """The store's answer the last time the benefit was sent."""
    submission_id: str | None = None
    findings: int = 0
    """How many findings the store reported for it last time."""
    sent_at: datetime | None = None


class PendingSubmission(_Model):
    """A submission written down before it is sent; resent byte for byte until answered."""

    idempotency_key: str
    body: str
    """The exact JSON text sent (ASCII, so its bytes are unambiguous)."""
    body_sha256: str
    hashes: dict[str, str] = Field(default_factory=dict)
    """benefit_id -> local content hash of what the body carries."""
    created_at: datetime
    attempts: int = 0
    """How many times a send was started (across runs)."""

    @classmethod
    def create(cls, *, key: str, body: bytes, hashes: dict[str, str]) -> PendingSubmission:
        return cls(
            idempotency_key=key,
            body=body.decode("ascii"),
            body_sha256=hashlib.sha256(body).hexdigest(),
            hashes=dict(hashes),
            created_at=now_utc(),
        )

    def body_bytes(self) -> bytes:
        data = self.body.encode("ascii")
        if hashlib.sha256(data).hexdigest() != self.body_sha256:
            raise SyncError(
                "the pending submission in the sync state file is damaged",
                hint="delete the file under .xl-brm/ beside the workbook and submit again",
            )
        return data


class SetAside(_Model):
    """A submission the store refused for a reason that will not change on retry (a 4xx about
    the body, or a 500 repeated): kept to be shown, never resent. Its benefits were never
    acknowledged, so the next submit sends them again from the workbook as it is then."""

    idempotency_key: str
    body_sha256: str = ""
    created_at: datetime
    set_aside_at: datetime
    attempts: int = 0
    benefits: list[str] = Field(default_factory=list)
    status: int
    """The HTTP status of the store's refusal."""
    reason: str
    """The store's answer, as one line."""
    cells: list[str] = Field(default_factory=list)
    """Cells the answer named, with what it said of each, e.g. `Benefits!L12: Input should be
    a finite number`."""


MAX_SET_ASIDE = 10
"""How many set-aside submissions a store's state keeps (the newest)."""


class Fingerprint(_Model):
    """A workbook file as it was read, and everything else that shapes what is sent from it."""

    size: int
    mtime_ns: int
    sha256: str
    """SHA-256 of the file's bytes."""
    options: str
    """SHA-256 of the other inputs: the header mapping file's bytes, --trust/--programme, the
    xl-brm and rules versions, the store URL and the workbook's name."""


class Acknowledged(_Model):
    """The workbook whose every approved benefit the store last acknowledged, with nothing pending.

    While the file's fingerprint is the same, reading it again would give the same benefits with
    the same content hashes: a resubmit can answer 'unchanged' for each without reading it."""

    fingerprint: Fingerprint
    trust_ods: str
    benefits: list[str] = Field(default_factory=list)
    """The approved benefits, in workbook order."""
    hashes_sha256: str
    """`hashes_digest` of their content hashes: they must still be the acknowledged ones."""
    on: date
    """The day it was recorded: validation depends on today's date (an approval date in the
    future is an error), so a clock set back makes the workbook be read again."""


def hashes_digest(hashes: Mapping[str, str | None]) -> str:
    """One digest of benefit_id -> content hash, in order."""
    text = "".join(f"{benefit_id}\t{digest}\n" for benefit_id, digest in hashes.items())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StoreSync(_Model):
    """Sync state against one national store."""

    trust_ods: str | None = None
    benefits: dict[str, BenefitSync] = Field(default_factory=dict)
    pending: PendingSubmission | None = None
    """The submission being sent: resent, same key and bytes, until the store answers it."""
    queued: list[PendingSubmission] = Field(default_factory=list)
    """Submissions written down while an earlier one was still unanswered: each is sent, under
    its own key, after the ones before it."""
    set_aside: list[SetAside] = Field(default_factory=list)
    """Submissions refused for good, oldest first (at most `MAX_SET_ASIDE`)."""
    acknowledged: Acknowledged | None = None
    """Set after a run that left every approved benefit acknowledged; cleared by a new send."""
    last_submission_id: str | None = None
    last_submission_at: datetime | None = None

    def waiting(self) -> list[PendingSubmission]:
        """Every submission written down and not yet answered, oldest first."""
        return [p for p in (self.pending, *self.queued) if p is not None]

    def intended_hash(self, benefit_id: str) -> str | None:
        """The content hash on its way to the store for a benefit (the newest waiting), else
        the one the store last acknowledged, else None."""
        for entry in reversed(self.waiting()):
            if benefit_id in entry.hashes:
                return entry.hashes[benefit_id]
        return self.acknowledged_hash(benefit_id)

    def acknowledged_hash(self, benefit_id: str) -> str | None:
        entry = self.benefits.get(benefit_id)
        return entry.content_hash if entry is not None and entry.version is not None else None

    def add_waiting(self, entry: PendingSubmission, *, replacing: PendingSubmission | None) -> None:
        """Put `entry` at the end of the line, or in the place of `replacing` (which must not
        have been sent: its key is forgotten)."""
        if replacing is not None and self.pending is replacing:
            self.pending = entry
        elif replacing is not None:
            self.queued[self.queued.index(replacing)] = entry
        elif self.pending is None and not self.queued:
            self.pending = entry
        else:
            self.queued.append(entry)
        self.acknowledged = None  # new content is on its way: no shortcut until it is answered

    def next_to_send(self) -> PendingSubmission | None:
        """The oldest waiting submission, made the pending one."""
        if self.pending is None and self.queued:
            self.pending = self.queued.pop(0)
        return self.pending

    def set_pending_aside(self, *, status: int, reason: str, cells: list[str]) -> SetAside:
        """Move the pending submission to the set-aside list (the next submit builds a new one)."""
        pending = self.pending
        assert pending is not None
        entry = SetAside(
            idempotency_key=pending.idempotency_key,
            body_sha256=pending.body_sha256,
            created_at=pending.created_at,
            set_aside_at=now_utc(),
            attempts=pending.attempts,
            benefits=list(pending.hashes),
            status=status,
            reason=reason,
            cells=cells,
        )
        self.set_aside = [*self.set_aside, entry][-MAX_SET_ASIDE:]
        self.pending = None
        return entry


class SyncState(_Model):
    """The whole state file. Load with `SyncState.load(path)`, write with `save(path)`."""

    format: int = FORMAT
    workbook: str | None = None
    stores: dict[str, StoreSync] = Field(default_factory=dict)

    def store(self, url: str) -> StoreSync:
        """The state against `url` (created empty the first time)."""
        return self.stores.setdefault(store_key(url), StoreSync())

    @classmethod
    def load(cls, path: str | Path) -> SyncState:
        """Read a state file; a missing file is an empty state."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except OSError as error:
            raise SyncError(f"cannot read the sync state file {path}: {error.strerror}") from None
        try:
            data: Any = json.loads(text)
            state = cls.model_validate(data)
        except (ValueError, ValidationError):
            raise SyncError(
                f"the sync state file {path} is not valid",
                hint="move it aside and submit again; the store answers resent rows as unchanged",
            ) from None
        if state.format > FORMAT:
            raise SyncError(
                f"the sync state file {path} was written by a newer xl-brm",
                hint="upgrade xl-brm",
            )
        return state

    def save(self, path: str | Path) -> None:
        """Write atomically: temporary file in the same folder, fsync, rename, fsync the folder."""
        text = self.model_dump_json(indent=2, exclude_none=False) + "\n"
        atomic_write(Path(path), text.encode("utf-8"))


def sync_status(workbook: str | Path, *, url: str | None = None) -> SyncState:
    """What the sync state beside `workbook` records (against `url`, or every store): per
    store, what is acknowledged, pending or set aside."""
    path = state_path_for(workbook)
    if not path.exists():
        return SyncState()
    with state_lock(path):
        state = SyncState.load(path)
    if url is not None:
        state.stores = {k: v for k, v in state.stores.items() if k == store_key(url)}
    return state


def drop_pending(workbook: str | Path, *, url: str | None = None) -> list[tuple[str, str]]:
    """Forget the pending and set-aside submissions of `workbook` (against `url`, or every
    store). Returns (store, what was dropped) pairs. Safe: what they carried was never
    acknowledged, so the next submit sends it again from the workbook as it is, and the store
    answers 'unchanged' for anything it did receive."""
    path = state_path_for(workbook)
    if not path.exists():
        return []
    dropped: list[tuple[str, str]] = []
    with state_lock(path):
        state = SyncState.load(path)
        for key, store in state.stores.items():
            if url is not None and key != store_key(url):
                continue
            for pending in store.waiting():
                dropped.append((key, f"pending submission of {pending.created_at:%d/%m/%Y %H:%M} "
                                     f"UTC ({display.count(len(pending.hashes), 'benefit')})"))
            store.pending = None
            store.queued = []
            for entry in store.set_aside:
                dropped.append((key, f"set-aside submission of {entry.created_at:%d/%m/%Y %H:%M} "
                                     f"UTC ({display.count(len(entry.benefits), 'benefit')})"))
            store.set_aside = []
        if dropped:
            state.save(path)
    return dropped


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers and crashes see the old or the new file only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def state_lock(state_file: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the state file, so two submits of one workbook queue up."""
    state_file.parent.mkdir(parents=True, exist_ok=True)
    lock_path = state_file.with_name(state_file.name + ".lock")
    with open(lock_path, "a+b") as handle:
        _lock(handle.fileno())
        try:
            yield
        finally:
            _unlock(handle.fileno())


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
