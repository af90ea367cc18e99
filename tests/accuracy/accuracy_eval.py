"""Score `xl-brm validate` on generated registers: did each injected error come back with its
code at its cell, and did clean rows stay free of errors?

Also runnable as a script for the full report (per-kind and per-style recall, every miss,
every false error):

    .venv/bin/python tests/accuracy/accuracy_eval.py --seeds 1 2 3 [--mapped] [--stretch | --wide]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_gen import BENEFITS, MEASUREMENTS, Layout, Register, Style, make_register, write_register
from accuracy_inject import Injection, inject

from xl_brm.api import Options, validate_file
from xl_brm.findings import Finding


@dataclass(frozen=True, slots=True)
class Outcome:
    style: str
    seed: int
    kind: str
    code: str
    sheet: str
    cell: str | None
    written: Any
    found: bool
    said_at_cell: tuple[str, ...]
    """What validate reported at the expected cell (code: message), if anything."""
    said_elsewhere: tuple[str, ...]
    """Findings with the expected code on the same row but another cell (or no cell)."""
    unrecognised: tuple[str, ...] = ()
    """Headers this rule depends on that validate kept as local columns (a mapping miss)."""


@dataclass(slots=True)
class Scored:
    outcomes: list[Outcome] = field(default_factory=list)
    false_errors: list[str] = field(default_factory=list)
    """Error findings on a clean register (or on rows nothing was injected into)."""
    clean_warnings: list[str] = field(default_factory=list)
    clean_infos: list[str] = field(default_factory=list)
    """Info findings on clean registers (a sheet of the trust's own, not read): never a fault."""
    unmapped: dict[str, list[str]] = field(default_factory=dict)

    def extend(self, other: Scored) -> None:
        self.outcomes += other.outcomes
        self.false_errors += other.false_errors
        self.clean_warnings += other.clean_warnings
        self.clean_infos += other.clean_infos
        self.unmapped.update(other.unmapped)

    @property
    def recall(self) -> float:
        return sum(o.found for o in self.outcomes) / max(1, len(self.outcomes))


def mapping_text(style: Style) -> str:
    """The mapping file a trust would save once with `xl-brm map` and edit."""
    out = [f"[Benefits: {style.benefit_sheet}]"]
    out += [f"{' '.join(h.split())} = {name}" for name, h in style.benefit_headers.items()]
    out += [f"{' '.join(h.split())} =" for _, h in style.local_columns]
    if style.wide == "right":  # the period columns are on the register: found by their headings
        return "\n".join(out) + "\n"
    out += ["", f"[Measurements: {style.measurement_sheet}]"]
    if style.wide == "sheet":
        key = style.measurement_headers.get("benefit_id", "Benefit ID")
        return "\n".join([*out, f"{key} = benefit_id", "Measure ="]) + "\n"
    out += [f"{' '.join(h.split())} = {name}" for name, h in style.measurement_headers.items()]
    return "\n".join(out) + "\n"


def _options(style: Style, tmp: Path, mapped: bool) -> Options:
    if not mapped:
        return Options()
    path = tmp / f"{style.name}.mapping.txt"
    path.write_text(mapping_text(style), encoding="utf-8")
    return Options(mapping=path)


def _describe(f: Finding) -> str:
    return f"{f.code} {f.severity} {f.sheet}!{f.cell or '-'} [{f.column}] value={f.value!r}: {f.message}"


def clean_run(style: Style, seed: int, tmp: Path, *, mapped: bool = False) -> Scored:
    reg = _register(style, seed, history=True)
    path = tmp / f"clean-{style.name}-{seed}{'-mapped' if mapped else ''}.xlsx"
    write_register(reg, style, path, seed=seed)
    report = validate_file(path, _options(style, tmp, mapped))
    scored = Scored(unmapped={style.name: list(report.unmapped)})
    for f in report.issues:
        line = f"{style.name} seed {seed}: {_describe(f)}"
        kept = {"error": scored.false_errors, "warning": scored.clean_warnings}
        kept.get(f.severity, scored.clean_infos).append(line)
    return scored


def _register(style: Style, seed: int, *, history: bool = False) -> Register:
    return make_register(
        seed,
        trust=style.trust,
        quarterly=style.quarterly,
        id_style=style.id_style,
        computed_baselines="baseline_method" in style.benefit_headers,
        history=history,
    )


def injected_run(
    style: Style, seed: int, tmp: Path, *, mapped: bool = False, today: date | None = None
) -> tuple[Scored, Path, list[tuple[Injection, str | None]]]:
    """Inject errors, validate, and score each injection (code and cell must both match)."""
    clean = _register(style, seed)
    broken, injections = inject(clean, style, seed=seed, today=today or date.today())
    path = tmp / f"broken-{style.name}-{seed}{'-mapped' if mapped else ''}.xlsx"
    layout = write_register(broken, style, path, seed=seed)
    report = validate_file(path, _options(style, tmp, mapped))
    expected = [(inj, layout.cell(inj.sheet, inj.uid, inj.field)) for inj in injections]
    scored = Scored(unmapped={style.name: list(report.unmapped)})
    unmapped = set(report.unmapped)
    if (
        broken.measurements
        and report.measurements == 0
        and not any(f.sheet == style.measurement_sheet for f in report.issues)
    ):
        unmapped.add(_NO_SHEET)  # the whole Measurements sheet went unread, silently
    scored.outcomes = [
        _score(style, seed, layout, inj, cell, report.issues, unmapped) for inj, cell in expected
    ]
    touched = _touched_rows(layout, injections)
    for f in report.issues:
        if f.severity == "error" and (f.sheet, f.row) not in touched:
            scored.false_errors.append(
                f"{style.name} seed {seed} (injected file, untouched row): {_describe(f)}"
            )
    return scored, path, expected


def _touched_rows(layout: Layout, injections: Iterable[Injection]) -> set[tuple[str | None, int | None]]:
    rows: set[tuple[str | None, int | None]] = set()
    for inj in injections:
        sheet = layout.sheet_names[inj.sheet]
        rows.add((sheet, layout.rows[inj.sheet][inj.uid]))
    # a duplicate ID or a row-level slip may be reported on its partner row too
    return rows


NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "BRM301": ((BENEFITS, "baseline_start"), (BENEFITS, "baseline_end")),
    "BRM302": (
        (BENEFITS, "baseline_value"),
        (BENEFITS, "target_value"),
        (BENEFITS, "direction"),
        (BENEFITS, "benefit_type"),
        (BENEFITS, "is_disbenefit"),
    ),
    "BRM303": ((BENEFITS, "benefit_type"), (BENEFITS, "unit_value_gbp")),
    "BRM304": ((BENEFITS, "approval_status"), (BENEFITS, "approved_by"), (BENEFITS, "approved_on")),
    "BRM306": ((BENEFITS, "approval_status"), (BENEFITS, "benefit_type"), (BENEFITS, "evidence")),
    "BRM307": ((BENEFITS, "approval_status"), (BENEFITS, "benefit_type"), (BENEFITS, "baseline_value")),
    "BRM308": ((BENEFITS, "target_date"), (BENEFITS, "realisation_start")),
    "BRM309": ((BENEFITS, "benefit_type"),),
    "BRM402": (
        (BENEFITS, "benefit_id"),
        (MEASUREMENTS, "benefit_id"),
        (MEASUREMENTS, "period"),
        (MEASUREMENTS, "value"),
    ),
    "BRM403": (
        (BENEFITS, "benefit_id"),
        (MEASUREMENTS, "benefit_id"),
        (MEASUREMENTS, "period"),
        (MEASUREMENTS, "value"),
    ),
    "BRM405": (
        (BENEFITS, "benefit_id"),
        (MEASUREMENTS, "benefit_id"),
        (MEASUREMENTS, "period"),
        (MEASUREMENTS, "value"),
    ),
    "BRM407": (
        (BENEFITS, "benefit_id"),
        (BENEFITS, "benefit_type"),
        (MEASUREMENTS, "benefit_id"),
        (MEASUREMENTS, "period"),
        (MEASUREMENTS, "value"),
    ),
    "BRM501": (
        (BENEFITS, "benefit_id"),
        (MEASUREMENTS, "benefit_id"),
        (MEASUREMENTS, "period"),
        (MEASUREMENTS, "value"),
    ),
    "BRM212": ((MEASUREMENTS, "benefit_id"), (MEASUREMENTS, "period"), (MEASUREMENTS, "value")),
}


