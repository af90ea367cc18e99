"""`xl-brm national ...`: run the store and issue its tokens (mounted by `xl_brm.cli`).

xl-brm national serve --db sqlite:///national.db --host 127.0.0.1 --port 8000
xl-brm national token create --db sqlite:///national.db --trust RJ1
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from xl_brm.errors import XlBrmError

app = typer.Typer(help="Run the national store and manage its tokens.", no_args_is_help=True)
token_app = typer.Typer(help="Issue tokens: shown once, stored only as a hash.", no_args_is_help=True)
app.add_typer(token_app, name="token")

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: XL_BRM_DB or sqlite:///./xl-brm-national.db), "
        "e.g. postgresql+psycopg://brm@db.example/brm",
    ),
]


@app.command()
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes (PostgreSQL).")] = 1,
) -> None:
    """Serve the national store (API at /v1, docs at /docs, web page at /).

    Example: xl-brm national serve --db sqlite:///national.db --port 8000
    """
    import uvicorn

    from xl_brm.national.app import create_app
    from xl_brm.national.serving import UVICORN_OPTIONS
    from xl_brm.national.settings import StoreSettings

    try:
        if db:
            os.environ["XL_BRM_DB"] = db  # workers read their settings from the environment
        settings = StoreSettings()
        if workers > 1:
            if settings.db.startswith("sqlite"):
                raise XlBrmError("several workers need PostgreSQL", hint="use --workers 1 with SQLite")
            create_app(settings).state.db.dispose()  # migrate once, before the workers start
            uvicorn.run(
                "xl_brm.national.app:create_app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                proxy_headers=True,
                **UVICORN_OPTIONS,
            )
        else:
            uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, **UVICORN_OPTIONS)
    except XlBrmError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@token_app.command("create")
def token_create(
    db: DbOpt = None,
    trust: Annotated[str | None, typer.Option("--trust", help="ODS code of the trust, e.g. RJ1.")] = None,
    national: Annotated[bool, typer.Option("--national", help="A national (read-everything) token.")] = False,
) -> None:
    """Create a token and print it once, as the last line (it cannot be shown again).

    Example: xl-brm national token create --db sqlite:///national.db --trust RJ1
    """
    from xl_brm.national.settings import StoreSettings
    from xl_brm.national.tokens import create_token

    settings = StoreSettings(db=db) if db else StoreSettings()
    try:
        token = create_token(settings.db, trust=trust, national=national, db_schema=settings.db_schema)
    except XlBrmError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    scope = "national" if national else f"trust {trust.upper() if trust else ''}"
    typer.echo(f"New {scope} token (store it now; only its hash is kept):", err=True)
    typer.echo(token)
