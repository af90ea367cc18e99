"""The Office add-in server: xlwings Server's protocol, hosting `udfs.functions` and `udfs.ribbon`.

Endpoints (the paths xlwings Server uses, so its Office.js client works unchanged):

    GET  /manifest.xml                           the add-in manifest (sideload or deploy it)
    GET  /taskpane.html                          task pane, also the shared runtime page
    GET  /static/brm-addin.js                    ribbon button handlers (Office.actions.associate)
    GET  /static/images/{icon}-{size}.png        ribbon icons
    GET  /xlwings/custom-functions-meta.json     custom function metadata (namespace BRM)
    GET  /xlwings/custom-functions-code.js       custom function JavaScript
    POST /xlwings/custom-functions-call          run one cell function
    GET  /xlwings/custom-scripts-meta            the ribbon scripts
    POST /xlwings/custom-scripts-call/{script}   run a script on the posted workbook, answer
                                                 with the actions that change it

The xlwings parts used here (`xlwings.server`) are xlwings PRO, licensed PolyForm
Noncommercial 1.0.0 (free for public health organisations and government bodies) or
commercially; the process needs `XLWINGS_LICENSE_KEY` and must import xlwings with
`XLWINGS_ON_SERVER=true`, which `xl-brm addin serve` arranges.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

from fastapi import Body, FastAPI, HTTPException, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

from xl_brm.addin import manifest
from xl_brm.addin.buttons import BUTTONS
from xl_brm.addin.icons import SIZES, icon_png
from xl_brm.addin.xlwings_compat import skip_pyodide_probe
from xl_brm.errors import XlBrmError

log = logging.getLogger("xl_brm.addin")
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True, kw_only=True)
class AddinSettings:
    public_url: str = "https://localhost:8000"
    """Where Excel reaches this server (goes into the manifest)."""
    addin_id: str = manifest.DEFAULT_ID
    xlwings_js_url: str = ""
    """The xlwings Office.js client; default: the release matching the installed xlwings."""


def prepare_environment(license_key: str | None) -> None:
    """Set what xlwings reads at import time. Call before anything imports xlwings."""
    os.environ["XLWINGS_ON_SERVER"] = "true"
    key = license_key or os.environ.get("XLWINGS_LICENSE_KEY")
    if not key:
        raise XlBrmError(
            "xlwings Server needs a licence key",
            hint="NHS trusts and other public bodies may use xlwings Server free under the "
            "PolyForm Noncommercial licence: set XLWINGS_LICENSE_KEY=noncommercial (or pass "
            "--license-key noncommercial); commercial use needs a key from xlwings.org",
        )
    os.environ["XLWINGS_LICENSE_KEY"] = key
    skip_pyodide_probe()


def _server_modules() -> tuple[ModuleType, ModuleType]:
    """udfs.functions and udfs.ribbon, checked to carry xlwings Server's decorations."""
    import udfs.functions as functions
    import udfs.ribbon as ribbon

    if not hasattr(functions.BRM_VALIDATE, "__xlfunc__") or not hasattr(
        ribbon.validate_workbook, "__xlscript__"
    ):
        raise XlBrmError(
            "xlwings was imported before XLWINGS_ON_SERVER=true was set, so the cell functions "
            "and ribbon scripts were not registered",
            hint="start the server with `xl-brm addin serve`, or call "
            "xl_brm.addin.server.prepare_environment() before importing xlwings",
        )
    return functions, ribbon


def functions_js(module: ModuleType) -> str:
    """custom-functions.js plus one JavaScript function per cell function, associated by id."""
    import xlwings

    js = (STATIC / "custom-functions.js").read_text(encoding="utf-8")
    js = js.replace("{{XLWINGS_VERSION}}", xlwings.__version__)
    for _, obj in inspect.getmembers(module):
        info = getattr(obj, "__xlfunc__", None)
        if info is None:
            continue
        name = info["name"]
        js += (
            f"\nasync function {name}() {{\n"
            "  const args = Array.prototype.slice.call(arguments);\n"
            "  const invocation = args.pop();\n"
            f'  return await brmCall("{name}", args, invocation);\n'
            "}\n"
            f'CustomFunctions.associate("{name.upper()}", {name});\n'
        )
    return js


