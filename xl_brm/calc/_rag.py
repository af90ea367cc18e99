"""RAG status: realised improvement to date against planned improvement to date (SPEC §5.4)."""

from __future__ import annotations

from dataclasses import dataclass

from xl_brm.calc._numbers import TOLERANCE
from xl_brm.enums import Rag
from xl_brm.errors import UsageError


@dataclass(frozen=True, slots=True, kw_only=True)
class RagThresholds:
    """Ratios (not percentages) of realised to planned: 0.9 means 90%."""

    green: float = 0.90
    amber: float = 0.70

    def __post_init__(self) -> None:
        if not 0 <= self.amber <= self.green:
            raise UsageError(
                f"RAG thresholds amber={self.amber:g}, green={self.green:g} are out of order",
                hint="amber must be at least 0 and no higher than green",
            )
        if self.green > 10:
            raise UsageError(
                f"RAG threshold green={self.green:g} looks like a percentage",
                hint="thresholds are ratios: write 0.9 for 90%",
            )


DEFAULT_THRESHOLDS = RagThresholds()


def rag_status(
    realised: float, planned: float, thresholds: RagThresholds = DEFAULT_THRESHOLDS
) -> Rag:
    """Green, amber or red from Σd(p) and Σpd(p).

    With a positive plan this is the SPEC's ratio test: green when realised / planned >= 0.9,
    amber when >= 0.7. The same test is written as a shortfall so it also works when the plan
    is zero or negative (a dis-benefit planned to get worse): green when realised falls short of
    planned by at most 10% of |planned|, amber at most 30%. A zero plan is green when realised >= 0.
    """
    slack = TOLERANCE * max(1.0, abs(planned))
    if realised >= planned - (1 - thresholds.green) * abs(planned) - slack:
        return Rag.GREEN
    if realised >= planned - (1 - thresholds.amber) * abs(planned) - slack:
        return Rag.AMBER
    return Rag.RED
