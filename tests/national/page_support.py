"""Signing in to the national page the way a browser does: open the form, send it back."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has a form with a CSRF value"
    return found.group(1)


def sign_in(url: str, token: str, *, next_page: str = "/") -> httpx.Client:
    """A client holding a session cookie of the store at `url` (the form flow, as a browser)."""
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/sign-in", params={"next": next_page})
    answer = client.post("/sign-in", data={"token": token, "csrf": csrf_of(form.text), "next": next_page})
    assert answer.status_code == 303, answer.text
    return client
