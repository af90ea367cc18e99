"""Bounds on what one caller can ask of the store: body size and requests per minute.

The body limit is enforced while the body streams in (a lying or absent Content-Length does not
get past it). The rate limit counts per token per clock minute. On PostgreSQL the count lives in
the database, so several stateless workers share it; the embedded SQLite store is one process
and counts in memory, so a long write never holds up a read behind the write lock.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xl_brm.national import tables
from xl_brm.national.db import Database
from xl_brm.national.problems import PROBLEM_JSON, ProblemError, problem_body


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Answer 413 problem+json for a request body larger than `max_bytes`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._reject(scope, send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        body = problem_body(
            413,
            "body-too-large",
            f"The body is larger than this store accepts ({self.max_bytes} bytes). "
            "Submit in smaller batches.",
            instance=scope.get("path", ""),
            max_bytes=self.max_bytes,
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def hit(db: Database, token_hash: str, *, per_minute: int, now: float | None = None) -> None:
    """Count one request for `token_hash`; raise a 429 problem when over `per_minute`."""
    now = time.time() if now is None else now
    window = int(now // 60)
    table = tables.rate_windows
    insert: Any = pg_insert if db.is_postgres else sqlite_insert
    stmt = (
        insert(table)
        .values(token_hash=token_hash, window=window, hits=1)
        .on_conflict_do_update(index_elements=["token_hash", "window"], set_={"hits": table.c.hits + 1})
        .returning(table.c.hits)
    )
    if db.is_sqlite:
        with db.memory_lock:
            counts = db.memory_hits
            key = (token_hash, window)
            counts[key] = hits = counts.get(key, 0) + 1
            if hits == 1:
                for old in [k for k in counts if k[1] < window]:
                    del counts[old]
    else:
        with db.write() as conn:
            hits = conn.execute(stmt).scalar_one()
            if hits == 1:  # first request of a new minute: forget old minutes
                conn.execute(delete(table).where(table.c.token_hash == token_hash, table.c.window < window))
    if hits > per_minute:
        retry_after = max(1, int(60 - now % 60) + 1)
        raise ProblemError(
            429,
            "rate-limited",
            f"More than {per_minute} requests this minute with this token. Wait {retry_after} s and retry.",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )


__all__ = ["BodyLimitMiddleware", "hit"]
