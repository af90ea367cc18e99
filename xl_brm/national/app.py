"""The national store's HTTP API (SPEC §7.3), built by `create_app(settings)`.

Nothing is created at import time: each app gets its own database engines, so tests (and
several stateless workers) can point apps at SQLite or PostgreSQL side by side.
"""

# No `from __future__ import annotations`: FastAPI resolves the local Annotated aliases at runtime.

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from importlib.resources import files
from time import perf_counter
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

import xl_brm
from xl_brm._gc import gc_paused
from xl_brm.national import docs, ingest, limits, problems, queries
from xl_brm.national.db import open_database
from xl_brm.national.export import csv_chunks, xlsx_bytes
from xl_brm.national.migrate import upgrade
from xl_brm.national.problems import ProblemError
from xl_brm.national.schemas import (
    ODS_PATTERN,
    BenefitVersionsOut,
    Problem,
    ReturnsOut,
    RulesOut,
    SubmissionIn,
    SubmissionOut,
    SummaryOut,
    TrustBenefitsOut,
    cell_at,
)
from xl_brm.national.serving import SECURITY_HEADERS
from xl_brm.national.settings import StoreSettings
from xl_brm.national.tokens import Principal, lookup

KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
"""Idempotency keys: 1-255 visible ASCII characters (a UUID is typical)."""

_bearer = HTTPBearer(auto_error=False, description="A trust token or a national token.")


def _problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        code: {
            "description": problems.TITLES.get(code, "Error"),
            "content": {problems.PROBLEM_JSON: {"schema": ref}},
        }
        for code in codes
    }


