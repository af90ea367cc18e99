"""Nothing a trust sends can corrupt, crash or block the national picture (issue 11).

A seeded generator puts NaN, infinities, 1e309, huge integers, control characters and periods
outside the plausible window into every field of a submission that also carries a valid
benefit: each body gets a clear 4xx problem+json and stores nothing, on SQLite and PostgreSQL.
The issue's own reproductions come first.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
import store_factory as factory
from store_harness import Store

from xl_brm.fields import BENEFIT_FIELDS
from xl_brm.national.schemas import MEASUREMENT_CELLS
from xl_brm.periods import plausible_window
from xl_brm.table import column_letter

TABLES = ("submissions", "benefit_versions", "current_benefits", "measurements", "fy_values")
ALL_COLUMNS = {f.name: column_letter(i) for i, f in enumerate(BENEFIT_FIELDS)}
SENTINEL = "@@HOSTILE@@"


@pytest.fixture
def store(make_store: Any) -> Store:
    return make_store(requests_per_minute=1_000_000)


def stored(store: Store) -> dict[str, int]:
    return {table: store.count(table) for table in TABLES}


def post_text(store: Store, text: str, *, key: str | None = None, dry_run: bool = False) -> Any:
    headers = {**store.auth("RJ1"), "Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    params = {"dry_run": "true"} if dry_run else None
    return store.client.post("/v1/submissions", content=text.encode(), headers=headers, params=params)


def two_benefits(**second: Any) -> dict[str, Any]:
    """A valid EPMA-01 (row 2) and a second benefit X2 (row 3) that will carry the hostile value;
    every benefit field has a column, so every field can be sent."""
    body = factory.body([factory.benefit(2, 2), factory.benefit(3, 20, benefit_id="X2", **second)])
    body["source"]["benefits"]["columns"] = dict(ALL_COLUMNS)
    return body


def assert_problem(response: Any, *, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return problem


def cells_named(problem: dict[str, Any]) -> set[str]:
    """The workbook cells a 422 names: wire errors say 'Sheet!A1', rule findings sheet and cell."""
    named = {e["cell"] for e in problem.get("errors", []) if "cell" in e}
    named |= {f"{f['sheet']}!{f['cell']}" for f in problem.get("findings", []) if f.get("cell")}
    return named


# ------------------------------------------------------------------ the reproductions


def test_unit_value_9_9e307_is_refused_and_the_summary_keeps_its_totals(store: Store) -> None:
    assert store.post(factory.body([factory.benefit(2, 2)])).status_code == 200
    before = store.get("/v1/national/summary").json()
    cash = [t for t in before["totals"] if t["benefit_type"] == "cash_releasing"]
    assert cash and all(t["realised_value_gbp"] == 4480.0 for t in cash)
    refused = store.post(factory.body([factory.benefit(2, 2, benefit_id="B2", unit_value_gbp=9.9e307)]))
    problem = assert_problem(refused)
    assert cells_named(problem) == {"Benefits!O2"}
    assert "plausible" in problem["errors"][0]["msg"]
    assert store.get("/v1/national/summary").json() == before
    assert stored(store)["benefit_versions"] == 1


@pytest.mark.parametrize("value", [100.5, -1, "150%"])
def test_attribution_outside_0_to_100_is_refused(store: Store, value: object) -> None:
    problem = assert_problem(store.post(two_benefits(attribution_pct=value)))
    (finding,) = problem["findings"]
    cell = f"{ALL_COLUMNS['attribution_pct']}3"
    assert (finding["code"], finding["cell"], finding["value"]) == ("BRM206", cell, value)
    assert stored(store) == dict.fromkeys(TABLES, 0)
    assert store.post(two_benefits(attribution_pct=100)).status_code == 200  # the bound itself


def test_unit_value_beyond_1bn_is_refused_naming_the_rule_and_cell(store: Store) -> None:
    problem = assert_problem(store.post(factory.body([factory.benefit(2, 2, unit_value_gbp=2.5e9)])))
    assert problem["type"] == "/problems/implausible-values"
    (finding,) = problem["findings"]
    assert (finding["code"], finding["cell"], finding["column"]) == ("BRM214", "O2", "unit_value_gbp")
    assert "1,000,000,000" in finding["message"]
    assert stored(store) == dict.fromkeys(TABLES, 0)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e309", "-1e309"])
def test_non_finite_numbers_beside_a_valid_benefit_store_nothing_and_retries_agree(
    store: Store, literal: str
) -> None:
    """Once: a 500 while the valid benefit's version 1 was stored, and a saved answer holding a
    bare NaN that made every retry with the same key fail."""
    body = two_benefits()
    body["benefits"][1]["measurements"][0]["value"] = SENTINEL
    text = json.dumps(body).replace(f'"{SENTINEL}"', literal)
    first = assert_problem(post_text(store, text, key="same-key"))
    assert cells_named(first) == {"Measurements!C20"}
    again = assert_problem(post_text(store, text, key="same-key"))
    assert again == first
    assert stored(store) == dict.fromkeys(TABLES, 0)
    # the trust corrects the cell and resubmits with a new key: both benefits are stored
    fixed = post_text(store, json.dumps(two_benefits()), key="next-key")
    assert fixed.status_code == 200 and fixed.json()["counts"]["accepted"] == 2


def test_nul_in_text_is_refused_alike_on_both_databases(store: Store) -> None:
    """Once: a 500 on PostgreSQL (psycopg.DataError), stored as it was on SQLite."""
    problem = assert_problem(store.post(two_benefits(title="Fewer\x00errors")))
    assert problem["type"] == "/problems/implausible-values"
    (finding,) = problem["findings"]
    assert (finding["code"], finding["cell"], finding["value"]) == ("BRM215", "E3", "Fewer\x00errors")
    assert "U+0000" in finding["message"]
    assert stored(store) == dict.fromkeys(TABLES, 0)


def test_sixty_benefits_measured_in_9999_12_are_refused_at_once(store: Store) -> None:
    """Once: 47.8 s and +1 GB, accepted. Now each far period is an error at its cell."""
    benefits = [
        factory.benefit(2 + i, 2 + 2 * i, f"B{i:02d}", actuals=[("2019-10", 110), ("9999-12", 80)])
        for i in range(60)
    ]
    problem = assert_problem(store.post(factory.body(benefits)))
    assert len(problem["findings"]) == 60
    assert {f["code"] for f in problem["findings"]} == {"BRM216"}
    assert problem["findings"][0]["cell"] == "B3"
    first, last = plausible_window()
    assert f"{first} to {last}" in problem["findings"][0]["message"]
    assert stored(store) == dict.fromkeys(TABLES, 0)


def test_a_dry_run_refuses_exactly_as_a_real_submission(store: Store) -> None:
    body = factory.body([factory.benefit(2, 2, actuals=[("2019-10", 110), ("Apr-1899", 80)])])
    dry, real = store.post(body, dry_run=True), store.post(body)
    assert assert_problem(dry) == assert_problem(real)


# ------------------------------------------------------------------ the generator (Deliver 8)

NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1" + "0" * 400, "-9.9e307", "1e13"]
"""JSON number tokens no field may hold (Python's json writes and reads the first five)."""
TEXTS = ['"\\u0000"', '"Fewer\\u0000errors"', '"2019-10\\u001b"', '"a\\u0007b"']
"""Strings with control characters."""
PERIODS = ['"9999-12"', '"0001-01"', '"Mar-00"', '"2999/00 Q1"', '"Dec-1899"', "2958465"]
"""Periods (and an Excel serial, 31/12/9999) outside the plausible window."""


def slots() -> Iterator[tuple[str, ...]]:
    """Every place in a submission a value can go: the second benefit's cells and the body's
    own members."""
    for field in BENEFIT_FIELDS:
        yield ("benefits", "1", "fields", field.name)
    for cell in MEASUREMENT_CELLS:
        yield ("benefits", "1", "measurements", "0", cell)
    yield ("benefits", "1", "row")
    yield ("benefits", "1", "measurements", "0", "row")
    yield ("trust_ods",)
    yield ("rules_version",)
    yield ("client", "name")
    yield ("client", "version")
    yield ("source", "path")
    yield ("source", "benefits", "sheet")
    yield ("source", "benefits", "header_row")
    yield ("source", "benefits", "columns", "title")
    yield ("source", "measurements", "sheet")


def hostile_body(slot: tuple[str, ...], token: str) -> str:
    body: Any = two_benefits()
    target = body
    for part in slot[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[slot[-1]] = SENTINEL
    return json.dumps(body).replace(f'"{SENTINEL}"', token)


def cases() -> list[tuple[tuple[str, ...], str]]:
    """Each slot gets two numbers, a string and a period, taken round-robin so every value goes
    into several slots and every slot gets every kind (the measurement's period: every period);
    in a seeded shuffled order."""
    out = []
    for i, slot in enumerate(slots()):
        periods = PERIODS if slot[-1] == "period" else [PERIODS[i % len(PERIODS)]]
        out += [(slot, NUMBERS[i % 8]), (slot, NUMBERS[(i + 3) % 8]), (slot, TEXTS[i % 4])]
        out += [(slot, token) for token in periods]
    random.Random(11).shuffle(out)
    return out


def test_every_field_refuses_every_kind_of_hostile_value(store: Store) -> None:
    """Periods are refused where a period is read (elsewhere '9999-12' is just text, or not a
    date); every other value is refused everywhere; nothing is ever a 500 or half-stored."""
    accepted_text = 0
    before = stored(store)
    for slot, token in cases():
        where = "/".join(slot)
        response = post_text(store, hostile_body(slot, token))
        assert response.status_code < 500, (where, token, response.text)
        if token in PERIODS and slot[-1] != "period" and response.status_code == 200:
            accepted_text += 1  # text, or a date a benefit may carry: no period is read from it
            before = stored(store)
            continue
        problem = assert_problem(response, status=response.status_code)
        if slot[2:3] == ("fields",) and token not in PERIODS:
            column = ALL_COLUMNS[slot[3]]
            assert f"Benefits!{column}3" in cells_named(problem), (where, token, problem)
        assert stored(store) == before, (where, token)
    assert accepted_text > 0  # the branch above is taken, so the refusals are not all there is
    summary = store.get("/v1/national/summary").json()
    money = [t["realised_value_gbp"] for t in summary["totals"] if t["benefit_type"] == "cash_releasing"]
    assert money and None not in money
    first, last = plausible_window()
    stored_benefits = store.get("/v1/trusts/RJ1/benefits", who="RJ1").json()["benefits"]
    periods = {m["period"] for b in stored_benefits for m in b["measurements"]}
    assert periods and all(str(first) <= p <= str(last) for p in periods)


def test_a_body_full_of_nans_costs_one_error_not_millions(store: Store) -> None:
    """Lists and maps stop at their first bad item: 4,000 NaNs give one entry, found at once."""
    body = factory.register(200, per_benefit=20)
    for benefit in body["benefits"]:
        for m in benefit["measurements"]:
            m["value"] = SENTINEL
        benefit["fields"].update({f"x{i}": SENTINEL for i in range(20)})  # unknown names, bad values
    problem = assert_problem(post_text(store, json.dumps(body).replace(f'"{SENTINEL}"', "NaN")))
    assert len(problem["errors"]) <= 2, problem["errors"]
    assert problem["errors"][0]["loc"][:2] == ["benefits", "0"]
    assert stored(store) == dict.fromkeys(TABLES, 0)
