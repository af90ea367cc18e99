"""Submissions: versions, no-op resubmits, dry runs, what a body may not set, summary figures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import store_factory as factory
from store_harness import Store

from xl_brm.model import Benefit, Measurement, content_hash
from xl_brm.rules import RULES_VERSION


def _results(response: Any) -> list[tuple[str, str, int | None]]:
    assert response.status_code == 200, response.text
    return [(r["benefit_id"], r["status"], r["version"]) for r in response.json()["results"]]


def test_accepted_with_version_and_the_shared_content_hash(store: Store) -> None:
    response = store.post(factory.body([factory.benefit(2, 2)]))
    answer = response.json()
    assert _results(response) == [("EPMA-01", "accepted", 1)]
    assert answer["counts"] == {"accepted": 1, "unchanged": 0, "rejected": 0}
    assert answer["dry_run"] is False and answer["rules_version"] == RULES_VERSION
    stored = store.get("/v1/trusts/RJ1/benefits", who="RJ1").json()["benefits"][0]
    benefit = Benefit.model_validate(stored["benefit"])
    measurements = [Measurement(benefit_id="EPMA-01", **m) for m in stored["measurements"]]
    assert (
        answer["results"][0]["content_hash"] == stored["content_hash"] == content_hash(benefit, measurements)
    )
    assert len(stored["measurements"]) == 6


def test_unchanged_resubmit_is_a_no_op(store: Store) -> None:
    body = factory.body([factory.benefit(2, 2)])
    first = store.post(body)
    assert _results(first) == [("EPMA-01", "accepted", 1)]
    again = store.post(body)
    assert _results(again) == [("EPMA-01", "unchanged", 1)]
    assert again.json()["results"][0]["content_hash"] == first.json()["results"][0]["content_hash"]
    assert store.count("benefit_versions") == 1
    assert store.count("measurements") == 6


def test_changed_row_gets_a_new_version_and_the_old_is_kept(store: Store) -> None:
    assert _results(store.post(factory.body([factory.benefit(2, 2)]))) == [("EPMA-01", "accepted", 1)]
    changed = factory.body([factory.benefit(2, 2, title="Fewer drug-round errors")])
    assert _results(store.post(changed)) == [("EPMA-01", "accepted", 2)]
    history = store.get("/v1/trusts/RJ1/benefits/EPMA-01/versions", who="RJ1").json()["versions"]
    assert [(v["version"], v["benefit"]["title"]) for v in history] == [
        (1, "Fewer medication administration errors"),
        (2, "Fewer drug-round errors"),
    ]
    current = store.get("/v1/trusts/RJ1/benefits", who="RJ1").json()["benefits"]
    assert [(b["version"], b["benefit"]["title"]) for b in current] == [(2, "Fewer drug-round errors")]
    assert store.count("measurements") == 12  # each version keeps its own measurements
    # a changed measurement also makes a new version
    actuals = [*factory.ACTUALS[:-1], ("2020-03", 70)]
    body = factory.body([factory.benefit(2, 2, actuals=actuals, title="Fewer drug-round errors")])
    assert _results(store.post(body)) == [("EPMA-01", "accepted", 3)]


def test_dry_run_answers_like_a_real_submission_and_stores_nothing(store: Store) -> None:
    body = factory.body(
        [factory.benefit(2, 2), factory.benefit(3, 8, benefit_id="DRAFT-1", approval_status="draft")]
    )
    dry = store.post(body, dry_run=True)
    assert dry.status_code == 200
    for table in ("submissions", "benefit_versions", "current_benefits", "measurements", "fy_values"):
        assert store.count(table) == 0, table
    real = store.post(body)
    strip = lambda a: {k: v for k, v in a.items() if k not in ("submission_id", "dry_run")}  # noqa: E731
    assert strip(dry.json()) == strip(real.json())
    assert dry.json()["dry_run"] is True and real.json()["dry_run"] is False
    # after the real one, a dry run predicts 'unchanged'
    assert _results(store.post(body, dry_run=True))[0] == ("EPMA-01", "unchanged", 1)


def test_only_approved_benefits_are_stored(store: Store) -> None:
    body = factory.body([factory.benefit(2, 2, benefit_id="D1", approval_status="draft")])
    result = store.post(body).json()["results"][0]
    assert result["status"] == "rejected" and result["version"] is None
    finding = result["findings"][0]
    assert finding["code"] == "NAT101" and finding["cell"] == "R2" and "approved" in finding["message"]
    assert store.count("benefit_versions") == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b.update(version=7),
        lambda b: b.update(submission_id="x"),
        lambda b: b["benefits"][0].update(content_hash="0" * 64),
        lambda b: b["benefits"][0].update(version=9),
        lambda b: b["benefits"][0]["fields"].update(version=9),
        lambda b: b["benefits"][0]["fields"].update(received_at="2020-01-01"),
        lambda b: b["benefits"][0]["measurements"][0].update(version_id=1),
        lambda b: b["source"]["benefits"]["columns"].update(version="Z"),
        lambda b: b["client"].update(trust_ods="RRV"),
    ],
    ids=[
        "top-version",
        "submission-id",
        "benefit-hash",
        "benefit-version",
        "field-version",
        "field-received",
        "measurement-version-id",
        "column-version",
        "client-trust",
    ],
)
def test_a_body_cannot_set_internal_fields(store: Store, tamper: Any) -> None:
    body = factory.body([factory.benefit(2, 2)])
    tamper(body)
    response = store.post(body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/invalid-submission"
    assert store.count("submissions") == 0


def test_other_rules_version_is_told_to_update(store: Store) -> None:
    response = store.post(factory.body([factory.benefit(2, 2)], rules_version="1999.01-deadbeef"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/rules-version-mismatch"
    assert problem["rules_version"] == RULES_VERSION and "Update xl-brm" in problem["detail"]


def test_findings_name_the_trusts_cells(store: Store) -> None:
    bad = factory.benefit(5, 20, baseline_value="n/a")
    bad["measurements"][2]["value"] = "lots"
    body = factory.body([factory.benefit(4, 2), bad])
    results = store.post(body).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    cells = {(f["sheet"], f["cell"]) for f in results[1]["findings"] if f["severity"] == "error"}
    assert ("Benefits", "K5") in cells  # baseline_value is column K
    assert ("Measurements", "C22") in cells  # the third measurement's value


def test_national_summary_uses_the_calculations(store: Store) -> None:
    # hand-worked: £4,480 cash-releasing in 2019/20 (see store_factory)
    assert store.post(factory.body([factory.benefit(2, 2)])).status_code == 200
    ncrb = factory.benefit(
        3,
        8,
        benefit_id="NC-1",
        benefit_type="non_cash_releasing",
        grade="estimated",
        unit_value_gbp=10.0,
        attribution_pct=100.0,
    )
    # 160 improvement x 100% x £10 = £1,600 non-cash, estimated
    assert _results(store.post(factory.body([ncrb])))[0] == ("NC-1", "accepted", 1)
    other = factory.body([factory.benefit(2, 2, benefit_id="R1", trust="RRV")], trust="RRV")
    assert store.post(other, who="RRV").status_code == 200
    summary = store.get("/v1/national/summary").json()
    fy = {
        (t["key"], t["benefit_type"], t["evidence_grade"]): t["realised_value_gbp"]
        for t in summary["totals"]
        if t["dimension"] == "financial_year"
    }
    assert fy == {
        ("2019/20", "cash_releasing", "measured"): pytest.approx(8960.0),
        ("2019/20", "non_cash_releasing", "estimated"): pytest.approx(1600.0),
    }
    by_trust = {
        (t["key"], t["benefit_type"]): t["realised_value_gbp"]
        for t in summary["totals"]
        if t["dimension"] == "trust_ods"
    }
    assert by_trust == {
        ("RJ1", "cash_releasing"): pytest.approx(4480.0),
        ("RJ1", "non_cash_releasing"): pytest.approx(1600.0),
        ("RRV", "cash_releasing"): pytest.approx(4480.0),
    }
    row = next(
        r for r in summary["rows"] if r["trust_ods"] == "RJ1" and r["benefit_type"] == "cash_releasing"
    )
    assert row["realised_quantity"] == pytest.approx(128.0) and row["benefits"] == 1
    # a new version replaces the old one in the summary (no double counting)
    assert store.post(factory.body([factory.benefit(2, 2, unit_value_gbp=40.0)])).status_code == 200
    summary = store.get("/v1/national/summary").json()
    by_trust = {
        (t["key"], t["benefit_type"]): t["realised_value_gbp"]
        for t in summary["totals"]
        if t["dimension"] == "trust_ods"
    }
    assert by_trust[("RJ1", "cash_releasing")] == pytest.approx(128.0 * 40)


def test_returns_show_who_has_and_has_not_submitted(store: Store) -> None:
    assert store.post(factory.body([factory.benefit(2, 2)])).status_code == 200
    today = date.today()
    trusts = store.get("/v1/national/returns", params={"since": str(today)}).json()["trusts"]
    state = {t["trust_ods"]: (t["submitted"], t["last_submission_at"] is not None) for t in trusts}
    assert state == {"RJ1": (True, True), "RRV": (False, False)}
    later = store.get("/v1/national/returns", params={"since": str(today + timedelta(days=2))}).json()
    assert {t["trust_ods"]: t["submitted"] for t in later["trusts"]} == {"RJ1": False, "RRV": False}
    assert store.get("/v1/national/returns", params={"since": "not-a-date"}).status_code == 422


def test_rules_endpoint_lists_the_catalogue(store: Store) -> None:
    rules = store.get("/v1/rules", who="RJ1").json()
    assert rules["rules_version"] == RULES_VERSION
    assert {"BRM201", "BRM406"} <= {r["code"] for r in rules["rules"]}


def test_web_page_and_docs(store: Store) -> None:
    page = store.client.get("/", follow_redirects=True)
    assert page.status_code == 200 and "Sign in with your national token" in page.text
    assert "<script" not in page.text and "script-src" not in page.headers["content-security-policy"]
    assert store.client.get("/docs").status_code == 200
    spec = store.client.get("/openapi.json").json()
    assert "SubmissionIn" in spec["components"]["schemas"]


def test_measurements_without_a_source_sheet_are_refused(store: Store) -> None:
    body = factory.body([factory.benefit(2, 2)])
    body["source"]["measurements"] = None
    assert store.post(body).status_code == 422
