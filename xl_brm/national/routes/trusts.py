"""`/v1/trusts/{ods}/...`: what the store holds for one trust (its own token, or a national one)."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from xl_brm.contract import ODS_PATTERN, HashesIn, HashesOut, TrustBenefitsOut
from xl_brm.national import queries
from xl_brm.national.deps import (
    CallerDep,
    DatabaseDep,
    SettingsDep,
    SubmitterDep,
    problem_responses,
    reads,
    submits_for,
)
from xl_brm.national.problems import ProblemError
from xl_brm.national.schemas import BenefitVersionsOut

router = APIRouter(prefix="/v1/trusts/{ods}", tags=["trusts"])

Ods = Annotated[str, Path(pattern=ODS_PATTERN, description="ODS code, e.g. RJ1")]


@router.get(
    "/benefits",
    summary="Current version of each benefit of a trust",
    response_model=TrustBenefitsOut,
    responses=problem_responses(401, 403, 422, 429),
)
def get_trust_benefits(
    who: CallerDep,
    db: DatabaseDep,
    ods: Ods,
    measurements: Annotated[bool, Query(description="Include each version's measurements.")] = True,
) -> dict[str, Any]:
    reads(who, ods)
    with db.read() as conn:
        benefits = queries.trust_benefits(conn, ods, with_measurements=measurements)
    return {"trust_ods": ods, "benefits": benefits}


@router.post(
    "/hashes",
    tags=["submissions"],
    summary="Which of these content hashes the store holds as current (before submitting)",
    response_model=HashesOut,
    responses=problem_responses(401, 403, 413, 422, 429),
)
def post_hashes(
    who: SubmitterDep, db: DatabaseDep, settings: SettingsDep, ods: Ods, body: HashesIn
) -> dict[str, Any]:
    """'Unchanged' is the store's decision: the sync client sends each benefit's content
    hash and sends only what the store does not hold. Authorised as a submission is."""
    submits_for(who, ods)
    if len(body.hashes) > settings.max_rows:
        raise ProblemError(
            422,
            "too-many-rows",
            f"{len(body.hashes)} hashes in one request; this store takes at most {settings.max_rows}.",
            max_rows=settings.max_rows,
        )
    with db.read() as conn:
        return {"trust_ods": ods, "held": queries.held(conn, ods, body.hashes)}


@router.get(
    "/benefits/{benefit_id}/versions",
    summary="Every stored version of one benefit, oldest first",
    response_model=BenefitVersionsOut,
    responses=problem_responses(401, 403, 404, 422, 429),
)
def get_versions(
    who: CallerDep,
    db: DatabaseDep,
    ods: Ods,
    benefit_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> dict[str, Any]:
    reads(who, ods)
    with db.read() as conn:
        versions = queries.versions(conn, ods, benefit_id)
    if not versions:
        raise ProblemError(404, "unknown-benefit", f"{ods} has submitted no benefit {benefit_id!r}.")
    return {"trust_ods": ods, "benefit_id": benefit_id, "versions": versions}
