"""The offline copy and its neighbours: the service worker answers only
requests inside its own scope (another app on the same origin keeps its own
network behaviour), precaches past the HTTP cache (a stale copy of a file
must not become part of a new version), and a new version is announced with
a Reload button rather than swapped in under a running page."""

from __future__ import annotations

import functools
import re
import shutil
import threading

import pytest
from playwright.sync_api import expect

from conftest import load_server_module
from helpers import save_screenshot, wait_ready


class Recording:
    """serve.py over `root`, recording each request's path and headers."""

    def __init__(self, root):
        serve = load_server_module()
        self.requests: list[tuple[str, dict[str, str]]] = []
        owner = self

        class Handler(serve.Handler):
            def do_GET(self):
                owner.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                super().do_GET()

        handler = type("H", (Handler,), {"site_headers": serve.headers_for(root)})
        self.server = serve.Server(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def servers():
    started = []

    def start(root):
        s = Recording(root)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def controlled(page):
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)


def test_service_worker_answers_only_inside_its_scope(browser, dist, tmp_path, servers):
    root = tmp_path / "origin"
    (root / "neighbour").mkdir(parents=True)
    (root / "app").symlink_to(dist, target_is_directory=True)  # the page lives at /app/
    (root / "neighbour" / "data.txt").write_text("another app of the same origin")
    server = servers(root)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "app/")
        wait_ready(page)
        controlled(page)
        scope = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).scope")
        assert scope == server.url + "app/"
        answers = []  # (url, answered by the service worker, fetched by the service worker)
        context.on("response", lambda r: answers.append((r.url, r.from_service_worker, r.request.service_worker is not None)))
        # the page itself: inside the scope, answered from the offline copy
        assert page.evaluate("async () => (await fetch('./favicon.svg')).status") == 200
        # a neighbour of the same origin, outside the scope: left to the network
        assert page.evaluate("async () => (await fetch('/neighbour/data.txt')).text()") == "another app of the same origin"
        page.wait_for_timeout(300)
        assert [a[1:] for a in answers if a[0] == server.url + "app/favicon.svg"] == [(True, False)], answers
        assert [a[1:] for a in answers if a[0] == server.url + "neighbour/data.txt"] == [(False, False)], answers
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def test_precache_bypasses_the_http_cache(browser, dist, servers):
    server = servers(dist)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url)
        wait_ready(page)
        controlled(page)
        # a file only the service worker fetches (the page never loads it)
        precached = [h for path, h in server.requests if path == "/examples/seed-cross-account/expected.json"]
        assert precached, [p for p, _ in server.requests]
        # fetch(..., {cache: "reload"}) goes to the server, past the HTTP cache
        # (https://fetch.spec.whatwg.org/#concept-request-cache-mode), which says so in its headers
        assert precached[0].get("cache-control") == "no-cache" and precached[0].get("pragma") == "no-cache", precached
    finally:
        context.close()


def test_new_version_is_announced_with_a_reload_button(browser, dist, tmp_path, servers):
    site = tmp_path / "site"
    shutil.copytree(dist, site, symlinks=True)
    server = servers(site)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url)
        wait_ready(page)
        controlled(page)
        old = page.evaluate("async () => (await caches.keys())")
        # a new build is deployed while the page is open
        sw = site / "sw.js"
        sw.write_text(re.sub(r'const VERSION = "([0-9a-f]+)"', 'const VERSION = "new-version"', sw.read_text()))
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        banner = page.get_by_role("status").filter(has_text="A new version of roledoctor")
        expect(banner).to_be_visible(timeout=30_000)
        # the running page keeps its own version until the user chooses
        # the running page keeps its own version (and its cache) until the user chooses
        assert set(old) <= set(page.evaluate("async () => (await caches.keys())")), old
        save_screenshot(page, "new-version-banner")
        with page.expect_navigation():
            banner.get_by_role("button", name="Reload").click()
        wait_ready(page)
        assert page.evaluate("async () => (await caches.keys())") == ["roledoctor-new-version"], old
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()
