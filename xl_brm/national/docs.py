"""`/docs`: the API's Swagger UI, served by the store itself from the `swagger-ui-bundle-v2`
package (the Swagger UI release files), never from a CDN.

The page loads only this store's own files: the bundle, its stylesheet and a small start-up
script, under a Content-Security-Policy that allows nothing else (no inline script, no other
origin, no online validator badge).
"""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI, Path
from fastapi.responses import HTMLResponse, Response

from xl_brm.national.problems import ProblemError

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
"""The Swagger UI files the page uses, and their media types."""

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Swagger UI sets inline style attributes; everything else must come from this store."""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""

START = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
"""


@cache
def _asset(name: str) -> bytes:
    from swagger_ui_bundle import swagger_ui_path

    return (swagger_ui_path / name).read_bytes()  # type: ignore[no-any-return]


def install(app: FastAPI) -> None:
    """Add `/docs`, its start-up script and its assets to `app`."""
    headers = {"Content-Security-Policy": CSP}

    @app.get("/docs", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE.format(title=app.title), headers=headers)

    @app.get("/docs/start.js", include_in_schema=False)
    def start() -> Response:
        return Response(START, media_type="text/javascript", headers=headers)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def asset(name: str = Path()) -> Response:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise ProblemError(404, "not-found", f"/docs/assets/{name} is not one of the page's files.")
        return Response(
            _asset(name), media_type=media_type, headers={**headers, "Cache-Control": "public, max-age=86400"}
        )
