"""Fixtures for the Excel layer.

Python-level tests of the cell functions run through xlwings' own Office.js machinery in this
process (`functions`, `ribbon`). The Office add-in is tested as Excel uses it: `xl-brm addin
serve` in its own process (the real xlwings Server with our project), its pages loaded in
headless Debian Chromium, the real xlwings client and custom-functions code running in the
page. Only office.js, the bridge to the Excel host, is replaced by `officejs_standin.js`, which
plays Excel with an in-memory workbook. One browser per test session (per xdist worker), one
add-in server and national store per module (no server thread outlives the tests that use it);
each test gets a fresh browser context (its own storage) and page.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from office_support import OFFICE_JS, STANDIN, AddinServer, OfficePage, Store


@pytest.fixture(scope="session")
def xlwings_server() -> Iterator[ModuleType]:
    """xlwings imported in server mode (reloaded if something imported it before), with
    `XLWINGS_ON_SERVER=true` and `XLWINGS_LICENSE_KEY=noncommercial` set for this session."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLWINGS_ON_SERVER", "true")
        mp.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
        from xl_brm.addin.xlwings_compat import skip_pyodide_probe

        skip_pyodide_probe()  # as the add-in server does
        import xlwings

        if not xlwings.on_server:
            xlwings = importlib.reload(xlwings)
        for name in ("udfs.functions", "udfs.ribbon"):
            sys.modules.pop(name, None)
        yield xlwings


@pytest.fixture(scope="session")
def functions(xlwings_server: ModuleType) -> ModuleType:
    return importlib.import_module("udfs.functions")


@pytest.fixture(scope="session")
def ribbon(xlwings_server: ModuleType) -> ModuleType:
    return importlib.import_module("udfs.ribbon")


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example trust registers (with their planted mistakes)."""
    from xl_brm.examples import write_examples

    folder = tmp_path_factory.mktemp("examples")
    write_examples(folder)
    return folder


# -- the national store and the add-in server, on loopback -------------------------------------


@pytest.fixture(scope="module")
def national_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from xl_brm.national import create_token
    from xl_brm.national.app import create_app
    from xl_brm.national.embedded import serve_in_thread
    from xl_brm.national.settings import StoreSettings

    db = f"sqlite:///{tmp_path_factory.mktemp('national') / 'national.db'}"
    token = create_token(db, trust="RJ1")
    with serve_in_thread(create_app(StoreSettings(db=db))) as url:
        yield Store(url, token)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def office_server(national_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AddinServer]:
    """`xl-brm addin serve` exactly as a trust runs it, in its own process."""
    folder = tmp_path_factory.mktemp("addin")
    port = _free_port()
    env = {
        **os.environ,
        "XLWINGS_LICENSE_KEY": "noncommercial",
        "XL_BRM_URL": national_store.url,
        "XL_BRM_TOKEN": national_store.token,
        "XL_BRM_ADDIN_STATE_DIR": str(folder / "state"),
        "XL_BRM_REPORT_DIR": str(folder / "reports"),
    }
    env.pop("XLWINGS_ON_SERVER", None)  # the command sets it itself
    command = shutil.which("xl-brm", path=str(Path(sys.executable).parent)) or "xl-brm"
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [command, "addin", "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"xl-brm addin serve exited: {log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"xl-brm addin serve did not start: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield AddinServer(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# -- the page (the browser is tests/conftest.py's) ---------------------------------------------


@pytest.fixture
def office_page(browser: Any, office_server: AddinServer) -> Iterator[OfficePage]:
    context = browser.new_context()
    standin = STANDIN.read_text(encoding="utf-8")
    context.route(OFFICE_JS, lambda route: route.fulfill(body=standin, content_type="text/javascript"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(office_server.url + "/taskpane.html")
    page.wait_for_function(
        "() => window.xlwings && window.__standin"
        " && window.__standin.registeredFunctions().length > 0"
        " && window.__standin.associatedActions().length > 0",
        timeout=30_000,
    )
    try:
        yield OfficePage(page, office_server)
    finally:
        context.close()
    assert errors == [], f"errors in the page: {errors}"


