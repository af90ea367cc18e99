"""Talking to the national store over HTTP, with a retry policy of our own.

httpx's `retries=` only covers connect failures; a timeout after the store committed, a 503
from a restarting worker or a 429 from the rate limit must be retried too, with jittered
exponential backoff (stamina), honouring `Retry-After`, within a bounded number of attempts and
total time. Retrying a submission is safe only because the caller resends the same
`Idempotency-Key` with the same bytes.

Not every failure is worth the whole budget. Answers that say the store is busy or restarting
(408, 409, 425, 429, 502, 503, 504) get it; a 500 says the store failed on this very request,
so it is tried `server_error_attempts` times (seconds, not the minute a restart may take) and
then becomes `StoreRejected`, like a 4xx; so does any error whose problem says
`"retryable": false`. The token goes into the Authorization header and nowhere else.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import stamina
from pydantic import BaseModel, ValidationError

from xl_brm.errors import StoreRejected, SyncError
from xl_brm.sync._version import client_version

log = logging.getLogger("xl_brm.sync")

M = TypeVar("M", bound=BaseModel)

RETRY_STATUSES = frozenset({408, 409, 425, 429, 502, 503, 504})
"""Answers worth the whole retry budget: the store is busy, restarting or rate-limiting, or
(409) the first request with this key is still in progress."""
STILL_BUSY = frozenset({409, 502, 503, 504})
"""Retryable answers that, once the budget is spent, leave a pending submission for next time."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: bounded attempts and total time, jittered exponential backoff."""

    attempts: int = 8
    timeout: float = 120.0
    """Total seconds across all attempts (stamina stops retrying after this)."""
    wait_initial: float = 0.5
    wait_max: float = 15.0
    wait_jitter: float = 1.0
    retry_after_max: float = 60.0
    """A `Retry-After` longer than this is cut to it."""
    server_error_attempts: int = 3
    """How many times a request is tried while the store answers 500 (or another 5xx that is
    not in `RETRY_STATUSES`): the same request failing the same way is not worth a minute."""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    """One request's connect and read timeouts (a big submission takes a while to validate)."""


class _RetryableStatus(Exception):
    """An answer we will retry; carries the wait the store asked for, if any."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.retry_after = retry_after


class StoreClient:
    """A small client of the national store. Use as a context manager; pass `transport` to test."""

    def __init__(
        self,
        url: str,
        *,
        token: str,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._http = httpx.Client(
            base_url=self.url,
            transport=transport,
            verify=_ssl_context(),
            timeout=httpx.Timeout(
                self.retry.read_timeout, connect=self.retry.connect_timeout
            ),
            headers={
                "Authorization": f"Bearer {token}",
                "User-Agent": f"xl-brm/{client_version()}",
                "Accept": "application/json, application/problem+json",
            },
            follow_redirects=False,
        )

    def __enter__(self) -> StoreClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def post_submission(
        self, body: bytes, *, key: str | None, dry_run: bool, answer: type[M]
    ) -> M:
        """POST /v1/submissions with exactly `body`; the same bytes and key on every attempt."""
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        params = {"dry_run": "true"} if dry_run else None
        response = self._send(
            "POST", "/v1/submissions", content=body, headers=headers, params=params
        )
        return _parse(response, answer)

    def get(self, path: str, *, answer: type[M]) -> M:
        return _parse(self._send("GET", path), answer)

    def held(self, trust: str, hashes: dict[str, str]) -> dict[str, int] | None:
        """benefit_id -> version for each of `hashes` the store holds as current content
        (`POST /v1/trusts/{trust}/hashes`, authorised as a submission is). None from a store
        without that endpoint: the caller then sends everything and the store answers
        'unchanged' per benefit."""
        from xl_brm.contract import HashesOut

        body = json.dumps({"hashes": hashes}, ensure_ascii=True).encode("ascii")
        try:
            response = self._send("POST", f"/v1/trusts/{quote(trust, safe='')}/hashes", content=body,
                                  headers={"Content-Type": "application/json"})
        except StoreRejected as error:
            if error.status in (404, 405):
                return None
            raise
        return _parse(response, HashesOut).held

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        policy = self.retry
        response: httpx.Response | None = None
        tries = server_errors = 0
        try:
            for attempt in stamina.retry_context(
                on=self._backoff,
                attempts=policy.attempts,
                timeout=policy.timeout,
                wait_initial=policy.wait_initial,
                wait_max=policy.wait_max,
                wait_jitter=policy.wait_jitter,
            ):
                with attempt:
                    tries = attempt.num
                    response = self._http.request(method, path, **kwargs)
                    status = response.status_code
                    if status >= 500 and status not in RETRY_STATUSES:
                        server_errors += 1
                    if _worth_retrying(response, server_errors, policy):
                        log.info(
                            "national store answered %s to %s %s (attempt %d); retrying",
                            status, method, path, attempt.num,
                        )
                        raise _RetryableStatus(response, _retry_after(response))
        except _RetryableStatus as final:
            response = final.response
            if response.status_code in STILL_BUSY:  # else a 4xx or a 500: StoreRejected below
                raise SyncError(
                    f"the national store at {self.url} answered {response.status_code} "
                    f"{_title(response)} after {tries} attempt(s)",
                    hint="try again later; a pending submission is resent unchanged next time",
                ) from None
        except httpx.TransportError as error:
            raise SyncError(
                f"could not reach the national store at {self.url} after {tries} attempt(s): "
                f"{type(error).__name__}{': ' + str(error) if str(error) else ''}",
                hint="check the address and your network; a pending submission is resent "
                "unchanged next time",
            ) from None
        assert response is not None
        if response.is_success:
            return response
        raise _rejected(response, tries=tries)

    def _backoff(self, error: BaseException) -> bool | float:
        """stamina hook: retry transport errors and retryable statuses, honouring Retry-After."""
        if isinstance(error, httpx.TransportError):
            log.info("national store unreachable (%s); retrying", type(error).__name__)
            return True
        if isinstance(error, _RetryableStatus):
            if error.retry_after is not None:
                return min(error.retry_after, self.retry.retry_after_max)
            return True
        return False


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx builds a fresh certificate store per client (~0.1 s); build it once per process."""
    return httpx.create_ssl_context()


def _worth_retrying(response: httpx.Response, server_errors: int, policy: RetryPolicy) -> bool:
    """Another try for this answer? `server_errors` counts the 500-like answers so far."""
    status = response.status_code
    if status < 400 or _problem(response).get("retryable") is False:
        return False
    if status in RETRY_STATUSES:
        return True
    return status >= 500 and server_errors < policy.server_error_attempts


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a `Retry-After` header: a number of seconds or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _problem(response: httpx.Response) -> dict[str, Any]:
    """The problem+json body, or a stand-in built from the status line."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        data.setdefault("status", response.status_code)
        data.setdefault("title", response.reason_phrase or f"HTTP {response.status_code}")
        return data
    return {
        "type": "about:blank",
        "title": response.reason_phrase or f"HTTP {response.status_code}",
        "status": response.status_code,
        "detail": response.text[:500] if response.text else None,
    }


def _title(response: httpx.Response) -> str:
    return str(_problem(response).get("title") or "")


def _rejected(response: httpx.Response, *, tries: int = 1) -> StoreRejected:
    problem = _problem(response)
    status = response.status_code
    title = str(problem.get("title") or f"HTTP {status}")
    detail = problem.get("detail")
    if status >= 500:
        times = f" {tries} times" if tries > 1 else ""
        message = f"the national store failed on this request{times} ({status} {title})"
    else:
        message = f"the national store refused the request ({status} {title})"
    if detail:
        message += f": {detail}"
    hint = {
        401: "the token is missing, unknown, revoked or expired: set XL_BRM_TOKEN or store it in "
        "the OS keyring; ask the national programme office for a new one",
        403: "this token may not do that: a trust token can only read and write its own trust",
        413: "the submission is too large: submit the workbook in smaller parts",
    }.get(status, "tell the national programme office if it persists" if status >= 500 else "")
    return StoreRejected(message, status=status, problem=problem, hint=hint)


def _parse(response: httpx.Response, model: type[M]) -> M:
    try:
        return model.model_validate_json(response.content)
    except (ValidationError, json.JSONDecodeError):
        raise SyncError(
            f"the national store answered {response.status_code} with a body xl-brm cannot read",
            hint="the store may be a different version; ask the national programme office",
        ) from None
