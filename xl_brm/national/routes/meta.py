"""The store itself: is it up, and which rules does it check with."""

# No `from __future__ import annotations`: FastAPI resolves the Annotated aliases at runtime.

from typing import Any

from fastapi import APIRouter

from xl_brm.national.deps import CallerDep, problem_responses
from xl_brm.national.schemas import RulesOut

router = APIRouter(prefix="/v1", tags=["meta"])


@router.get("/health", summary="Is the store up?")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/rules",
    summary="The rule catalogue and its version",
    response_model=RulesOut,
    responses=problem_responses(401, 429),
)
def get_rules(who: CallerDep) -> dict[str, Any]:
    from xl_brm.rules import RULES, RULES_VERSION

    return {
        "rules_version": RULES_VERSION,
        "rules": [
            {
                "code": r.code,
                "slug": r.slug,
                "severity": r.severity,
                "title": r.title,
                "message": r.message,
                "fix": r.fix,
                "why": r.why,
            }
            for r in RULES.values()
        ],
    }