_NO_SHEET = "\0measurements sheet not found"


def _unrecognised(style: Style, inj: Injection, unmapped: set[str]) -> tuple[str, ...]:
    needs = ((inj.sheet, inj.field), *NEEDS.get(inj.code, ()))
    out = []
    if _NO_SHEET in unmapped and any(sheet == MEASUREMENTS for sheet, _ in needs):
        out.append(f"sheet {style.measurement_sheet!r} not recognised as Measurements (no finding says so)")
    for sheet, name in needs:
        headers = style.benefit_headers if sheet == BENEFITS else style.measurement_headers
        header = headers.get(name)
        if header is not None and " ".join(header.split()) in unmapped:
            out.append(f"{sheet}.{name}={' '.join(header.split())!r}")
    return tuple(dict.fromkeys(out))


def _score(
    style: Style,
    seed: int,
    layout: Layout,
    inj: Injection,
    cell: str | None,
    issues: list[Finding],
    unmapped: set[str] = frozenset(),
) -> Outcome:
    sheet = layout.sheet_names[inj.sheet]
    row = layout.rows[inj.sheet][inj.uid]
    at_cell = [f for f in issues if f.sheet == sheet and f.cell == cell and cell is not None]
    found = any(f.code == inj.code for f in at_cell)
    elsewhere = [
        f for f in issues if f.code == inj.code and f.sheet == sheet and f.row == row and f.cell != cell
    ]
    return Outcome(
        style=style.name,
        seed=seed,
        kind=inj.kind,
        code=inj.code,
        sheet=sheet,
        cell=cell,
        written=inj.written,
        found=found,
        said_at_cell=tuple(f"{f.code}: {f.message}" for f in at_cell),
        said_elsewhere=tuple(_describe(f) for f in elsewhere),
        unrecognised=() if found else _unrecognised(style, inj, unmapped),
    )


