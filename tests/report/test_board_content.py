"""The board report's content model: every figure is compute's, totals are sums of what compute
shows, and the planned £ is worked by hand on a small register."""

from __future__ import annotations

from typing import Any

import pytest

from xl_brm.calc import compute_register
from xl_brm.computation import Computation
from xl_brm.model import Benefit, Measurement, Register
from xl_brm.periods import parse_period
from xl_brm.report import Document, Table, board_report
from xl_brm.report._board import FIGURE_KEYS

COMMON: dict[str, Any] = {
    "trust_ods": "RJ1",
    "programme": "GDE",
    "category": "safety_quality",
    "benefit_owner": "Chief Pharmacist",
    "approval_status": "approved",
    "approved_by": "Medical Director",
    "approved_on": "2019-03-01",
    "realisation_start": "2019-04-01",
    "target_date": "2019-07-31",
}


def _table(doc: Document, key: str) -> Table:
    for section in doc.sections:
        for block in [*section.blocks, *(b for s in section.subsections for b in s.blocks)]:
            if isinstance(block, Table) and block.key == key:
                return block
    raise AssertionError(f"no table {key}")


def _hand_register() -> Register:
    """B1 cash-releasing, decrease, baseline 100, target 80 by Jul-19 (N = 4), £10/unit, 50%:
    actuals 95, 90, 88 -> d = 5, 10, 12; v = d x 0.5 x £10 = £25, £50, £60 = £135.
    Plan 95, 90, 85 -> pd = 5, 10, 15; planned £ = pd x £5 = £25 + £50 + £75 = £150.
    B2 the same with no measurements yet: planned £150, realised none (—).
    B3 a qualitative benefit with evidence; B4 an unplanned non-cash benefit, £2/unit, 100%,
    increase from 0 to 40: actuals 10, 20, 25 -> v = £20 + £40 + £50 = £110; plan 10, 20, 30
    -> planned £120."""
    money = {
        "benefit_type": "cash_releasing",
        "direction": "decrease",
        "baseline_value": 100,
        "target_value": 80,
        "unit_value_gbp": 10,
        "attribution_pct": 50,
    }
    benefits = [
        Benefit(benefit_id="B1", title="Fewer duplicate tests", project="EPMA", **money, **COMMON),
        Benefit(benefit_id="B2", title="Fewer repeat X-rays", project="PACS", **money, **COMMON),
        Benefit(
            benefit_id="B3",
            title="Happier staff",
            project="EPMA",
            benefit_type="qualitative",
            evidence="Survey: 71% spend less time on paperwork",
            **COMMON,
        ),
        Benefit(
            benefit_id="B4",
            title="Time released",
            project="PACS",
            benefit_type="non_cash_releasing",
            direction="increase",
            baseline_value=0,
            target_value=40,
            unit_value_gbp=2,
            planned=False,
            **COMMON,
        ),
    ]
    months = ("2019-04", "2019-05", "2019-06")
    measurements = {
        "B1": [
            Measurement(benefit_id="B1", period=p, value=v) for p, v in zip(months, (95, 90, 88), strict=True)
        ],
        "B3": [
            Measurement(
                benefit_id="B3", period="2019-06", value="Staff survey says so", evidence_grade="estimated"
            )
        ],
        "B4": [
            Measurement(benefit_id="B4", period=p, value=v) for p, v in zip(months, (10, 20, 25), strict=True)
        ],
    }
    return Register(trust_ods="RJ1", benefits=benefits, measurements=measurements)


@pytest.fixture
def hand() -> Computation:
    register = _hand_register()
    as_of = parse_period("2019-06")
    return Computation(
        register=register, figures=compute_register(register, as_of=as_of), as_of=as_of, as_of_given=True
    )


def test_headline_by_hand(hand: Computation) -> None:
    headline = _table(board_report(hand), "headline")
    rows = dict(zip(headline.row_keys, headline.rows, strict=True))
    # [label, benefits, planned £, realised £, realised % of planned, PV £]
    assert rows["cash_releasing"][1:5] == [2, 300.0, 135.0, 45.0]  # B1 + B2 planned; B2 realised none
    assert rows["non_cash_releasing"][1:5] == [1, 120.0, 110.0, 91.7]
    assert rows["cash_releasing"][5] == 135.0, "one financial year: PV equals nominal"
    assert "cash_releasing_disbenefit" not in rows


def test_figures_table_is_compute_json(hand: Computation) -> None:
    figures = _table(board_report(hand), "figures")
    for key, row in zip(figures.row_keys, figures.rows, strict=True):
        shown = next(f for f in hand.figures if f.benefit_id == key).to_json()
        for name, value in zip(FIGURE_KEYS, row, strict=True):
            if name in shown and name != "rag":
                assert value == shown[name], (key, name)
    b2 = figures.rows[figures.row_keys.index("B2")]
    assert b2[FIGURE_KEYS.index("realised_value_gbp")] is None, "nothing measured: no figure, not £0.00"


def test_qualitative_unplanned_and_annex(hand: Computation) -> None:
    doc = board_report(hand)
    evidence = _table(doc, "evidence-B3")
    assert evidence.rows == [["2019-06", "Staff survey says so", "Estimated", "—"]]
    assert _table(doc, "unplanned").row_keys == ["B4"]
    annex = next(s for s in doc.sections if s.key == "annex")
    assert "No open findings" in annex.paragraphs[0]


def test_community_headline_equals_compute_json(
    community: Computation, community_json: dict[str, Any]
) -> None:
    headline = _table(board_report(community), "headline")
    rows = dict(zip(headline.row_keys, headline.rows, strict=True))
    types = {f.benefit_id: (f.benefit_type.value, f.is_disbenefit) for f in community.figures}
    for kind in ("cash_releasing", "non_cash_releasing"):
        chosen = [b for b in community_json["benefits"] if types[b["benefit_id"]] == (kind, False)]
        realised = round(sum(b["realised_value_gbp"] or 0 for b in chosen), 2)
        pv = round(sum(b["pv_gbp"] or 0 for b in chosen), 2)
        assert rows[kind][3] == realised and rows[kind][5] == pv
    assert rows["cash_releasing"][3] == 1_463_680.92  # £13,680.92 (CH-02) + £1,450,000.00 (CH-09)


def test_a_blocked_benefit_is_named_with_its_cell(community: Computation) -> None:
    doc = board_report(community)
    figures = _table(doc, "figures")
    assert figures.rows[figures.row_keys.index("CH-08")][FIGURE_KEYS.index("rag")] == "blocked"
    assert "CH-08 (fix BRM308 (Benefits!R9))" in doc.sections[0].note
    annex = _table(doc, "findings")
    brm308 = annex.rows[annex.row_keys.index("BRM308")]
    assert brm308[1] == "Error" and "Benefits!R9" in str(brm308[4])
