"""Run an ASGI app under uvicorn on a loopback port in a background thread.

The demo starts an embedded national store this way, and tests use it for a real HTTP server.
The socket is bound before the thread starts, so there is no race for the port.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from xl_brm.national.serving import UVICORN_OPTIONS


@contextmanager
def serve_in_thread(app: Any, *, host: str = "127.0.0.1", start_timeout: float = 20.0) -> Iterator[str]:
    """Yield the base URL (`http://127.0.0.1:PORT`) while `app` is served; stop it afterwards."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False, **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
