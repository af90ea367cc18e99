"""The board report's HTML in a real browser (Debian's headless Chromium, driven by Selenium):
its figures equal `xl-brm compute --format json`'s, axe-core finds no WCAG 2.2 AA violation,
and screenshots are left in out/test-artefacts/ for people to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ARTEFACTS, ROOT, required

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
)
MONEY_KEYS = {"realised_value_gbp", "pv_gbp"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium = required("chromium")
    driver_path = required("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1100,820")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _axe_source() -> str:
    if not AXE.exists():
        import os

        if os.environ.get("XL_BRM_REQUIRE_BROWSER") == "1":
            pytest.fail("node_modules/axe-core is missing: run `npm ci` (make setup does)")
        pytest.skip("node_modules/axe-core is missing: run `npm ci`")
    return AXE.read_text(encoding="utf-8")


def _figures_on_page(browser: Any) -> dict[str, dict[str, str]]:
    """benefit_id -> column heading -> the cell's exact figure (data-value) from the DOM."""
    rows: dict[str, dict[str, str]] = browser.execute_script(
        """
        const table = document.getElementById('table-figures');
        const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
        const out = {};
        for (const tr of table.querySelectorAll('tbody tr')) {
          const cells = [...tr.children];
          out[tr.dataset.key] = Object.fromEntries(cells.map((c, i) =>
            [heads[i], c.hasAttribute('data-value') ? c.dataset.value : c.textContent.trim()]));
          out[tr.dataset.key]['_text'] = Object.fromEntries(
            cells.map((c, i) => [heads[i], c.textContent.trim()]));
        }
        return out;
        """
    )
    return rows


COLUMN = {
    "baseline": "Baseline",
    "latest": "Latest",
    "improvement": "Improvement",
    "realised_quantity": "Realised quantity",
    "realised_value_gbp": "Realised value (£)",
    "pv_gbp": "Present value (£)",
    "percent_of_target": "% of target",
    "planned_to_date": "Planned to date",
    "rag": "RAG",
}


def test_board_report_in_chromium(
    browser: Any, board_files: dict[str, Path], community_json: dict[str, Any]
) -> None:
    from xl_brm import display

    browser.get(board_files["html"].as_uri())
    assert browser.title.startswith("Benefits realisation: board report for TAJ")
    on_page = _figures_on_page(browser)
    assert set(on_page) == {b["benefit_id"] for b in community_json["benefits"]}
    for benefit in community_json["benefits"]:
        row = on_page[benefit["benefit_id"]]
        for key, heading in COLUMN.items():
            expected = benefit[key]
            if key == "rag":
                # A blocked benefit has rag null in JSON and says 'Blocked' on the page.
                assert row[heading] == (expected or "blocked"), benefit["benefit_id"]
                continue
            assert (float(row[heading]) if row[heading] else None) == expected, (benefit["benefit_id"], key)
            if key in MONEY_KEYS:
                assert row["_text"][heading] == display.money(expected)
    headline = browser.execute_script(
        "return [...document.querySelectorAll('#table-headline tbody tr')].map("
        "tr => [tr.dataset.key, tr.children[3].dataset.value]);"
    )
    cash = round(
        sum(
            b["realised_value_gbp"] or 0
            for b in community_json["benefits"]
            if b["benefit_id"] in {"CH-02", "CH-09"}
        ),
        2,
    )
    assert dict(headline)["cash_releasing"] == str(cash)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for key in ("headline", "trajectory-CH-01"):
        browser.execute_script(f"document.getElementById('{key}').scrollIntoView();")
        browser.save_screenshot(str(ARTEFACTS / f"board-report-{key}.png"))


def test_board_report_has_no_accessibility_violations(browser: Any, board_files: dict[str, Path]) -> None:
    browser.get(board_files["html"].as_uri())
    browser.execute_script(_axe_source())
    browser.set_script_timeout(120)
    result = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        document.querySelectorAll('details').forEach(d => d.open = true);  // check the tables too
        axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
          .then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})), passes: r.passes.length}))
          .catch(e => done({error: String(e)}));
        """
    )
    assert "error" not in result, result
    assert result["passes"] > 10, "axe ran its checks"
    assert result["violations"] == [], result["violations"]


def test_charts_carry_a_text_and_table_alternative(browser: Any, board_files: dict[str, Path]) -> None:
    browser.get(board_files["html"].as_uri())
    charts = browser.execute_script(
        """return [...document.querySelectorAll('figure.brm-chart')].map(f => ({
             alt: f.querySelector('img').alt,
             loaded: f.querySelector('img').naturalWidth > 0,
             table: f.nextElementSibling.querySelectorAll('tbody tr').length}));"""
    )
    assert len(charts) == 8, "one chart per quantitative benefit with periods"
    for chart in charts:
        assert chart["loaded"] and chart["alt"].startswith("Line chart of") and chart["table"] > 0
