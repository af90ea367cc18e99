"""`xl-brm pull` shows when the store received a benefit as people read dates."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from rich.console import Console

from xl_brm import display
from xl_brm.cli.render import print_pull
from xl_brm.sync import BenefitStatus


@pytest.fixture
def london() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/London"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_moment_reads_like_a_person_writes_it(london: None) -> None:
    assert display.moment("2026-12-07T04:33:09.055750+00:00") == "7 Dec 2026 04:33"  # GMT in winter
    assert display.moment("2026-07-07T04:33:09+00:00") == "7 Jul 2026 05:33"  # BST in summer
    assert display.moment(None) == "—"


def test_pull_table_shows_dates_not_timestamps(london: None) -> None:
    console = Console(record=True, width=120)
    status = BenefitStatus(
        benefit_id="CH-01",
        status="in_sync",
        local_hash="a",
        national_version=2,
        national_hash="a",
        received_at="2026-12-07T04:33:09.055750+00:00",
    )
    print_pull(console, [status])
    text = console.export_text()
    assert "7 Dec 2026 04:33" in text and "2026-12-07T" not in text
