"""The state file and the package surface."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from sync_support import FAST, TOKEN, ScriptedStore, make_prepared

import xl_brm.sync
from xl_brm.sync import SyncState, push, state_path_for

URL = "http://store.test/"


def test_public_names_are_sorted_and_exist() -> None:
    names = xl_brm.sync.__all__
    def isort_style(name: str) -> tuple[int, str]:  # CONSTANTS, then Classes, then functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert names == sorted(names, key=isort_style)
    for name in names:
        assert hasattr(xl_brm.sync, name), name


def test_state_lives_beside_the_workbook() -> None:
    assert state_path_for(Path("/trusts/rj1/register.xlsx")) == Path(
        "/trusts/rj1/.xl-brm/register.xlsx.sync.json"
    )


def test_missing_state_is_empty_and_urls_share_state_with_or_without_slash(tmp_path: Path) -> None:
    state = SyncState.load(tmp_path / "none.json")
    assert state.stores == {}
    state.store("http://x/").trust_ods = "RJ1"
    assert state.store("http://x").trust_ods == "RJ1"


def test_two_submits_of_one_workbook_queue_up(tmp_path: Path) -> None:
    """Two runs at once (a double click on the ribbon): the state lock serialises them, so
    both answers are recorded and neither run overwrites the other's pending entry."""
    state = tmp_path / ".xl-brm" / "r.xlsx.sync.json"
    store = ScriptedStore()
    transport = httpx.MockTransport(store)
    errors: list[BaseException] = []

    def run(contents: dict[str, float]) -> None:
        try:
            push(make_prepared(contents), state_path=state, url=URL, token=TOKEN,
                 transport=transport, retry=FAST)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=({"B1": float(i), "B2": 2.0},))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    saved = SyncState.load(state).store(URL)
    assert saved.pending is None
    assert saved.benefits["B2"].version == 1  # sent once, then known to be unchanged
    assert saved.benefits["B1"].version == store.versions["B1"][0]
