"""The national web page at `/`: sign in once with a national token, then the views.

    /sign-in, /sign-out     a session cookie (`xl_brm.national.sessions`)
    /                       overview: returns for the latest quarter, the national picture
    /returns                who has submitted in a window, who has not, who is late
    /figures                drill-down by programme, trust, category and financial year
    /qualitative            qualitative benefits and their evidence
    /library                search approved benefits across trusts
    /<view>.csv, .xlsx      each view's table, neutralised as the store's exports are

Pages are drawn by the server (Jinja2, NHS.UK frontend's CSS served by the store): no script
runs, so the Content-Security-Policy allows none. Query parameters are read as people type them
(`31/03/2020`); a value that cannot be read is shown beside its field, never as a 500.
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

import xl_brm
from xl_brm import display
from xl_brm.enums import Category
from xl_brm.national import queries, sessions, views
from xl_brm.national.chart import bar_chart_svg
from xl_brm.national.db import Database
from xl_brm.national.deps import DatabaseDep, SettingsDep
from xl_brm.national.export import XLSX_MEDIA_TYPE, csv_chunks, xlsx_bytes
from xl_brm.national.figures import stored_figures
from xl_brm.national.problems import ProblemError
from xl_brm.national.returns import ReturnWindow, fy_start, latest_ended_quarter, read_date
from xl_brm.national.settings import StoreSettings
from xl_brm.national.tokens import authenticate
from xl_brm.periods import fy_label

router = APIRouter(include_in_schema=False)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""Pages run no script at all; styles and images come from the store (icons as data: URIs)."""
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}
LIBRARY_PAGE = 25
LIBRARY_EXPORT_MAX = 2000
"""Benefits a library export works out at most (each is computed): bounded work per request."""
MAX_FORM_BYTES = 16 * 1024


class SignInRequired(Exception):
    """No live session: the handler sends the browser to /sign-in, and back here after."""

    def __init__(self, back: str) -> None:
        super().__init__(back)
        self.back = back


def sign_in_redirect(_request: Request, exc: Exception) -> Response:
    back = exc.back if isinstance(exc, SignInRequired) else "/"
    query = "" if back == "/" else "?" + urlencode({"next": back})
    return RedirectResponse("/sign-in" + query, status_code=303, headers=PAGE_HEADERS)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: a live session, and the CSRF value its forms carry."""

    expires_at: datetime
    csrf: str


def viewer(request: Request, db: DatabaseDep) -> Viewer:
    secret = request.cookies.get(sessions.COOKIE)
    found = sessions.find(db, secret)
    if found is None or secret is None:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(back)
    return Viewer(expires_at=found.expires_at, csrf=sessions.csrf_value(secret))


ViewerDep = Annotated[Viewer, Depends(viewer)]


# -- rendering ---------------------------------------------------------------------------------


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("xl_brm.national", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=True,
    )
    env.globals.update(
        shown=shown,
        exact=exact,
        day=display.day,
        moment=display.moment,
        status_colour=lambda code: views.STATUS_COLOUR.get(code, "grey"),
        chart_svg=bar_chart_svg,
        version=xl_brm.__version__,
    )
    return env


def shown(value: Any, kind: str) -> str:
    """A cell as people read it: money to the penny, quantities without trailing zeros, dates
    and times in words, '—' where there is no figure."""
    if kind == "money":
        return display.money(value)
    if kind == "quantity":
        return display.quantity(value)
    if kind == "percent":
        return display.percent(value)
    if kind == "count":
        return display.NO_FIGURE if value is None else f"{value:,}"
    if kind == "day":
        return display.day(date.fromisoformat(value) if isinstance(value, str) else value)
    if kind == "moment":
        return display.moment(value)
    if kind == "status":
        return views.STATUS_LABEL.get(value, str(value))
    return display.NO_FIGURE if value is None or value == "" else str(value)


def exact(value: Any) -> str:
    """A figure in full for `data-value` (what a test or a screen scraper compares)."""
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def render(
    template: str, *, who: Viewer | None, current: str = "", status: int = 200, **context: Any
) -> HTMLResponse:
    context.setdefault("errors", {})
    html = _environment().get_template(template).render(viewer=who, current=current, **context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _params(request: Request) -> dict[str, str]:
    """The query string, one value per name (the last), bounded in length."""
    return {k: v[:400] for k, v in request.query_params.items()}


def _export(table: views.Table, suffix: str, name: str) -> Response:
    """A view's table as CSV or XLSX, every text cell made inert (`export.inert`)."""
    header = [c.name for c in table.columns]
    filename = f"xl-brm-{name}-{date.today():%Y-%m-%d}.{suffix}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    if suffix == "csv":
        return StreamingResponse(
            csv_chunks(header, table.export_rows()), media_type="text/csv; charset=utf-8", headers=disposition
        )
    data = xlsx_bytes(header, table.export_rows(), sheet=name.capitalize()[:31])
    return Response(data, media_type=XLSX_MEDIA_TYPE, headers=disposition)


