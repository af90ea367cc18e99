"""`POST /v1/submissions`: a trust's approved benefits, re-validated and stored exactly once."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.

import json
from collections.abc import Callable
from time import perf_counter
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from xl_brm._gc import gc_paused
from xl_brm.contract import SubmissionIn, SubmissionOut, cell_at
from xl_brm.national import problems, store
from xl_brm.national.deps import (
    DatabaseDep,
    InFlightDep,
    SettingsDep,
    SubmitterDep,
    problem_responses,
    submits_for,
)
from xl_brm.national.ingest import log
from xl_brm.national.problems import ProblemError

KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
"""Idempotency keys: 1-255 visible ASCII characters (a UUID is typical)."""

CELL_LOOKUP_MAX_BYTES = 4 * 1024 * 1024
"""Refused bodies up to this size are parsed again to name the workbook cell an error is in;
a larger one is not (Python objects for tens of MB would cost far more than the refusal)."""

router = APIRouter(prefix="/v1", tags=["submissions"])


@router.post(
    "/submissions",
    summary="Submit approved benefits of one trust",
    response_model=SubmissionOut,
    responses=problem_responses(400, 401, 403, 409, 413, 415, 422, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubmissionIn"}}},
        }
    },
)
async def post_submission(
    request: Request,
    who: SubmitterDep,
    db: DatabaseDep,
    settings: SettingsDep,
    inflight: InFlightDep,
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
    log.debug("parse %d bytes: %.2fs", len(raw), perf_counter() - started)
    submits_for(who, body.trust_ods)
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
        store.submit,
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


def _parse_submission(raw: bytes) -> SubmissionIn:
    """Parse a (possibly 35 MB) body off the event loop, with the garbage collector paused:
    it would otherwise re-scan the millions of objects the parse builds."""
    with gc_paused():
        return SubmissionIn.model_validate_json(raw)


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
