"""`xl-brm`: a thin layer that parses arguments, calls the library and renders the result.

Exit codes: 0 no errors, 1 validation errors found, 2 usage or input error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from xl_brm._gc import gc_paused
from xl_brm.cli.actuals import app as actuals_app
from xl_brm.cli.render import (
    Format,
    print_validation_tables,
    to_csv,
    validation_csv,
    validation_json,
)
from xl_brm.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, XlBrmError

if TYPE_CHECKING:
    from xl_brm.computation import Computation

app = typer.Typer(
    name="xl-brm",
    help="Benefits realisation for NHS trusts: validate, compute and submit benefits registers.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console(highlight=False, soft_wrap=False)
if not out.is_terminal:
    out = Console(highlight=False, soft_wrap=False, width=160)  # piped to a file: room for the tables
err = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])


def friendly(command: F) -> F:
    """Turn library errors into one clear line and exit code 2: never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except XlBrmError as error:
            err.print(f"[bold red]error:[/] {error}", markup=True, soft_wrap=True)
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper  # type: ignore[return-value]


TrustOpt = Annotated[
    str | None,
    typer.Option("--trust", help="Default ODS code for rows that leave it blank, e.g. RJ1."),
]
ProgrammeOpt = Annotated[
    str | None,
    typer.Option("--programme", help="Default programme for rows that leave it blank, e.g. GDE."),
]
MappingOpt = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="A header-mapping file saved by `xl-brm map`.",
        exists=True,
        dir_okay=False,
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="table (for people), json or csv.")
]


def _options(mapping: Path | None, trust: str | None, programme: str | None) -> Any:
    from xl_brm.api import Options

    if not trust and not programme:
        return Options(mapping=mapping)  # the engine's own defaults: its import can wait
    from xl_brm.validate import Defaults

    defaults = Defaults(trust_ods=trust.strip().upper() if trust else None, programme=programme)
    return Options(mapping=mapping, defaults=defaults)


def _workbooks(paths: list[Path]) -> list[Path]:
    """Files as given; folders expanded to the workbooks inside them (Excel's lock files skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in {".xlsx", ".xlsm"} and not p.name.startswith("~$")
            )
        elif path.exists():
            found.append(path)
        else:
            raise XlBrmError(f"{path}: no such file or folder", hint="check the path and try again")
    if not found:
        raise XlBrmError(
            "no .xlsx or .xlsm workbooks found", hint="give a workbook or a folder of them"
        )
    return found


@app.command()
@friendly
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks or folders of workbooks.")],
    format: FormatOpt = Format.table,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            help="Write a copy of each workbook here with issues highlighted.",
            file_okay=False,
        ),
    ] = None,
    mapping: MappingOpt = None,
    trust: TrustOpt = None,
    programme: ProgrammeOpt = None,
) -> None:
    """Check benefits registers against the national rules, whatever their column names.

    Example: [bold]xl-brm validate trusts/ --format json[/]
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from xl_brm.cli.parallel import validate_many

    files = _workbooks(paths)
    if annotate:
        annotate.mkdir(parents=True, exist_ok=True)
    if format is Format.json and len(files) == 1 and _json_in_reader():
        _validate_json_in_reader(files[0], _options(mapping, trust, programme), annotate)
    with Progress(
        TextColumn("validating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=len(files) < 2 and not err.is_terminal,
    ) as progress:
        task = progress.add_task("validate", total=len(files))
        with gc_paused():  # tens of thousands of findings unpickled and written: no cycles
            reports = validate_many(
                files,
                _options(mapping, trust, programme),
                annotate_dir=annotate,
                on_done=lambda _r: progress.advance(task),
            )
    if format is Format.json:
        with gc_paused():
            print(validation_json(reports))
    elif format is Format.csv:
        sys.stdout.write(validation_csv(reports))
    else:
        print_validation_tables(out, reports)
        if annotate and any(r.annotate_error is None for r in reports):
            out.print(f"Annotated copies written to {annotate}/")
    for report in reports:  # a copy that failed is its own message; the findings stand
        if report.annotate_error:
            err.print(f"[bold red]error:[/] {report.annotate_error}", markup=True, soft_wrap=True)
    from xl_brm.api import UNREADABLE

    if any(f.code == UNREADABLE for r in reports for f in r.issues):
        raise typer.Exit(EXIT_INPUT)
    if not all(r.ok for r in reports):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_INPUT if any(r.annotate_error for r in reports) else EXIT_OK)


