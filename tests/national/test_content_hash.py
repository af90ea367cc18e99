"""`content_hash` must give exactly the digest it always gave: the sync client and the store compare
hashes, and a store full of versions hashed the old way must keep answering "unchanged".

`reference_hash` is the original implementation (pydantic `model_dump` of every model), kept here
verbatim as the oracle for the fast one in `xl_brm.model`.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, datetime
from typing import Any

import pytest

from xl_brm.enums import (
    ApprovalStatus,
    BaselineMethod,
    Beneficiary,
    BenefitType,
    Category,
    Confidence,
    Direction,
    EvidenceGrade,
)
from xl_brm.model import Benefit, Measurement, benefit_json, content_hash, measurement_json
from xl_brm.periods import Period


def reference_hash(benefit: Benefit, measurements: list[Measurement]) -> str:
    body = {
        "benefit": benefit.model_dump(mode="json"),
        "measurements": [m.model_dump(mode="json") for m in sorted(measurements, key=lambda m: m.period)],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def make_benefit(**changes: Any) -> Benefit:
    base: dict[str, Any] = {
        "benefit_id": "EPMA-01",
        "trust_ods": "RJ1",
        "programme": "GDE",
        "project": "EPMA",
        "title": "Fewer medication administration errors",
        "benefit_type": BenefitType.CASH_RELEASING,
        "category": Category.SAFETY_QUALITY,
        "benefit_owner": "Chief Pharmacist",
        "approval_status": ApprovalStatus.APPROVED,
    }
    return Benefit(**{**base, **changes})


def make_measurements(benefit_id: str = "EPMA-01", values: list[Any] | None = None) -> list[Measurement]:
    values = [110.0, 100.0, 95.5, 0.1 + 0.2, 80.0] if values is None else values
    return [
        Measurement(benefit_id=benefit_id, period=Period(2019 * 12 + 9 + i), value=v, row=10 + i)
        for i, v in enumerate(values)
    ]


def test_the_digest_of_a_known_benefit_never_changes() -> None:
    """Pinned digest: any change to the canonical JSON (even key order or spacing) fails here."""
    digest = content_hash(make_benefit(), make_measurements())
    assert digest == reference_hash(make_benefit(), make_measurements())
    assert digest == "65ba60ab6951fec01b8f81435eeef7a81ef8baa7d1b71b669c69268aafd47d8a"


FULL = {
    "beneficiary": Beneficiary.PATIENTS,
    "is_disbenefit": True,
    "planned": False,
    "measure": "errors per 1,000 doses — “quoted” \\ slash\nnewline",
    "national_measure_code": "NMC-7",
    "unit": "£ per bed-day",
    "direction": Direction.DECREASE,
    "baseline_value": 0.1 + 0.2,
    "baseline_start": date(2019, 4, 1),
    "baseline_end": date(2019, 9, 30),
    "baseline_method": BaselineMethod.MEAN,
    "target_value": 1e-7,
    "target_date": date(2021, 3, 31),
    "realisation_start": date(2019, 10, 1),
    "unit_value_gbp": 35.125,
    "attribution_pct": 33.333333333333336,
    "approved_by": "Director of Finance",
    "approved_on": date(2020, 1, 15),
    "confidence": Confidence.HIGH,
    "evidence": "Datix audit (Q3) ✓",
}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        FULL,
        {"benefit_type": BenefitType.QUALITATIVE, "category": Category.STAFF_EXPERIENCE},
        {"baseline_value": -0.0, "target_value": 1e300, "unit_value_gbp": 5e-324},
        {"baseline_value": float("inf"), "target_value": float("-inf")},
        {"baseline_start": date(1, 1, 1), "baseline_end": date(999, 12, 31)},
        {"approval_status": ApprovalStatus.DRAFT, "local": {"My column": "never sent"}, "row": 7},
        {"title": "", "programme": "   spaced   ", "project": "Ünïcödé 日本"},
    ],
    ids=["minimal", "every-field", "qualitative", "odd-floats", "infinities", "old-dates", "local", "text"],
)
def test_same_digest_as_pydantic_for_varied_benefits(changes: dict[str, Any]) -> None:
    benefit = make_benefit(**changes)
    # The store keeps json.dumps(benefit_json(...)) as the version's text: same keys, same order.
    assert json.dumps(benefit_json(benefit)) == json.dumps(benefit.model_dump(mode="json"))
    assert content_hash(benefit, make_measurements()) == reference_hash(benefit, make_measurements())
    assert content_hash(benefit, []) == reference_hash(benefit, [])


def test_same_digest_for_text_values_quarters_grades_and_blanks() -> None:
    benefit = make_benefit(benefit_type=BenefitType.QUALITATIVE)
    ms = [
        Measurement(benefit_id="EPMA-01", period="2019/20 Q3", value="Staff survey: better", note="n"),
        Measurement(benefit_id="EPMA-01", period="2019/20 Q1", value=None, source="Datix"),
        Measurement(benefit_id="EPMA-01", period="2019-04", value=3, evidence_grade=EvidenceGrade.ESTIMATED),
        Measurement(benefit_id="EPMA-01", period="Apr-19", value=True, evidence_grade=EvidenceGrade.ASSUMED),
        Measurement(benefit_id="EPMA-01", period="2019/20 Q2", value="", note="", source=""),
        Measurement(benefit_id="EPMA-01", period=date(2019, 5, 17), value=float("nan")),
    ]
    for m in ms:
        assert measurement_json(m) == m.model_dump(mode="json")  # the same NaN object compares equal
    assert content_hash(benefit, ms) == reference_hash(benefit, ms)
    # Equal periods keep their given order (a stable sort), whichever way round they come.
    assert content_hash(benefit, ms[::-1]) == reference_hash(benefit, ms[::-1])


def test_values_the_model_did_not_validate_go_through_pydantic() -> None:
    """Assignment is not validated, so a field can hold an odd type: pydantic decides its JSON."""
    benefit = make_benefit()
    benefit.approved_on = datetime(2020, 1, 15, 9, 30)
    benefit.title = "x"
    m, odd = make_measurements()[:2]
    m.source = None
    odd.value = 7  # an int where the model holds floats
    with pytest.warns(UserWarning):  # pydantic says so when it serialises a value of the wrong type
        benefit.baseline_value = 120  # type: ignore[assignment]
        expected = reference_hash(benefit, [odd, m])
    with pytest.warns(UserWarning):
        assert content_hash(benefit, [odd, m]) == expected


def test_same_digest_on_random_benefits() -> None:
    """Many random combinations of blanks, enums, dates, floats and text, in shuffled order."""
    rng = random.Random(20191001)
    enums: dict[str, list[Any]] = {
        "benefit_type": list(BenefitType),
        "category": list(Category),
        "beneficiary": [None, *Beneficiary],
        "direction": [None, *Direction],
        "baseline_method": list(BaselineMethod),
        "approval_status": list(ApprovalStatus),
        "confidence": [None, *Confidence],
    }

    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.3 else value

    for i in range(300):
        changes: dict[str, Any] = {name: rng.choice(options) for name, options in enums.items()}
        changes |= {
            "benefit_id": f"B{i:05d}",
            "is_disbenefit": rng.random() < 0.5,
            "measure": maybe(rng.choice(["errors", "bed days", "é"])),
            "baseline_value": maybe(rng.uniform(-1e6, 1e6)),
            "target_value": maybe(rng.random() * 10 ** rng.randint(-10, 10)),
            "target_date": maybe(date(rng.randint(2000, 2040), rng.randint(1, 12), rng.randint(1, 28))),
            "attribution_pct": rng.choice([100.0, 0.0, 12.5, 0.1 + 0.2]),
            "evidence": maybe("note " * rng.randint(0, 5)),
        }
        benefit = make_benefit(**changes)
        ms = []
        for j in range(rng.randint(0, 30)):
            period = (
                Period.quarter(rng.randint(2015, 2025), rng.randint(1, 4))
                if rng.random() < 0.3
                else Period.month(rng.randint(2015, 2025), rng.randint(1, 12))
            )
            value = rng.choice([None, rng.uniform(-100, 100), round(rng.uniform(0, 10), 1), "text ✓"])
            ms.append(
                Measurement(
                    benefit_id=benefit.benefit_id,
                    period=period,
                    value=value,
                    source=maybe("Datix"),
                    evidence_grade=rng.choice(list(EvidenceGrade)),
                    note=maybe(f"n{j}"),
                    row=j,
                )
            )
        assert content_hash(benefit, ms) == reference_hash(benefit, ms)