def taskpane_html(settings: AddinSettings) -> str:
    import xlwings

    url = settings.xlwings_js_url or (
        f"https://cdn.jsdelivr.net/gh/xlwings/xlwings@{xlwings.__version__}/xlwingsjs/dist/xlwings.min.js"
    )
    buttons = "\n  ".join(
        f'<button type="button" data-script="{b.script}" title="{b.tooltip}">{b.label}</button>'
        for b in BUTTONS
    )
    html = (STATIC / "taskpane.html").read_text(encoding="utf-8")
    return html.replace("{{XLWINGS_JS_URL}}", url).replace("{{BUTTONS}}", buttons)


def addin_js() -> str:
    scripts = {b.action: b.script for b in BUTTONS}
    return (
        (STATIC / "brm-addin.js")
        .read_text(encoding="utf-8")
        .replace("{{SCRIPTS}}", json.dumps(scripts, indent=2))
    )


def create_app(settings: AddinSettings | None = None) -> FastAPI:
    """The FastAPI app. Needs `prepare_environment()` to have run before xlwings was imported."""
    settings = settings or AddinSettings()
    skip_pyodide_probe()
    functions, ribbon = _server_modules()
    import xlwings as xw
    import xlwings.server as xws

    app = FastAPI(title="xl-brm add-in server", docs_url=None, redoc_url=None)

    @app.get("/")
    def root() -> dict[str, str]:
        return {"name": "xl-brm add-in server", "manifest": "/manifest.xml"}

    @app.get("/manifest.xml")
    def get_manifest() -> Response:
        xml = manifest.manifest_xml(settings.public_url, addin_id=settings.addin_id)
        return Response(xml, media_type="application/xml")

    @app.get("/taskpane.html", response_class=HTMLResponse)
    def taskpane() -> str:
        return taskpane_html(settings)

    @app.get("/static/brm-addin.js")
    def brm_addin_js() -> Response:
        return Response(addin_js(), media_type="text/javascript")

    @app.get("/static/images/{icon}-{size}.png")
    def image(icon: str, size: int) -> Response:
        if icon not in {b.icon for b in BUTTONS} or size not in SIZES:
            raise HTTPException(status_code=404)
        return Response(icon_png(icon, size), media_type="image/png")

    @app.get("/xlwings/custom-functions-meta.json")
    @app.get("/xlwings/custom-functions-meta")
    def functions_meta() -> dict[str, Any]:
        return xws.custom_functions_meta(functions)  # type: ignore[no-any-return,no-untyped-call]

    @app.get("/xlwings/custom-functions-code.js")
    @app.get("/xlwings/custom-functions-code")
    def functions_code() -> Response:
        return Response(functions_js(functions), media_type="text/javascript")

    @app.post("/xlwings/custom-functions-call")
    async def functions_call(data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        name = data.get("func_name")
        if not isinstance(name, str) or not hasattr(getattr(functions, name, None), "__xlfunc__"):
            raise HTTPException(status_code=404, detail=f"no cell function {name!r}")
        data.setdefault("client", "Office.js")
        data.setdefault("version", xw.__version__)
        data.setdefault("runtime", "1.1")
        return {"result": await xws.custom_functions_call(data, functions)}

    @app.get("/xlwings/custom-scripts-meta")
    def scripts_meta() -> list[dict[str, Any]]:
        return xws.custom_scripts_meta(ribbon)  # type: ignore[no-any-return,no-untyped-call]

    @app.post("/xlwings/custom-scripts-call/{script_name}")
    async def scripts_call(script_name: str, data: Annotated[dict[str, Any], Body()]) -> Any:
        if not hasattr(getattr(ribbon, script_name, None), "__xlscript__"):
            raise HTTPException(status_code=404, detail=f"no script {script_name!r}")
        try:
            book = xw.Book(json=data)
        except Exception as exc:
            raise HTTPException(status_code=400, detail=f"not a workbook from Excel: {exc}") from None
        result = await xws.custom_scripts_call(ribbon, script_name, typehint_to_value={xw.Book: book})
        return result.json()

    @app.exception_handler(XlBrmError)
    async def xl_brm_error(_request: Any, exc: XlBrmError) -> PlainTextResponse:
        # The xlwings client shows a failed script's response text to the user as it is.
        return PlainTextResponse(str(exc), status_code=422)

    return app
