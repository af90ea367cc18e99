"""`xl-brm demo`: the whole journey on the example registers, with no server and no network.

1. validate the four example trusts' registers, whatever their house style (one keeps its
   figures a column per quarter);
2. compute realised value, present value and RAG;
3. start an embedded national store (SQLite in a temporary folder), try to submit a register
   that still has errors (blocked, with the cells shown), correct those cells the way a benefits
   lead would, submit every trust's approved rows, resubmit (nothing is sent twice);
4. show the national summary, cash-releasing and non-cash-releasing kept apart.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule
from rich.table import Table

from xl_brm import display
from xl_brm.display import TYPE_LABEL
from xl_brm.enums import BenefitType
from xl_brm.errors import SyncError

EXAMPLES = Path(__file__).resolve().parents[1] / "workbooks" / "examples"
AS_OF = "2020-09"
TRUSTS = {"acute_gde_rj1.xlsx": "RJ1", "mental_health_rrv.xlsx": "RRV", "community_taj.xlsx": "TAJ",
          "ambulance_wide_rx1.xlsx": "RX1"}


@dataclass(frozen=True, slots=True)
class Correction:
    """What a benefits lead types into a cell xl-brm pointed at (None deletes the row)."""

    sheet: str
    cell: str
    value: Any


CORRECTIONS: dict[str, list[Correction]] = {
    "acute_gde_rj1.xlsx": [
        Correction("Benefits Register", "V7", "Director of Finance"),
        Correction("Benefits Register", "F11", "Cash releasing"),
        Correction("Monthly Data", "A165", None),
    ],
    "mental_health_rrv.xlsx": [
        Correction("Benefits", "X9", "Staff survey, Q3 2019/20: 71% spend less time on paperwork"),
        Correction("Benefits", "A14", "MH-08"),
    ],
    "community_taj.xlsx": [
        Correction("Benefits", "R9", datetime(2021, 3, 31)),
        Correction("Measurements", "A126", None),
    ],
    "ambulance_wide_rx1.xlsx": [
        Correction("Benefits Register", "AB4", 29_650),
        Correction("Benefits Register", "O6", 38.0),
        Correction("Benefits Register", "AC5", 4_876),
    ],
}


def run_demo(out: Console, err: Console, *, keep: Path | None = None) -> None:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        _journey(out, err, keep)
        return
    with tempfile.TemporaryDirectory(prefix="xl-brm-demo-") as work:
        _journey(out, err, Path(work))


def _journey(out: Console, err: Console, work: Path) -> None:
    from xl_brm.api import load, report_for
    from xl_brm.cli.render import print_compute_table, print_validation_tables
    from xl_brm.computation import compute
    from xl_brm.excel.compute_out import write_compute
    from xl_brm.periods import parse_period

    books = _copy_examples(work)
    out.print(Rule("1 · Validate four trusts' registers, each in its own house style"))
    loaded = {path: load(path) for path in books}
    print_validation_tables(out, [report_for(p, raw, v) for p, (raw, v) in loaded.items()], limit=10)

    out.print(Rule(f"2 · Compute realised value, present value and RAG as of {AS_OF}"))
    community = next(b for b in books if b.name == "community_taj.xlsx")
    computed = compute(loaded[community][1], as_of=parse_period(AS_OF))
    print_compute_table(out, computed)
    written = write_compute(community, work / f"{community.stem}.computed.xlsx", computed)
    out.print(f"Computed workbook with a planned-vs-realised chart: {written}")
    _board_report(out, computed, work / f"{community.stem}.board.html")

    out.print(Rule("3 · Submit approved rows to an embedded national store"))
    _national(out, err, work, books)


def _board_report(out: Console, computed: Any, target: Path) -> None:
    """The trust's own board report from the same figures, when the report extra is installed."""
    try:
        from xl_brm.report import write_report

        written = write_report(computed, target)
    except ImportError as missing:
        out.print(f"(Board report skipped: pip install 'xl_brm[report]' for it; {missing})")
        return
    out.print("Board report from the same figures: " + " and ".join(str(p) for p in written))


