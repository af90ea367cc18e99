"""A real national store for `bench_store.py`: `create_app` under uvicorn on loopback.

    python _store_server.py DB_URL PORT TIMING_LOG [DB_SCHEMA]

A thin ASGI wrapper appends one JSON line per request to TIMING_LOG (method, path, status,
seconds inside the server), so the benchmark can tell server time from client time.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import MutableMapping
from typing import Any


def main(argv: list[str]) -> None:
    import uvicorn

    from xl_brm.national import StoreSettings, create_app

    url, port, log_path = argv[0], int(argv[1]), argv[2]
    schema = argv[3] if len(argv) > 3 and argv[3] else None
    settings = StoreSettings(db=url, db_schema=schema, requests_per_minute=100_000,
                             max_body_bytes=512 * 1024 * 1024, max_rows=2_000_000)
    app = create_app(settings)
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the server

    async def timed(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_wrapper(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            log.write(json.dumps({"method": scope["method"], "path": scope["path"],
                                  "status": status,
                                  "seconds": round(time.perf_counter() - start, 4)}) + "\n")

    uvicorn.run(timed, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                timeout_keep_alive=120)


if __name__ == "__main__":
    main(sys.argv[1:])
