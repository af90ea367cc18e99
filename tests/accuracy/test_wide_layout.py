"""Registers kept a column per period (SPEC §2.2, wide layout), in the house styles of
`accuracy_styles.WIDE_STYLES`: injected errors found at their cells, nothing said about clean
registers, and the same data written long and wide giving the same findings (apart from cell
references) and the same figures to the penny.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from accuracy_eval import Scored, _register, clean_run, full_report, injected_run
from accuracy_gen import write_register
from accuracy_inject import INJECTORS, NOT_WIDE, inject
from accuracy_styles import WIDE_STYLES

from xl_brm.api import load
from xl_brm.calc import compute_register
from xl_brm.periods import Period

SEEDS = (1, 2, 3)
AS_OF = Period.month(2022, 3)


@pytest.mark.parametrize("style", WIDE_STYLES, ids=lambda s: s.name)
def test_clean_wide_registers_raise_no_error_and_no_warning(style, tmp_path: Path) -> None:
    scored = Scored()
    for seed in SEEDS[:2]:
        scored.extend(clean_run(style, seed, tmp_path))
    assert not scored.false_errors and not scored.clean_warnings, full_report(scored)


@pytest.mark.parametrize("mapped", [False, True], ids=["auto", "mapped"])
def test_injected_errors_in_wide_registers_are_found_at_their_cells(mapped: bool, tmp_path: Path) -> None:
    total = Scored()
    for style in WIDE_STYLES:
        for seed in SEEDS:
            scored, _, _ = injected_run(style, seed, tmp_path, mapped=mapped)
            total.extend(scored)
    measured = [o for o in total.outcomes if o.code in ("BRM402", "BRM403", "BRM405", "BRM407", "BRM501")]
    assert len(measured) > 40  # errors in the period cells themselves, not only on the register
    assert all(o.found for o in measured), full_report(total)
    assert total.recall >= 0.98, full_report(total)
    assert not total.false_errors, full_report(total)


def _read(style, seed: int, tmp: Path, kinds: list[str]) -> tuple[Counter, list[dict]]:
    reg, _ = inject(_register(style, seed), style, seed=seed, today=date.today(), kinds=kinds)
    path = tmp / f"{style.name}-{style.wide or 'long'}-{seed}.xlsx"
    write_register(reg, style, path, seed=seed)
    _raw, validation = load(path)
    findings = Counter((f.code, f.severity, f.column, str(f.value)) for f in validation.findings)
    figures = compute_register(validation.register, as_of=AS_OF)
    return findings, [f.to_json() for f in figures]


@pytest.mark.parametrize("wide", WIDE_STYLES, ids=lambda s: s.name)
def test_the_same_data_long_and_wide_gives_the_same_findings_and_figures(wide, tmp_path: Path) -> None:
    long = dataclasses.replace(wide, wide="")
    kinds = [k for k in INJECTORS if k not in NOT_WIDE[wide.wide]]
    for seed in SEEDS[:2]:
        long_findings, long_figures = _read(long, seed, tmp_path, kinds)
        wide_findings, wide_figures = _read(wide, seed, tmp_path, kinds)
        assert wide_findings == long_findings
        assert len(long_figures) > 15
        assert any(f["realised_value_gbp"] for f in long_figures)
        assert wide_figures == long_figures  # rounded to the penny, as `compute --format json`
