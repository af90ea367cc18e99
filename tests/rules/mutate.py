"""Mutation testing of the rule and calculation code: can the boundary tests tell a changed
comparison from the real one? (issue 12: a mutation switching BRM302's `<=` to `<` passed
every suite.)

    .venv/bin/python tests/rules/mutate.py                # every mutant, its group's tests
    .venv/bin/python tests/rules/mutate.py --list         # the mutants, without running them
    .venv/bin/python tests/rules/mutate.py --match BRM302 # mutants whose line mentions it
    .venv/bin/python tests/rules/mutate.py --module xl_brm/calc/_rag.py
    .venv/bin/python tests/rules/mutate.py --line xl_brm/validate.py:1189

Mutants, one at a time: each comparison operator flipped (`<` <-> `<=`, `>` <-> `>=`, `==` <->
`!=`), and each number in a comparison, or a module's UPPER_CASE number, moved by one either
way (`3 * months` -> `4 * months`, `FAR = 10.0` -> `11.0`).

Modules, found generically so the harness outlives the engine's restructuring: the rule engine
(`xl_brm/validate.py` if it exists, else every module of the `xl_brm/validate/` package), the
cell parsers that hold the cell rules' limits (`xl_brm/normalise.py`) and `xl_brm/calc/`.

A mutant is applied in this process: its module is compiled mutated and the changed function's
code swapped into the live function (`__code__`), so every reference to it sees the change and
nothing is imported twice; a mutated UPPER_CASE number is set on its module (and on every
module that imported the name). The tests of the
module's group then run (`pytest -x`, in-process); a mutant none of them fails "survives".
A mutant that runs past `--timeout` seconds is killed by the alarm (counted killed).

Survivors that cannot change any finding or figure are listed in `EQUIVALENT` with the reason;
the script ends with the count of the others. `tests/rules/test_mutations.py` runs a handful of
named mutants inside `make test`.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import importlib
import inspect
import io
import os
import signal
import sys
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}

BOUNDARIES = "tests/rules/test_rule_boundaries.py"
GROUPS: dict[str, list[str]] = {
    "validate": [BOUNDARIES, "tests/rules"],
    "normalise": [BOUNDARIES, "tests/rules/test_cell_bounds.py", "tests/rules/test_normalise.py"],
    "calc": ["tests/test_display_rounding.py", "tests/calc"],
}
"""Which tests each group of modules is held to: the boundary tests first (most mutants die
there, and `-x` stops at the first failure), then the rest of the group's own tests, so a
survivor is a change no test of that code notices. `--boundaries-only` runs just the first."""


def targets() -> list[tuple[str, Path]]:
    """(group, file) of every module mutated, found from the tree as it is now."""
    found: list[tuple[str, Path]] = []
    single = ROOT / "xl_brm" / "validate.py"
    package = ROOT / "xl_brm" / "validate"
    if single.is_file():
        found.append(("validate", single))
    elif package.is_dir():
        found += [("validate", p) for p in sorted(package.rglob("*.py"))]
    found.append(("normalise", ROOT / "xl_brm" / "normalise.py"))
    found += [("calc", p) for p in sorted((ROOT / "xl_brm" / "calc").glob("*.py"))]
    return found


@dataclass(frozen=True, slots=True)
class Mutant:
    group: str
    path: Path
    line: int
    col: int
    kind: str  # "op" or "const"
    index: int  # which operator of a chained comparison; +1/-1 for a constant
    text: str  # the line as written
    change: str  # what the mutant does, e.g. "<= -> <"
    function: str | None  # qualified name of the outermost function holding it (None: module)
    constant: str | None = None  # the UPPER_CASE name, for a module constant
    nth: int = 0  # the same change on the same line before this one (a 2nd `0 -> 1`...)

    @property
    def module(self) -> str:
        return ".".join(self.path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")

    @property
    def key(self) -> str:
        """A name that survives the code moving about: where (function, or the module constant),
        the line as written and the change; used by EQUIVALENT and --only."""
        nth = f" #{self.nth + 1}" if self.nth else ""
        return f"{self.function or self.constant}: {self.text.strip()} [{self.change}{nth}]"

    def __str__(self) -> str:
        where = f"{self.path.relative_to(ROOT)}:{self.line}"
        return f"{where:<34} {self.change:<14} {self.text.strip()[:90]}"


# ------------------------------------------------------------------ finding mutants


def _owners(tree: ast.Module) -> dict[int, str]:
    """id(node) -> qualified name of the outermost function (or method) holding it."""
    owner: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                for inner in ast.walk(child):
                    owner.setdefault(id(inner), name)
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return owner


def _number(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and type(node.value) in (int, float)
            and not isinstance(node.value, bool))


def find_mutants(group: str, path: Path) -> list[Mutant]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    owner = _owners(tree)
    out: list[Mutant] = []
    seen_constants: set[tuple[int, int]] = set()

    def constant(node: ast.Constant, function: str | None, name: str | None = None) -> None:
        if (node.lineno, node.col_offset) in seen_constants:
            return
        seen_constants.add((node.lineno, node.col_offset))
        for step in (1, -1):
            moved = node.value + step
            out.append(Mutant(group, path, node.lineno, node.col_offset, "const", step,
                              lines[node.lineno - 1], f"{node.value!r} -> {moved!r}", function, name))

    for node in ast.walk(tree):
        function = owner.get(id(node))
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in FLIP:
                    flipped = FLIP[type(op)]
                    out.append(Mutant(group, path, node.lineno, node.col_offset, "op", k,
                                      lines[node.lineno - 1],
                                      f"{SYMBOL[type(op)]} -> {SYMBOL[flipped]}", function))
            if function is not None:
                for inner in ast.walk(node):
                    if _number(inner):
                        constant(inner, function)  # type: ignore[arg-type]
    for stmt in tree.body:  # module constants: NAME = number
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets_ = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = [t.id for t in targets_ if isinstance(t, ast.Name)]
            if len(names) == 1 and names[0].isupper() and stmt.value is not None and _number(stmt.value):
                constant(stmt.value, None, names[0])  # type: ignore[arg-type]
    out.sort(key=lambda m: (m.line, m.col, m.kind, m.index))
    seen: dict[tuple[int, str], int] = {}
    numbered = []
    for m in out:
        n = seen.get((m.line, m.change), 0)
        seen[(m.line, m.change)] = n + 1
        numbered.append(dataclasses.replace(m, nth=n))
    return numbered


class _Apply(ast.NodeTransformer):
    def __init__(self, mutant: Mutant) -> None:
        self.m = mutant
        self.done = False

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        m = self.m
        if m.kind == "op" and (node.lineno, node.col_offset) == (m.line, m.col):
            op = node.ops[m.index]
            node.ops[m.index] = FLIP[type(op)]()
            self.done = True
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        m = self.m
        if m.kind == "const" and (node.lineno, node.col_offset) == (m.line, m.col) and _number(node):
            self.done = True
            return ast.copy_location(ast.Constant(node.value + m.index), node)
        return node


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield const
            yield from _code_objects(const)


def _live_functions(module: types.ModuleType) -> dict[str, types.FunctionType]:
    """qualified name -> the live function object of every function and method of `module`."""
    found: dict[str, types.FunctionType] = {}

    def add(obj: Any) -> None:
        obj = inspect.unwrap(obj) if callable(obj) else obj
        if isinstance(obj, types.FunctionType) and obj.__module__ == module.__name__:
            found.setdefault(obj.__code__.co_qualname, obj)

    def from_class(cls: type, depth: int = 0) -> None:
        for value in vars(cls).values():
            if isinstance(value, staticmethod | classmethod):
                add(value.__func__)
            elif isinstance(value, property):
                for part in (value.fget, value.fset, value.fdel):
                    if part is not None:
                        add(part)
            elif isinstance(value, type) and depth < 3 and value.__module__ == module.__name__:
                from_class(value, depth + 1)
            else:
                add(value)

    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__:
            from_class(value)
        else:
            add(value)
    return found


@contextlib.contextmanager
def applied(m: Mutant) -> Iterator[None]:
    """The mutant live in this process for the duration of the block, then undone."""
    module = importlib.import_module(m.module)
    if m.function is None:
        assert m.constant is not None
        before = getattr(module, m.constant)
        holders = [mod for name, mod in list(sys.modules.items())  # `from x import NAME` too
                   if name.split(".")[0] == "xl_brm" and getattr(mod, m.constant, None) is before]
        for holder in holders:
            setattr(holder, m.constant, type(before)(before + m.index))
        try:
            yield
        finally:
            for holder in holders:
                setattr(holder, m.constant, before)
        return
    tree = ast.parse(m.path.read_text(encoding="utf-8"))
    change = _Apply(m)
    tree = ast.fix_missing_locations(change.visit(tree))
    if not change.done:
        raise LookupError(f"{m}: the node is not where it was")
    compiled = compile(tree, str(m.path), "exec")
    new = next((c for c in _code_objects(compiled) if c.co_qualname == m.function), None)
    live = _live_functions(module).get(m.function)
    if new is None or live is None:
        raise LookupError(f"{m}: no live function {m.function} to swap")
    original = live.__code__
    live.__code__ = new
    _clear_caches(module)
    try:
        yield
    finally:
        live.__code__ = original
        _clear_caches(module)


def _clear_caches(module: types.ModuleType) -> None:
    """Forget what `functools.lru_cache` wrappers of the module remember: answers the real
    code gave must not stand in for the mutant's, nor the mutant's for the real code's."""
    for value in vars(module).values():
        clear = getattr(value, "cache_clear", None)
        if callable(clear) and getattr(value, "__module__", None) == module.__name__:
            clear()


