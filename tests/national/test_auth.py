"""Authorisation matrix: every endpoint x own trust / other trust / national / no token / unknown."""

from __future__ import annotations

import pytest
import store_factory as factory
from store_harness import Store

CALLERS = ("RJ1", "RRV", "national", None, "unknown")

# endpoint -> expected status per caller (RJ1 is "own trust" for trust-scoped endpoints)
MATRIX = {
    ("POST", "/v1/submissions"): (200, 403, 403, 401, 401),
    ("GET", "/v1/trusts/RJ1/benefits"): (200, 403, 200, 401, 401),
    ("GET", "/v1/trusts/RJ1/benefits/EPMA-01/versions"): (200, 403, 200, 401, 401),
    ("GET", "/v1/national/summary"): (403, 403, 200, 401, 401),
    ("GET", "/v1/national/returns"): (403, 403, 200, 401, 401),
    ("GET", "/v1/national/export.csv"): (403, 403, 200, 401, 401),
    ("GET", "/v1/national/export.xlsx"): (403, 403, 200, 401, 401),
    ("GET", "/v1/rules"): (200, 200, 200, 401, 401),
}


@pytest.mark.parametrize(("method", "path"), list(MATRIX))
def test_authorisation_matrix(store: Store, method: str, path: str) -> None:
    seed = store.post(factory.body([factory.benefit(2, 2)]))
    assert seed.status_code == 200, seed.text
    for caller, expected in zip(CALLERS, MATRIX[(method, path)], strict=True):
        headers = store.auth(caller) if caller else {}
        if method == "POST":
            response = store.client.post(path, json=factory.body([factory.benefit(2, 2)]), headers=headers)
        else:
            response = store.client.get(path, headers=headers)
        assert response.status_code == expected, (caller, response.text)
        if expected >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["status"] == expected and problem["title"] and problem["detail"]
        if expected == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_trust_cannot_write_rows_of_another_trust(store: Store) -> None:
    # a body claiming another trust is refused outright ...
    response = store.post(factory.body([factory.benefit(2, 2, trust="RRV")], trust="RRV"), who="RJ1")
    assert response.status_code == 403
    # ... and a row naming another trust inside its own submission is rejected at its cell
    response = store.post(factory.body([factory.benefit(2, 2, trust="RRV")]), who="RJ1")
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == "rejected"
    assert [(f["code"], f["cell"]) for f in result["findings"]] == [("BRM406", "B2")]
    assert store.get("/v1/trusts/RRV/benefits").json()["benefits"] == []
    assert store.count("benefit_versions") == 0


def test_a_trust_reads_only_its_own_rows(store: Store) -> None:
    assert store.post(factory.body([factory.benefit(2, 2)])).status_code == 200
    other = factory.body([factory.benefit(2, 2, benefit_id="RRV-1", trust="RRV")], trust="RRV")
    assert store.post(other, who="RRV").status_code == 200
    mine = store.get("/v1/trusts/RJ1/benefits", who="RJ1").json()["benefits"]
    assert [b["benefit_id"] for b in mine] == ["EPMA-01"]
    assert store.get("/v1/trusts/RRV/benefits", who="RJ1").status_code == 403
    assert store.get("/v1/trusts/RRV/benefits/RRV-1/versions", who="RJ1").status_code == 403


def test_malformed_authorisation_header_is_401(store: Store) -> None:
    for value in ("Basic abc", "Bearer", "token", "Bearer a b"):
        response = store.client.get("/v1/rules", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.headers["content-type"] == "application/problem+json"
