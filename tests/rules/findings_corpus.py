"""Every finding of every register in the repository, as JSON: the yardstick of engine changes.

Restructuring the rule engine must not change what it finds. Run this on a checkout before the
change and after it, and compare:

    .venv/bin/python tests/rules/findings_corpus.py --out /tmp/before.json   # on the old code
    .venv/bin/python tests/rules/findings_corpus.py --out /tmp/after.json --compare /tmp/before.json

Registers: the example workbooks and the template (through `validate_file`, as the CLI reads
them), the accuracy generator's clean and injected registers (long and wide), a fixed-seed
sample of fuzz mutants, and the rule scenarios' in-memory workbooks. Each register's findings
are sorted as a report lists them (`xl_brm.api.ordered`, then column and message): the order the
engine's stages produce them in is not a contract, what they say and where is.
`XL_BRM_PLAIN=1` runs the plain path (the output must not differ).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for sub in ("accuracy", "fuzz", "rules"):
    sys.path.insert(0, str(HERE.parent / sub))

TODAY = date(2026, 12, 7)
"""Fixed, so that the injected registers (which plant future periods) read the same any day."""

FUZZ_SEED, FUZZ_FILES = 20261207, 40
ACCURACY_SEEDS = (1, 2)


def _row(f: Any) -> dict[str, Any]:
    value = f.value
    if value is not None and not isinstance(value, (str, int, float, bool)):
        value = f"{type(value).__name__}:{value}"
    elif isinstance(value, float) and value != value:
        value = "nan"
    return {"code": f.code, "severity": f.severity, "sheet": f.sheet, "row": f.row, "column": f.column,
            "cell": f.cell, "value": value, "message": f.message, "heading": getattr(f, "heading", None)}


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["sheet"] or "", r["row"] or 0, r["cell"] or "", r["code"], r["column"] or "", r["message"])

    return sorted(rows, key=key)


def _file(path: Path, **options: Any) -> list[dict[str, Any]]:
    from xl_brm.api import Options, validate_file

    return [_row(f) for f in validate_file(path, Options(**options)).issues]


def examples() -> dict[str, list[dict[str, Any]]]:
    out = {}
    for path in sorted((ROOT / "workbooks" / "examples").glob("*.xlsx")):
        out[f"examples/{path.name}"] = _file(path)
    out["template.xlsx"] = _file(ROOT / "workbooks" / "template.xlsx")
    return out


def accuracy(tmp: Path) -> dict[str, list[dict[str, Any]]]:
    from accuracy_eval import _options, _register
    from accuracy_gen import write_register
    from accuracy_inject import inject
    from accuracy_styles import STYLES, drawn_style

    from xl_brm.api import validate_file

    out = {}
    for style in (*STYLES, *(drawn_style(100 + k) for k in range(3))):
        for seed in ACCURACY_SEEDS:
            clean = _register(style, seed)
            broken, _ = inject(clean, style, seed=seed, today=TODAY)
            for name, reg in (("clean", clean), ("broken", broken)):
                for mapped in (False, True):
                    path = tmp / f"{name}-{style.name}-{seed}-{mapped}.xlsx"
                    write_register(reg, style, path, seed=seed)
                    report = validate_file(path, _options(style, tmp, mapped))
                    out[f"accuracy/{path.name}"] = [_row(f) for f in report.issues]
    return out


def fuzz(tmp: Path) -> dict[str, list[dict[str, Any]]]:
    from workbook_mutations import mutants

    out = {}
    for m in mutants(FUZZ_SEED, FUZZ_FILES):
        path = tmp / m.name
        path.write_bytes(m.data)
        out[f"fuzz/{m.name}"] = _file(path)
    return out


def scenarios() -> dict[str, list[dict[str, Any]]]:
    from rules_workbooks import clean_parts, validate
    from test_rule_scenarios import SCENARIOS

    out = {"scenarios/clean": [_row(f) for f in validate(clean_parts()).findings]}
    for k, s in enumerate(SCENARIOS):
        parts = clean_parts()
        s.change(parts)
        out[f"scenarios/{k:03d}-{s.code}"] = [_row(f) for f in validate(parts, defaults=s.defaults).findings]
    return out


def corpus() -> dict[str, list[dict[str, Any]]]:
    real_today = date

    class _Today(date):
        @classmethod
        def today(cls) -> date:
            return real_today(TODAY.year, TODAY.month, TODAY.day)

    _patch_today(_Today)
    with tempfile.TemporaryDirectory() as tmp:
        out = {**examples(), **accuracy(Path(tmp)), **fuzz(Path(tmp)), **scenarios()}
    return {k: _sorted(v) for k, v in out.items()}


def _patch_today(fake: type[date]) -> None:
    """Validation reads `date.today()` for future periods (BRM405): fix it for a stable corpus.

    Only the rule engine's modules are patched (they call `date.today()` and nothing else of it)."""
    import importlib

    importlib.import_module("xl_brm.validate")
    for name, module in list(sys.modules.items()):
        if name.startswith("xl_brm.validate") and getattr(module, "date", None) is date:
            module.date = fake  # type: ignore[attr-defined]


def compare(now: dict[str, list[Any]], then: dict[str, list[Any]]) -> int:
    differ = 0
    for key in sorted(set(now) | set(then)):
        a, b = then.get(key), now.get(key)
        if a != b:
            differ += 1
            print(f"DIFF {key}: before {len(a or [])} findings, after {len(b or [])}")
            for x, y in zip(a or [], b or [], strict=False):
                if x != y:
                    print(f"  first difference:\n    before {x}\n    after  {y}")
                    break
    total = sum(len(v) for v in now.values())
    print(f"{len(now)} registers, {total} findings; {differ} differ")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    found = corpus()
    args.out.write_text(json.dumps(found, indent=0, sort_keys=True, default=str), encoding="utf-8")
    if args.compare:
        sys.exit(compare(found, json.loads(args.compare.read_text(encoding="utf-8"))))
    print(f"{len(found)} registers, {sum(len(v) for v in found.values())} findings -> {args.out}")


if __name__ == "__main__":
    main()