# ------------------------------------------------------------------ running


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Timeout("mutant ran too long")


def run_tests(paths: list[str], *, timeout: float) -> int:
    """pytest in this process, quietly, stopping at the first failure: its exit code."""
    import pytest

    args = [*paths, "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-o", "addopts=",
            "--no-header", "--tb=no", "-W", "ignore"]
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return int(pytest.main(args))
    except _Timeout:
        return 124
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(m: Mutant, *, timeout: float, tests: Callable[[str], list[str]]) -> str:
    """'killed', 'timeout', 'survived' or 'not applied: ...'."""
    try:
        with applied(m):
            code = run_tests(tests(m.group), timeout=timeout)
    except LookupError as error:
        return f"not applied: {error}"
    if code == 124:
        return "timeout"
    if code == 0:
        return "survived"
    if code in (1, 3):  # tests failed, or an error inside a test
        return "killed"
    return f"killed (pytest exit {code})"


def _same(reason: str, where: str, line: str, *changes: str) -> dict[str, str]:
    return {f"{where}: {line} [{change}]": reason for change in changes}


_GC = "garbage-collector tuning: when survivors are promoted changes memory and speed, no finding"
_FAST = ("a fast path's gate made stricter (or its shortcut skipped): more rows or series take "
         "the slow path, which reaches the same findings")
