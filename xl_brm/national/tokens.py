"""Bearer tokens: random, shown once, stored only as a SHA-256 hash.

A token belongs either to one trust (it can submit and read that trust's rows only) or to the
national programme office (it can read everything and submit nothing).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from xl_brm.errors import UsageError
from xl_brm.national import tables
from xl_brm.national.db import Database, open_database
from xl_brm.national.migrate import upgrade

PREFIX = "xlbrm_"
"""Makes a leaked token easy for secret scanners to spot."""
_ODS = re.compile(r"^[A-Z0-9]{3,5}$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a trust (by ODS code) or the national office."""

    token_hash: str
    trust_ods: str | None
    is_national: bool

    def may_read(self, ods: str) -> bool:
        return self.is_national or self.trust_ods == ods


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """256 bits from the OS's secure generator."""
    return PREFIX + secrets.token_urlsafe(32)


def issue_token(db: Database, *, trust: str | None = None, national: bool = False) -> str:
    """Store the hash of a new token and return the token (the only time it is seen)."""
    if national == (trust is not None):
        raise UsageError(
            "a token is for one trust or for the national office",
            hint="give --trust ODS or --national",
        )
    if trust is not None:
        trust = trust.strip().upper()
        if not _ODS.match(trust):
            raise UsageError(f"'{trust}' is not an ODS code", hint="use 3-5 letters or digits, e.g. RJ1")
    token = new_token()
    with db.write() as conn:
        conn.execute(
            insert(tables.tokens).values(
                token_hash=hash_token(token),
                trust_ods=trust,
                is_national=national,
                created_at=datetime.now(UTC),
            )
        )
    return token


def create_token(
    db_url: str, *, trust: str | None = None, national: bool = False, db_schema: str | None = None
) -> str:
    """Create a trust or national token in the store at `db_url` (migrating it first)."""
    db = open_database(db_url, schema=db_schema)
    try:
        upgrade(db)
        return issue_token(db, trust=trust, national=national)
    finally:
        db.dispose()


def lookup(db: Database, token: str) -> Principal | None:
    """The principal a presented token stands for, or None when unknown or revoked."""
    digest = hash_token(token)
    with db.read() as conn:
        row = conn.execute(
            select(tables.tokens.c.trust_ods, tables.tokens.c.is_national).where(
                tables.tokens.c.token_hash == digest, tables.tokens.c.revoked_at.is_(None)
            )
        ).first()
    if row is None:
        return None
    return Principal(token_hash=digest, trust_ods=row.trust_ods, is_national=bool(row.is_national))
