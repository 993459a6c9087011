"""Shared fixtures: the built dist/, a local server for it, the system
Chromium through Playwright, and a request recorder for egress checks."""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from pathlib import Path

import pytest

from helpers import Egress

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"

# Service-worker requests are reported to the context only with this set
# (playwright.dev/python/docs/service-workers); egress tests need them.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def load_server_module():
    spec = importlib.util.spec_from_file_location("roledoctor_serve", ROOT / "web" / "serve.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class SiteServer:
    """dist/ served on 127.0.0.1 on a free port, in a thread; stoppable."""

    def __init__(self, directory: Path):
        self.server = load_server_module().make_server(directory, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def dist() -> Path:
    if not (DIST / "index.html").exists() or not (DIST / "pyodide-lock.json").exists():
        pytest.fail("dist/ is not built: run the tests with `python build.py test` (it builds dist/ first)")
    return DIST


@pytest.fixture(scope="session")
def site(dist):
    server = SiteServer(dist)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium not found: run the tests with `python build.py test`, which installs it, "
                    "or set CHROMIUM=/path/to/chromium")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    yield ctx
    # route handlers may still be running for late requests (the service
    # worker precaches after start-up): let them go quietly before closing
    ctx.unroute_all(behavior="ignoreErrors")
    ctx.close()


@pytest.fixture
def egress():
    return Egress
