"""The national web page at `/`."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@router.get("/")
def index() -> HTMLResponse:
    html = files("xl_brm.national").joinpath("static/index.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


@router.get("/ui.js")
def ui_js() -> Response:
    js = files("xl_brm.national").joinpath("static/ui.js").read_text(encoding="utf-8")
    return Response(js, media_type="text/javascript", headers={"Content-Security-Policy": CSP})
