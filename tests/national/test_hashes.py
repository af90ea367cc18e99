"""`POST /v1/trusts/{ods}/hashes`: which content hashes the store holds as current. The sync
client asks it before sending, so 'unchanged' is the store's word; it is authorised exactly as
a submission is."""

from __future__ import annotations

from typing import Any

import pytest
import store_factory as factory
from store_harness import Store


def _ask(store: Store, hashes: dict[str, Any], *, who: str | None = "RJ1",
         ods: str = "RJ1") -> Any:
    headers = store.auth(who) if who else {}
    return store.client.post(f"/v1/trusts/{ods}/hashes", json={"hashes": hashes}, headers=headers)


def _current(store: Store) -> dict[str, tuple[int, str]]:
    benefits = store.get("/v1/trusts/RJ1/benefits", who="RJ1").json()["benefits"]
    return {b["benefit_id"]: (b["version"], b["content_hash"]) for b in benefits}


def test_the_store_says_which_hashes_it_holds_as_current(store: Store) -> None:
    first = store.post(factory.body([factory.benefit(2, 2), factory.benefit(
        3, 8, benefit_id="EPMA-02")]))
    assert first.status_code == 200, first.text
    v1 = _current(store)
    asked = {"EPMA-01": v1["EPMA-01"][1], "EPMA-02": v1["EPMA-02"][1], "EPMA-99": "0" * 64}
    answer = _ask(store, asked)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"trust_ods": "RJ1", "held": {"EPMA-01": 1, "EPMA-02": 1}}

    changed = factory.benefit(2, 2, title="Fewer errors, revised")
    assert store.post(factory.body([changed])).json()["counts"]["accepted"] == 1
    assert _ask(store, asked).json()["held"] == {"EPMA-02": 1}  # version 1's hash is not current
    v2 = _current(store)["EPMA-01"]
    assert _ask(store, {"EPMA-01": v2[1]}).json()["held"] == {"EPMA-01": 2}
    assert _ask(store, {}).json()["held"] == {}


@pytest.mark.parametrize(("who", "ods", "status"), [
    ("RJ1", "RJ1", 200), ("RRV", "RJ1", 403), ("national", "RJ1", 403), (None, "RJ1", 401),
    ("unknown", "RJ1", 401), ("RJ1", "RRV", 403),
])
def test_it_is_authorised_as_a_submission_is(store: Store, who: str | None, ods: str,
                                             status: int) -> None:
    response = _ask(store, {"EPMA-01": "0" * 64}, who=who, ods=ods)
    assert response.status_code == status, response.text
    if status != 200:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == status


@pytest.mark.parametrize("hashes", [
    {"EPMA-01": "not a hash"},
    {"EPMA-01": "A" * 64},  # upper case: not how the store writes them
    {"x" * 65: "0" * 64},
    {"": "0" * 64},
    {"EPMA-01": 5},
])
def test_a_malformed_question_is_a_422_problem(store: Store, hashes: dict[str, Any]) -> None:
    response = _ask(store, hashes)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_the_number_of_hashes_is_bounded(make_store: Any) -> None:
    store = make_store(max_rows=3)
    assert _ask(store, {f"B{i}": "0" * 64 for i in range(3)}).status_code == 200
    response = _ask(store, {f"B{i}": "0" * 64 for i in range(4)})
    assert response.status_code == 422 and response.json()["max_rows"] == 3
