"""The running-store harness shared by the national tests (imported by conftest and tests)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text

from xl_brm.national.db import Database
from xl_brm.national.serving import UVICORN_OPTIONS
from xl_brm.national.settings import StoreSettings


@dataclass
class Store:
    """A running store: its URL, an HTTP client, tokens, and its database for inspection."""

    url: str
    client: httpx.Client
    db: Database
    settings: StoreSettings
    app: Any = None
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(
        self, body: Any, *, who: str = "RJ1", key: str | None = None, dry_run: bool = False, **kwargs: Any
    ) -> httpx.Response:
        headers = self.auth(who)
        if key is not None:
            headers["Idempotency-Key"] = key
        params = {"dry_run": "true"} if dry_run else None
        return self.client.post("/v1/submissions", json=body, headers=headers, params=params, **kwargs)

    def get(self, path: str, *, who: str | None = "national", **kwargs: Any) -> httpx.Response:
        headers = self.auth(who) if who else {}
        return self.client.get(path, headers=headers, **kwargs)

    def count(self, table: str) -> int:
        with self.db.read() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


class Server:
    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False, **UVICORN_OPTIONS)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the store did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()