_GATE = ("the table pass only picks which series the series rules look at; a looser or stricter "
         "pick at the limit still leaves the decision to the series rules, which are pinned")
_NEVER = "the changed case cannot arise there (see the reason's code path)"

EQUIVALENT: dict[str, str] = {
    **_same(_GC, "PROMOTE_AFTER", "PROMOTE_AFTER = 50_000", "50000 -> 49999", "50000 -> 50001"),
    **_same(_GC, "_promote_survivors",
            "if gc.get_count()[0] > PROMOTE_AFTER and gc.get_freeze_count() == 0:",
            "> -> >=", "0 -> -1", "0 -> 1", "0 -> -1 #2", "0 -> 1 #2"),
    **_same(_FAST, "_Run._benefit_cells", "if b.values.keys() >= core:  # the usual row: every "
            "core cell read, nothing to report", ">= -> >"),
    **_same(_FAST, "_Run._measurement_cells", "or (not -_PLAIN <= v <= _PLAIN if tv is float else "
            "tv is not str or not _plain_text(v))", "<= -> <", "<= -> < #2"),
    **_same(_GATE, "_Run._measurement_table", "elif index - last > 3 * months and last >= 0:",
            "> -> >=", "3 -> 2", ">= -> >", "0 -> -1", "0 -> 1"),
    **_same(_GATE, "_Run._measurement_table",
            "elif value and before and not 0.1 <= abs(value / before) <= FAR:",
            "0.1 -> 1.1", "<= -> <", "<= -> < #2"),
    **_same("the memo is then filled by the slow path instead (speed only)", "_SlowMeasurement.learn",
            'if raw is not None and raw != "":', "!= -> =="),
    **_same("the facts then never leave their first value, (not tidy, ...): every series takes "
            "the slow path", "_QuietSeries.__call__", "if periods != self.periods:  # the same "
            "Period objects: compared by identity, fast", "!= -> =="),
    **_same(_FAST, "_QuietSeries.__call__",
            "if not tidy or first_end < first_month or last_start > now:", "< -> <=", "> -> >="),
    **_same(_FAST + "; with low <= 0 or high >= 0 the first test cannot pass (9.9 x a negative "
            "low is below any high), and a range of exactly 9.9 passes the pairwise test anyway",
            "_steady", "if (low > 0 and high < 9.9 * low) or (high < 0 and low > 9.9 * high):",
            "> -> >=", "0 -> -1", "0 -> 1", "< -> <=", "9.9 -> 8.9", "< -> <= #2", "0 -> -1 #2",
            "0 -> 1 #2", "> -> >= #2", "9.9 -> 8.9 #2"),
    **_same(_FAST, "_steady", "return not ratios or (min(ratios) >= 0.1 and max(ratios) <= FAR)",
            ">= -> >", "0.1 -> 1.1", "<= -> <"),
    **_same(_FAST, "_period_facts",
            "if not before.index < after.index <= before.index + 3 * before.months:",
            "<= -> <", "3 -> 2"),
    **_same(_FAST, "_row_checks", "if not v.keys() >= needed:  # the usual row has them all "
            "(values hold no blanks)", ">= -> >"),
    **_same("the harness cannot reach it: the limit is copied into LIMITS at import; the £1bn "
            "limit itself is pinned by test_brm214_unit_value_up_to_1bn_and_brm502_above_1m",
            "MAX_UNIT_VALUE_GBP", "MAX_UNIT_VALUE_GBP = 1e9", "1000000000.0 -> 999999999.0",
            "1000000000.0 -> 1000000001.0"),
    **_same(_NEVER + ": one sign is taken by the `== 1` branch just before", "_number_text",
            'elif signs.count("-") + signs.count("−") + negative > 1:', "> -> >=", "1 -> 0"),
    **_same(_NEVER + ": no day-first date yet a month-first one means the second number is "
            "over 12 (a first number of 12 or less is a day in every month)", "_parse_date_text",
            "if month_first is not None and second > 12:", "> -> >=", "12 -> 11"),
    **_same(_NEVER + ": k <= 0 returned already, and with k >= 1 an n below 2 means k >= n; "
            "at k = 0 or k = n the formula gives the baseline or the target itself (to the "
            "last bit of a float)", "straight_line_level", "if k <= 0:", "<= -> <", "0 -> -1"),
    **_same(_NEVER + ": as above", "straight_line_level", "if n < 1 or k >= n:",
            "< -> <=", "1 -> 0", "1 -> 2", ">= -> >"),
    **_same("the limit is moved by a positive slack (TOLERANCE x max(1, |planned|)): realised "
            "would have to land exactly on limit - slack for >= and > to differ",
            "rag_status", "if realised >= planned - (1 - thresholds.green) * abs(planned) - slack:",
            ">= -> >"),
    **_same("as above", "rag_status",
            "if realised >= planned - (1 - thresholds.amber) * abs(planned) - slack:", ">= -> >"),
}
"""Survivors judged equivalent, keyed as `Mutant.key` prints them: the mutant cannot change any
finding or figure, for the reason given."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--module", action="append", default=None,
                        help="only mutants of this file (repeatable)")
    parser.add_argument("--match", default=None, help="only mutants whose line contains this")
    parser.add_argument("--only", action="append", default=None, help="only this mutant key")
    parser.add_argument("--line", action="append", default=None,
                        help="only mutants on this line, as FILE:LINE (repeatable)")
    parser.add_argument("--kind", choices=("op", "const"), default=None)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a mutant may run")
    parser.add_argument("--tests", action="append", default=None,
                        help="run these tests for every mutant instead of its group's")
    parser.add_argument("--boundaries-only", action="store_true",
                        help="hold every mutant to its group's first test file only")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT / "tests" / "rules"))
    mutants = [m for group, path in targets() for m in find_mutants(group, path)]
    if args.module:
        wanted = {(ROOT / p).resolve() for p in args.module}
        mutants = [m for m in mutants if m.path.resolve() in wanted]
    if args.match:
        mutants = [m for m in mutants if args.match in m.text]
    if args.line:
        lines = {(str((ROOT / at.rsplit(":", 1)[0]).resolve()), int(at.rsplit(":", 1)[1]))
                 for at in args.line}
        mutants = [m for m in mutants if (str(m.path.resolve()), m.line) in lines]
    if args.only:
        mutants = [m for m in mutants if m.key in set(args.only)]
    if args.kind:
        mutants = [m for m in mutants if m.kind == args.kind]
    if args.list:
        for m in mutants:
            print(m)
        print(f"{len(mutants)} mutants")
        return 0

    def tests(group: str) -> list[str]:
        return args.tests or (GROUPS[group][:1] if args.boundaries_only else GROUPS[group])

    for group in sorted({m.group for m in mutants}):
        code = run_tests(tests(group), timeout=600)
        if code != 0:
            print(f"the {group} tests fail without any mutant (pytest exit {code}): fix them first")
            return 2
    print(f"{len(mutants)} mutants of {len({m.path for m in mutants})} modules")
    survivors: list[Mutant] = []
    not_applied: list[str] = []
    start = time.perf_counter()
    for n, m in enumerate(mutants, 1):
        result = outcome(m, timeout=args.timeout, tests=tests)
        if result == "survived":
            survivors.append(m)
        elif result.startswith("not applied"):
            not_applied.append(result)
        mark = {"survived": "SURVIVED", "killed": "killed", "timeout": "killed (timeout)"}.get(
            result, result)
        equivalent = " (judged equivalent)" if m.key in EQUIVALENT and result == "survived" else ""
        print(f"[{n:>4}/{len(mutants)}] {mark:<18} {m}{equivalent}", flush=True)
    unexplained = [m for m in survivors if m.key not in EQUIVALENT]
    print(f"\n{len(mutants)} mutants in {time.perf_counter() - start:.0f} s: "
          f"{len(mutants) - len(survivors) - len(not_applied)} killed, {len(survivors)} survived "
          f"({len(survivors) - len(unexplained)} judged equivalent), {len(not_applied)} not applied")
    for m in unexplained:
        print(f"  SURVIVOR {m.path.relative_to(ROOT)}:{m.line}  {m.key}")
    for why in not_applied:
        print(f"  {why}")
    stale = [k for k in EQUIVALENT if k not in {m.key for m in survivors}]
    if stale and not (args.module or args.match or args.only or args.kind or args.line):
        print(f"  {len(stale)} EQUIVALENT entries no longer survive or exist: " + ", ".join(stale))
    print(f"SUMMARY mutate: {len(unexplained)} unexplained survivors of {len(mutants)} mutants")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
