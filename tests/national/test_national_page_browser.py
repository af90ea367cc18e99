"""The national page in a real browser (Debian's headless Chromium, driven by Playwright).

Three example trusts submit their registers with the real sync client and a fourth holds a
token but does not. A national analyst signs in once, opens each view, and every figure on the
page is checked against the store's API (`/v1/national/summary`, `/returns`) and against what
`xl-brm compute --format json` gives for the same registers. axe-core runs on each view (WCAG
2.2 AA: no violation) and screenshots are left in out/test-artefacts/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from store_harness import Server

from xl_brm.demo import CORRECTIONS, EXAMPLES, TRUSTS, _correct
from xl_brm.national import StoreSettings, create_app
from xl_brm.national.tokens import issue_token

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "out" / "test-artefacts"
SUBMITTERS = ("RJ1", "RRV", "TAJ")
SILENT = "RX1"
"""Holds a token, never submits: the page must show it."""
BASE_FY = "2019/20"
PENNY = 0.005


@dataclass
class National:
    url: str
    token: str
    api: httpx.Client
    compute: dict[str, dict[str, Any]] = field(default_factory=dict)
    """trust -> benefit_id -> `xl-brm compute --format json`'s figures (stored benefits only)."""
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    """trust -> benefit_id -> the benefit as the store holds it."""

    def get(self, path: str, **params: str) -> Any:
        answer = self.api.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[National]:
    from xl_brm.sync import submit

    work = tmp_path_factory.mktemp("national-page")
    app = create_app(StoreSettings(db=f"sqlite:///{work / 'national.db'}", base_fy=2019))
    tokens = {ods: issue_token(app.state.db, trust=ods) for ods in TRUSTS.values()}
    server = Server(app)
    server.start()
    url = f"http://127.0.0.1:{server.port}"
    api = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {issue_token(app.state.db, national=True)}"}
    )
    found = National(url=url, token=issue_token(app.state.db, national=True), api=api)
    try:
        for name, ods in TRUSTS.items():
            book = work / name
            shutil.copy(EXAMPLES / name, book)
            _correct(book, CORRECTIONS[name])  # the lead fixes what xl-brm pointed at, as in the demo
            if ods == SILENT:
                continue
            outcome = submit(book, url=url, token=tokens[ods])
            assert outcome.counts["rejected"] == 0 and outcome.counts["accepted"] > 0, ods
            held = found.get(f"/v1/trusts/{ods}/benefits", measurements="false")["benefits"]
            found.stored[ods] = {b["benefit_id"]: b["benefit"] for b in held}
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "xl_brm",
                    "compute",
                    str(book),
                    "--format",
                    "json",
                    "--base-fy",
                    BASE_FY,
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert run.returncode == 0, run.stderr
            computed = {b["benefit_id"]: b for b in json.loads(run.stdout)["benefits"]}
            found.compute[ods] = {k: v for k, v in computed.items() if k in found.stored[ods]}
            assert set(found.compute[ods]) == set(found.stored[ods])
        yield found
    finally:
        api.close()
        server.stop()


def _signed_in(context: Any, national: National) -> Any:
    """A tab of `context` signed in once through the sign-in form."""
    tab = context.new_page()
    tab.goto(f"{national.url}/figures")
    assert tab.url.startswith(f"{national.url}/sign-in"), "a stranger is asked to sign in"
    tab.fill("#token", national.token)
    tab.click("#sign-in")
    assert tab.url == f"{national.url}/figures", "and comes back where they were going"
    return tab


@pytest.fixture
def page(browser: Any, national: National) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        yield _signed_in(context, national)
    finally:
        context.close()


@pytest.fixture
def checked_page(browser: Any, national: National) -> Iterator[Any]:
    """Signed in, in a context that lets axe-core in: the pages' own policy allows no script."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    try:
        yield _signed_in(context, national)
    finally:
        context.close()


def _table(page: Any, key: str) -> dict[str, dict[str, Any]]:
    """data-key -> column heading -> the cell's exact figure (data-value) or its text."""
    rows: dict[str, dict[str, Any]] = page.evaluate(
        """(key) => {
        const table = document.getElementById('table-' + key);
        if (!table) return {};
        const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
        const out = {};
        for (const tr of table.querySelectorAll('tbody tr')) {
          out[tr.dataset.key] = Object.fromEntries([...tr.children].map((c, i) =>
            [heads[i], c.hasAttribute('data-value') ? c.dataset.value : c.textContent.trim()]));
        }
        return out;
        }""",
        key,
    )
    return rows


