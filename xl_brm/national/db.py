"""Engines for the store: durable SQLite for one office, PostgreSQL for national scale.

SQLite runs in WAL mode with `synchronous=FULL` (a commit survives power loss) and a long
busy timeout. Writers take the write lock up front (`BEGIN IMMEDIATE`) and, within one process,
queue on a lock first, so no writer ever meets "database is locked" halfway through a submission.
PostgreSQL needs none of this: writers coordinate with advisory locks (see `xl_brm.national.ingest`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

BUSY_TIMEOUT_MS = 60_000


@dataclass
class Database:
    """A read engine and a write engine over one database, and how to begin a write."""

    url: str
    reader: Engine
    writer: Engine
    schema: str | None = None
    _write_lock: threading.Lock = field(default_factory=threading.Lock)
    memory_lock: threading.Lock = field(default_factory=threading.Lock)
    memory_hits: dict[tuple[str, int], int] = field(default_factory=dict)
    """Per-process request counts (SQLite only: the embedded store is one process)."""

    @property
    def is_sqlite(self) -> bool:
        return self.reader.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.reader.dialect.name == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, committed on success and rolled back on any error."""
        if self.is_sqlite:
            with self._write_lock, self.writer.begin() as conn:
                yield conn
        else:
            with self.writer.begin() as conn:
                yield conn

    @contextmanager
    def write_unless_busy(self) -> Iterator[Connection | None]:
        """A write transaction, or None at once while another write holds the lock (SQLite):
        for bookkeeping that must never make a request wait behind a long submission."""
        if not self.is_sqlite:
            with self.writer.begin() as conn:
                yield conn
            return
        if not self._write_lock.acquire(blocking=False):
            yield None
            return
        try:
            with self.writer.connect() as conn:
                raw: Any = conn.connection.dbapi_connection
                raw.execute("PRAGMA busy_timeout=0")  # another process writing: fail, not wait
                try:
                    try:
                        transaction = conn.begin()
                    except OperationalError:
                        transaction = None
                    if transaction is None:
                        yield None
                    else:
                        with transaction:
                            yield conn
                finally:
                    raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            self._write_lock.release()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.reader.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.reader.dispose()
        if self.writer is not self.reader:
            self.writer.dispose()


def open_database(url: str, *, schema: str | None = None, pool_size: int = 10) -> Database:
    """Engines for `url`; `schema` selects (and creates) a PostgreSQL schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        reader = _sqlite_engine(url, immediate=False)
        writer = _sqlite_engine(url, immediate=True)
        return Database(url=url, reader=reader, writer=writer)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(
            f"unsupported database URL {parsed.render_as_string(hide_password=True)}: "
            "use sqlite:///file.db or postgresql+psycopg://..."
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(
        parsed,
        connect_args=connect_args,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
    )
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return Database(url=url, reader=engine, writer=engine, schema=schema)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
