"""`xl-brm national ...`: run the store and issue its tokens (mounted by `xl_brm.cli`).

xl-brm national serve --db sqlite:///national.db --host 127.0.0.1 --port 8000
xl-brm national token create --db sqlite:///national.db --trust RJ1 [--expires 365]
xl-brm national token list --db sqlite:///national.db
xl-brm national token revoke --db sqlite:///national.db 3
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from xl_brm.errors import XlBrmError

app = typer.Typer(help="Run the national store and manage its tokens.", no_args_is_help=True)
token_app = typer.Typer(
    help="Issue, list and revoke tokens: shown once, stored only as a hash, expiring.",
    no_args_is_help=True,
)
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


ExpiresOpt = Annotated[
    int,
    typer.Option("--expires", metavar="DAYS", help="Days until the token expires (1-3650)."),
]


@contextmanager
def _store(db: str | None) -> Iterator[Any]:
    """The store's database from --db (or XL_BRM_DB), migrated to the newest schema; an
    error becomes one line and exit code 2."""
    from sqlalchemy.exc import SQLAlchemyError

    from xl_brm.national.settings import StoreSettings
    from xl_brm.national.tokens import open_store

    try:
        settings = StoreSettings(db=db) if db else StoreSettings()
        store = open_store(settings.db, settings.db_schema)
    except (ValueError, SQLAlchemyError) as error:  # a bad --db URL, or a database not reachable
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        typer.echo(f"error: cannot open the store's database: {first}", err=True)
        raise typer.Exit(2) from None
    try:
        yield store
    except XlBrmError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.dispose()


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC") if moment else "never"


@token_app.command("create")
def token_create(
    db: DbOpt = None,
    trust: Annotated[str | None, typer.Option("--trust", help="ODS code of the trust, e.g. RJ1.")] = None,
    national: Annotated[bool, typer.Option("--national", help="A national (read-everything) token.")] = False,
    expires: ExpiresOpt = 365,
) -> None:
    """Create a token and print it once, as the last line (it cannot be shown again).

    Example: xl-brm national token create --db sqlite:///national.db --trust RJ1 --expires 365
    """
    from xl_brm.national.tokens import issue

    with _store(db) as store:
        info, token = issue(store, trust=trust, national=national, expires_days=expires)
    typer.echo(
        f"New {info.scope} token, id {info.id}, expires {_when(info.expires_at)} "
        "(store it now; only its hash is kept):",
        err=True,
    )
    typer.echo(token)


@token_app.command("list")
def token_list(
    db: DbOpt = None,
    trust: Annotated[str | None, typer.Option("--trust", help="Only this trust's tokens.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """List tokens: id, trust or national, created, expires, last used, revoked. Never the
    token or its hash.

    Example: xl-brm national token list --db sqlite:///national.db
    """
    from xl_brm.national.tokens import list_tokens

    with _store(db) as store:
        tokens = list_tokens(store, trust=trust)
    now = datetime.now(UTC)
    if json_out:
        typer.echo(json.dumps([
            {
                "id": t.id,
                "trust_ods": t.trust_ods,
                "national": t.is_national,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                "status": t.status(now),
            }
            for t in tokens
        ], indent=2))
        return
    rows = [("id", "scope", "created", "expires", "last used", "revoked", "status")]
    rows += [
        (str(t.id), t.scope, _when(t.created_at), _when(t.expires_at), _when(t.last_used_at),
         _when(t.revoked_at) if t.revoked_at else "-", t.status(now))
        for t in tokens
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not tokens:
        typer.echo("(no tokens)")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID", help="The id `token list` shows.")],
    db: DbOpt = None,
) -> None:
    """Revoke a token: from now on the store answers it with 401.

    Example: xl-brm national token revoke --db sqlite:///national.db 3
    """
    from xl_brm.national.tokens import revoke

    with _store(db) as store:
        info, revoked_now = revoke(store, token_id)
    if revoked_now:
        typer.echo(f"Token {info.id} ({info.scope}) revoked: the store refuses it from now on.")
    else:
        typer.echo(f"Token {info.id} ({info.scope}) was already revoked on {_when(info.revoked_at)}.")