def _json_in_reader() -> bool:
    """One workbook's JSON report is rendered by the forked reader that holds its findings
    (`xl_brm.json_report`), unless the plain path is asked for or there is no such reader."""
    from xl_brm import sandbox
    from xl_brm._speed import plain

    return sandbox.available() and not plain()


def _validate_json_in_reader(path: Path, options: Any, annotate: Path | None) -> None:
    """`validate FILE --format json` with the report's bytes written as the reader rendered
    them: the same bytes, exit code and messages as the route through `validate_many`."""
    from xl_brm.json_report import print_report

    done = print_report(path, options, annotate)
    if done.annotate_error:
        err.print(f"[bold red]error:[/] {done.annotate_error}", markup=True, soft_wrap=True)
    raise typer.Exit(done.exit_code)


AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Count periods up to this month or quarter (default: the latest period with data).",
    ),
]
BaseFyOpt = Annotated[
    str | None,
    typer.Option("--base-fy", help="Base financial year for present values, e.g. 2019/20."),
]


@app.command()
@friendly
def compute(
    path: Annotated[
        Path, typer.Argument(help="A benefits register workbook.", exists=True, dir_okay=False)
    ],
    as_of: AsOfOpt = None,
    base_fy: BaseFyOpt = None,
    smooth: Annotated[
        bool, typer.Option("--smooth", help="Use the mean of the last three periods as 'latest'.")
    ] = False,
    format: FormatOpt = Format.table,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Write a copy with computed columns, a summary and a chart."),
    ] = None,
    mapping: MappingOpt = None,
    trust: TrustOpt = None,
    programme: ProgrammeOpt = None,
) -> None:
    """Compute baselines, realised quantity and value, present value, progress and RAG.

    Example: [bold]xl-brm compute register.xlsx --as-of 2020-03 --format json[/]
    """
    from xl_brm.cli.render import compute_json, compute_rows, print_compute_table

    computed = _computation(path, as_of, base_fy, smooth=smooth,
                            options=_options(mapping, trust, programme), out=out_path)
    if format is Format.json:
        print(compute_json(computed))
    elif format is Format.csv:
        rows = compute_rows(computed.figures)
        sys.stdout.write(to_csv(list(rows[0]) if rows else ["benefit_id"], rows))
    else:
        print_compute_table(out, computed)
        if out_path:
            out.print(f"Computed workbook written to {out_path}")
    if format is not Format.table and not computed.as_of_given:
        err.print(f"Figures {computed.as_of_note}.", markup=False)


def _computation(
    path: Path, as_of: str | None, base_fy: str | None, *, smooth: bool, options: Any,
    out: Path | None = None,
) -> Computation:
    """Read, validate and compute a workbook (and write the computed copy to `out`): the one
    route of `compute` and `report`, all of it in the memory-limited reader behind the gate."""
    from functools import partial

    from xl_brm import sandbox
    from xl_brm.api import compute_file
    from xl_brm.periods import PeriodError, parse_fy, parse_period

    try:
        as_of_period = parse_period(as_of) if as_of else None
        base = parse_fy(base_fy) if base_fy else None
    except PeriodError as error:
        raise typer.BadParameter(str(error)) from None
    work = partial(compute_file, path, options, as_of=as_of_period, base_fy=base, smooth=smooth, out=out)
    return sandbox.isolated(path, work)


@app.command()
@friendly
def report(
    path: Annotated[
        Path, typer.Argument(help="A benefits register workbook.", exists=True, dir_okay=False)
    ],
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            help="board.html (with board.pdf beside it), board.pdf, or board.xlsx (native charts).",
        ),
    ],
    as_of: AsOfOpt = None,
    base_fy: BaseFyOpt = None,
    statement: Annotated[
        bool, typer.Option("--statement", help="Write the Statement of Planned Benefits instead.")
    ] = False,
    mapping: MappingOpt = None,
    trust: TrustOpt = None,
    programme: ProgrammeOpt = None,
) -> None:
    """Write the trust's board report (HTML and PDF, or .xlsx), or its Statement of Planned Benefits.

    Example: [bold]xl-brm report register.xlsx --as-of 2020-09 --out board.html[/]
    """
    from xl_brm.report import write_report

    computed = _computation(path, as_of, base_fy, smooth=False, options=_options(mapping, trust, programme))
    written = write_report(computed, out_path, statement=statement)
    what = "Statement of Planned Benefits" if statement else f"Board report {computed.as_of_note}"
    out.print(f"{what} written to " + " and ".join(str(p) for p in written), markup=False)


