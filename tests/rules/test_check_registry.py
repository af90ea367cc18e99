"""Every rule code has exactly one registered check, and every registered check has a code:
the catalogue (`RULES`, and the store's `STORE_RULES`) and the checks cannot drift apart."""

from __future__ import annotations

import pytest

from xl_brm.rules import RULES, STORE_RULES
from xl_brm.rules._checks import check, checks_of, every_check

RETIRED = frozenset(code for code, rule in RULES.items() if "retired" in rule.title.lower())
"""Retired codes keep their catalogue entry and have no check."""


def test_every_catalogue_code_has_a_check_and_every_check_a_code() -> None:
    checked = set(every_check())
    catalogue = (set(RULES) | set(STORE_RULES)) - RETIRED
    assert sorted(catalogue - checked) == [], "codes without a check"
    assert sorted(checked - catalogue) == [], "checks of codes the catalogue does not have"


def test_a_code_cannot_be_checked_twice() -> None:
    every_check()

    def elsewhere() -> None: ...

    with pytest.raises(RuntimeError, match="BRM301 is checked twice"):
        check("BRM301", scope="row")(elsewhere)


def test_store_rules_stay_out_of_the_workbook_catalogue() -> None:
    assert not set(STORE_RULES) & set(RULES)
    assert all(rule.family == "National store" for rule in STORE_RULES.values())


def test_only_series_checks_may_be_skipped_on_a_quiet_series() -> None:
    every_check()
    scopes = ("reader", "cell", "row", "benefit", "table", "store", "import")
    assert [c.where for scope in scopes for c in checks_of(scope) if c.quiet] == []  # type: ignore[arg-type]
    assert any(c.quiet for c in checks_of("series"))


@pytest.mark.parametrize("scope", ["row", "benefit"])
def test_row_checks_answer_one_code_each(scope: str) -> None:
    """The engine places a row check's hits under its one code."""
    every_check()
    assert all(len(c.codes) == 1 for c in checks_of(scope))  # type: ignore[arg-type]


def test_a_store_rule_has_its_page_too() -> None:
    from xl_brm.rules import rule_markdown

    page = rule_markdown("NAT101")
    assert page.startswith("# NAT101 not-approved (error)") and "National store rule" in page
