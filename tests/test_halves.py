"""`xl_brm._halves.in_halves`: the second half worked in a forked copy gives what working both
here gives, and a copy that fails has its half worked here."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

from xl_brm._halves import in_halves


def _said(items: Sequence[int]) -> bytes:
    return b",".join(str(n * n).encode() for n in items)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 250_001])
def test_both_halves_come_back_in_order(n: int) -> None:
    items = list(range(n))
    mine, theirs = in_halves(items, _said)
    assert mine == _said(items[: n // 2])
    assert b"".join(theirs) == _said(items[n // 2:])  # megabytes: across the pipe in pieces


def test_a_copy_that_fails_has_its_half_worked_here() -> None:
    here = os.getpid()

    def fails_in_the_copy(items: Sequence[int]) -> bytes:
        if os.getpid() != here:
            raise RuntimeError("the copy stops")
        return _said(items)

    mine, theirs = in_halves(list(range(10)), fails_in_the_copy)
    assert (mine, b"".join(theirs)) == (_said(range(5)), _said(range(5, 10)))


def test_the_plain_path_works_both_halves_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_BRM_PLAIN", "1")
    here = os.getpid()
    pids: list[int] = []

    def noted(items: Sequence[int]) -> bytes:
        pids.append(os.getpid())
        return _said(items)

    assert in_halves(list(range(4)), noted) == (_said([0, 1]), [_said([2, 3])])
    assert pids == [here, here]


@pytest.mark.parametrize("plain", [False, True])
def test_meanwhile_runs_once_here_after_the_first_half(plain: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if plain:
        monkeypatch.setenv("XL_BRM_PLAIN", "1")
    here = os.getpid()
    steps: list[tuple[str, int]] = []

    def noted(items: Sequence[int]) -> bytes:
        if os.getpid() == here:
            steps.append(("half", items[0]))
        return _said(items)

    in_halves(list(range(4)), noted, lambda: steps.append(("meanwhile", os.getpid())))
    assert steps[:2] == [("half", 0), ("meanwhile", here)]
    assert steps.count(("meanwhile", here)) == 1
