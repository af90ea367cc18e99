"""The speed tricks change nothing: the fast path and the plain path (`XL_BRM_PLAIN=1`, see
`xl_brm._speed`) give the same findings on every example workbook, the template, the accuracy
generator's registers, a sample of fuzz mutants and the rule scenarios, and the same Register."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import findings_corpus as corpus
import pytest

from xl_brm.api import Options, load
from xl_brm.validate import validate_workbook


def _both(monkeypatch: pytest.MonkeyPatch, run: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    monkeypatch.delenv("XL_BRM_PLAIN", raising=False)
    fast = run()
    monkeypatch.setenv("XL_BRM_PLAIN", "1")
    plain = run()
    return fast, plain


def _same(fast: dict[str, Any], plain: dict[str, Any]) -> None:
    assert fast.keys() == plain.keys()
    differ = [key for key in fast if fast[key] != plain[key]]
    assert differ == [], f"fast and plain paths differ on {differ}"


def test_examples_and_template(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain = _both(monkeypatch, corpus.examples)
    assert sum(map(len, fast.values())) > 10  # the examples hold planted mistakes
    _same(fast, plain)


def test_accuracy_registers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fast, plain = _both(monkeypatch, lambda: corpus.accuracy(tmp_path))
    assert any(fast.values())
    _same(fast, plain)


def test_a_sample_of_fuzz_mutants(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(corpus, "FUZZ_FILES", 24)
    fast, plain = _both(monkeypatch, lambda: corpus.fuzz(tmp_path))
    _same(fast, plain)


def test_rule_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain = _both(monkeypatch, corpus.scenarios)
    _same(fast, plain)


def test_a_dirty_register(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Bad values repeated down columns (a finding said once and moved, `seen_before`), blank
    IDs and periods, text readings, qualitative benefits with numbers: as the plain path says."""
    from xl_brm.examples.dirty import write_dirty_register

    path = tmp_path / "dirty.xlsx"
    planted = write_dirty_register(path, benefits=300, months=24)
    fast, plain = _both(monkeypatch, lambda: {"dirty": corpus._file(path)})
    assert len(fast["dirty"]) == len(planted) > 1000
    _same(fast, plain)


EXAMPLES = corpus.ROOT / "workbooks" / "examples"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.xlsx")))
def test_the_register_is_the_same(name: str) -> None:
    raw, _ = load(EXAMPLES / name, Options())
    fast = validate_workbook(raw, plain=False).register
    plain = validate_workbook(raw, plain=True).register
    assert fast.benefits and fast.model_dump() == plain.model_dump()
    assert [type(b) for b in fast.benefits] == [type(b) for b in plain.benefits]
