"""`/v1/national/...`: the national picture, for a national token only."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from xl_brm.national import queries
from xl_brm.national.deps import DatabaseDep, NationalDep, problem_responses
from xl_brm.national.export import XLSX_MEDIA_TYPE, csv_chunks, xlsx_bytes
from xl_brm.national.schemas import ReturnsOut, SummaryOut

router = APIRouter(prefix="/v1/national", tags=["national"])


@router.get(
    "/summary",
    summary="National totals by trust, programme, category, benefit type and financial year",
    response_model=SummaryOut,
    responses=problem_responses(401, 403, 429),
)
def get_summary(who: NationalDep, db: DatabaseDep) -> dict[str, Any]:
    from xl_brm.rules import RULES_VERSION

    with db.read() as conn:
        return {"rules_version": RULES_VERSION, **queries.summary(conn)}


@router.get(
    "/returns",
    summary="Which trusts have and have not submitted since a date",
    response_model=ReturnsOut,
    responses=problem_responses(401, 403, 422, 429),
)
def get_returns(
    who: NationalDep,
    db: DatabaseDep,
    since: Annotated[date | None, Query(description="Default: 1 April of this financial year.")] = None,
) -> dict[str, Any]:
    day = since or _fy_start(date.today())
    moment = datetime.combine(day, time.min, tzinfo=UTC)
    with db.read() as conn:
        return {"since": moment, "trusts": queries.returns(conn, moment)}


@router.get(
    "/export.csv",
    summary="Current benefits of every trust as CSV (formula-injection safe)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(401, 403, 429)},
)
def export_csv(who: NationalDep, db: DatabaseDep) -> StreamingResponse:
    with db.read() as conn:
        rows = list(queries.export_rows(conn))
    return StreamingResponse(
        csv_chunks(queries.EXPORT_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="xl-brm-national.csv"'},
    )


@router.get(
    "/export.xlsx",
    summary="Current benefits of every trust as an Excel workbook (formula-injection safe)",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}, **problem_responses(401, 403, 429)},
)
def export_xlsx(who: NationalDep, db: DatabaseDep) -> Response:
    with db.read() as conn:
        data = xlsx_bytes(queries.EXPORT_COLUMNS, queries.export_rows(conn))
    return Response(
        data,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="xl-brm-national.xlsx"'},
    )


def _fy_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
