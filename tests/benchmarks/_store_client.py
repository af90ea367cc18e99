"""The sync client side of `bench_store.py`, one run per process.

    python _store_client.py submit WORKBOOK URL [--full]
        xl_brm.sync.submit (the real client: read, validate, send changed rows, record state),
        token from XL_BRM_TOKEN. `--full` sends every approved row (the store answers
        'unchanged'). Prints {"seconds", "counts", "ok", "sent"}.
    python _store_client.py bulk WORKBOOK URL TOKENS_JSON
        The same register's submission body, re-addressed to each trust in TOKENS_JSON
        ({"ODS": token}), POSTed to the store's ingest path one trust at a time: bulk-loads the
        store for the national summary. Prints {"posts": [{"trust", "seconds", "measurements"}]}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def submit(workbook: str, url: str, *, full: bool) -> None:
    """`xl_brm.sync.submit` itself (what `xl-brm submit` does); token from XL_BRM_TOKEN."""
    from xl_brm.sync import submit as sync_submit

    start = time.perf_counter()
    outcome = sync_submit(workbook, url=url, full=full)
    print(json.dumps({"seconds": round(time.perf_counter() - start, 4), "counts": outcome.counts,
                      "ok": outcome.ok, "sent": outcome.answer is not None}))


def readdress(body: dict[str, Any], trust: str) -> dict[str, Any]:
    """The same submission as if trust `trust` had sent it."""
    out = dict(body)
    out["trust_ods"] = trust
    out["benefits"] = [{**b, "fields": {**b["fields"], "trust_ods": trust}}
                       for b in body["benefits"]]
    return out


def bulk(workbook: str, url: str, tokens_path: str) -> None:
    import httpx

    from xl_brm.api import Options, load
    from xl_brm.sync import prepare

    tokens: dict[str, str] = json.loads(Path(tokens_path).read_text())
    raw, validation = load(workbook, Options())
    body = prepare(raw, validation).body.model_dump(mode="json")
    if "trust_ods" not in body["source"]["benefits"]["columns"]:
        sys.exit("the register has no trust_ods column to re-address")
    measurements = sum(len(b["measurements"]) for b in body["benefits"])
    posts = []
    with httpx.Client(base_url=url, timeout=httpx.Timeout(600.0, connect=10.0)) as client:
        for i, (trust, token) in enumerate(tokens.items()):
            payload = json.dumps(readdress(body, trust)).encode()
            start = time.perf_counter()
            response = client.post("/v1/submissions", content=payload, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Idempotency-Key": f"bench-{trust}-{i}"})
            seconds = time.perf_counter() - start
            if response.status_code != 200:
                sys.exit(f"{trust}: HTTP {response.status_code}: {response.text[:500]}")
            counts = response.json().get("counts", {})
            posts.append({"trust": trust, "seconds": round(seconds, 4),
                          "measurements": measurements,
                          "counts": counts})
            print(f"  bulk {i + 1}/{len(tokens)} {trust}: {seconds:.1f} s "
                  f"({measurements / seconds:,.0f} measurements/s) {counts}", file=sys.stderr,
                  flush=True)
    print(json.dumps({"posts": posts}))


def main(argv: list[str]) -> None:
    if argv[0] == "submit":
        submit(argv[1], argv[2], full="--full" in argv[3:])
    elif argv[0] == "bulk":
        bulk(argv[1], argv[2], argv[3])
    else:
        sys.exit(f"unknown command {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
