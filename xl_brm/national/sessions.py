"""Sign-ins to the national page: one national token typed once, then a session cookie.

A session is a random value (256 bits) kept by the browser in an HttpOnly, SameSite=Strict
cookie (Secure over https) with an expiry, and stored only as its SHA-256 hash, like a token.
It is valid while it has not been ended (sign-out) or expired, and while the token that signed
in is valid: revoking or expiring that token ends every session it started. A session never
outlives its token.

Forms that change something carry a CSRF value derived from the cookie the browser holds (the
session's, or before sign-in a sign-in cookie's): another site can neither read that cookie nor,
with SameSite=Strict, make the browser send it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from xl_brm.national import tables
from xl_brm.national.db import Database
from xl_brm.national.tokens import Principal, as_utc, hash_token

COOKIE = "brm_session"
SIGN_IN_COOKIE = "brm_sign_in"
"""Held between opening the sign-in form and sending it: what its CSRF value is made from."""


@dataclass(frozen=True, slots=True)
class WebSession:
    id: int
    token_id: int
    expires_at: datetime


def new_secret() -> str:
    """256 bits from the OS's secure generator (a session or a sign-in cookie's value)."""
    return secrets.token_urlsafe(32)


def csrf_value(cookie: str) -> str:
    """The value a form must send back beside `cookie`."""
    return hashlib.sha256(b"xl-brm national page form\0" + cookie.encode()).hexdigest()


def csrf_ok(cookie: str | None, sent: str | None) -> bool:
    return bool(cookie) and bool(sent) and hmac.compare_digest(csrf_value(cookie or ""), sent or "")


def start(db: Database, who: Principal, *, hours: float, now: datetime | None = None) -> tuple[str, datetime]:
    """A new session for a national token that has just been checked; returns the cookie's
    value (the only time it is seen) and when the session expires."""
    if who.token_id is None:
        raise ValueError("a session needs a stored token")
    now = now or datetime.now(UTC)
    t = tables.tokens
    with db.read() as conn:
        stored = conn.execute(select(t.c.expires_at).where(t.c.id == who.token_id)).scalar_one()
    token_expires = as_utc(stored)
    expires_at = min(now + timedelta(hours=hours), token_expires).replace(microsecond=0)
    secret = new_secret()
    with db.write() as conn:
        conn.execute(
            insert(tables.web_sessions).values(
                session_hash=hash_token(secret), token_id=who.token_id, created_at=now, expires_at=expires_at
            )
        )
    return secret, expires_at


def find(db: Database, secret: str | None, *, now: datetime | None = None) -> WebSession | None:
    """The live session `secret` stands for, or None (unknown, ended, expired, or its token
    revoked or expired)."""
    if not secret:
        return None
    now = now or datetime.now(UTC)
    s, t = tables.web_sessions, tables.tokens
    with db.read() as conn:
        row = conn.execute(
            select(
                s.c.id, s.c.token_id, s.c.expires_at, s.c.ended_at, t.c.revoked_at, t.c.expires_at.label("te")
            )
            .join(t, t.c.id == s.c.token_id)
            .where(s.c.session_hash == hash_token(secret), t.c.is_national.is_(True))
        ).first()
    if row is None or row.ended_at is not None or row.revoked_at is not None:
        return None
    if as_utc(row.expires_at) <= now or as_utc(row.te) <= now:
        return None
    return WebSession(id=row.id, token_id=row.token_id, expires_at=as_utc(row.expires_at))


def end(db: Database, secret: str | None, *, now: datetime | None = None) -> None:
    """Sign out: the session can no longer be used, whatever the browser keeps."""
    if not secret:
        return
    s = tables.web_sessions
    with db.write() as conn:
        conn.execute(
            update(s)
            .where(s.c.session_hash == hash_token(secret), s.c.ended_at.is_(None))
            .values(ended_at=now or datetime.now(UTC))
        )
