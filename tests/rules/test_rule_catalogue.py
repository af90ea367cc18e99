"""The catalogue: stable codes, complete documentation, a version that follows the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xl_brm import rules
from xl_brm.rules import RULES, RULES_VERSION, catalogue_markdown, finding, rule_markdown
from xl_brm.rules._catalogue import _version

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

SPEC_EXAMPLES = {
    # SPEC §6, family by family
    "BRM101": "required column missing",
    "BRM102": "duplicate column",
    "BRM103": "header row not found",
    "BRM104": "empty sheet",
    "BRM201": "not a number",
    "BRM202": "invalid date",
    "BRM203": "ambiguous date",
    "BRM204": "unknown enum value",
    "BRM205": "malformed ODS code",
    "BRM206": "percent outside 0-100",
    "BRM208": "formula when exported",
    "BRM301": "baseline_end before baseline_start",
    "BRM302": "target not in direction",
    "BRM303": "cash/non-cash without unit_value_gbp",
    "BRM304": "approved without approver",
    "BRM305": "approved_on in the future",
    "BRM306": "approved qualitative without evidence",
    "BRM307": "approved quantitative without baseline",
    "BRM308": "target_date before start",
    "BRM401": "duplicate benefit_id",
    "BRM402": "measurement for unknown benefit",
    "BRM403": "two measurements same period",
    "BRM404": "measurement outside dates",
    "BRM406": "trust_ods differing",
    "BRM501": "10x from neighbours",
    "BRM502": "unit value above £1m",
    "BRM503": "baseline from fewer than 3 points",
    "BRM504": "no measurement for more than two periods",
}


def test_codes_slugs_and_severities() -> None:
    assert list(RULES) == sorted(RULES)
    slugs = [r.slug for r in RULES.values()]
    assert len(set(slugs)) == len(slugs)
    for code, rule in RULES.items():
        assert rule.code == code
        assert re.fullmatch(r"BRM[1-5]\d\d", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.slug)
        assert rule.severity in ("error", "warning", "info")
        for text in (rule.title, rule.message, rule.fix, rule.why, rule.bad_example, rule.good_example):
            assert text.strip(), f"{code} has an empty text"
    assert all(r.severity == "warning" for r in RULES.values() if r.code.startswith("BRM5"))


def test_every_spec_example_has_a_rule() -> None:
    assert set(SPEC_EXAMPLES) <= set(RULES)


def test_reader_codes_keep_their_numbers() -> None:
    assert RULES["BRM101"].slug == "required-column-missing"
    assert RULES["BRM102"].slug == "duplicate-column"
    assert RULES["BRM103"].slug == "header-row-not-found"
    assert RULES["BRM104"].slug == "empty-sheet"
    assert RULES["BRM105"].slug == "required-sheet-missing"
    assert RULES["BRM106"].slug == "formula-without-value"


def test_reader_findings_format_with_their_parameters() -> None:
    f = finding(
        "BRM102", sheet="Benefits", column="baseline_value", header="Baseline", other="Baseline Value"
    )
    assert f.message.startswith("Sheet 'Benefits': columns Baseline and Baseline Value")
    assert f.severity == "error" and f.code == "BRM102"
    assert "Benefits" in finding("BRM105", expected="Benefits").message
    assert finding("BRM100", detail="register.xlsx: not a zip").message == "register.xlsx: not a zip"


def test_a_missing_parameter_never_raises() -> None:
    assert "?" in finding("BRM302").message


def test_version_follows_codes_and_severities(monkeypatch: pytest.MonkeyPatch) -> None:
    assert re.fullmatch(r"2026\.11-[0-9a-f]{8}", RULES_VERSION)
    assert _version() == RULES_VERSION
    monkeypatch.setattr(rules._catalogue, "RULES_REVISION", rules._catalogue.RULES_REVISION + 1)
    assert _version() != RULES_VERSION


def test_rule_page_sections() -> None:
    page = rule_markdown("brm302")
    assert page.startswith("# BRM302 target-wrong-direction (error)")
    for heading in ("## What it does", "## Why it matters", "## Example", "## Use instead"):
        assert heading in page
    assert RULES["BRM302"].bad_example in page and RULES["BRM302"].fix in page


def test_committed_docs_page_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/rules.md is stale: run `python -m xl_brm.rules > docs/rules.md`"
    )


def test_catalogue_page_lists_every_rule() -> None:
    page = catalogue_markdown()
    assert RULES_VERSION in page
    for code in RULES:
        assert f"### {code} " in page