# ---------------------------------------------------------------------------- reporting


def recall_table(outcomes: list[Outcome]) -> str:
    """Recall per error kind, and per style."""
    lines = [f"{'kind':42} {'code':7} {'found':>5} / {'n':>3}  recall"]
    by_kind: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[(o.kind, o.code)].append(o)
    for (kind, code), group in sorted(by_kind.items(), key=lambda kv: kv[0][1]):
        hit = sum(o.found for o in group)
        lines.append(f"{kind:42} {code:7} {hit:5} / {len(group):3}  {hit / len(group):6.0%}")
    lines.append("")
    lines.append(f"{'style':42} {'':7} {'found':>5} / {'n':>3}  recall")
    by_style: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_style[o.style].append(o)
    for name, group in by_style.items():
        hit = sum(o.found for o in group)
        lines.append(f"{name:42} {'':7} {hit:5} / {len(group):3}  {hit / len(group):6.0%}")
    hit = sum(o.found for o in outcomes)
    lines.append(f"{'OVERALL':42} {'':7} {hit:5} / {len(outcomes):3}  {hit / max(1, len(outcomes)):6.0%}")
    return "\n".join(lines)


def misses(outcomes: list[Outcome]) -> str:
    """Rule misses first (the headers it needs were recognised), then header-mapping misses."""
    out = []
    ordered = sorted((o for o in outcomes if not o.found), key=lambda o: bool(o.unrecognised))
    for o in ordered:
        why = f"  [header not recognised: {', '.join(o.unrecognised)}]" if o.unrecognised else "  [RULE MISS]"
        out.append(
            f"MISS {o.style} seed {o.seed}: {o.kind} wrote {o.written!r} -> expected {o.code} at "
            f"{o.sheet}!{o.cell}{why}"
        )
        out += [f"      at that cell: {s}" for s in o.said_at_cell] or ["      at that cell: nothing"]
        out += [f"      same code on the row elsewhere: {s}" for s in o.said_elsewhere]
    return "\n".join(out)


def grouped(lines: list[str]) -> list[str]:
    """False errors / warnings grouped by style and rule, with a count and one example."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for line in lines:
        style = line.split(" seed ")[0]
        head = line.split(": ", 1)[1] if ": " in line else line
        code_col = " ".join(head.split(" ")[:2]) + " " + head.split("[", 1)[-1].split("]")[0]
        groups[(style, code_col)].append(line)
    return [
        f"  {n:4}x {style}: {key}  e.g. {group[0].split(': ', 1)[-1]}"
        for (style, key), group in sorted(groups.items())
        for n in [len(group)]
    ]


def full_report(scored: Scored) -> str:
    parts = [recall_table(scored.outcomes), "", misses(scored.outcomes) or "no misses"]
    parts += ["", f"false errors ({len(scored.false_errors)}), grouped:", *grouped(scored.false_errors)]
    parts += [
        "",
        f"warnings on clean registers ({len(scored.clean_warnings)}), grouped:",
        *grouped(scored.clean_warnings),
        "",
        f"info on clean registers ({len(scored.clean_infos)}), grouped:",
        *grouped(scored.clean_infos),
    ]
    parts += ["", "headers kept as local (unmapped):"]
    parts += [f"  {name}: {', '.join(h)}" for name, h in scored.unmapped.items()]
    return "\n".join(parts)


def main() -> None:
    from accuracy_styles import STRETCH_STYLES, STYLES, WIDE_STYLES, drawn_style

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--mapped", action="store_true", help="use a saved header mapping per style")
    parser.add_argument("--stretch", action="store_true", help="only the stretch styles")
    parser.add_argument("--wide", action="store_true", help="only the wide styles (a column per period)")
    parser.add_argument("--drawn", type=int, default=4, help="how many per-seed drawn styles to add")
    args = parser.parse_args()
    styles = list(STRETCH_STYLES if args.stretch else WIDE_STYLES if args.wide else STYLES)
    if not args.stretch and not args.wide:
        styles += [drawn_style(100 + k) for k in range(args.drawn)]
    total = Scored()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for style in styles:
            for seed in args.seeds:
                total.extend(clean_run(style, seed, tmp, mapped=args.mapped))
                scored, _, _ = injected_run(style, seed, tmp, mapped=args.mapped)
                total.extend(scored)
    print(full_report(total))


if __name__ == "__main__":
    main()
