"""The Office add-in (Excel on the web, Mac, Microsoft 365), served by xlwings Server.

xlwings Server (the `xlwings-server` package, extra `xl_brm[office]`) is the whole web app: the
xlwings Office.js client, the custom-functions runtime code, vendored Office.js, the manifest
and task pane routes and the endpoints that run Python. xl-brm only hands it a project folder,
`udfs/office` (settings, the cell functions and ribbon scripts of `udfs`, the manifest and task
pane templates, ribbon.js and the icon route), through xlwings Server's documented overrides,
and starts it. Every page and script then comes from this one server: no CDN at run time.

Licence: xlwings Server and the `xlwings.pro` code it runs are dual-licensed, PolyForm
Noncommercial 1.0.0 (free for public health organisations and government bodies: licence key
`noncommercial`) or commercially.

The project folder is found as data inside the installed `udfs` package: `udfs` depends on
`xl_brm`, never the reverse, so nothing here imports it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from xl_brm.addin.xlwings_compat import skip_pyodide_probe
from xl_brm.errors import UsageError, XlBrmError

APP = "xlwings_server.main:main_app"
"""xlwings Server's ASGI app (as its own CLI runs it)."""
PROJECT_PACKAGE, PROJECT_FOLDER = "udfs", "office"
LICENCE_HINT = (
    "NHS trusts and other public bodies may use xlwings Server free under the PolyForm "
    "Noncommercial licence: set XLWINGS_LICENSE_KEY=noncommercial (or pass --license-key "
    "noncommercial); commercial use needs a key from xlwings.org"
)
INSTALL_HINT = "pip install 'xl_brm[office]'"


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficeSettings:
    license_key: str | None = None
    """xlwings licence key; default: XLWINGS_LICENSE_KEY."""
    public_url: str | None = None
    """https://host[:port] where Excel reaches the server; default: as each request arrives."""
    addin_id: str | None = None
    """The manifest's <Id> (a GUID; one per environment); default: xlwings Server's."""


def project_dir() -> Path:
    """The xlwings Server project of the add-in (udfs/office, installed with the udfs package)."""
    spec = importlib.util.find_spec(PROJECT_PACKAGE)
    folder = (
        Path(next(iter(spec.submodule_search_locations))) / PROJECT_FOLDER
        if spec is not None and spec.submodule_search_locations
        else None
    )
    if folder is None or not (folder / "custom_functions.py").is_file():
        raise XlBrmError(
            "the Office add-in's files are missing (udfs/office)", hint="reinstall xl-brm: " + INSTALL_HINT
        )
    return folder


def environment(settings: OfficeSettings) -> dict[str, str]:
    """The XLWINGS_* variables xlwings Server reads when it is imported."""
    key = settings.license_key or os.environ.get("XLWINGS_LICENSE_KEY")
    if not key:
        raise XlBrmError("xlwings Server needs a licence key", hint=LICENCE_HINT)
    env = {
        "XLWINGS_ON_SERVER": "true",
        "XLWINGS_LICENSE_KEY": key,
        "XLWINGS_PROJECT_DIR": str(project_dir()),
    }
    if settings.public_url:
        env["XLWINGS_HOSTNAME"] = _hostname(settings.public_url)
    if settings.addin_id:
        stage = os.environ.get("XLWINGS_ENVIRONMENT", "prod").lower()
        env[f"XLWINGS_MANIFEST_ID_{stage.upper()}"] = _guid(settings.addin_id)
    return env


def _hostname(public_url: str) -> str:
    parts = urlsplit(public_url)
    if parts.scheme != "https" or not parts.netloc or parts.path.strip("/"):
        raise UsageError(
            f"--public-url {public_url!r} is not an https address of a server",
            hint="Office add-ins are served over https: give e.g. https://brm-addin.trust.nhs.uk",
        )
    return parts.netloc


def _guid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise UsageError(
            f"--id {value!r} is not a GUID",
            hint="make one with: python -c 'import uuid; print(uuid.uuid4())'",
        ) from None


def _prepare(settings: OfficeSettings) -> None:
    env = environment(settings)
    if importlib.util.find_spec("xlwings_server") is None:
        raise XlBrmError("the Office add-in needs xlwings Server", hint=INSTALL_HINT)
    os.environ.update(env)  # before xlwings or xlwings Server is imported: both read it then
    skip_pyodide_probe()


def serve(
    settings: OfficeSettings,
    *,
    host: str,
    port: int,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
) -> None:
    """Run xlwings Server with the add-in's project until interrupted."""
    _prepare(settings)
    import uvicorn

    uvicorn.run(
        APP,
        host=host,
        port=port,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
    )


def manifest_xml(settings: OfficeSettings) -> str:
    """The manifest xlwings Server would serve at `settings.public_url`/manifest.xml."""
    public_url = settings.public_url or "https://localhost:8000"
    _prepare(
        OfficeSettings(license_key=settings.license_key, public_url=public_url, addin_id=settings.addin_id)
    )
    import httpx
    from xlwings_server.main import main_app

    async def fetch() -> str:
        transport = httpx.ASGITransport(app=main_app)
        async with httpx.AsyncClient(transport=transport, base_url=public_url) as client:
            response = await client.get("/manifest.xml")
            response.raise_for_status()
            return response.text

    return asyncio.run(fetch())