def create_app(settings: StoreSettings) -> FastAPI:
    """A national store over `settings.db`, migrated to the newest schema."""
    db = open_database(settings.db, schema=settings.db_schema, pool_size=settings.pool_size)
    upgrade(db)
    inflight = ingest.InFlight()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        db.dispose()

    app = FastAPI(
        title="xl-brm national benefits store",
        version=xl_brm.__version__,
        description="Receives approved benefits from every trust's own register, keeps every "
        "version, and shows the national picture. Authenticate with `Authorization: Bearer <token>`.",
        lifespan=lifespan,
        docs_url=None,  # served below from our own copy of Swagger UI, not from a CDN
        redoc_url=None,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.inflight = inflight
    problems.install(app)
    if settings.cors_origins:
        app.add_middleware(
            problems.ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Retry-After", "Idempotent-Replayed"],
        )
    app.add_middleware(limits.BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/v1/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(problems.CrashMiddleware, headers=SECURITY_HEADERS)

    def principal(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise ProblemError(
                401,
                "missing-token",
                "Send your token as `Authorization: Bearer <token>`.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        who = lookup(db, credentials.credentials)
        if who is None:
            raise ProblemError(
                401,
                "unknown-token",
                "This token is not known to the store (mistyped, revoked or for another store). "
                "Ask the national programme office for a new one.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        limits.hit(db, who.token_hash, per_minute=settings.requests_per_minute)
        return who

    Caller = Annotated[Principal, Depends(principal)]

    def national(who: Caller) -> Principal:
        if not who.is_national:
            raise ProblemError(403, "national-only", "Only a national token can read national figures.")
        return who

    National = Annotated[Principal, Depends(national)]

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        html = files("xl_brm.national").joinpath("static/index.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": _CSP})

    @app.get("/ui.js", include_in_schema=False)
    def ui_js() -> Response:
        js = files("xl_brm.national").joinpath("static/ui.js").read_text(encoding="utf-8")
        return Response(js, media_type="text/javascript", headers={"Content-Security-Policy": _CSP})

    docs.install(app)

    @app.get("/v1/health", tags=["meta"], summary="Is the store up?")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(
        "/v1/submissions",
        tags=["submissions"],
        summary="Submit approved benefits of one trust",
        response_model=SubmissionOut,
        responses=_problem_responses(400, 401, 403, 409, 413, 415, 422, 429),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubmissionIn"}}},
            }
        },
    )
    async def post_submission(
        request: Request,
        who: Caller,
        dry_run: Annotated[bool, Query(description="Validate and answer, store nothing.")] = False,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                pattern=KEY_PATTERN,
                description="Same key + same body -> the original answer (per trust).",
            ),
        ] = None,
    ) -> Response:
        """Re-validates the cells with the same rule engine and answers per benefit: accepted
        (new version), unchanged (no-op) or rejected (with findings naming the trust's cells)."""
        if who.is_national:
            raise ProblemError(403, "trust-only", "Submissions come from a trust token, not a national one.")
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() not in ("application/json", ""):
            raise ProblemError(415, "json-only", "Send the submission as application/json.")
        raw = await request.body()
        started = perf_counter()
        try:
            body = await run_in_threadpool(_parse_submission, raw)
        except ValidationError as exc:
            raise ProblemError(
                422,
                "invalid-submission",
                "The submission does not match the API; see `errors`.",
                errors=problems.validation_errors(
                    exc.errors(include_url=False, include_input=False), _cells_in(raw)
                ),
            ) from None
        ingest.log.debug("parse %d bytes: %.2fs", len(raw), perf_counter() - started)
        if body.trust_ods != who.trust_ods:
            raise ProblemError(
                403,
                "other-trust",
                f"This token belongs to {who.trust_ods}; it cannot submit for {body.trust_ods}.",
            )
        rows = len(body.benefits) + sum(len(b.measurements) for b in body.benefits)
        if rows > settings.max_rows:
            raise ProblemError(
                422,
                "too-many-rows",
                f"{rows} rows in one submission; this store takes at most {settings.max_rows}. "
                "Submit in smaller batches.",
                max_rows=settings.max_rows,
            )
        from xl_brm.rules import RULES_VERSION

        if body.rules_version != RULES_VERSION:
            raise ProblemError(
                422,
                "rules-version-mismatch",
                f"Your xl-brm checks with rules {body.rules_version}; the national store uses "
                f"{RULES_VERSION}. Update xl-brm (pip install --upgrade xl-brm), validate the "
                "workbook again and resubmit.",
                title="Update xl-brm",
                rules_version=RULES_VERSION,
                your_rules_version=body.rules_version,
            )
        outcome = await run_in_threadpool(
            ingest.submit,
            db,
            inflight,
            body,
            key=idempotency_key,
            dry_run=dry_run,
            base_fy=settings.base_fy,
            raw=raw,
        )
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
        return Response(outcome.body, media_type="application/json", headers=headers)

    @app.get(
        "/v1/trusts/{ods}/benefits",
        tags=["trusts"],
        summary="Current version of each benefit of a trust",
        response_model=TrustBenefitsOut,
        responses=_problem_responses(401, 403, 422, 429),
    )
    def get_trust_benefits(
        who: Caller,
        ods: Annotated[str, Path(pattern=ODS_PATTERN, description="ODS code, e.g. RJ1")],
        measurements: Annotated[bool, Query(description="Include each version's measurements.")] = True,
    ) -> dict[str, Any]:
        if not who.may_read(ods):
            raise ProblemError(
                403, "other-trust", f"This token belongs to {who.trust_ods}; it cannot read {ods}."
            )
        with db.read() as conn:
            return {
                "trust_ods": ods,
                "benefits": queries.trust_benefits(conn, ods, with_measurements=measurements),
            }

    @app.get(
        "/v1/trusts/{ods}/benefits/{benefit_id}/versions",
        tags=["trusts"],
        summary="Every stored version of one benefit, oldest first",
        response_model=BenefitVersionsOut,
        responses=_problem_responses(401, 403, 404, 422, 429),
    )
    def get_versions(
        who: Caller,
        ods: Annotated[str, Path(pattern=ODS_PATTERN, description="ODS code, e.g. RJ1")],
        benefit_id: Annotated[str, Path(min_length=1, max_length=64)],
    ) -> dict[str, Any]:
        if not who.may_read(ods):
            raise ProblemError(
                403, "other-trust", f"This token belongs to {who.trust_ods}; it cannot read {ods}."
            )
        with db.read() as conn:
            versions = queries.versions(conn, ods, benefit_id)
        if not versions:
            raise ProblemError(404, "unknown-benefit", f"{ods} has submitted no benefit {benefit_id!r}.")
        return {"trust_ods": ods, "benefit_id": benefit_id, "versions": versions}

    @app.get(
        "/v1/national/summary",
        tags=["national"],
        summary="National totals by trust, programme, category, benefit type and financial year",
        response_model=SummaryOut,
        responses=_problem_responses(401, 403, 429),
    )
    def get_summary(who: National) -> dict[str, Any]:
        from xl_brm.rules import RULES_VERSION

        with db.read() as conn:
            return {"rules_version": RULES_VERSION, **queries.summary(conn)}

    @app.get(
        "/v1/national/returns",
        tags=["national"],
        summary="Which trusts have and have not submitted since a date",
        response_model=ReturnsOut,
        responses=_problem_responses(401, 403, 422, 429),
    )
    def get_returns(
        who: National,
        since: Annotated[date | None, Query(description="Default: 1 April of this financial year.")] = None,
    ) -> dict[str, Any]:
        day = since or _fy_start(date.today())
        moment = datetime.combine(day, time.min, tzinfo=UTC)
        with db.read() as conn:
            return {"since": moment, "trusts": queries.returns(conn, moment)}

    @app.get(
        "/v1/national/export.csv",
        tags=["national"],
        summary="Current benefits of every trust as CSV (formula-injection safe)",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}}}, **_problem_responses(401, 403, 429)},
    )
    def export_csv(who: National) -> StreamingResponse:
        with db.read() as conn:
            rows = list(queries.export_rows(conn))
        return StreamingResponse(
            csv_chunks(queries.EXPORT_COLUMNS, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="xl-brm-national.csv"'},
        )

    @app.get(
        "/v1/national/export.xlsx",
        tags=["national"],
        summary="Current benefits of every trust as an Excel workbook (formula-injection safe)",
        response_class=Response,
        responses={200: {"content": {_XLSX: {}}}, **_problem_responses(401, 403, 429)},
    )
    def export_xlsx(who: National) -> Response:
        with db.read() as conn:
            data = xlsx_bytes(queries.EXPORT_COLUMNS, queries.export_rows(conn))
        return Response(
            data,
            media_type=_XLSX,
            headers={"Content-Disposition": 'attachment; filename="xl-brm-national.xlsx"'},
        )

    @app.get(
        "/v1/rules",
        tags=["meta"],
        summary="The rule catalogue and its version",
        response_model=RulesOut,
        responses=_problem_responses(401, 429),
    )
    def get_rules(who: Caller) -> dict[str, Any]:
        from xl_brm.rules import RULES, RULES_VERSION

        return {
            "rules_version": RULES_VERSION,
            "rules": [
                {
                    "code": r.code,
                    "slug": r.slug,
                    "severity": r.severity,
                    "title": r.title,
                    "message": r.message,
                    "fix": r.fix,
                    "why": r.why,
                }
                for r in RULES.values()
            ],
        }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (SubmissionIn, Problem):
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _fy_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


CELL_LOOKUP_MAX_BYTES = 4 * 1024 * 1024
"""Refused bodies up to this size are parsed again to name the workbook cell an error is in;
a larger one is not (Python objects for tens of MB would cost far more than the refusal)."""


def _cells_in(raw: bytes) -> Callable[[tuple[Any, ...]], str | None]:
    """`cell_at` over the raw body, parsed again only if an error asks (a refused body)."""
    parsed: list[Any] = []

    def where(loc: tuple[Any, ...]) -> str | None:
        if not parsed:
            try:
                parsed.append(json.loads(raw) if len(raw) <= CELL_LOOKUP_MAX_BYTES else None)
            except ValueError:
                parsed.append(None)
        return cell_at(loc, parsed[0])

    return where


def _parse_submission(raw: bytes) -> SubmissionIn:
    """Parse a (possibly 35 MB) body off the event loop, with the garbage collector paused:
    it would otherwise re-scan the millions of objects the parse builds."""
    with gc_paused():
        return SubmissionIn.model_validate_json(raw)


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with several workers: settings from `XL_BRM_*`."""
    return create_app(StoreSettings())


__all__ = ["create_app", "create_app_from_env"]
