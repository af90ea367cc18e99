"""`xl-brm actuals`: figures from a BI or EPR extract into the register, without re-keying."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Import actuals from a BI or EPR extract into a register.", no_args_is_help=True)


class RollUpOpt(StrEnum):
    sum = "sum"
    mean = "mean"


class Shown(StrEnum):
    table = "table"
    json = "json"


@app.command("import")
def import_command(
    extract: Annotated[Path, typer.Argument(help="The extract: .csv or .xlsx.", exists=True, dir_okay=False)],
    into: Annotated[Path, typer.Option("--into", help="The register to write the figures into.", exists=True,
                                       dir_okay=False)],
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help="An extract mapping saved by `xl-brm actuals map`.", exists=True,
        dir_okay=False)] = None,
    register_mapping: Annotated[Path | None, typer.Option(
        "--register-mapping", help="The register's header mapping (`xl-brm map`).", exists=True,
        dir_okay=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes, write nothing.")] = False,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace values the register already holds when the extract differs.")] = False,
    roll_up: Annotated[RollUpOpt | None, typer.Option(
        "--roll-up", help="Add up (sum) or average (mean) daily or monthly figures into a benefit's "
        "period (default: by its unit: levels such as percentages are averaged).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the updated register here instead of over the original.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="What the register names as the figures' source (default: the extract).")] = None,
    trust: Annotated[str | None, typer.Option("--trust", help="Default ODS code for the register.")] = None,
    programme: Annotated[str | None, typer.Option("--programme", help="Default programme.")] = None,
    format: Annotated[Shown, typer.Option("--format", "-f", help="table or json.")] = Shown.table,
) -> None:
    """Write an extract's figures into the register's measurement cells, long or wide.

    Shows the changes first (new, changed, unchanged cells). A value the register already holds
    is never replaced silently: it is kept and reported unless --overwrite is given.

    Example: [bold]xl-brm actuals import epr_april.csv --into register.xlsx --dry-run[/]
    """
    from xl_brm.actuals import ExtractMapping, import_actuals
    from xl_brm.cli import _options, err, friendly
    from xl_brm.cli import out as console
    from xl_brm.errors import EXIT_FINDINGS, EXIT_OK

    @friendly
    def run() -> None:
        extract_mapping = ExtractMapping.load(mapping) if mapping else None
        done = import_actuals(
            extract, into, mapping=extract_mapping, options=_options(register_mapping, trust, programme),
            overwrite=overwrite, roll_up=roll_up.value if roll_up else None, dry_run=dry_run,
            out=out, source=source)
        if format is Shown.json:
            print(json.dumps(_json(done), indent=2, ensure_ascii=False))
        else:
            _show(console, done, dry_run=dry_run)
        if done.written is None and not dry_run and any(c.writes for c in done.plan.changes):
            err.print("nothing written")
        raise typer.Exit(EXIT_OK if done.plan.ok else EXIT_FINDINGS)

    run()


@app.command("map")
def map_command(
    extract: Annotated[Path, typer.Argument(help="The extract: .csv or .xlsx.", exists=True, dir_okay=False)],
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Where to save the mapping (default: EXTRACT.mapping.ini).")] = None,
) -> None:
    """Save which of an extract's columns holds the code, the period and the value, to edit once.

    Example: [bold]xl-brm actuals map epr_april.csv[/]
    """
    from xl_brm.actuals import propose_extract_mapping
    from xl_brm.cli import friendly
    from xl_brm.cli import out as console

    @friendly
    def run() -> None:
        mapping = propose_extract_mapping(extract)
        target = out_path or extract.with_suffix(".mapping.ini")
        mapping.save(target)
        console.print(target.read_text(encoding="utf-8"), markup=False)
        console.print(f"Saved to {target}: edit it if a column is wrong, then pass --mapping {target}")

    run()


def _show(console: Console, done: Any, *, dry_run: bool) -> None:
    plan = done.plan
    table = Table(title=f"xl-brm actuals import · {plan.extract.path.name} → {plan.register.name}",
                  title_justify="left")
    for name in ("status", "cell", "benefit", "period", "register", "extract", "from"):
        table.add_column(name, justify="right" if name in ("register", "extract") else "left")
    shown = [c for c in plan.changes if c.status != "unchanged"]
    for c in shown:
        f = c.figure
        table.add_row(c.status + (f" (+{c.adds})" if c.adds else ""), f"{c.sheet}!{c.cell}", f.benefit_id,
                      str(f.period), "" if c.old is None else str(c.old), f"{f.value:,.10g}", f.how)
    if shown:
        console.print(table)
    for finding in plan.findings:
        where = f"{finding.sheet}!{finding.cell or finding.row}" if finding.sheet else ""
        console.print(f"{finding.severity} {finding.code} {where}: {finding.message}", markup=False,
                      soft_wrap=True)
    counts = plan.counts
    writes = counts["new"] + counts["changed"]
    verb = "nothing to write" if not writes else "would be written" if dry_run else "written"
    kept = " (the register differs; --overwrite replaces)" if counts["kept"] else ""
    console.print(f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged, "
                  f"{counts['kept']} kept{kept}: {verb}"
                  + (f" to {done.written}" if done.written else ""))


def _json(done: Any) -> dict[str, Any]:
    plan = done.plan
    return {
        "register": str(plan.register),
        "extract": str(plan.extract.path),
        "written": str(done.written) if done.written else None,
        "counts": plan.counts,
        "changes": [
            {"status": c.status, "sheet": c.sheet, "cell": c.cell, "adds": c.adds or None,
             "benefit_id": c.figure.benefit_id, "period": str(c.figure.period),
             "old": c.old if isinstance(c.old, int | float | str | None) else str(c.old),
             "new": c.figure.value, "from": c.figure.how, "lines": list(c.figure.lines)}
            for c in plan.changes
        ],
        "issues": [f.to_json() for f in plan.findings],
    }
