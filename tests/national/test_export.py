"""National exports never let trust-supplied text run as a formula."""

from __future__ import annotations

import csv
import io

import pytest
import store_factory as factory
from openpyxl import load_workbook
from store_harness import Store

from xl_brm.national.export import inert

NASTY = [
    '=HYPERLINK("http://x","Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
    "\ncmd",
    "\uff1d1+1",
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
]


@pytest.mark.parametrize("text", NASTY)
def test_inert_prefixes_formula_starts(text: str) -> None:
    assert inert(text) == "'" + text


@pytest.mark.parametrize("value", ["Fewer errors", "1+1", "", 5, -5.0, None, "a=b"])
def test_inert_leaves_safe_values_alone(value: object) -> None:
    assert inert(value) == value


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("x;=1+1", "x;'=1+1"),  # Excel splits on ';' in many locales
        ("x,=1+1", "x,'=1+1"),
        ("x; =1+1", "x; '=1+1"),  # importers trim spaces
        ('x;"=1+1', "x;\"'=1+1"),
        ("a;b;-1;c", "a;b;'-1;c"),
        ("x\n@SUM(A1)", "x\n'@SUM(A1)"),
        ("x\t+1", "x\t'+1"),
        (" =1+1", " '=1+1"),
        ("\x01=1+1", "'=1+1"),  # control characters go BEFORE the check
        ("\x00\x1f=1+1", "'=1+1"),
        ("x;\x01=1+1", "x;'=1+1"),
        ("\x7f\x85=1", "'=1"),
        ("a\x00b", "ab"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("1+1=2; a-b, c@d", "1+1=2; a-b, c@d"),  # triggers inside a cell stay as they are
        ("x;'=1", "x;'=1"),  # already inert
    ],
)
def test_inert_neutralises_after_separators_and_control_characters(text: str, written: str) -> None:
    assert inert(text) == written


def _seed(store: Store) -> list[str]:
    """Store benefits titled with each nasty text; the titles as stored (the engine trims)."""
    benefits = [
        factory.benefit(2 + i, 2 + 6 * i, benefit_id=f"X{i}", title=t, benefit_owner=t)
        for i, t in enumerate(NASTY)
    ]
    response = store.post(factory.body(benefits))
    assert response.status_code == 200
    assert response.json()["counts"]["accepted"] == len(NASTY), response.text
    stored = store.get("/v1/trusts/RJ1/benefits", who="RJ1").json()["benefits"]
    titles = sorted(b["benefit"]["title"] for b in stored)
    assert sum(t[0] in "=+-@\uff1d\uff0b\uff0d\uff20" for t in titles) >= 8
    return titles


def test_csv_export_is_inert(store: Store) -> None:
    stored = _seed(store)
    response = store.get("/v1/national/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert sorted(r["title"] for r in rows) == sorted(inert(t) for t in stored)
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20", row
    assert {r["realised_value_gbp"] for r in rows} == {"4480.0"}


def test_xlsx_export_is_inert(store: Store) -> None:
    stored = _seed(store)
    response = store.get("/v1/national/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    titles = []
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
        titles.append(row[header.index("title")].value)
    assert sorted(titles) == sorted(inert(t) for t in stored)