@app.command("map")
@friendly
def map_headers(
    path: Annotated[
        Path, typer.Argument(help="A trust's own register workbook.", exists=True, dir_okay=False)
    ],
    out_path: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to save the mapping (default: FILE.mapping.ini)."),
    ] = None,
) -> None:
    """Map a trust's own column headers to the canonical fields once, and save the mapping to edit.

    Example: [bold]xl-brm map register.xlsx && xl-brm validate register.xlsx --mapping register.mapping.ini[/]
    """
    from xl_brm import sandbox
    from xl_brm.reader import GatedReader

    mapping = sandbox.isolated(path, GatedReader.mapping)  # read in the memory-limited reader
    target = out_path or path.with_suffix(".mapping.ini")
    mapping.save(target)
    out.print(target.read_text(encoding="utf-8"), markup=False)
    out.print(f"Saved to {target}: edit it if a column is wrong, then pass --mapping {target}")


@app.command()
@friendly
def template(
    out_path: Annotated[
        Path, typer.Argument(help="Where to write the template, e.g. register.xlsx.")
    ],
    trust: TrustOpt = None,
    programme: ProgrammeOpt = None,
    lite: Annotated[
        bool, typer.Option("--lite", help="Embed the Python code for the free xlwings Lite add-in.")
    ] = False,
) -> None:
    """Write a blank benefits-register template with dropdowns, input help and a guide.

    Example: [bold]xl-brm template register.xlsx --trust RJ1 --programme GDE[/]
    """
    if lite:
        from xl_brm.addin.lite import write_lite_template

        write_lite_template(out_path, trust_ods=trust, programme=programme)
    else:
        from xl_brm.excel.template import write_template

        write_template(out_path, trust_ods=trust, programme=programme)
    out.print(f"Template written to {out_path}")


@app.command()
def rules(
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, json or markdown (the catalogue page).")
    ] = "table",
) -> None:
    """List every validation rule: code, severity and title.

    Example: [bold]xl-brm rules --format markdown > rules.md[/]
    """
    from rich.table import Table

    from xl_brm.rules import RULES, RULES_VERSION, catalogue_markdown

    if format == "markdown":
        print(catalogue_markdown())
        return
    if format == "json":
        body = {"rules_version": RULES_VERSION, "rules": [_rule_json(r) for r in RULES.values()]}
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"xl-brm rules · {RULES_VERSION}", title_justify="left")
    for name in ("code", "severity", "name", "title"):
        table.add_column(name)
    for r in RULES.values():
        table.add_row(r.code, r.severity, r.slug, r.title)
    out.print(table)


@app.command()
def rule(code: Annotated[str, typer.Argument(help="A rule code, e.g. BRM302.")]) -> None:
    """Explain one rule: what it checks, why it matters, an example and the fix.

    Example: [bold]xl-brm rule BRM302[/]
    """
    from rich.markdown import Markdown

    from xl_brm.rules import RULES, STORE_RULES, rule_markdown

    key = code.strip().upper()
    if key not in RULES and key not in STORE_RULES:
        err.print(f"[bold red]error:[/] no rule {code!r}; `xl-brm rules` lists them all")
        raise typer.Exit(EXIT_INPUT)
    out.print(Markdown(rule_markdown(key)))


def _rule_json(rule: Any) -> dict[str, Any]:
    return {k: getattr(rule, k) for k in ("code", "slug", "severity", "title", "fix", "why")}


@app.command()
@friendly
def demo(
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the demo's output files in this folder.")
    ] = None,
) -> None:
    """Validate and compute the example registers, submit them to an embedded national store
    and show the national summary. Needs no server and no network.
    """
    from xl_brm.demo import run_demo

    run_demo(out, err, keep=keep)


