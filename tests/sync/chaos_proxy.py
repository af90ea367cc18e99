"""A loopback TCP proxy that misbehaves on purpose, driven by a seeded RNG.

It sits between the sync client and a real uvicorn store and, request by request, does one of:

    pass      forward the request and the answer
    delay     wait a little, then pass
    reset     reset the client's connection before forwarding anything
    drop      forward the request, read the store's (committed) answer, then reset the client
              without sending it: the classic lost answer
    timeout   forward, read the answer, then sit on it past the client's read timeout
    late      reset the client now and deliver the request to the store later, after the client
              has moved on (a request stuck in a queue; what a naive retry turns into a duplicate)
    kill      forward the request, SIGKILL the store a few milliseconds later (it may or may not
              have committed), reset the client, and restart the store in the background
    unavailable  answer 503 with `Retry-After: 0` without forwarding

While the store is down, connections to it fail and the proxy answers 502 or resets, at random.
Each request goes to the store on its own connection (`Connection: close`), so the proxy only has
to read one request and one answer, never parse a keep-alive stream.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter
from typing import Protocol

ACTIONS = ("pass", "delay", "reset", "drop", "timeout", "late", "kill", "unavailable")


class Server(Protocol):
    port: int

    def kill(self) -> None: ...
    def start(self, *, wait: bool = True) -> None: ...


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the peer sees 'connection reset', not a clean EOF."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _read_request(sock: socket.socket) -> bytes | None:
    """One HTTP/1.1 request (headers + Content-Length body), with `Connection: close` forced."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        if lowered in (b"connection", b"keep-alive"):
            continue
        kept.append(line)
    kept.append(b"Connection: close")
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


_BAD_GATEWAY = (
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/problem+json\r\n"
    b"Content-Length: 45\r\nConnection: close\r\n\r\n"
    b'{"title":"Bad Gateway","status":502,"x":"px"}'
)
_UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
    b"Retry-After: 0\r\nContent-Length: 45\r\nConnection: close\r\n\r\n"
    b'{"title":"Unavailable","status":503,"x":"px"}'
)


class ChaosProxy:
    """Start with `start()`; point the client at `url`; read `stats` afterwards."""

    def __init__(
        self,
        server: Server,
        *,
        seed: int,
        weights: dict[str, float],
        client_read_timeout: float,
        max_kills: int = 3,
    ) -> None:
        unknown = set(weights) - set(ACTIONS)
        assert not unknown, unknown
        self.server = server
        self.rng = random.Random(seed)
        self.actions = list(weights)
        self.weights = [weights[a] for a in self.actions]
        self.client_read_timeout = client_read_timeout
        self.max_kills = max_kills
        self.stats: Counter[str] = Counter()
        self.kills_this_run = 0
        self._lock = threading.Lock()
        self._restarting = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = int(self._listener.getsockname()[1])

    def reseed(self, seed: int, *, weights: dict[str, float] | None = None) -> None:
        """Start a new run on the same port (the client's state is keyed by the store URL)."""
        with self._lock:
            self.rng = random.Random(seed)
            if weights is not None:
                self.actions = list(weights)
                self.weights = [weights[a] for a in self.actions]
            self.kills_this_run = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        self._spawn(self._accept_loop)

    def close(self) -> None:
        """Stop accepting, let late deliveries and restarts finish, and wait for the store."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        for thread in list(self._threads):
            thread.join(timeout=30)
        with self._restarting:
            pass

    def quiesce(self) -> None:
        """Wait until every late delivery and restart in flight is done."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            alive = [t for t in self._threads if t.is_alive() and t.name != "accept"]
            if not alive:
                break
            time.sleep(0.05)
        with self._restarting:
            pass

    def _spawn(self, target: object, *args: object, name: str = "") -> None:
        thread = threading.Thread(target=target, args=args, daemon=True,  # type: ignore[arg-type]
                                  name=name or getattr(target, "__name__", "chaos"))
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        threading.current_thread().name = "accept"
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._spawn(self._handle, conn, name="handle")

    # --- per request -------------------------------------------------------------------

    def _choose(self) -> str:
        with self._lock:
            action = self.rng.choices(self.actions, self.weights)[0]
            if action == "kill":
                if self.kills_this_run >= self.max_kills:
                    action = "pass"
                else:
                    self.kills_this_run += 1
            self.stats[action] += 1
            return action

    def _uniform(self, low: float, high: float) -> float:
        with self._lock:
            return self.rng.uniform(low, high)

    def _count(self, what: str) -> None:
        with self._lock:
            self.stats[what] += 1

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            request = _read_request(conn)
        except (OSError, ValueError):
            _reset(conn)
            return
        if request is None:
            conn.close()
            return
        action = self._choose()
        try:
            getattr(self, f"_do_{action}")(conn, request)
        except OSError:
            self._count("proxy_oserror")
            _reset(conn)

    def _forward(self, request: bytes) -> bytes | None:
        """Send one request to the store on a fresh connection; its whole answer, or None."""
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        except OSError:
            self._count("store_down")
            return None
        with upstream:
            try:
                upstream.sendall(request)
                chunks = []
                while True:
                    chunk = upstream.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except OSError:
                self._count("store_broke")
                return None
        return b"".join(chunks) or None

    def _answer(self, conn: socket.socket, response: bytes | None) -> None:
        if response is None:
            if self._uniform(0, 1) < 0.5:
                conn.sendall(_BAD_GATEWAY)
                conn.close()
            else:
                _reset(conn)
            return
        conn.sendall(response)
        conn.close()

    def _do_pass(self, conn: socket.socket, request: bytes) -> None:
        self._answer(conn, self._forward(request))

    def _do_delay(self, conn: socket.socket, request: bytes) -> None:
        time.sleep(self._uniform(0.005, 0.08))
        self._answer(conn, self._forward(request))

    def _do_reset(self, conn: socket.socket, request: bytes) -> None:
        _reset(conn)

    def _do_unavailable(self, conn: socket.socket, request: bytes) -> None:
        conn.sendall(_UNAVAILABLE)
        conn.close()

    def _do_drop(self, conn: socket.socket, request: bytes) -> None:
        response = self._forward(request)
        if response is not None and response.startswith(b"HTTP/1.1 200"):
            self._count("dropped_after_commit")
        _reset(conn)

    def _do_timeout(self, conn: socket.socket, request: bytes) -> None:
        response = self._forward(request)
        time.sleep(self.client_read_timeout + 0.15)
        with contextlib.suppress(OSError):
            self._answer(conn, response)

    def _do_late(self, conn: socket.socket, request: bytes) -> None:
        delay = self._uniform(0.2, 1.2)
        _reset(conn)
        self._spawn(self._deliver_late, request, delay, name="late")

    def _deliver_late(self, request: bytes, delay: float) -> None:
        time.sleep(delay)
        response = self._forward(request)
        if response is not None:
            status = response.split(b" ", 2)[1].decode()
            self._count(f"late_delivered_{status}")

    def _do_kill(self, conn: socket.socket, request: bytes) -> None:
        if not self._restarting.acquire(blocking=False):
            self._answer(conn, self._forward(request))  # already restarting: behave
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            upstream.sendall(request)
            time.sleep(self._uniform(0.0, 0.06))  # the store is somewhere in the submission
            self.server.kill()
            upstream.close()
        except OSError:
            self.server.kill()
        _reset(conn)
        self._spawn(self._restart, name="restart")

    def _restart(self) -> None:
        try:
            self.server.start(wait=True)
            self._count("restarts")
        finally:
            self._restarting.release()
