"""Chaos: approved rows reach the national store exactly once, whatever the network does.

A seeded proxy (`chaos_proxy.ChaosProxy`) sits between the sync client and a real uvicorn store
(its own process, so a kill is a real SIGKILL) and resets connections, delays, drops answers
after the store committed, sits on answers past the client's timeout, delivers requests late,
answers 503 and kills and restarts the store mid-batch. The client pushes small batches (one to
three benefits changed each time) through it; afterwards the store's database must hold every
content the client pushed exactly once, as contiguous versions 1..N in the order pushed.

The naive control is the same client without idempotency-key reuse (a new key on every retry,
nothing persisted). The store dedupes by content hash against the *current* version, so a plain
retry of an answer that was lost is harmless there ('unchanged'); that alone would never show a
duplicate. What a new key cannot survive is a request that reaches the store *late*, after a
retry with a fresh key succeeded and the trust has moved on: the store has never seen that key,
so it applies the stale body again, creating an extra version that duplicates an older content
(and makes stale data current). The proper client resends the same key, so the late copy gets
the stored answer and changes nothing. The control asserts that duplicates DO appear, which
proves the assertions above can fail.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
from chaos_proxy import ChaosProxy
from sync_support import StoreProcess, free_port, prepare_db

from xl_brm.errors import SyncError
from xl_brm.sync import Prepared, RetryPolicy, SyncState, prepare, push
from xl_brm.table import Column, RawRow, RawTable, RawWorkbook

pytestmark = pytest.mark.slow

SEEDS = (11, 23, 42)
BATCHES_PER_SEED = 100
BENEFITS = 6
READ_TIMEOUT = 0.6

WEIGHTS = {
    "pass": 0.465, "delay": 0.12, "reset": 0.09, "drop": 0.12, "timeout": 0.015,
    "late": 0.08, "kill": 0.03, "unavailable": 0.08,
}

POLICY = RetryPolicy(
    attempts=14, timeout=20.0, wait_initial=0.02, wait_max=0.4, wait_jitter=0.05,
    retry_after_max=0.5, connect_timeout=1.0, read_timeout=READ_TIMEOUT,
)

BENEFIT_COLUMNS = (
    "benefit_id", "trust_ods", "programme", "project", "title", "benefit_type", "category",
    "measure", "unit", "direction", "baseline_value", "target_value", "target_date",
    "realisation_start", "benefit_owner", "approval_status", "approved_by", "approved_on",
)
MEASUREMENT_COLUMNS = ("benefit_id", "period", "value", "evidence_grade")
PERIODS = ("2019-10", "2019-11", "2019-12")


def _ids() -> list[str]:
    return [f"CH-{i:02d}" for i in range(1, BENEFITS + 1)]


def register(latest: dict[str, float]) -> RawWorkbook:
    """A trust register as the reader would hand it over; `latest` is each benefit's value
    for the last period (what the batches change)."""
    benefits = RawTable(
        kind="Benefits", sheet="Benefits", header_row=1,
        columns=[Column(field=f, header=f, index=i) for i, f in enumerate(BENEFIT_COLUMNS)],
    )
    measurements = RawTable(
        kind="Measurements", sheet="Measurements", header_row=1,
        columns=[Column(field=f, header=f, index=i) for i, f in enumerate(MEASUREMENT_COLUMNS)],
    )
    mrow = 2
    for n, benefit_id in enumerate(sorted(latest), start=2):
        benefits.rows.append(RawRow(row=n, values=(
            benefit_id, "RJ1", "GDE", "EPMA", f"Fewer medication errors ({benefit_id})",
            "quantitative_non_financial", "safety_quality", "medication errors", "count",
            "decrease", 120.0, 60.0, date(2021, 3, 31), date(2019, 10, 1), "Chief Pharmacist",
            "approved", "Director of Nursing", date(2020, 1, 15),
        )))
        for period, value in zip(PERIODS, (110.0, 100.0, latest[benefit_id]), strict=True):
            values = (benefit_id, period, value, "measured")
            measurements.rows.append(RawRow(row=mrow, values=values))
            mrow += 1
    tables = {"Benefits": benefits, "Measurements": measurements}
    return RawWorkbook(path="chaos.xlsx", tables=tables)


def prepared_for(latest: dict[str, float]) -> Prepared:
    from xl_brm.validate import validate_workbook

    raw = register(latest)
    validation = validate_workbook(raw)
    errors = [f for f in validation.findings if f.severity == "error"]
    assert not errors, errors
    return prepare(raw, validation)


@dataclass
class Pushed:
    """What the client side pushed: per benefit the sequence of latest values and hashes."""

    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    hashes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    gave_up: int = 0
    batches: int = 0


def drive(seed: int, pushed: Pushed, send: Any, counter: list[int]) -> Prepared:
    """Push BATCHES_PER_SEED batches, each changing one to three benefits."""
    rng = random.Random(seed * 7919)
    latest = {b: 90.0 for b in _ids()}
    prepared = prepared_for(latest)
    for b in _ids():
        pushed.values[b].append(latest[b])
        pushed.hashes[b].append(prepared.hashes[b])
    for batch in range(BATCHES_PER_SEED):
        if batch:
            for b in rng.sample(_ids(), rng.randint(1, 3)):
                counter[0] += 1
                latest[b] = round(50.0 + counter[0] / 1000, 3)
                pushed.values[b].append(latest[b])
            prepared = prepared_for(latest)
            for b in _ids():
                if pushed.hashes[b][-1] != prepared.hashes[b]:
                    pushed.hashes[b].append(prepared.hashes[b])
        try:
            send(prepared)
        except SyncError:
            pushed.gave_up += 1  # the pending submission stays; the next batch resends it
        pushed.batches += 1
    return prepared


def stored_versions(db_url: str, schema: str | None) -> dict[str, list[tuple[int, str, float]]]:
    """benefit_id -> [(version, content_hash, latest value)] straight from the store's tables."""
    args = {"options": f"-csearch_path={schema}"} if schema else {}
    engine = sqlalchemy.create_engine(db_url, connect_args=args)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sqlalchemy.text(
                "SELECT bv.benefit_id, bv.version, bv.content_hash, m.value_num "
                "FROM benefit_versions bv JOIN measurements m ON m.version_id = bv.id "
                "WHERE bv.trust_ods = 'RJ1' AND m.period = :p ORDER BY bv.benefit_id, bv.version"
            ), {"p": PERIODS[-1]}).all()
            current = dict(conn.execute(sqlalchemy.text(
                "SELECT benefit_id, version FROM current_benefits WHERE trust_ods = 'RJ1'"
            )).all())
    finally:
        engine.dispose()
    out: dict[str, list[tuple[int, str, float]]] = defaultdict(list)
    for benefit_id, version, digest, value in rows:
        out[benefit_id].append((version, digest, value))
    for benefit_id, versions in out.items():
        assert current[benefit_id] == versions[-1][0], "current_benefits must point at the latest"
    return out


