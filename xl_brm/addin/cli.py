"""`xl-brm addin`: run the Office add-in server, print its manifest, build and install the
desktop add-in. Mounted by the main CLI as a sub-app."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from xl_brm.errors import XlBrmError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Serve, build and install the Excel add-ins."
)

XLAM = "xl_brm.xlam"


def _fail(error: XlBrmError) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(2)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on (keep 127.0.0.1 unless behind a proxy).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="Where Excel reaches the server (default https://HOST:PORT)."),
    ] = None,
    license_key: Annotated[
        str | None,
        typer.Option(
            "--license-key",
            envvar="XLWINGS_LICENSE_KEY",
            help="xlwings licence key: 'noncommercial' for NHS and other public bodies.",
        ),
    ] = None,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (Office add-ins must be served over https).")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="TLS private key.")] = None,
    addin_id: Annotated[
        str | None, typer.Option("--id", help="The add-in's GUID in the manifest (one per environment).")
    ] = None,
    xlwings_js_url: Annotated[
        str | None,
        typer.Option(
            "--xlwings-js-url",
            help="Where the task pane loads the xlwings Office.js client "
            "(default: the release matching the installed xlwings, from jsDelivr).",
        ),
    ] = None,
) -> None:
    """Run the Office add-in server (xlwings Server protocol): BRM cell functions and the
    Benefits ribbon for Excel on the web, Mac and Microsoft 365.

    Example: xl-brm addin serve --license-key noncommercial --ssl-certfile cert.pem --ssl-keyfile key.pem
    """
    import uvicorn

    from xl_brm.addin import server
    from xl_brm.addin.manifest import DEFAULT_ID

    try:
        server.prepare_environment(license_key)
        scheme = "https" if ssl_certfile else "http"
        settings = server.AddinSettings(
            addin_id=addin_id or DEFAULT_ID,
            xlwings_js_url=xlwings_js_url or "",
            public_url=public_url
            or f"{scheme}://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}",
        )
        application = server.create_app(settings)
    except XlBrmError as error:
        raise _fail(error) from None
    typer.echo(f"Manifest: {settings.public_url}/manifest.xml", err=True)
    uvicorn.run(
        application,
        host=host,
        port=port,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
    )


@app.command()
def manifest(
    public_url: Annotated[
        str, typer.Option("--public-url", help="Where Excel reaches the add-in server.")
    ] = "https://localhost:8000",
    addin_id: Annotated[
        str | None, typer.Option("--id", help="The add-in's GUID (one per environment).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print the Office add-in manifest (sideload it, or upload it in the Microsoft 365 admin centre).

    Example: xl-brm addin manifest --public-url https://brm.trust.nhs.uk -o manifest.xml
    """
    from xl_brm.addin.manifest import DEFAULT_ID, manifest_xml

    xml = manifest_xml(public_url, addin_id=addin_id or DEFAULT_ID)
    if out:
        out.write_text(xml, encoding="utf-8")
        typer.echo(f"Manifest written to {out}", err=True)
    else:
        typer.echo(xml)


@app.command("build-xlam")
def build_xlam(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write the add-in (default workbooks/xl_brm.xlam)."),
    ] = None,
) -> None:
    """Build the desktop add-in from the VBA sources, proving every module reads back intact.

    Example: xl-brm addin build-xlam -o dist/xl_brm.xlam
    """
    from xl_brm.addin import build_xlam as builder

    try:
        report = builder.build_xlam(out or builder.DEFAULT_OUTPUT)
    except XlBrmError as error:
        raise _fail(error) from None
    typer.echo(f"Built {report.path}: VBA modules {', '.join(report.modules)} read back identical (olevba).")


def addin_folder() -> Path | None:
    """Excel's per-user startup folder on Windows (None elsewhere)."""
    appdata = os.environ.get("APPDATA")
    if sys.platform.startswith("win") and appdata:
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    return None


@app.command()
def install(
    xlam: Annotated[
        Path | None,
        typer.Option("--xlam", help="The add-in to install (default: the one shipped with xl-brm)."),
    ] = None,
    folder: Annotated[
        Path | None, typer.Option("--folder", help="Install into this folder instead of Excel's XLSTART.")
    ] = None,
) -> None:
    """Put xl_brm.xlam where desktop Excel loads it at start-up (%APPDATA%\\Microsoft\\Excel\\XLSTART).

    Example: xl-brm addin install
    """
    from xl_brm.addin.build_xlam import DEFAULT_OUTPUT

    source = xlam or DEFAULT_OUTPUT
    if xlam is None and not source.is_file():  # an installed wheel: build it here
        import tempfile

        from xl_brm.addin.build_xlam import build_xlam as build

        try:
            source = build(Path(tempfile.mkdtemp(prefix="xl_brm_")) / XLAM).path
        except (XlBrmError, ImportError) as error:
            raise _fail(
                XlBrmError(f"could not build the add-in: {error}", hint='pip install "xl_brm[addin-build]"')
            ) from None
    if not source.is_file():
        raise _fail(XlBrmError(f"{source} does not exist", hint="build it with `xl-brm addin build-xlam`"))
    target_dir = folder or addin_folder()
    if target_dir is None:
        typer.echo(
            f"Desktop Excel with xlwings runs on Windows. Copy {source} to "
            "%APPDATA%\\Microsoft\\Excel\\XLSTART on the Windows PC (or add it with File > Options > "
            "Add-ins > Excel Add-ins > Browse). On a Mac or in Excel on the web use the Office add-in: "
            "`xl-brm addin serve` and its manifest."
        )
        return
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / XLAM
    shutil.copyfile(source, target)
    typer.echo(
        f"Installed {target}. Restart Excel; the Benefits tab appears on the ribbon. "
        'Python needs xl-brm installed (pip install "xl_brm[excel]").'
    )