def _view(
    request: Request,
    who: Viewer,
    *,
    name: str,
    title: str,
    export: views.Table,
    errors: dict[str, str],
    **context: Any,
) -> Response:
    """A view as its page (`name`.html, 400 with the errors beside their fields), or its table
    as CSV or XLSX when the path asked for `/name.csv` or `/name.xlsx`."""
    suffix = _suffix(request)
    if suffix and not errors:
        return _export(export, suffix, name)
    return render(
        f"{name}.html",
        who=who,
        current=f"/{name}",
        title=title,
        status=400 if errors else 200,
        errors=errors,
        **context,
    )


def _suffix(request: Request) -> str:
    path = request.url.path
    return path.rsplit(".", 1)[1] if "." in path.rsplit("/", 1)[-1] else ""


# -- signing in and out ------------------------------------------------------------------------


def _cookie_options(request: Request) -> dict[str, Any]:
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https", "path": "/"}


def _safe_next(value: str | None) -> str:
    """Only a path on this store (never //host or a scheme): where sign-in returns to."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return "/" if "\r" in value or "\n" in value else value[:1000]


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ProblemError(413, "form-too-large", "The form is larger than any of this page's forms.")
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[-1] for k, v in fields.items()}


def _sign_in_page(
    request: Request,
    settings: StoreSettings,
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    back: str = "/",
    status: int = 200,
) -> Response:
    secret = request.cookies.get(sessions.SIGN_IN_COOKIE) or sessions.new_secret()
    hours = settings.session_hours
    response = render(
        "sign_in.html",
        who=None,
        title="Sign in",
        errors=errors or {},
        notice=notice,
        next=back,
        csrf=sessions.csrf_value(secret),
        hours=f"{hours:g} hours" if hours != 1 else "1 hour",
        status=status,
    )
    response.set_cookie(sessions.SIGN_IN_COOKIE, secret, max_age=3600, **_cookie_options(request))
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, db: DatabaseDep, settings: SettingsDep) -> Response:
    back = _safe_next(request.query_params.get("next"))
    if sessions.find(db, request.cookies.get(sessions.COOKIE)) is not None:
        return RedirectResponse(back, status_code=303, headers=PAGE_HEADERS)
    notice = "You have signed out." if request.query_params.get("signed_out") else ""
    if back != "/" and not notice:
        notice = "Sign in to see that page."
    return _sign_in_page(request, settings, notice=notice, back=back)


@router.post("/sign-in")
async def sign_in(request: Request, db: DatabaseDep, settings: SettingsDep) -> Response:
    form = await _form(request)
    back = _safe_next(form.get("next"))
    if not sessions.csrf_ok(request.cookies.get(sessions.SIGN_IN_COOKIE), form.get("csrf")):
        return _sign_in_page(
            request,
            settings,
            back=back,
            status=400,
            errors={"token": "This sign-in form had expired. Paste your token and sign in again."},
        )
    token = (form.get("token") or "").strip()
    if not token:
        return _sign_in_page(
            request, settings, back=back, status=400, errors={"token": "Enter your national token"}
        )
    try:
        who = await run_in_threadpool(authenticate, db, token)
    except ProblemError as refused:
        return _sign_in_page(request, settings, back=back, status=401, errors={"token": refused.detail})
    if not who.is_national:
        return _sign_in_page(
            request,
            settings,
            back=back,
            status=403,
            errors={"token": f"This is a trust's token ({who.trust_ods}): the page needs a national one."},
        )
    secret, expires_at = await run_in_threadpool(
        lambda: sessions.start(db, who, hours=settings.session_hours)
    )
    response = RedirectResponse(back, status_code=303, headers=PAGE_HEADERS)
    response.set_cookie(sessions.COOKIE, secret, expires=expires_at, **_cookie_options(request))
    response.delete_cookie(sessions.SIGN_IN_COOKIE, **_cookie_options(request))
    return response


@router.post("/sign-out")
async def sign_out(request: Request, db: DatabaseDep) -> Response:
    form = await _form(request)
    secret = request.cookies.get(sessions.COOKIE)
    if secret and not sessions.csrf_ok(secret, form.get("csrf")):
        return render(
            "message.html",
            who=None,
            title="Sign out again",
            status=400,
            message="That sign-out form had expired, so you are still signed in.",
            link="/",
            link_text="Go to the overview and sign out from there",
        )
    await run_in_threadpool(sessions.end, db, secret)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303, headers=PAGE_HEADERS)
    response.delete_cookie(sessions.COOKIE, **_cookie_options(request))
    return response


# -- the views ---------------------------------------------------------------------------------


def _figures_data(
    db: Database, base_fy: int | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], str | None]:
    with db.read() as conn:
        rows = queries.summary_rows(conn)
        counts = queries.benefit_counts(conn)
        year_counts = queries.year_benefit_counts(conn)
    base = queries.base_fy(rows, base_fy)
    label = None if base is None else fy_label(base)
    return queries.with_pv(rows, base), counts, year_counts, label


def _options(counts: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """What the filter lists offer: what the store holds."""
    return {
        "programme": [(p, p) for p in sorted({c["programme"] for c in counts}, key=str.lower)],
        "trust": [(t, t) for t in sorted({c["trust_ods"] for c in counts})],
        "category": [(c.value, views.category_label(c.value)) for c in Category],
        "year": [(y, y) for y in sorted({r["financial_year"] for r in rows})],
    }


def _default_window(settings: StoreSettings) -> tuple[ReturnWindow, str]:
    quarter = latest_ended_quarter()
    return ReturnWindow.for_quarter(quarter, settings.return_due_days), str(quarter)


def _window_url(window: ReturnWindow) -> str:
    values = {"since": f"{window.since:%d/%m/%Y}"}
    if window.due is not None:
        values["due"] = f"{window.due:%d/%m/%Y}"
    return "/returns?" + urlencode(values)


@router.get("/")
def overview(who: ViewerDep, db: DatabaseDep, settings: SettingsDep) -> Response:
    window, quarter = _default_window(settings)
    with db.read() as conn:
        trusts = queries.returns(conn, window.opens, due=window.late_from, listed=settings.expected_trusts)
    rows, counts, year_counts, base = _figures_data(db, settings.base_fy)
    view = views.figures_view(rows, counts, year_counts, views.Filters(), "programme", base)
    return render(
        "overview.html",
        who=who,
        current="/",
        title="Overview",
        view=view,
        returns=views.returns_view(trusts, window),
        returns_url=_window_url(window),
        window_label=f"{quarter} (due {display.day(window.due)})",
    )


@router.get("/returns")
@router.get("/returns.csv")
@router.get("/returns.xlsx")
def returns_page(request: Request, who: ViewerDep, db: DatabaseDep, settings: SettingsDep) -> Response:
    params = _params(request)
    since_text, due_text = params.get("since", "").strip(), params.get("due", "").strip()
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name, text in (("since", since_text), ("due", due_text)):
        try:
            dates[name] = read_date(text)
        except ValueError as exc:
            errors[name] = str(exc)
    if since_text or due_text:
        window = ReturnWindow(dates.get("since") or fy_start(date.today()), dates.get("due"))
    else:
        window, _ = _default_window(settings)
        since_text, due_text = f"{window.since:%d/%m/%Y}", f"{window.due:%d/%m/%Y}" if window.due else ""
    with db.read() as conn:
        trusts = queries.returns(conn, window.opens, due=window.late_from, listed=settings.expected_trusts)
    view = views.returns_view(trusts, window)
    quarter = latest_ended_quarter()
    quarters = []
    for back in range(4):
        q = quarter.shift(-3 * back)
        w = ReturnWindow.for_quarter(q, settings.return_due_days)
        quarters.append((f"{q} (due {display.day(w.due)})", _window_url(w)))
    return _view(
        request,
        who,
        name="returns",
        title="Returns",
        export=view.table,
        errors=errors,
        view=view,
        since_text=since_text,
        due_text=due_text,
        quarters=quarters,
        listed=", ".join(settings.expected_trusts),
        query="?" + urlencode({"since": since_text, "due": due_text}),
    )


@router.get("/figures")
@router.get("/figures.csv")
@router.get("/figures.xlsx")
def figures_page(request: Request, who: ViewerDep, db: DatabaseDep, settings: SettingsDep) -> Response:
    filters, by, errors = views.read_filters(_params(request))
    rows, counts, year_counts, base = _figures_data(db, settings.base_fy)
    view = views.figures_view(rows, counts, year_counts, filters, by, base)
    return _view(
        request,
        who,
        name="figures",
        title="Figures",
        export=view.export,
        errors=errors,
        view=view,
        dimension=views.DIMENSIONS[by],
        groupings=[(d.param, d.name) for d in views.DIMENSIONS.values()],
        options=_options(counts, rows),
        query="?" + urlencode(filters.params(by=by)),
    )


@router.get("/qualitative")
@router.get("/qualitative.csv")
@router.get("/qualitative.xlsx")
def qualitative_page(request: Request, who: ViewerDep, db: DatabaseDep) -> Response:
    filters, _, errors = views.read_filters({k: v for k, v in _params(request).items() if k != "year"})
    with db.read() as conn:
        found = queries.qualitative(
            conn, programme=filters.programme, trust=filters.trust, category=filters.category
        )
        counts = queries.benefit_counts(conn)
    view = views.qualitative_view(found, filters)
    return _view(
        request,
        who,
        name="qualitative",
        title="Qualitative benefits",
        export=view.listing,
        errors=errors,
        view=view,
        options=_options(counts, []),
        query="?" + urlencode(filters.params()),
    )


@router.get("/library")
@router.get("/library.csv")
@router.get("/library.xlsx")
def library_page(request: Request, who: ViewerDep, db: DatabaseDep, settings: SettingsDep) -> Response:
    query, errors = views.read_library_query(_params(request))
    suffix = _suffix(request)
    limit = LIBRARY_EXPORT_MAX if suffix else LIBRARY_PAGE
    offset = 0 if suffix else (query.page - 1) * LIBRARY_PAGE
    with db.read() as conn:
        total, found = queries.library(
            conn,
            words=query.words,
            category=query.category,
            project=query.project,
            trust=query.trust,
            limit=limit,
            offset=offset,
        )
        counts = queries.benefit_counts(conn)
        base = settings.base_fy if settings.base_fy is not None else queries.earliest_fy(conn)
    items = []
    for item in found:
        figures, grades = stored_figures(item["benefit"], item["measurements"], base_fy=base)
        items.append({"benefit": item["benefit"], "figures": figures, "grades": grades})
    table = views.library_table(items)
    last = offset + len(found)
    view = views.LibraryView(
        query=query,
        total=total,
        table=table,
        first=offset + 1 if found else 0,
        last=last,
        previous=query.url(page=query.page - 1) if query.page > 1 else None,
        next=query.url(page=query.page + 1) if last < total else None,
    )
    return _view(
        request,
        who,
        name="library",
        title="Benefits library",
        export=table,
        errors=errors,
        view=view,
        query=query,
        options=_options(counts, []),
        export_query=query.url("", page=1),
    )


# -- styles ------------------------------------------------------------------------------------


@router.get("/assets/{name}")
def asset(name: str) -> Response:
    """NHS.UK frontend's CSS (vendored into xl_brm.assets) and the page's own few additions."""
    from importlib.resources import files

    from xl_brm.assets import NHSUK_CSS, nhsuk_css

    if name == NHSUK_CSS:
        css = nhsuk_css()
    elif name == "national.css":
        css = files("xl_brm.national").joinpath("static/national.css").read_text(encoding="utf-8")
    else:
        raise ProblemError(404, "not-found", f"/assets/{name} is not one of the page's files.")
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


__all__ = ["SignInRequired", "router", "sign_in_redirect"]