def tally(pushed: Pushed, stored: dict[str, list[tuple[int, str, float]]]) -> dict[str, int]:
    """Lost: pushed contents the store lacks. Duplicated: stored versions beyond one per pushed
    content (a content stored twice, or stale content re-applied). Gaps: missing version numbers.
    Hash mismatch: the store's content hashes, in version order, differ from the client's."""
    lost = duplicated = gaps = mismatched = 0
    for benefit_id in sorted(set(pushed.values) | set(stored)):
        want = Counter(pushed.values.get(benefit_id, []))
        have = Counter(v for _, _, v in stored.get(benefit_id, []))
        lost += sum((want - have).values())
        duplicated += sum((have - want).values())
        versions = [v for v, _, _ in stored.get(benefit_id, [])]
        gaps += int(versions != list(range(1, len(versions) + 1)))
        hashes = [h for _, h, _ in stored.get(benefit_id, [])]
        mismatched += int(hashes != pushed.hashes.get(benefit_id, []))
    return {"lost": lost, "duplicated": duplicated, "version_gaps": gaps,
            "hash_sequence_mismatch": mismatched}


def chaos_run(tmp_path: Path, db_url: str, schema: str | None, *, naive: bool,
              seeds: tuple[int, ...]) -> tuple[dict[str, int], Pushed, dict[str, Any]]:
    token, _ = prepare_db(db_url, schema)
    server = StoreProcess(db_url=db_url, port=free_port(), schema=schema,
                          log_path=tmp_path / "store.log", standby=True)
    server.start()
    pushed = Pushed()
    counter = [0]
    started = time.monotonic()
    state_path = tmp_path / ".xl-brm" / "chaos.xlsx.sync.json"
    acknowledged: dict[str, str] = {}
    proxy = ChaosProxy(server, seed=0, weights=WEIGHTS, client_read_timeout=READ_TIMEOUT,
                       max_kills=3)
    proxy.start()

    def send(p: Prepared) -> None:
        if naive:
            naive_push(p, acknowledged, url=proxy.url, token=token)
        else:
            push(p, state_path=state_path, url=proxy.url, token=token, retry=POLICY)

    try:
        for seed in seeds:
            proxy.reseed(seed, weights=WEIGHTS)
            last = drive(seed, pushed, send, counter)
            proxy.quiesce()
            # Settle without chaos: a pending submission left by the last batch is resent.
            proxy.reseed(seed, weights={"pass": 1.0})
            send(last)
        proxy.quiesce()
    finally:
        proxy.close()
        server.stop()
    stats: dict[str, Any] = dict(proxy.stats)
    stats["seconds"] = round(time.monotonic() - started, 1)
    stats["store_starts"] = server.starts
    if not naive:
        assert SyncState.load(state_path).store(proxy.url).pending is None
    return tally(pushed, stored_versions(db_url, schema)), pushed, stats


