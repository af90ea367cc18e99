"""`xl-brm addin`: the Office add-in server and its manifest, and the desktop add-in shipped in
the wheel (where it is, and installing it). Mounted by the main CLI as a sub-app."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from xl_brm.errors import XlBrmError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Serve and install the Excel add-ins.")

XLAM = Path(__file__).with_name("xl_brm.xlam")
"""The desktop add-in, shipped inside the wheel (built by `python -m tools.addin_build`)."""
CONF_NAME = "xl_brm.conf"
INTERPRETER_KEY = "INTERPRETER_WIN"


def _fail(error: XlBrmError) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(2)


LicenceKey = Annotated[
    str | None,
    typer.Option(
        "--license-key",
        envvar="XLWINGS_LICENSE_KEY",
        help="xlwings licence key: 'noncommercial' for NHS and other public bodies (PolyForm Noncommercial).",
    ),
]
AddinId = Annotated[
    str | None, typer.Option("--id", help="The add-in's GUID in the manifest (one per environment).")
]


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on (keep 127.0.0.1 unless behind a proxy).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="https address where Excel reaches the server (default: as each request arrives).",
        ),
    ] = None,
    license_key: LicenceKey = None,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (Office add-ins must be served over https).")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="TLS private key.")] = None,
    addin_id: AddinId = None,
) -> None:
    """Run the Office add-in (xlwings Server hosting the BRM cell functions and the Benefits
    ribbon) for Excel on the web, Mac and Microsoft 365. Needs pip install 'xl_brm[office]'.

    Example: xl-brm addin serve --license-key noncommercial --ssl-certfile cert.pem --ssl-keyfile key.pem
    """
    from xl_brm.addin import office

    settings = office.OfficeSettings(license_key=license_key, public_url=public_url, addin_id=addin_id)
    scheme = "https" if ssl_certfile else "http"
    where = public_url or f"{scheme}://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"
    typer.echo(f"Manifest: {where}/manifest.xml", err=True)
    try:
        office.serve(settings, host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
    except XlBrmError as error:
        raise _fail(error) from None


@app.command()
def manifest(
    public_url: Annotated[
        str, typer.Option("--public-url", help="https address where Excel reaches the add-in server.")
    ] = "https://localhost:8000",
    license_key: LicenceKey = None,
    addin_id: AddinId = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print the Office add-in manifest that `serve` serves at /manifest.xml (sideload it, or
    upload it in the Microsoft 365 admin centre).

    Example: xl-brm addin manifest --public-url https://brm.trust.nhs.uk -o manifest.xml
    """
    from xl_brm.addin import office

    settings = office.OfficeSettings(license_key=license_key, public_url=public_url, addin_id=addin_id)
    try:
        xml = office.manifest_xml(settings)
    except XlBrmError as error:
        raise _fail(error) from None
    if out:
        out.write_text(xml, encoding="utf-8")
        typer.echo(f"Manifest written to {out}", err=True)
    else:
        typer.echo(xml)


@app.command()
def path() -> None:
    """Print where the desktop add-in (xl_brm.xlam) is installed with xl-brm.

    Example: xl-brm addin path
    """
    if not XLAM.is_file():
        raise _fail(XlBrmError(f"{XLAM} is missing", hint='reinstall xl-brm: pip install "xl_brm[excel]"'))
    typer.echo(str(XLAM))


def addin_folder() -> Path | None:
    """Excel's per-user startup folder on Windows (None elsewhere)."""
    appdata = os.environ.get("APPDATA")
    if sys.platform.startswith("win") and appdata:
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    return None


def user_config() -> Path | None:
    """The xl_brm.conf the add-in reads for every workbook (%USERPROFILE%\\.xl_brm\\xl_brm.conf)."""
    profile = os.environ.get("USERPROFILE")
    if sys.platform.startswith("win") and profile:
        return Path(profile) / ".xl_brm" / CONF_NAME
    return None


def point_config_at(config: Path, interpreter: Path) -> None:
    """Set INTERPRETER_WIN in an xlwings config file ("KEY","value" lines), keeping the rest."""
    kept: list[str] = []
    if config.is_file():
        for line in config.read_text(encoding="utf-8").splitlines():
            key = line.split(",", 1)[0].strip().strip('"')
            if line.strip() and key.upper() != INTERPRETER_KEY:
                kept.append(line)
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("\n".join([f'"{INTERPRETER_KEY}","{interpreter}"', *kept]) + "\n", encoding="utf-8")


@app.command()
def install(
    folder: Annotated[
        Path | None, typer.Option("--folder", help="Install into this folder instead of Excel's XLSTART.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help=f"Write the Python to use into this {CONF_NAME} "
            f"(default on Windows: %USERPROFILE%\\.xl_brm\\{CONF_NAME}).",
        ),
    ] = None,
) -> None:
    """Put xl_brm.xlam where desktop Excel loads it at start-up (%APPDATA%\\Microsoft\\Excel\\XLSTART)
    and point it at the Python running this command (your virtualenv) through xl_brm.conf.

    Example: .venv\\Scripts\\xl-brm addin install
    """
    if not XLAM.is_file():
        raise _fail(XlBrmError(f"{XLAM} is missing", hint='reinstall xl-brm: pip install "xl_brm[excel]"'))
    target_dir = folder or addin_folder()
    conf = config or user_config()
    if conf is not None:
        point_config_at(conf, Path(sys.executable))
        typer.echo(f"Pointed the add-in at {sys.executable} in {conf}.")
    if target_dir is None:
        typer.echo(
            f"Desktop Excel with xlwings runs on Windows. Copy {XLAM} to "
            "%APPDATA%\\Microsoft\\Excel\\XLSTART on the Windows PC (or add it with File > Options > "
            "Add-ins > Excel Add-ins > Browse). On a Mac or in Excel on the web use the Office add-in: "
            "`xl-brm addin serve` and its manifest."
        )
        return
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / XLAM.name
    shutil.copyfile(XLAM, target)
    typer.echo(f"Installed {target}. Restart Excel; the Benefits tab appears on the ribbon.")
