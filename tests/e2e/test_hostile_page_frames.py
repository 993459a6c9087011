"""Clickjacking and DOM sinks: another site frames the page to trick clicks
(on "Ask the LLM", "Remember on this device"). The served page forbids
framing by header (frame-ancestors, X-Frame-Options; a <meta> cannot carry
them), dist/_headers says the same for hosts that read it, and on a host
that sends no header the page refuses to start when framed. The CSP also
requires Trusted Types: a string never reaches an HTML or script sink."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from playwright.sync_api import expect

from conftest import load_server_module
from e2e.hostile_kit import Watch
from e2e.pagekit import ensure_diagnosis, load_example
from fake_llm import Behaviour, FakeLLM
from helpers import save_screenshot, wait_ready

class Attacker:
    """Another origin (a loopback port of its own, so that Chromium's
    private-network rules do not stop the frame first) with a page that
    frames the target."""

    def __init__(self, target: str):
        html = (f'<!doctype html><title>Win a prize</title><p>Click the button!</p>'
                f'<iframe id="victim" src="{target}" width="1000" height="700"></iframe>').encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def framing():
    started = []

    def open_framed(context, target):
        attacker = Attacker(target)
        started.append(attacker)
        loaded = []
        context.on("request", lambda r: loaded.append(r.url))
        page = context.new_page()
        page.goto(attacker.url)
        return page, loaded

    yield open_framed
    for a in started:
        a.stop()


@pytest.fixture
def headerless(dist):
    """dist/ on a host that sends no security header at all."""
    serve = load_server_module()

    class NoHeaders(serve.Handler):
        def end_headers(self):
            http.server.SimpleHTTPRequestHandler.end_headers(self)

    server = serve.Server(("127.0.0.1", 0), functools.partial(NoHeaders, directory=str(dist)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_served_page_cannot_be_framed(context, site, framing):
    page, loaded = framing(context, site.url)
    page.wait_for_timeout(1500)
    # the browser refused the framed document: none of its scripts were fetched
    assert site.url in loaded
    assert not [u for u in loaded if u.endswith(("start.js", "app.mjs", "worker.mjs"))], loaded
    frame = page.frame_locator("#victim")
    expect(frame.get_by_role("button", name="Ask the LLM")).to_have_count(0)


def test_headers_file_forbids_framing(dist):
    serve = load_server_module()
    headers = serve.read_headers_file(dist / "_headers")
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    # and serve.py sends exactly what the file says
    assert serve.headers_for(dist) == headers


def test_framed_page_refuses_to_start_without_headers(context, headerless, framing):
    errors = []
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page, loaded = framing(context, headerless)
    frame = page.frame_locator("#victim")
    expect(frame.get_by_role("alert")).to_contain_text("does not run inside a frame", timeout=15_000)
    expect(frame.get_by_role("link", name="Open roledoctor in its own tab")).to_have_attribute("href", headerless)
    page.wait_for_timeout(1000)
    assert not [u for u in loaded if u.endswith("worker.mjs") or "pyodide" in u or "snapshot" in u], loaded
    expect(frame.get_by_role("button", name="Ask the LLM")).to_have_count(0)
    expect(frame.get_by_role("textbox")).to_have_count(0)
    assert page.workers == []
    assert errors == [], errors  # the page's modules stop quietly
    save_screenshot(page, "framed-refused")


def test_the_same_page_unframed_starts(context, headerless):
    page = context.new_page()
    page.goto(headerless)
    wait_ready(page)
    expect(page.get_by_role("button", name="Ask the LLM")).to_be_visible()


TT_JS = """() => {
  const out = {};
  const div = document.createElement('div');
  try { div.innerHTML = '<b>x</b>'; out.innerHTML = 'set'; } catch (e) { out.innerHTML = e.name; }
  const s = document.createElement('script');
  try { s.src = '/x.js'; out.scriptSrc = 'set'; } catch (e) { out.scriptSrc = e.name; }
  try { trustedTypes.createPolicy('attacker', { createHTML: (x) => x }); out.policy = 'created'; }
  catch (e) { out.policy = e.name; }
  return out;
}"""


def test_trusted_types_are_required_and_the_page_needs_no_exception(context, site):
    llm = FakeLLM()
    llm.behaviour = Behaviour(mode="stream", answer=lambda p: "Fine:\n\n```json\n{\"Version\": \"2012-10-17\", \"Statement\": []}\n```")
    try:
        page = context.new_page()
        watch = Watch(page)  # records CSP violations (Trusted Types ones too) and console errors
        page.goto(site.url)
        wait_ready(page)
        assert page.evaluate(TT_JS) == {"innerHTML": "TypeError", "scriptSrc": "TypeError", "policy": "TypeError"}
        page.evaluate("() => { window.__csp.length = 0; }")  # those three were ours
        watch.console.clear()
        # the page's own work: example, diagnosis, preview, the LLM answer and its check, the offline copy
        load_example(page)
        ensure_diagnosis(page)
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        page.get_by_label("LLM provider").select_option(label="OpenAI-compatible")
        page.get_by_label("Base URL").fill(llm.url + "/v1")
        page.get_by_label("Model").fill("m")
        page.get_by_role("button", name="Ask the LLM").click()
        expect(page.get_by_role("region", name="LLM answer")).to_contain_text("The engine's check of the answer", timeout=30_000)
        watch.assert_clean("the page under Trusted Types")
    finally:
        llm.stop()