def _figure(text: str) -> float:
    return float(text) if text else 0.0


def _shot(page: Any, name: str, *, at: str | None = None) -> None:
    """The whole page, and with `at` the window scrolled to that element (what a README shows)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"national-{name}.png"), full_page=True)
    if at is not None:
        page.locator(at).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTEFACTS / f"national-{name}-window.png"))


def _kind(is_disbenefit: bool) -> str:
    return "dis-benefit" if is_disbenefit else "benefit"


def _uk(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def test_signing_in_once_keeps_an_http_only_strict_session_until_sign_out(
    page: Any, national: National
) -> None:
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["brm_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
    assert session["expires"] > datetime.now(UTC).timestamp() + 3600  # an expiry, not a browser session
    assert session["secure"] is False  # plain http on loopback; Secure over https
    assert page.evaluate("document.cookie") == ""  # no script can read it
    for path in ("/", "/returns", "/qualitative", "/library"):
        page.goto(national.url + path)
        assert page.url == national.url + path, "signed in once, never asked again"
    page.click("#sign-out")
    assert page.url == f"{national.url}/sign-in?signed_out=1"
    assert "You have signed out." in page.inner_text("#notice")
    page.goto(f"{national.url}/figures")
    assert page.url.startswith(f"{national.url}/sign-in"), "signed out means signed out"
    replay = httpx.get(f"{national.url}/figures", cookies={"brm_session": session["value"]})
    assert replay.status_code == 303, "the old cookie is no use to anyone"


def test_returns_show_the_trust_that_did_not_submit(page: Any, national: National) -> None:
    today = date.today()
    for due, expected in (
        (today, {**dict.fromkeys(SUBMITTERS, "submitted"), SILENT: "not_submitted"}),
        (today - timedelta(days=1), {**dict.fromkeys(SUBMITTERS, "submitted_late"), SILENT: "overdue"}),
    ):
        page.goto(f"{national.url}/returns")
        page.fill("#since", _uk(today))  # dates as people type them
        page.fill("#due", _uk(due))
        page.click("text=Show returns")
        shown = _table(page, "returns")
        assert {k: v["Status"] for k, v in shown.items()} == expected
        api = national.get("/v1/national/returns", since=_uk(today), due=_uk(due))
        assert {t["trust_ods"]: t["status"] for t in api["trusts"]} == expected
        assert (
            shown[SILENT]["Submissions in this window"] == "0" and shown[SILENT]["Latest submission"] == "—"
        )
        assert page.inner_text("#count-submitted") == "3" and page.inner_text("#count-expected") == "4"
        if due == today:
            _shot(page, "returns", at="#table-returns")
    assert "Not submitted: overdue" in page.inner_text(f'tr[data-key="{SILENT}"]')
    assert page.inner_text('tr[data-key="RJ1"] .nhsuk-tag') == "Submitted late"


def _money(rows: list[dict[str, Any]], *keys: str) -> dict[tuple[Any, ...], list[float]]:
    sums: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        if r["realised_value_gbp"] is not None:
            slot = sums[tuple(r[k] for k in keys)]
            slot[0] += r["realised_value_gbp"]
            slot[1] += r["pv_gbp"]
    return sums


def test_figures_by_trust_equal_the_api_and_compute_with_pv_beside_nominal(
    page: Any, national: National
) -> None:
    summary = national.get("/v1/national/summary")
    assert summary["base_fy"] == BASE_FY
    page.goto(f"{national.url}/figures?by=trust")
    assert f"discounted to {BASE_FY}, one base year for every trust" in page.inner_text("#pv-basis")
    money = _table(page, "money")
    heads = list(next(iter(money.values())))
    assert heads.index("Present value (£)") == heads.index("Realised value (£)") + 1  # PV beside nominal
    api = _money(summary["rows"], "trust_ods", "benefit_type", "is_disbenefit")
    computed: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for ods, figures in national.compute.items():
        for benefit_id, f in figures.items():
            b = national.stored[ods][benefit_id]
            if f["realised_value_gbp"] is not None:
                slot = computed[(ods, b["benefit_type"], b["is_disbenefit"])]
                slot[0] += f["realised_value_gbp"]
                slot[1] += f["pv_gbp"]
    assert len(money) == len(api) == len(computed) >= 5
    for (ods, btype, dis), (value, pv) in api.items():
        row = money[f"{ods}|{btype}|{_kind(dis)}"]
        on_page = float(row["Realised value (£)"]), float(row["Present value (£)"])
        assert on_page == pytest.approx((value, pv), abs=PENNY)
        assert on_page == pytest.approx(
            tuple(computed[(ods, btype, dis)]), abs=0.01 * len(national.compute[ods])
        )
    counts = _table(page, "counts")
    assert {k: int(v["Benefits"]) for k, v in counts.items()} == {
        ods: len(national.stored[ods]) for ods in SUBMITTERS
    }
    _shot(page, "figures-by-trust", at="#table-money")
    page.click('#table-counts a >> text="RJ1"')  # drill down into one trust
    assert "trust=RJ1" in page.url
    headline = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#headline [data-key]')].map("
        "d => [d.dataset.key, d.querySelector('dd').dataset.value]))"
    )
    rj1_cash = [
        f
        for k, f in national.compute["RJ1"].items()
        if national.stored["RJ1"][k]["benefit_type"] == "cash_releasing"
        and not national.stored["RJ1"][k]["is_disbenefit"]
    ]
    assert float(headline["cash_releasing|benefit"]) == pytest.approx(
        sum(f["realised_value_gbp"] or 0 for f in rj1_cash), abs=0.01 * len(rj1_cash)
    )
    assert float(headline["cash_releasing|benefit|pv"]) == pytest.approx(
        sum(f["pv_gbp"] or 0 for f in rj1_cash), abs=0.01 * len(rj1_cash)
    )
    assert int(headline["benefits"]) == len(national.stored["RJ1"])


def test_figures_by_programme_category_and_year_equal_the_api(page: Any, national: National) -> None:
    summary = national.get("/v1/national/summary")
    totals = summary["totals"]
    for by, dimension in (("programme", "programme"), ("category", "category"), ("year", "financial_year")):
        page.goto(f"{national.url}/figures?by={by}")
        money = _table(page, "money")
        api: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for t in totals:
            if t["dimension"] == dimension:
                slot = api[
                    f"{t['key']}|{t['benefit_type']}|{_kind(t['is_disbenefit'])}"
                ]
                slot[0] += t["realised_value_gbp"]
                slot[1] += t["pv_gbp"]
        assert set(money) == set(api), by
        for key, (value, pv) in api.items():
            on_page = (float(money[key]["Realised value (£)"]), float(money[key]["Present value (£)"]))
            assert on_page == pytest.approx((value, pv), abs=PENNY), (by, key)
    chart = _table(page, "by-year")  # the chart's own table: its text alternative
    svg = page.locator("#chart-by-year svg")
    assert svg.get_attribute("role") == "img"
    labelled = page.evaluate("() => document.querySelector('#chart-by-year svg title').textContent")
    assert labelled.startswith("Realised value of benefits by financial year")
    texts = page.evaluate(
        "() => [...document.querySelectorAll('#chart-by-year svg text')].map(t => t.textContent)"
    )
    assert {"Financial year", "Realised value (£)"} <= set(texts)  # both axes are labelled
    for fy, row in chart.items():
        api_cash = sum(
            t["realised_value_gbp"]
            for t in totals
            if t["dimension"] == "financial_year"
            and t["key"] == fy
            and t["benefit_type"] == "cash_releasing"
            and not t["is_disbenefit"]
        )
        assert _figure(row["Cash-releasing realised value (£)"]) == pytest.approx(api_cash, abs=PENNY)
    _shot(page, "figures-by-year")


def test_quantities_are_summed_only_within_one_measure_and_unit(page: Any, national: National) -> None:
    rows = national.get("/v1/national/summary")["rows"]
    page.goto(f"{national.url}/figures?by=trust")
    shown = _table(page, "quantities")
    api: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["measure"]:
            key = f"{r['trust_ods']}|{r['measure']}|{r['unit']}|{_kind(r['is_disbenefit'])}"
            api[key] += r["realised_quantity"]
    assert set(shown) == set(api) and len({k.split("|")[2] for k in api}) >= 3  # several units
    for key, quantity in api.items():
        assert float(shown[key]["Realised quantity"]) == pytest.approx(quantity, abs=1e-6)
    for ods, figures in national.compute.items():  # and each equals compute's, benefit by benefit
        per_measure: dict[tuple[str, str, bool], float] = defaultdict(float)
        for benefit_id, f in figures.items():
            b = national.stored[ods][benefit_id]
            if b["measure"] and f["realised_quantity"] is not None:
                per_measure[(b["measure"], b["unit"], b["is_disbenefit"])] += f["realised_quantity"]
        for (measure, unit, dis), quantity in per_measure.items():
            key = f"{ods}|{measure}|{unit}|{_kind(dis)}"
            assert float(shown[key]["Realised quantity"]) == pytest.approx(quantity, abs=1e-5)
    values = [float(v["Realised quantity"]) for v in shown.values()]
    for ods in SUBMITTERS:  # a trust's quantities are never added up across measures and units
        mine = [q for k, q in api.items() if k.startswith(ods + "|")]
        assert len(mine) > 1 and not any(abs(v - sum(mine)) < 1e-6 for v in values), ods
    headline = page.evaluate(
        "() => [...document.querySelectorAll('#headline [data-key]')].map(d => d.dataset.key)"
    )
    assert not any("quantity" in key for key in headline)


def test_the_library_finds_a_benefit_by_a_word_in_its_title(page: Any, national: National) -> None:
    ods, benefit_id, benefit = next(
        (ods, k, b)
        for ods in SUBMITTERS
        for k, b in national.stored[ods].items()
        if b["benefit_type"] == "cash_releasing"
    )
    word = max(benefit["title"].split(), key=len).strip(".,:;()")
    page.goto(f"{national.url}/library")
    page.fill("#q", word.upper())
    page.click("#search")
    found = _table(page, "library")
    key = f"{ods}|{benefit_id}"
    assert key in found, (word, list(found))
    assert all(word.lower() in v["Benefit"].lower() for v in found.values())
    figures = national.compute[ods][benefit_id]
    row = found[key]
    assert _figure(row["Baseline"]) == pytest.approx(figures["baseline"])
    assert _figure(row["Realised quantity"]) == pytest.approx(figures["realised_quantity"])
    assert _figure(row["Realised value (£)"]) == pytest.approx(figures["realised_value_gbp"], abs=PENNY)
    assert _figure(row["Target"]) == pytest.approx(benefit["target_value"])
    assert (
        row["Evidence grade"] in {"Measured", "Estimated", "Assumed"} or "measured" in row["Evidence grade"]
    )
    assert int(page.locator("#library-total strong").get_attribute("data-value")) == len(found)
    _shot(page, "library")


def test_qualitative_benefits_are_counted_and_listed_with_their_evidence(
    page: Any, national: National
) -> None:
    summary = national.get("/v1/national/summary")
    expected = sum(c["benefits"] for c in summary["benefit_counts"] if c["benefit_type"] == "qualitative")
    page.goto(f"{national.url}/qualitative")
    assert int(page.locator("#qualitative-total strong").get_attribute("data-value")) == expected > 0
    listing = _table(page, "qualitative")
    assert set(listing) == {
        f"{ods}|{k}"
        for ods in SUBMITTERS
        for k, b in national.stored[ods].items()
        if b["benefit_type"] == "qualitative"
    }
    for key, row in listing.items():
        ods, benefit_id = key.split("|")
        assert row["Benefit"].startswith(national.stored[ods][benefit_id]["title"])
        assert row["Evidence"] != "—" or row["Evidence entries"] != "—", key
    counts = _table(page, "qualitative-counts")
    assert sum(int(v["Qualitative benefits"]) for v in counts.values()) == expected
    _shot(page, "qualitative")


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def test_no_view_has_an_accessibility_violation(checked_page: Any, national: National, axe_js: str) -> None:
    page = checked_page
    views = [
        "/",
        "/returns",
        "/returns?since=31/02/2020",
        "/figures?by=trust",
        "/figures?programme=GDE&by=category",
        "/figures?by=year",
        "/qualitative",
        "/library",
        "/library?q=fewer",
    ]
    for path in views:
        page.goto(national.url + path)
        page.add_script_tag(content=axe_js)
        result = page.evaluate(
            """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})
              .then(r => ({violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})), passes: r.passes.length}))
              .catch(e => ({error: String(e)}))""",
            AXE_TAGS,
        )
        assert "error" not in result, (path, result)
        assert result["passes"] > 10, path
        assert result["violations"] == [], (path, result["violations"])
    _shot(page, "library-search")
    page.goto(national.url + "/")
    _shot(page, "overview")
    page.context.clear_cookies()
    page.goto(national.url + "/sign-in")
    page.add_script_tag(content=axe_js)
    violations = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => v.id))",
        AXE_TAGS,
    )
    assert violations == []
    _shot(page, "sign-in")