def naive_push(prepared: Prepared, acknowledged: dict[str, str], *, url: str, token: str) -> None:
    """The control: the same backoff, but a NEW Idempotency-Key on every attempt and nothing
    persisted; it gives up after the same number of attempts and resends next batch."""
    changed = [b for b, h in prepared.hashes.items() if acknowledged.get(b) != h]
    if not changed:
        return
    batch = prepared.only(changed)
    body = json.dumps(batch.body.model_dump(mode="json")).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    timeout = httpx.Timeout(READ_TIMEOUT, connect=1.0)
    with httpx.Client(base_url=url, timeout=timeout, verify=False) as client:
        for attempt in range(POLICY.attempts):
            try:
                response = client.post("/v1/submissions", content=body,
                                       headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                for result in response.json()["results"]:
                    if result["status"] in ("accepted", "unchanged"):
                        acknowledged[result["benefit_id"]] = batch.hashes[result["benefit_id"]]
                return
            if response is not None and response.status_code < 500 and response.status_code != 429:
                raise AssertionError(f"unexpected {response.status_code}: {response.text}")
            time.sleep(min(POLICY.wait_max, POLICY.wait_initial * 2**attempt))


def _report(label: str, result: dict[str, int], pushed: Pushed, stats: dict[str, Any]) -> None:
    versions = sum(len(v) for v in pushed.values.values())
    print(f"\nCHAOS {label}: batches={pushed.batches} contents_pushed={versions} "
          f"client_gave_up={pushed.gave_up} {result} proxy={dict(sorted(stats.items()))}")


def test_chaos_sqlite_exactly_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    result, pushed, stats = chaos_run(tmp_path, db_url, None, naive=False, seeds=SEEDS)
    _report("sqlite", result, pushed, stats)
    assert pushed.batches >= 300
    assert stats.get("kill", 0) >= 3 and stats.get("dropped_after_commit", 0) >= 10
    assert result == {"lost": 0, "duplicated": 0, "version_gaps": 0, "hash_sequence_mismatch": 0}


@pytest.mark.postgres
def test_chaos_postgres_exactly_once(tmp_path: Path, pg_url: str) -> None:
    schema = f"chaos_{uuid.uuid4().hex[:10]}"
    try:
        result, pushed, stats = chaos_run(tmp_path, pg_url, schema, naive=False, seeds=SEEDS)
    finally:
        _drop_schema(pg_url, schema)
    _report("postgres", result, pushed, stats)
    assert pushed.batches >= 300
    assert stats.get("kill", 0) >= 3 and stats.get("dropped_after_commit", 0) >= 10
    assert result == {"lost": 0, "duplicated": 0, "version_gaps": 0, "hash_sequence_mismatch": 0}


def test_naive_control_shows_duplicates(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    result, pushed, stats = chaos_run(tmp_path, db_url, None, naive=True, seeds=SEEDS[:1])
    _report("naive-control sqlite", result, pushed, stats)
    assert result["duplicated"] > 0, "the control must show duplicates, or the test proves nothing"


@pytest.mark.postgres
def test_naive_control_shows_duplicates_postgres(tmp_path: Path, pg_url: str) -> None:
    schema = f"chaos_{uuid.uuid4().hex[:10]}"
    try:
        result, pushed, stats = chaos_run(tmp_path, pg_url, schema, naive=True, seeds=SEEDS[:1])
    finally:
        _drop_schema(pg_url, schema)
    _report("naive-control postgres", result, pushed, stats)
    assert result["duplicated"] > 0


def _drop_schema(pg_url: str, schema: str) -> None:
    engine = sqlalchemy.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
