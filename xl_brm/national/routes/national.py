"""`/v1/national/...`: the national picture, for a national token only."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from xl_brm.national import queries
from xl_brm.national.deps import DatabaseDep, NationalDep, SettingsDep, problem_responses
from xl_brm.national.export import XLSX_MEDIA_TYPE, csv_chunks, xlsx_bytes
from xl_brm.national.problems import ProblemError
from xl_brm.national.returns import ReturnWindow, fy_start, read_date
from xl_brm.national.schemas import ReturnsOut, SummaryOut

router = APIRouter(prefix="/v1/national", tags=["national"])


@router.get(
    "/summary",
    summary="National totals by trust, programme, category, benefit type and financial year",
    response_model=SummaryOut,
    responses=problem_responses(401, 403, 429),
)
def get_summary(who: NationalDep, db: DatabaseDep, settings: SettingsDep) -> dict[str, Any]:
    """Money with its present value (one base financial year for every trust, stated as
    `base_fy`); quantities within one measure and unit."""
    from xl_brm.rules import RULES_VERSION

    with db.read() as conn:
        return {"rules_version": RULES_VERSION, **queries.summary(conn, configured_base_fy=settings.base_fy)}


DateText = Annotated[
    str | None,
    Query(
        max_length=40,
        description="A date as people type it: 31/03/2020, 31 Mar 2020 or 2020-03-31 (UK day first).",
        examples=["31/03/2020"],
    ),
]


@router.get(
    "/returns",
    summary="Which trusts have and have not submitted since a date, and who is late",
    response_model=ReturnsOut,
    responses=problem_responses(401, 403, 422, 429),
)
def get_returns(
    who: NationalDep,
    db: DatabaseDep,
    settings: SettingsDep,
    since: Annotated[DateText, Query(description="Default: 1 April of this financial year.")] = None,
    due: Annotated[DateText, Query(description="The last day a return is on time (optional).")] = None,
) -> dict[str, Any]:
    """Every trust a return is expected from (one holding a token that is not revoked, or
    listed in XL_BRM_EXPECTED_TRUSTS), and any other that submitted since `since`."""
    window = ReturnWindow(query_date("since", since) or fy_start(date.today()), query_date("due", due))
    with db.read() as conn:
        trusts = queries.returns(conn, window.opens, due=window.late_from, listed=settings.expected_trusts)
    return {"since": window.opens, "due": window.late_from, "trusts": trusts}


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


def query_date(name: str, text: str | None) -> date | None:
    """A query parameter's date as people type it; 422 naming the parameter when it is not one."""
    try:
        return read_date(text)
    except ValueError as exc:
        raise ProblemError(422, "invalid-date", f"{name}: {exc}", parameter=name) from None