def _copy_examples(work: Path) -> list[Path]:
    """Copies, so the demo never writes next to the shipped examples (sync state, outputs)."""
    source = EXAMPLES
    if not all((source / name).exists() for name in TRUSTS):
        from xl_brm.examples import write_examples

        source = work / "generated"
        write_examples(source)
    copies = []
    for name in TRUSTS:
        shutil.copy(source / name, work / name)
        copies.append(work / name)
    return copies


def _national(out: Console, err: Console, work: Path, books: list[Path]) -> None:
    from xl_brm.national import StoreSettings, create_app, create_token
    from xl_brm.national.embedded import serve_in_thread

    db = f"sqlite:///{work / 'national.db'}"
    tokens = {ods: create_token(db, trust=ods) for ods in TRUSTS.values()}
    national = create_token(db, national=True)
    with serve_in_thread(create_app(StoreSettings(db=db))) as url:
        out.print(f"National store running at {url} (SQLite file {work / 'national.db'})")
        first = books[0]
        try:
            _submit(out, first, url, tokens[TRUSTS[first.name]])
        except SyncError as blocked:
            out.print(f"[yellow]{first.name} was not sent:[/] {blocked}", soft_wrap=True)
        out.print("The benefits lead corrects the cells xl-brm pointed at, in each workbook:")
        for book in books:
            _correct(book, CORRECTIONS[book.name])
            out.print(f"  {book.name}: " + ", ".join(
                f"{c.sheet}!{c.cell}" + (" (row deleted)" if c.value is None else "")
                for c in CORRECTIONS[book.name]))
        for book in books:
            _submit(out, book, url, tokens[TRUSTS[book.name]])
        out.print("Submitting again sends nothing that the store already holds:")
        _submit(out, books[0], url, tokens["RJ1"])
        out.print(Rule("4 · The national picture"))
        _print_summary(out, url, national)
        out.print(
            "Run a store of your own with `xl-brm national serve --db sqlite:///national.db`: "
            "its national page is at / and the API docs at /docs."
        )


def _submit(out: Console, book: Path, url: str, token: str) -> None:
    from xl_brm.cli.render import print_submit_outcome
    from xl_brm.sync import submit

    print_submit_outcome(out, submit(book, url=url, token=token))


def _correct(book: Path, corrections: list[Correction]) -> None:
    """Apply a lead's corrections with openpyxl; deleted rows go last-first to keep positions."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    deletions = []
    for c in corrections:
        if c.value is None:
            deletions.append((c.sheet, wb[c.sheet][c.cell].row))
        else:
            wb[c.sheet][c.cell].value = c.value
    for sheet, row in sorted(deletions, key=lambda d: -d[1]):
        wb[sheet].delete_rows(row)
    wb.save(book)


def _print_summary(out: Console, url: str, token: str) -> None:
    import httpx

    body = httpx.get(f"{url}/v1/national/summary", headers={"Authorization": f"Bearer {token}"}).json()
    money: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in body["rows"]:
        if row["realised_value_gbp"] is None:
            continue
        kind = TYPE_LABEL[BenefitType(row["benefit_type"])]
        kind += " (dis-benefit)" if row["is_disbenefit"] else ""
        money[(row["trust_ods"], kind)][row["financial_year"]] += row["realised_value_gbp"]
    years = sorted({fy for per_year in money.values() for fy in per_year})
    table = Table(title="Realised value by trust, benefit type and financial year", title_justify="left")
    for name in ("trust", "benefit type", *years, "total"):
        table.add_column(name, justify="left" if name in {"trust", "benefit type"} else "right")
    for (trust, kind), per_year in sorted(money.items()):
        cells = [display.money(per_year.get(fy)) for fy in years]
        table.add_row(trust, kind, *cells, display.money(sum(per_year.values())))
    out.print(table)
    out.print("Cash-releasing and non-cash-releasing money are never added together.")