def _mount_optional(module: str, name: str, help: str) -> None:
    """Sub-apps whose dependencies live in extras: present when installed, explained when not."""
    try:
        sub = __import__(module, fromlist=["app"]).app
    except ImportError as error:
        extra = "national" if name == "national" else "excel"
        reason = str(error)
        missing = typer.Typer(help=f"{help} (needs: pip install 'xl_brm[{extra}]')")

        @missing.callback(invoke_without_command=True)
        def _explain() -> None:
            err.print(
                f"[bold red]error:[/] `xl-brm {name}` needs pip install 'xl_brm[{extra}]': {reason}"
            )
            raise typer.Exit(EXIT_INPUT)

        app.add_typer(missing, name=name)
        return
    app.add_typer(sub, name=name, help=help)


@app.command()
@friendly
def submit(
    path: Annotated[
        Path, typer.Argument(help="A benefits register workbook.", exists=True, dir_okay=False)
    ],
    url: Annotated[
        str | None,
        typer.Option("--url", help="The national store, e.g. https://brm.example.nhs.uk"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate on the store without storing anything.")
    ] = False,
    status: Annotated[
        bool,
        typer.Option("--status", help="Show what is pending or set aside for this workbook "
                     "(with --url: for that store only); sends nothing."),
    ] = False,
    drop_pending: Annotated[
        bool,
        typer.Option("--drop-pending", help="Forget the pending and set-aside submissions of "
                     "this workbook; the next submit sends the workbook as it is then."),
    ] = False,
    mapping: MappingOpt = None,
    trust: TrustOpt = None,
    programme: ProgrammeOpt = None,
) -> None:
    """Send approved benefits to the national store (token from XL_BRM_TOKEN or the OS keyring).

    Only what the store does not already hold is sent; a submission the store refuses for good
    is set aside and shown by --status. Exit codes: 0 sent (or nothing to send), 1 validation
    errors block the workbook or the store rejected a benefit, 2 the store or the file could
    not be used.

    Example: [bold]XL_BRM_TOKEN=… xl-brm submit register.xlsx --url http://127.0.0.1:8000 --dry-run[/]
    """
    from xl_brm.cli.render import print_submit_outcome, print_sync_status
    from xl_brm.errors import SubmissionBlocked, UsageError
    from xl_brm.sync import drop_pending as drop
    from xl_brm.sync import submit as submit_workbook
    from xl_brm.sync import sync_status

    if status and drop_pending:
        raise UsageError("give --status or --drop-pending, not both")
    if status:
        print_sync_status(out, path, sync_status(path, url=url), url=url)
        return
    if drop_pending:
        dropped = drop(path, url=url)
        for store, what in dropped:
            out.print(f"Dropped the {what} for {store}.", markup=False)
        out.print("Nothing was pending or set aside." if not dropped else
                  "The next submit sends the workbook as it is then.")
        return
    if not url:
        raise UsageError("--url is required to submit", hint="e.g. --url https://brm.example.nhs.uk")
    options = _options(mapping, trust, programme)
    try:
        outcome = submit_workbook(
            path, url=url, dry_run=dry_run, mapping=options.mapping, defaults=options.defaults
        )
    except SubmissionBlocked as blocked:
        err.print(f"[bold red]error:[/] {blocked}", markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    print_submit_outcome(out, outcome)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_FINDINGS)


@app.command()
@friendly
def pull(
    path: Annotated[
        Path, typer.Argument(help="A benefits register workbook.", exists=True, dir_okay=False)
    ],
    url: Annotated[str, typer.Option("--url", help="The national store.")],
) -> None:
    """Show the national status of each benefit in the workbook.

    Example: [bold]xl-brm pull register.xlsx --url http://127.0.0.1:8000[/]
    """
    from xl_brm.cli.render import print_pull
    from xl_brm.sync import pull as pull_status

    print_pull(out, pull_status(path, url=url))


app.add_typer(actuals_app, name="actuals")
_mount_optional("xl_brm.national.cli", "national", "Run the national store and manage its tokens.")
_mount_optional("xl_brm.addin.cli", "addin", "Serve and install the Excel add-ins.")


def main() -> None:
    app()
