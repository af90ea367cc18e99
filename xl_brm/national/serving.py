"""How uvicorn serves the store: the one set of server options every way of running it uses.

`xl-brm national serve`, the embedded store of the demo and the tests all pass `UVICORN_OPTIONS`:
no `server` header (it only tells an attacker what to try), and the server's own 400 for a
request it cannot parse (a malformed request line, or headers over h11's 16 KiB) answered as
problem+json like every other error of the store, not as plain text.
"""

from __future__ import annotations

from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from xl_brm.national.problems import PROBLEM_JSON, problem_body

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""Sent with every response (the app's middleware, and the server's own 400 below)."""


class ProblemH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, its 400 for an unparseable request as problem+json."""

    def send_400_response(self, msg: str) -> None:
        body = problem_body(
            400,
            "bad-http-request",
            f"{msg} Check the request line and the headers (at most 16 KiB of headers in all).",
        )
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()),
        ]
        start = h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
        events = (start, h11.Data(data=body), h11.EndOfMessage())
        for event in events:
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


UVICORN_OPTIONS: dict[str, Any] = {"server_header": False, "http": ProblemH11Protocol}
"""Keyword arguments for `uvicorn.run` / `uvicorn.Config`."""
