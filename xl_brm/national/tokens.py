"""Bearer tokens: random, shown once, stored only as a SHA-256 hash, with a life cycle.

A token belongs either to one trust (it can submit and read that trust's rows only) or to the
national programme office (it can read everything and submit nothing). Every token expires
(`--expires DAYS`, a year by default) and can be revoked; an expired or revoked token gets 401.
The time a token was last used is recorded at most once a minute, so authenticating a request
costs no write in the common case; on SQLite that write is skipped while a submission holds the
write lock, rather than making the request wait for it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import insert, select, update

from xl_brm.errors import UsageError
from xl_brm.national import tables
from xl_brm.national.db import Database, open_database
from xl_brm.national.migrate import upgrade
from xl_brm.national.problems import ProblemError

PREFIX = "xlbrm_"
"""Makes a leaked token easy for secret scanners to spot."""
_ODS = re.compile(r"^[A-Z0-9]{3,5}$")

DEFAULT_EXPIRY_DAYS = 365
MAX_EXPIRY_DAYS = 3650
USE_RECORDED_EVERY = timedelta(minutes=1)
"""A token's last-used time is written when it is older than this."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a trust (by ODS code) or the national office."""

    token_hash: str
    trust_ods: str | None
    is_national: bool
    token_id: int | None = None

    def may_read(self, ods: str) -> bool:
        return self.is_national or self.trust_ods == ods


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about a token: never the token or its hash."""

    id: int
    trust_ods: str | None
    is_national: bool
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def scope(self) -> str:
        return "national" if self.is_national else f"trust {self.trust_ods}"

    def status(self, now: datetime | None = None) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or datetime.now(UTC)):
            return "expired"
        return "active"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """256 bits from the OS's secure generator."""
    return PREFIX + secrets.token_urlsafe(32)


def issue(
    db: Database,
    *,
    trust: str | None = None,
    national: bool = False,
    expires_days: int = DEFAULT_EXPIRY_DAYS,
) -> tuple[TokenInfo, str]:
    """Store the hash of a new token; return what may be shown of it, and the token itself
    (the only time it is seen)."""
    if national == (trust is not None):
        raise UsageError(
            "a token is for one trust or for the national office",
            hint="give --trust ODS or --national",
        )
    if trust is not None:
        trust = trust.strip().upper()
        if not _ODS.match(trust):
            raise UsageError(f"'{trust}' is not an ODS code", hint="use 3-5 letters or digits, e.g. RJ1")
    if not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise UsageError(
            f"--expires {expires_days}: a token lives 1 to {MAX_EXPIRY_DAYS} days",
            hint=f"the default is {DEFAULT_EXPIRY_DAYS} days",
        )
    token = new_token()
    now = datetime.now(UTC).replace(microsecond=0)
    expires_at = now + timedelta(days=expires_days)
    with db.write() as conn:
        token_id = conn.execute(
            insert(tables.tokens)
            .values(token_hash=hash_token(token), trust_ods=trust, is_national=national,
                    created_at=now, expires_at=expires_at)
            .returning(tables.tokens.c.id)
        ).scalar_one()
    info = TokenInfo(id=token_id, trust_ods=trust, is_national=national, created_at=now,
                     expires_at=expires_at, last_used_at=None, revoked_at=None)
    return info, token


def issue_token(
    db: Database,
    *,
    trust: str | None = None,
    national: bool = False,
    expires_days: int = DEFAULT_EXPIRY_DAYS,
) -> str:
    """`issue`, returning the token only."""
    return issue(db, trust=trust, national=national, expires_days=expires_days)[1]


def create_token(
    db_url: str,
    *,
    trust: str | None = None,
    national: bool = False,
    db_schema: str | None = None,
    expires_days: int = DEFAULT_EXPIRY_DAYS,
) -> str:
    """Create a trust or national token in the store at `db_url` (migrating it first)."""
    db = open_store(db_url, db_schema)
    try:
        return issue_token(db, trust=trust, national=national, expires_days=expires_days)
    finally:
        db.dispose()


