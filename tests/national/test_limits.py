"""Bounded body size (413), rows per submission (422) and requests per minute per token (429)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import store_factory as factory
from store_harness import Store


def test_body_too_large_is_413(make_store: Callable[..., Store]) -> None:
    store = make_store(max_body_bytes=4096)
    big = factory.register(20)
    response = store.post(big)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["max_bytes"] == 4096
    assert store.count("submissions") == 0


def test_body_too_large_without_content_length_is_413(make_store: Callable[..., Store]) -> None:
    store = make_store(max_body_bytes=4096)
    data = json.dumps(factory.register(20)).encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(data), 1000):
            yield data[i : i + 1000]

    headers = {**store.auth("RJ1"), "Content-Type": "application/json"}
    response = store.client.post("/v1/submissions", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/body-too-large"


def test_too_many_rows_is_422(make_store: Callable[..., Store]) -> None:
    store = make_store(max_rows=6)
    response = store.post(factory.body([factory.benefit(2, 2)]))  # 1 benefit + 6 measurements
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/too-many-rows"
    assert response.json()["max_rows"] == 6
    assert store.post(factory.body([factory.benefit(2, 2, actuals=factory.ACTUALS[:5])])).status_code == 200


def test_rate_limit_is_429_with_retry_after(make_store: Callable[..., Store]) -> None:
    store = make_store(requests_per_minute=3)
    statuses = [store.get("/v1/rules", who="RJ1") for _ in range(10)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert 1 <= int(limited[0].headers["retry-after"]) <= 61
    assert limited[0].headers["content-type"] == "application/problem+json"
    # the count is per token: another token is not limited by RJ1's requests
    assert store.get("/v1/rules", who="RRV").status_code == 200


def test_cors_origins_are_configurable(make_store: Callable[..., Store]) -> None:
    store = make_store(cors_origins=["https://lite.xlwings.org"])
    preflight = store.client.options(
        "/v1/submissions",
        headers={
            "Origin": "https://lite.xlwings.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,idempotency-key,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://lite.xlwings.org"
    other = store.client.options(
        "/v1/submissions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers
