"""What the store's routes depend on, as typed aliases (`DatabaseDep`, `CallerDep`, ...).

Everything comes from the app the request reached (`app.state`, set by `create_app`), never
from a module global, so apps over different databases live side by side in one process.
Who may do what is decided here once: a route names the caller it needs (`NationalDep`,
`SubmitterDep`) and never repeats the check.
"""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from xl_brm.national import limits, problems
from xl_brm.national.db import Database
from xl_brm.national.problems import ProblemError
from xl_brm.national.settings import StoreSettings
from xl_brm.national.store import InFlight
from xl_brm.national.tokens import Principal, authenticate

_bearer = HTTPBearer(auto_error=False, description="A trust token or a national token.")


def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def get_settings(request: Request) -> StoreSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_inflight(request: Request) -> InFlight:
    return request.app.state.inflight  # type: ignore[no-any-return]


DatabaseDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[StoreSettings, Depends(get_settings)]
InFlightDep = Annotated[InFlight, Depends(get_inflight)]


def caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    db: DatabaseDep,
    settings: SettingsDep,
) -> Principal:
    """The token's principal: 401 when missing, unknown, revoked or expired; 429 over the rate."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ProblemError(
            401,
            "missing-token",
            "Send your token as `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    who = authenticate(db, credentials.credentials)
    limits.hit(db, who.token_hash, per_minute=settings.requests_per_minute)
    return who


CallerDep = Annotated[Principal, Depends(caller)]


def national(who: CallerDep) -> Principal:
    if not who.is_national:
        raise ProblemError(403, "national-only", "Only a national token can read national figures.")
    return who


NationalDep = Annotated[Principal, Depends(national)]


def submitter(who: CallerDep) -> Principal:
    """A trust's token: only a trust submits, and only for itself (`submits_for`)."""
    if who.is_national:
        raise ProblemError(403, "trust-only", "Submissions come from a trust token, not a national one.")
    return who


SubmitterDep = Annotated[Principal, Depends(submitter)]


def submits_for(who: Principal, ods: str) -> None:
    """403 unless `who` is the trust `ods` (a submission's body, or a hashes path)."""
    if ods != who.trust_ods:
        raise ProblemError(
            403, "other-trust", f"This token belongs to {who.trust_ods}; it cannot submit for {ods}."
        )


def reads(who: Principal, ods: str) -> None:
    """403 unless `who` may read the trust `ods` (its own trust, or a national token)."""
    if not who.may_read(ods):
        raise ProblemError(
            403, "other-trust", f"This token belongs to {who.trust_ods}; it cannot read {ods}."
        )


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the problem+json answers a route may give."""
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        code: {
            "description": problems.TITLES.get(code, "Error"),
            "content": {problems.PROBLEM_JSON: {"schema": ref}},
        }
        for code in codes
    }