def open_store(db_url: str, db_schema: str | None = None) -> Database:
    """The store's database, migrated to the newest schema (dispose it when done)."""
    db = open_database(db_url, schema=db_schema)
    try:
        upgrade(db)
    except BaseException:
        db.dispose()
        raise
    return db


def list_tokens(db: Database, *, trust: str | None = None) -> list[TokenInfo]:
    """Every token (or one trust's), oldest first."""
    t = tables.tokens
    query = select(*_INFO_COLUMNS).order_by(t.c.id)
    if trust is not None:
        query = query.where(t.c.trust_ods == trust.strip().upper())
    with db.read() as conn:
        return [_info(row) for row in conn.execute(query)]


def revoke(db: Database, token_id: int) -> tuple[TokenInfo, bool]:
    """Revoke a token by its id; returns it and whether this call revoked it (False when it
    was revoked already). Raises `UsageError` for an unknown id."""
    t = tables.tokens
    now = datetime.now(UTC).replace(microsecond=0)
    with db.write() as conn:
        done = conn.execute(
            update(t).where(t.c.id == token_id, t.c.revoked_at.is_(None)).values(revoked_at=now)
        ).rowcount
        row = conn.execute(select(*_INFO_COLUMNS).where(t.c.id == token_id)).first()
    if row is None:
        raise UsageError(f"no token with id {token_id}", hint="`xl-brm national token list` shows them")
    return _info(row), bool(done)


def authenticate(db: Database, token: str, *, now: datetime | None = None) -> Principal:
    """The principal a presented token stands for; a 401 problem when it is unknown, revoked
    or expired. Records when it was used (at most once a minute)."""
    digest = hash_token(token)
    t = tables.tokens
    with db.read() as conn:
        row = conn.execute(
            select(*_INFO_COLUMNS).where(t.c.token_hash == digest)
        ).first()
    now = now or datetime.now(UTC)
    if row is None:
        raise _refused(
            "unknown-token",
            "This token is not known to the store (mistyped, or for another store). "
            "Ask the national programme office for a new one.",
        )
    info = _info(row)
    if info.revoked_at is not None:
        raise _refused(
            "token-revoked",
            f"This token was revoked on {_day(info.revoked_at)}. "
            "Ask the national programme office for a new one.",
        )
    if info.expires_at <= now:
        raise _refused(
            "token-expired",
            f"This token expired on {_day(info.expires_at)}. "
            "Ask the national programme office for a new one.",
        )
    if info.last_used_at is None or now - info.last_used_at >= USE_RECORDED_EVERY:
        _record_use(db, info.id, now)
    return Principal(token_hash=digest, trust_ods=info.trust_ods,
                     is_national=info.is_national, token_id=info.id)


def _record_use(db: Database, token_id: int, now: datetime) -> None:
    t = tables.tokens
    with db.write_unless_busy() as conn:
        if conn is not None:  # else a submission is being written: next minute will do
            conn.execute(update(t).where(t.c.id == token_id).values(last_used_at=now))


def _refused(slug: str, detail: str) -> ProblemError:
    return ProblemError(401, slug, detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


_INFO_COLUMNS = (
    tables.tokens.c.id,
    tables.tokens.c.trust_ods,
    tables.tokens.c.is_national,
    tables.tokens.c.created_at,
    tables.tokens.c.expires_at,
    tables.tokens.c.last_used_at,
    tables.tokens.c.revoked_at,
)


def _info(row: Any) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        trust_ods=row.trust_ods,
        is_national=bool(row.is_national),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        last_used_at=as_utc(row.last_used_at) if row.last_used_at is not None else None,
        revoked_at=as_utc(row.revoked_at) if row.revoked_at is not None else None,
    )


def as_utc(moment: datetime) -> datetime:
    """A stored time in UTC: SQLite hands times back without their zone (they were written in
    UTC), PostgreSQL in the server's own zone."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d/%m/%Y")
