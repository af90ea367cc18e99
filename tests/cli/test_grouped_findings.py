"""The table output groups a rule's many findings in one column; the JSON keeps every one."""

from __future__ import annotations

import json

from xl_brm.cli.render import GROUP_FROM, grouped, validation_json
from xl_brm.findings import FileReport
from xl_brm.rules import RULES


def _report() -> FileReport:
    many = [
        RULES["BRM408"].finding(sheet="Measurements", row=r, column="value", cell=f"C{r}", value=4.0,
                                benefit_id="EPMA-01")
        for r in range(2, 2 + GROUP_FROM + 2)
    ]
    few = [
        RULES["BRM201"].finding(sheet="Benefits", row=r, column="baseline_value", cell=f"L{r}", value="n/a")
        for r in (3, 4)
    ]
    return FileReport(path="r.xlsx", issues=[few[0], *many, few[1]])


def test_many_findings_of_one_rule_and_column_are_one_line_with_count_cells_and_fix() -> None:
    report = _report()
    lines = grouped(report.issues)
    assert [f.code for _, f, _ in lines] == ["BRM201", "BRM408", "BRM201"]
    where, _, message = lines[1]
    assert where == f"Measurements!C2, C3, C4 … ({GROUP_FROM + 2} cells)"
    assert message.startswith(f"{GROUP_FROM + 2} × {RULES['BRM408'].title}")
    assert RULES["BRM408"].fix in message
    assert lines[0] == ("Benefits!L3", report.issues[0], report.issues[0].message)


def test_the_json_keeps_every_finding() -> None:
    report = _report()
    body = json.loads(validation_json([report]))
    issues = body["files"][0]["issues"]
    assert len(issues) == len(report.issues) == GROUP_FROM + 4
    assert issues[1] == report.issues[1].to_json()
    assert body["totals"]["error"] + body["totals"]["warning"] == GROUP_FROM + 4


def test_the_summary_writes_thousands_as_its_other_counts() -> None:
    """A first bulk check finds thousands: 1,534 errors read as the benefits and measurements do."""
    from rich.console import Console

    from xl_brm.cli.render import print_validation_tables

    issues = [RULES["BRM210"].finding(sheet="Benefits", row=n, column="title", cell=f"E{n}")
              for n in range(2, 1536)]
    console = Console(record=True, width=200)
    print_validation_tables(console, [FileReport("big.xlsx", "RJ1", 1200, 24000, issues)])
    (summary,) = [line for line in console.export_text().splitlines() if line.startswith("│ big.xlsx")]
    assert "1,200" in summary and "24,000" in summary and "1,534" in summary, summary
