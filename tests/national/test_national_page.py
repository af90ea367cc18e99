"""The national page over HTTP (SQLite and PostgreSQL): signing in once and out, sessions stored
hashed and ended by revoking the token, CSRF-safe forms, returns with who is late, present value
beside nominal, quantities only within one measure and unit, dates as people type them.
The same views in a real browser: test_national_page_browser.py."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import store_factory as factory
from openpyxl import load_workbook
from page_support import csrf_of, sign_in
from sqlalchemy import select, update
from store_harness import Store

from xl_brm.national import tables
from xl_brm.national.tokens import list_tokens, revoke

VIEWS = ["/", "/returns", "/figures", "/qualitative", "/library"]


@pytest.fixture(autouse=True)
def _close_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every client a test opens (directly or through `sign_in`) is closed after it."""
    opened: list[httpx.Client] = []
    real = httpx.Client.__init__

    def tracked(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(httpx.Client, "__init__", tracked)
    yield
    for client in opened:
        client.close()


def _uk(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def test_every_view_sends_a_stranger_to_sign_in_and_back(store: Store) -> None:
    for path in [*VIEWS, "/figures.csv", "/library.xlsx", "/figures?by=trust&programme=GDE"]:
        answer = store.client.get(path)
        assert answer.status_code == 303, path
        target = httpx.URL(answer.headers["location"])
        assert target.path == "/sign-in"
        assert target.params.get("next", "/") == path
    client = sign_in(store.url, store.tokens["national"], next_page="/figures?by=trust")
    assert client.get("/figures?by=trust").status_code == 200


def test_sign_in_sets_a_session_cookie_stored_hashed(store: Store) -> None:
    client = httpx.Client(base_url=store.url)
    form = client.get("/sign-in")
    assert "script" not in form.headers["content-security-policy"]
    answer = client.post("/sign-in", data={"token": store.tokens["national"], "csrf": csrf_of(form.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("brm_session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "expires", "path"} <= flags and "secure" not in flags  # http here
    assert "samesite=strict" in cookie.lower()
    value = cookie.split(";")[0].split("=", 1)[1]
    expires = datetime.strptime(cookie.split("expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    hours = (expires.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() / 3600
    assert 7.9 < hours <= 8.0  # session_hours, by default 8
    with store.db.read() as conn:
        kept = conn.execute(select(tables.web_sessions.c.session_hash)).scalars().all()
    assert kept == [hashlib.sha256(value.encode()).hexdigest()]  # only the hash is kept
    assert client.get("/").status_code == 200


def test_a_session_never_outlives_its_token(make_store: Any) -> None:
    store = make_store(session_hours=48)
    client = sign_in(store.url, store.tokens["national"])
    with store.db.write() as conn:
        conn.execute(update(tables.tokens).values(expires_at=datetime.now(UTC) + timedelta(hours=1)))
    assert client.get("/").status_code == 200
    client = sign_in(store.url, store.tokens["national"])
    with store.db.read() as conn:
        s = tables.web_sessions
        last = conn.execute(select(s.c.expires_at).order_by(s.c.id.desc()).limit(1)).scalar_one()
    assert (last if last.tzinfo else last.replace(tzinfo=UTC)) <= datetime.now(UTC) + timedelta(hours=1)


def test_revoking_the_token_ends_its_sessions(store: Store) -> None:
    client = sign_in(store.url, store.tokens["national"])
    assert client.get("/figures").status_code == 200
    national = next(t for t in list_tokens(store.db) if t.is_national)
    revoke(store.db, national.id)
    answer = client.get("/figures")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


def test_sign_out_ends_the_session_even_for_a_copied_cookie(store: Store) -> None:
    client = sign_in(store.url, store.tokens["national"])
    copied = dict(client.cookies)
    page = client.get("/")
    refused = client.post("/sign-out", data={"csrf": "not-the-value"})
    assert refused.status_code == 400 and client.get("/").status_code == 200  # a forged form does nothing
    out = client.post("/sign-out", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in?signed_out=1"
    assert 'brm_session=""' in out.headers["set-cookie"]
    again = httpx.Client(base_url=store.url, cookies=copied).get("/")
    assert again.status_code == 303
    assert "You have signed out" in client.get("/sign-in?signed_out=1").text


@pytest.mark.parametrize(
    ("token", "status", "says"),
    [
        ("", 400, "Enter your national token"),
        ("xlbrm_not-a-token", 401, "not known to the store"),
        ("RJ1", 403, "trust&#39;s token (RJ1)"),
    ],
)
def test_refused_sign_ins_say_why_beside_the_field(store: Store, token: str, status: int, says: str) -> None:
    client = httpx.Client(base_url=store.url)
    form = client.get("/sign-in")
    token = store.tokens.get(token, token)
    answer = client.post("/sign-in", data={"token": token, "csrf": csrf_of(form.text)})
    assert answer.status_code == status and says in answer.text
    assert 'class="nhsuk-error-summary"' in answer.text and 'href="#token"' in answer.text
    assert "brm_session" not in answer.headers.get("set-cookie", "")


def test_sign_in_needs_the_forms_own_csrf_value_and_only_returns_to_this_store(store: Store) -> None:
    client = httpx.Client(base_url=store.url)
    client.get("/sign-in")
    forged = client.post("/sign-in", data={"token": store.tokens["national"], "csrf": "x" * 64})
    assert forged.status_code == 400 and "brm_session" not in forged.headers.get("set-cookie", "")
    stranger = httpx.Client(base_url=store.url)  # no sign-in cookie: a form posted from elsewhere
    assert stranger.post("/sign-in", data={"token": store.tokens["national"], "csrf": "x"}).status_code == 400
    for next_page in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = httpx.Client(base_url=store.url)
        form = client.get("/sign-in")
        answer = client.post(
            "/sign-in",
            data={"token": store.tokens["national"], "csrf": csrf_of(form.text), "next": next_page},
        )
        assert answer.headers["location"] == "/", next_page


def test_api_returns_accept_the_dates_people_type(store: Store) -> None:
    assert store.post(factory.body([factory.benefit(2, 2)])).status_code == 200
    today = date.today()
    iso = store.get("/v1/national/returns", params={"since": today.isoformat()}).json()
    uk = store.get("/v1/national/returns", params={"since": _uk(today)}).json()
    words = store.get("/v1/national/returns", params={"since": f"{today.day} {today:%b %Y}"}).json()
    assert iso == uk == words
    assert {t["trust_ods"]: t["submitted"] for t in uk["trusts"]} == {"RJ1": True, "RRV": False}
    bad = store.get("/v1/national/returns", params={"since": "31/02/2020"})
    assert bad.status_code == 422 and bad.json()["parameter"] == "since"
    assert "31/03/2020" in bad.json()["detail"]


def test_returns_say_who_is_late(make_store: Any) -> None:
    store = make_store(expected_trusts=["RX1"])
    assert store.post(factory.body([factory.benefit(2, 2)])).status_code == 200
    today = date.today()

    def statuses(due: date) -> dict[str, tuple[str, bool]]:
        answer = store.get("/v1/national/returns", params={"since": _uk(today), "due": _uk(due)}).json()
        return {t["trust_ods"]: (t["status"], t["late"]) for t in answer["trusts"]}

    on_time = statuses(today)  # due today: today's submission is on time, the others not yet due
    assert on_time == {
        "RJ1": ("submitted", False),
        "RRV": ("not_submitted", False),  # holds a token
        "RX1": ("not_submitted", False),  # listed in XL_BRM_EXPECTED_TRUSTS, no token, never submitted
    }
    late = statuses(today - timedelta(days=1))
    assert late == {"RJ1": ("submitted_late", True), "RRV": ("overdue", True), "RX1": ("overdue", True)}
    rrv = next(t for t in list_tokens(store.db) if t.trust_ods == "RRV")
    revoke(store.db, rrv.id)  # a trust whose tokens are all revoked is no longer expected
    assert "RRV" not in statuses(today)
    client = sign_in(store.url, store.tokens["national"])
    page = client.get("/returns", params={"since": _uk(today), "due": _uk(today - timedelta(days=1))})
    assert 'data-key="RX1"' in page.text and "Not submitted: overdue" in page.text
    exported = client.get("/returns.csv", params={"since": _uk(today), "due": _uk(today - timedelta(days=1))})
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Trust", "Return expected", "Status"]
    assert {r[0]: r[2] for r in rows[1:]} == {"RJ1": "Submitted late", "RX1": "Not submitted: overdue"}


def test_a_date_that_is_not_one_is_shown_beside_its_field(store: Store) -> None:
    client = sign_in(store.url, store.tokens["national"])
    page = client.get("/returns", params={"since": "32/01/2020"})
    assert page.status_code == 400 and 'href="#since"' in page.text
    assert "write it like 31/03/2020" in page.text and "nhsuk-input--error" in page.text
    assert client.get("/returns.csv", params={"since": "never"}).status_code == 400
    assert client.get("/figures", params={"year": "2019/2x"}).status_code == 400
    assert client.get("/figures", params={"category": "Safety & quality"}).status_code == 200


def _cross_fy_benefit(row: int, first: int, benefit_id: str, **changes: Any) -> dict[str, Any]:
    """SPEC §5.3's worked example: £1,200 realised in 2019/20 and £2,400 in 2020/21."""
    return factory.benefit(
        row,
        first,
        benefit_id,
        actuals=[("2020-03", 180.0), ("2020-04", 60.0)],
        baseline_value=300.0,
        target_value=0.0,
        realisation_start="2020-03-01",
        unit_value_gbp=10.0,
        attribution_pct=100.0,
        **changes,
    )


def test_present_value_beside_nominal_with_one_stated_base_year(make_store: Any) -> None:
    store = make_store(base_fy=2019)
    assert store.post(factory.body([_cross_fy_benefit(2, 2, "PV-1")])).status_code == 200
    summary = store.get("/v1/national/summary").json()
    assert summary["base_fy"] == "2019/20"
    trust = [t for t in summary["totals"] if t["dimension"] == "trust_ods"]
    assert [(t["realised_value_gbp"], round(t["pv_gbp"], 2)) for t in trust] == [(3600.0, 3518.84)]
    client = sign_in(store.url, store.tokens["national"])
    page = client.get("/figures", params={"by": "trust"}).text
    assert "discounted to 2019/20, one base year for every trust" in page
    row = page.split('data-key="RJ1|cash_releasing|benefit"')[1].split("</tr>")[0]
    assert "£3,600.00" in row and "£3,518.84" in row
    assert row.index("£3,600.00") < row.index("£3,518.84")  # nominal, then present value beside it


def test_quantities_are_never_added_across_measures_or_units(store: Store) -> None:
    letters = factory.benefit(
        3,
        8,
        "LETTERS",
        benefit_type="quantitative_non_financial",
        measure="letters printed",
        unit="count",
        unit_value_gbp=None,
        title="Fewer printed letters",
    )
    hours = factory.benefit(
        4,
        14,
        "HOURS",
        benefit_type="quantitative_non_financial",
        measure="nurse hours",
        unit="hours",
        unit_value_gbp=None,
        title="Nurse time released",
    )
    body = factory.body([factory.benefit(2, 2), letters, hours])
    assert [r["status"] for r in store.post(body).json()["results"]] == ["accepted"] * 3
    summary = store.get("/v1/national/summary").json()
    by_trust = {
        (q["measure"], q["unit"]): q["realised_quantity"]
        for q in summary["quantity_totals"]
        if q["dimension"] == "trust_ods" and q["key"] == "RJ1"
    }
    assert by_trust == {
        ("medication administration errors", "count"): 128.0,
        ("letters printed", "count"): 128.0,
        ("nurse hours", "hours"): 128.0,
    }
    assert all("realised_quantity" not in t for t in summary["totals"])
    client = sign_in(store.url, store.tokens["national"])
    page = client.get("/figures", params={"by": "trust"}).text
    table = page.split('id="table-quantities"')[1].split("</table>")[0]
    assert table.count('<tr class="nhsuk-table__row" data-key=') == 3
    assert "384" not in table  # 128 + 128 + 128: never shown


def test_views_label_codes_in_words(store: Store) -> None:
    qualitative = factory.benefit(
        3,
        8,
        "QUAL-1",
        benefit_type="qualitative",
        category="staff_experience",
        measure=None,
        unit=None,
        direction=None,
        baseline_value=None,
        target_value=None,
        unit_value_gbp=None,
        target_date=None,
        evidence="Staff survey: 71% spend less time on paperwork",
        title="Less paperwork for nurses",
        actuals=[("2019/20 Q3", "Survey of 212 nurses")],
    )
    assert store.post(factory.body([factory.benefit(2, 2), qualitative])).status_code == 200
    client = sign_in(store.url, store.tokens["national"])
    for path in VIEWS:
        page = client.get(path).text
        for code in ("quantitative_non_financial", "cash_releasing", "staff_experience", "safety_quality"):
            shown = page.replace(f'data-key="{code}', "").replace(f"|{code}|", "").replace(f"={code}", "")
            assert f">{code}<" not in shown and f" {code} " not in shown, (path, code)
    listing = client.get("/qualitative").text
    assert "Staff experience" in listing and "Less paperwork for nurses" in listing
    assert "Staff survey: 71% spend less time on paperwork" in listing
    assert "2019/20 Q3 (measured): Survey of 212 nurses" in listing


def test_the_library_searches_titles_projects_and_categories(store: Store) -> None:
    other = factory.body(
        [
            factory.benefit(
                2,
                2,
                "RRV-9",
                trust="RRV",
                title="Medication errors: fewer missed doses",
                project="e-Prescribing",
            )
        ],
        trust="RRV",
    )
    assert store.post(factory.body([factory.benefit(2, 2)])).status_code == 200
    assert store.post(other, who="RRV").status_code == 200
    client = sign_in(store.url, store.tokens["national"])

    def found(**params: str) -> set[str]:
        page = client.get("/library", params=params)
        assert page.status_code == 200
        return {k for k in page.text.split('data-key="')[1:] for k in [k.split('"')[0]] if "|" in k}

    assert found(q="MEDICATION") == {"RJ1|EPMA-01", "RRV|RRV-9"}
    assert found(q="missed medication") == {"RRV|RRV-9"}  # every word, any order
    assert found(project="prescrib") == {"RRV|RRV-9"}
    assert found(category="Safety and quality", q="errors") == {"RJ1|EPMA-01", "RRV|RRV-9"}
    assert found(category="staff_experience") == set()
    assert found(q="100%_") == set()  # LIKE wildcards are text here
    page = client.get("/library", params={"q": "administration"}).text
    row = page.split('data-key="RJ1|EPMA-01"')[1].split("</tr>")[0]
    for figure in ("120", "60", "31 Mar 2021", "128", "£4,480.00", "Measured"):  # baseline ... grade
        assert f">{figure}<" in row, figure


def test_exports_of_each_view_are_inert(store: Store) -> None:
    nasty = factory.benefit(2, 2, title='=HYPERLINK("http://x","Click")', project="+cmd")
    assert store.post(factory.body([nasty])).status_code == 200
    client = sign_in(store.url, store.tokens["national"])
    for view in ("library", "figures", "returns", "qualitative"):
        text = client.get(f"/{view}.csv").text
        assert not any(
            cell.startswith(("=", "+", "-", "@"))
            for row in csv.reader(io.StringIO(text))
            for cell in row
            if not _number(cell)
        ), view
        book = load_workbook(io.BytesIO(client.get(f"/{view}.xlsx").content))
        for row in book.active.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (view, cell.coordinate)
    library = client.get("/library.csv").text
    assert "'=HYPERLINK" in library and "'+cmd" in library


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
