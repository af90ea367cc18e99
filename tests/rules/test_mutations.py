"""A handful of named mutants of the rule code, each of which a boundary test must kill.

The full run is `tests/rules/mutate.py` (minutes); this keeps `make test` honest in seconds: the
mutation issue 12 names (BRM302's `<=` turned `<`) and its kin, each applied in this process
with the harness's own machinery and undone after. A mutant is found by the text of the
comparison in whichever rule module holds it now, so the check outlives the engine's move
into a package; if the text itself changes, update `NAMED` (the test says which is missing).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import mutate
import pytest
import test_rule_boundaries as b

NAMED: list[tuple[str, str, str, Callable[[], None]]] = [
    # (what it breaks, regex for the comparison's line, the change, the test that must fail)
    ("BRM302 increase: a target equal to the baseline passes", r"target\w* <= base\w*",
     "<= -> <", lambda: b.test_brm302_target_must_improve_on_the_baseline("Increase", True)),
    ("BRM302 decrease: a target equal to the baseline passes", r"target\w* >= base\w*",
     ">= -> >", lambda: b.test_brm302_target_must_improve_on_the_baseline("Decrease", False)),
    ("BRM301: a one-day baseline window is reversed", r"end\w* < start\w*", "< -> <=",
     b.test_brm301_baseline_window_may_be_one_day),
    ("BRM305: approval today is in the future", r"approved_on\w* > (r\.)?today", "> -> >=",
     b.test_brm305_approval_date_up_to_today),
    ("BRM308: a target date on the start day is before it", r"target_date\w* < realis\w*",
     "< -> <=", b.test_brm308_target_date_on_or_after_realisation_start),
    ("BRM501: exactly ten times is a spike", r"ratio > FAR", "> -> >=",
     b.test_brm501_limits_hold_in_a_series_checked_for_another_spike),
    ("BRM502: exactly £1m is above £1m", r"abs\(unit_value\w*\) > ", "> -> >=",
     b.test_brm214_unit_value_up_to_1bn_and_brm502_above_1m),
    ("BRM503: three points are too few", r"count >= MIN_BASELINE_POINTS", ">= -> >",
     b.test_brm503_a_computed_baseline_needs_three_points_in_its_window),
    ("BRM504: two missing periods are a gap", r"per\.index - before\.index > GAP \* per\.months", "> -> >=",
     b.test_brm504_limit_holds_in_a_series_checked_for_another_gap),
    ("BRM206: 100% is out of range", r"not 0 <= number <= 100", "<= -> <",
     b.test_brm206_attribution_is_0_to_100_inclusive),
]


def _mutants() -> list[mutate.Mutant]:
    return [m for group, path in mutate.targets() if group in ("validate", "normalise")
            for m in mutate.find_mutants(group, path)]


@pytest.mark.parametrize(("what", "pattern", "change", "test"), NAMED, ids=[n[0] for n in NAMED])
def test_named_mutant_is_killed(what: str, pattern: str, change: str,
                                test: Callable[[], None]) -> None:
    found = [m for m in _mutants() if m.change == change and re.search(pattern, m.text)]
    assert found, (f"no comparison matching {pattern!r} in the rule modules: the engine changed; "
                   "update NAMED in tests/rules/test_mutations.py")
    test()  # the real code passes
    for m in found:
        with mutate.applied(m), pytest.raises(AssertionError):
            test()
    test()  # and passes again: the mutant was undone


def test_a_module_constant_mutant_is_killed_and_undone() -> None:
    """MIN_BASELINE_POINTS 3 -> 4: three points would then be too few (BRM503)."""
    found = [m for m in _mutants() if m.constant == "MIN_BASELINE_POINTS" and m.index == 1]
    assert found, "MIN_BASELINE_POINTS is no longer a module constant of the rule engine"
    with mutate.applied(found[0]), pytest.raises(AssertionError):
        b.test_brm503_a_computed_baseline_needs_three_points_in_its_window()
    b.test_brm503_a_computed_baseline_needs_three_points_in_its_window()
