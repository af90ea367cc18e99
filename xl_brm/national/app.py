"""The national store's HTTP service (SPEC §7.3), built by `create_app(settings)`.

Nothing is created at import time: each app gets its own database engines (on `app.state`,
where the routes' dependencies find them), so tests and several stateless workers can point
apps at SQLite or PostgreSQL side by side. The routes live in `xl_brm.national.routes`, one
router per resource; this module only assembles them with the middleware every answer passes
through.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response

import xl_brm
from xl_brm.contract import Problem, SubmissionIn
from xl_brm.national import docs, limits, problems
from xl_brm.national.db import open_database
from xl_brm.national.migrate import upgrade
from xl_brm.national.routes import ROUTERS, pages
from xl_brm.national.serving import SECURITY_HEADERS
from xl_brm.national.settings import StoreSettings
from xl_brm.national.store import InFlight


def create_app(settings: StoreSettings) -> FastAPI:
    """A national store over `settings.db`, migrated to the newest schema."""
    db = open_database(settings.db, schema=settings.db_schema, pool_size=settings.pool_size)
    upgrade(db)

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
        docs_url=None,  # served by `docs` from our own copy of Swagger UI, not from a CDN
        redoc_url=None,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.inflight = InFlight()
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
    docs.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(pages.SignInRequired, pages.sign_in_redirect)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with the submission body and the problem document spelt out in full
    (the submission route reads its body itself, to parse 35 MB off the event loop)."""
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


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with several workers: settings from `XL_BRM_*`."""
    return create_app(StoreSettings())


__all__ = ["create_app", "create_app_from_env"]
