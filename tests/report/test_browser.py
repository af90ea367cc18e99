"""The board report's HTML in a real browser (Debian's headless Chromium, driven by Playwright):
its figures equal `xl-brm compute --format json`'s, axe-core finds no WCAG 2.2 AA violation,
and screenshots are left in out/test-artefacts/ for people to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ARTEFACTS

MONEY_KEYS = {"realised_value_gbp", "pv_gbp"}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 820})
    try:
        yield context.new_page()
    finally:
        context.close()


def _figures_on_page(page: Any) -> dict[str, dict[str, str]]:
    """benefit_id -> column heading -> the cell's exact figure (data-value) from the DOM."""
    rows: dict[str, dict[str, str]] = page.evaluate(
        """() => {
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
        }"""
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
    page: Any, board_files: dict[str, Path], community_json: dict[str, Any]
) -> None:
    from xl_brm import display

    page.goto(board_files["html"].as_uri())
    assert page.title().startswith("Benefits realisation: board report for TAJ")
    on_page = _figures_on_page(page)
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
    headline = page.evaluate(
        "() => [...document.querySelectorAll('#table-headline tbody tr')].map("
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
        page.locator(f"#{key}").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTEFACTS / f"board-report-{key}.png"))


def test_board_report_has_no_accessibility_violations(
    page: Any, board_files: dict[str, Path], axe_js: str
) -> None:
    page.goto(board_files["html"].as_uri())
    page.add_script_tag(content=axe_js)
    result = page.evaluate(
        """() => {
        document.querySelectorAll('details').forEach(d => d.open = true);  // check the tables too
        return axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
          .then(r => ({violations: r.violations.map(v => ({id: v.id, impact: v.impact,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})), passes: r.passes.length}))
          .catch(e => ({error: String(e)}));
        }"""
    )
    assert "error" not in result, result
    assert result["passes"] > 10, "axe ran its checks"
    assert result["violations"] == [], result["violations"]


def test_charts_carry_a_text_and_table_alternative(page: Any, board_files: dict[str, Path]) -> None:
    page.goto(board_files["html"].as_uri())
    charts = page.evaluate(
        """() => [...document.querySelectorAll('figure.brm-chart')].map(f => ({
             alt: f.querySelector('img').alt,
             loaded: f.querySelector('img').naturalWidth > 0,
             table: f.nextElementSibling.querySelectorAll('tbody tr').length}));"""
    )
    assert len(charts) == 8, "one chart per quantitative benefit with periods"
    for chart in charts:
        assert chart["loaded"] and chart["alt"].startswith("Line chart of") and chart["table"] > 0
