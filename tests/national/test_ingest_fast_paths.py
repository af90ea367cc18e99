"""The ingest's fast paths keep the store's behaviour: the garbage collector is always resumed,
and bulk rows must name exactly the table's columns."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_factory import benefit, body
from store_factory import register as many_benefits

from xl_brm.contract import SubmissionIn
from xl_brm.national import store, tables
from xl_brm.national.db import Database, open_database
from xl_brm.national.migrate import upgrade
from xl_brm.national.problems import ProblemError


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'national.db'}")
    upgrade(database)
    yield database
    database.dispose()


@pytest.mark.usefixtures("collector_on")
def test_submit_resumes_the_collector_after_storing_and_after_a_refusal(db: Database) -> None:
    raw = json.dumps(many_benefits(3)).encode()
    sub = SubmissionIn.model_validate_json(raw)
    out = store.submit(db, store.InFlight(), sub, key="k1", dry_run=False, raw=raw)
    assert out.answer["counts"] == {"accepted": 3, "unchanged": 0, "rejected": 0}
    assert gc.isenabled()
    other = json.dumps(body([benefit(2, 2, "OTHER-1")])).encode()
    with pytest.raises(ProblemError):  # same key, different body
        store.submit(
            db, store.InFlight(), SubmissionIn.model_validate_json(other), key="k1", dry_run=False, raw=other
        )
    assert gc.isenabled()


def test_bulk_rows_must_name_every_column_of_their_table(db: Database) -> None:
    with db.write() as conn, pytest.raises(ValueError, match="measurements"):
        store._bulk(db, conn, tables.measurements, store.MEASUREMENT_COLUMNS[:-1], [(1,) * 7])
    for table, names in [
        (tables.benefit_versions, store.VERSION_COLUMNS),
        (tables.current_benefits, store.CURRENT_COLUMNS),
        (tables.measurements, store.MEASUREMENT_COLUMNS),
        (tables.fy_values, store.FY_COLUMNS),
    ]:
        assert sorted(names) == sorted(table.columns.keys())
