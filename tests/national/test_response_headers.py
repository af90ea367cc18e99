"""What every response of the store carries, and what every error looks like (issue 11, item 9):
no `server` header, a Referrer-Policy, `/docs` served from our own files (a real browser with
every other host unreachable renders it), and problem+json for every error, including those
of the CORS layer and of the HTTP server itself."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
import store_factory as factory
from store_harness import Store
from swagger_ui_bundle import swagger_ui_path

from xl_brm.national.docs import ASSETS

PROBLEM = "application/problem+json"


def test_every_response_names_no_server_and_sends_a_referrer_policy(store: Store) -> None:
    responses = [
        store.get("/v1/health", who=None),
        store.get("/", who=None),
        store.get("/docs", who=None),
        store.get("/docs/assets/swagger-ui.css", who=None),
        store.get("/openapi.json", who=None),
        store.get("/no/such/page", who=None),
        store.get("/v1/national/summary", who=None),  # 401
        store.post(factory.body([factory.benefit(2, 2)])),
        store.post({"not": "a submission"}),  # 422
    ]
    for response in responses:
        assert "server" not in response.headers, response.url
        assert response.headers["referrer-policy"] == "no-referrer", response.url
        assert response.headers["x-content-type-options"] == "nosniff", response.url


def test_docs_are_served_by_the_store_itself(store: Store) -> None:
    page = store.get("/docs", who=None)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/") for s in sources), sources
    assert "http" not in page.text.lower().replace("http-equiv", "")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    for name, media_type in ASSETS.items():
        asset = store.get(f"/docs/assets/{name}", who=None)
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(media_type)
        assert asset.content == (swagger_ui_path / name).read_bytes()  # the package's own file
    start = store.get("/docs/start.js", who=None)
    assert "/openapi.json" in start.text and "validatorUrl: null" in start.text
    missing = store.get("/docs/assets/../../etc/passwd", who=None)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert store.get("/redoc", who=None).status_code == 404


def test_a_browser_with_no_other_host_reachable_renders_the_docs(store: Store, browser: Any) -> None:
    """Every request to a host but this store is refused, so a page that needed a CDN would be blank."""
    context = browser.new_context()
    elsewhere: list[str] = []

    def only_the_store(route: Any) -> None:
        if route.request.url.startswith(store.url + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", only_the_store)
        page = context.new_page()
        page.goto(f"{store.url}/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        dom = page.content()
    finally:
        context.close()
    assert "swagger-ui" in dom and elsewhere == []
    for path in ("/v1/submissions", "/v1/national/summary", "/v1/rules"):
        assert path in dom, f"{path} not rendered"


def test_not_found_and_method_not_allowed_are_problems(store: Store) -> None:
    for response, status in (
        (store.get("/v1/nothing", who=None), 404),
        (store.client.delete("/v1/health"), 405),
        (store.client.put("/v1/submissions", json={}), 405),
    ):
        assert response.status_code == status
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == status


def test_a_refused_cors_preflight_is_a_problem(make_store: Any) -> None:
    store = make_store(cors_origins=["https://lite.example"])
    refused = store.client.options(
        "/v1/submissions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert refused.status_code == 400 and refused.headers["content-type"] == PROBLEM
    problem = refused.json()
    assert problem["type"] == "/problems/cors-refused" and "origin" in problem["detail"]
    allowed = store.client.options(
        "/v1/submissions",
        headers={"Origin": "https://lite.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://lite.example"


def _raw_exchange(store: Store, request: bytes) -> bytes:
    host, port = store.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NONSENSE\r\n\r\n",
        b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000,  # headers never end: too big
        b"GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    ],
    ids=["request-line", "oversized-headers", "malformed-header"],
)
def test_the_servers_own_400s_are_problems(store: Store, request_bytes: bytes) -> None:
    answer = _raw_exchange(store, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"content-type: application/problem+json" in head.lower()
    assert b"server:" not in head.lower() and b"referrer-policy: no-referrer" in head.lower()
    assert b'"status":400' in body and b"/problems/bad-http-request" in body
