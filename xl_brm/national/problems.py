"""RFC 9457 problem details: every error the store returns, in one shape.

Handlers below turn our `ProblemError`, FastAPI's request validation errors and Starlette's
HTTP errors into `application/problem+json`; `ProblemCORSMiddleware` does the same for a
refused CORS preflight and `xl_brm.national.serving` for the HTTP server's own 400s, so a client
never sees another error format.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("xl_brm.national")

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
}


class ProblemError(Exception):
    """Raise to answer with a problem. `slug` becomes the problem type `/problems/<slug>`."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.title = title or TITLES.get(status, "Error")
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    slug: str,
    detail: str,
    *,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    if instance:
        extra["instance"] = instance
    body = problem_document(status, slug, detail, title=title, **extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def problem_document(
    status: int, slug: str, detail: str, *, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The RFC 9457 members of a problem, then any `extra` ones."""
    return {
        "type": f"/problems/{slug}" if slug != "about:blank" else "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }


def problem_body(status: int, slug: str, detail: str, **extra: Any) -> bytes:
    """A problem document as bytes, for the layers below FastAPI (middleware, the server)."""
    return json.dumps(problem_document(status, slug, detail, **extra), separators=(",", ":")).encode()


_UNION_MEMBERS = frozenset(
    {"str", "constrained-str", "int", "constrained-int", "float", "constrained-float", "bool", "none"}
)
"""The tags pydantic adds to `loc` when a value fails every member of a union (a JSON cell)."""
_WHY = {
    "finite_number": "must be a finite number: NaN and infinities are not numbers (SPEC §7.3)",
    "less_than_equal": "is beyond the plausible bounds of any figure (±1,000,000,000,000)",
    "greater_than_equal": "is beyond the plausible bounds of any figure (±1,000,000,000,000)",
    "string_too_long": "is longer than a cell can be (32,767 characters)",
}
"""What a failing cell value means, for the error types that say most about it."""


def validation_errors(
    errors: Any, where: Callable[[tuple[Any, ...]], str | None] | None = None
) -> list[dict[str, Any]]:
    """Where and why, without echoing the (possibly large or sensitive) input back.

    A cell (a JSON value that may be text, a number, true/false or null) that fails every kind
    gets one entry saying the most telling reason, not one per kind. `where` may name the
    workbook cell a location points at (e.g. 'Benefits!O12').
    """
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, ...], dict[str, Any]] = {}
    for e in errors:
        loc = tuple(str(p) for p in e.get("loc", ()))
        kind, msg = str(e.get("type", "")), str(e.get("msg", ""))
        if loc and loc[-1] in _UNION_MEMBERS:
            loc = loc[:-1]
            known = seen.get(loc)
            if known is not None:
                if kind in _WHY and known["type"] not in _WHY:
                    known.update(type=kind, msg=_WHY[kind])
                continue
            msg = _WHY.get(kind, "must be text, a number, true/false or null")
        item: dict[str, Any] = {"loc": list(loc), "msg": msg, "type": kind}
        if where is not None and (cell := where(tuple(e.get("loc", ())))):
            item["cell"] = cell
        seen[loc] = item
        out.append(item)
        if len(out) == 100:
            break
    return out


def install(app: FastAPI) -> None:
    """Register the problem handlers on `app`."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.slug,
            exc.detail,
            title=exc.title,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            "invalid-request",
            "The request does not match the API; see `errors`.",
            instance=request.url.path,
            errors=validation_errors(exc.errors()),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            exc.status_code,
            "about:blank",
            str(exc.detail),
            instance=request.url.path,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        # The last resort, for a failure in the middleware itself (see CrashMiddleware).
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return problem_response(500, "internal", CRASHED, instance=request.url.path)


CRASHED = (
    "The store failed to handle this request. Try again later and tell the national programme "
    "office if it persists."
)
"""What a 500 says when nothing more is known (no claim about what was stored: the handler
that knows, ingest, says so itself)."""


class CrashMiddleware:
    """An unexpected exception answered as a 500 problem, and the connection kept.

    Starlette's last-resort handler answers too, but then re-raises, and the server drops the
    connection, so a keep-alive client's next request fails. Outermost of the app's middleware.
    """

    def __init__(self, app: ASGIApp, *, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            log.error("%s %s failed", scope.get("method"), scope.get("path"), exc_info=exc)
            response = problem_response(
                500, "internal", CRASHED, instance=scope.get("path"), headers=self.headers
            )
            await response(scope, receive, send)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with a refused preflight answered as problem+json."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        why = bytes(response.body).decode("utf-8", "replace")  # "Disallowed CORS origin, method"
        body = problem_body(
            response.status_code,
            "cors-refused",
            f"{why}: this store does not accept that cross-origin request.",
        )
        headers = {k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")}
        return Response(body, status_code=response.status_code, headers=headers, media_type=PROBLEM_JSON)
