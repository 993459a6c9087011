"""The page half of hostile input: nothing leaks. Without the LLM, no feature sends a
request off the origin (page, worker and service-worker requests recorded).
With the LLM, requests go to the chosen endpoint only and carry no secret of
the redaction corpus; no secret and no API key reaches the console, Web
Storage (the key only after "Remember on this device"), IndexedDB, cookies or
the service worker's Cache Storage."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from e2e.hostile_kit import Watch
from e2e.pagekit import SECRETS, ensure_diagnosis, load_example
from fake_llm import Behaviour, FakeLLM
from helpers import ROOT, Egress, wait_ready
from unit.redaction.redaction_corpus import secret_samples

EXAMPLE = ROOT / "examples" / "seed-cross-account"
STORE = "roledoctor.llm.v2"


def dist_files(dist) -> dict[str, str]:
    """path -> sha256 of every file of dist/."""
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in dist.rglob("*") if p.is_file()}


def wait_service_worker(page):
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")


def test_every_feature_but_the_llm_stays_on_the_origin(context, site, tmp_path):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    watch = Egress(context, site.url)
    from_sw = []
    context.on("request", lambda r: from_sw.append(r.url) if r.service_worker else None)
    page = context.new_page()
    guard = Watch(page)
    page.goto(site.url)
    wait_ready(page)
    wait_service_worker(page)
    load_example(page)
    ensure_diagnosis(page)
    region = page.get_by_role("region", name="Diagnosis")
    # edit: the page re-runs as the user types; and an explicit Diagnose
    trust = page.get_by_label("Trust policy", exact=True)
    trust.fill(trust.input_value() + "\n")
    page.get_by_role("button", name="Diagnose").click()
    region.get_by_text("TRUST_PRINCIPAL_MISSING").first.wait_for(timeout=60_000)
    # follow the evidence and the gates
    region.get_by_role("button", name=re.compile(r"^Trust policy")).first.click()
    region.locator("button.link").first.click()
    # copy, download every file, export both reports
    region.get_by_role("button", name="Copy fixed trust-policy.json").first.click()
    expect(region.get_by_text("Copied.").first).to_be_visible()
    for button in region.get_by_role("button", name=re.compile(r"^Download ")).all():
        with page.expect_download():
            button.click()
    # the exports from a second tab: Chromium (156, headless) dropped a tab's eleventh
    # download, and the page above now offers eleven files in all
    exporter = context.new_page()
    exporter.goto(site.url)
    wait_ready(exporter)
    load_example(exporter)
    ensure_diagnosis(exporter)
    for name in ("Export report as Markdown", "Export report as HTML"):
        with exporter.expect_download():
            exporter.get_by_role("region", name="Diagnosis").get_by_role("button", name=name).click()
    exporter.close()
    # the redaction preview: un-redact a value, redact a selection
    preview = page.get_by_role("region", name="Redaction preview")
    preview.get_by_role("button", name="Un-redact EXTERNAL_ID_1").click()
    expect(preview.get_by_label("Text that will be sent")).to_contain_text("acme-ci-7f3a")
    provider = page.get_by_label("Provider configuration", exact=True)
    provider.evaluate("""e => { const i = e.value.indexOf('terraform-ci-session');
                               e.focus(); e.setSelectionRange(i, i + 'terraform-ci-session'.length); }""")
    preview.get_by_role("button", name="Redact selection").click()
    expect(preview.get_by_label("Text that will be sent")).to_contain_text("REDACTED_1")
    # the LLM settings without asking: change provider, type a key, forget it
    page.get_by_label("LLM provider").select_option(label="Anthropic")
    page.get_by_label("API key").fill("sk-ant-not-sent")
    page.get_by_role("button", name="Forget").click()
    # open files and drop files
    files = [{"name": n, "mimeType": "text/plain", "buffer": (EXAMPLE / n).read_bytes()}
             for n in ("trust-policy.json", "caller-policy.json", "error.txt", "provider.tf")]
    with page.expect_file_chooser() as fc:
        page.get_by_role("button", name="Open files").click()
    fc.value.set_files(files)
    expect(page.get_by_role("status").filter(has_text="Placed:")).to_be_visible(timeout=30_000)
    dt = page.evaluate_handle("""(t) => { const dt = new DataTransfer();
        dt.items.add(new File([t], "trust.json", { type: "application/json" })); return dt; }""",
                              (EXAMPLE / "trust-policy.json").read_text())
    page.get_by_role("heading", name="Diagnosis").dispatch_event("drop", {"dataTransfer": dt})
    expect(page.get_by_role("status").filter(has_text="trust.json")).to_be_visible(timeout=30_000)
    # a reload, answered by the service worker
    page.reload()
    wait_ready(page)
    load_example(page)
    ensure_diagnosis(page)
    page.wait_for_timeout(500)
    assert watch.foreign() == [], watch.foreign()
    assert from_sw, "no service-worker request was recorded: the check would not see them"
    paths = {urlparse(u).path for u in watch.seen}
    assert "/worker.mjs" in paths and "/pyodide/pyodide.asm.wasm" in paths
    guard.assert_clean("after every feature but the LLM")


# ---- with the LLM: the secrets of the corpus, pasted into the boxes

SAMPLES = secret_samples()
CORPUS = sorted({s for sample in SAMPLES for s in sample.secrets} | set(SECRETS), key=len, reverse=True)


def secret_inputs() -> dict[str, str]:
    hcl = [s.text for s in SAMPLES if s.name.endswith("/hcl")]
    rest = [s.text for s in SAMPLES if not s.name.endswith("/hcl")]
    return {
        "error": (EXAMPLE / "error.txt").read_text() + "\n" + "\n".join(rest),
        "provider": (EXAMPLE / "provider.tf").read_text() + "\n" + "\n".join(hcl),
        "trust_policy": (EXAMPLE / "trust-policy.json").read_text(),
        "caller_policy": (EXAMPLE / "caller-policy.json").read_text(),
    }


def leaks(text: str, needles) -> list[str]:
    return [s for s in needles if s in text]


STORAGE_JS = """async () => {
  const dump = (s) => Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)]));
  const dbs = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
  return { local: dump(localStorage), session: dump(sessionStorage), dbs, cookie: document.cookie };
}"""

# Every cached response of every cache: its URL, and which needles its body holds.
CACHES_JS = """async (needles) => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const buf = await (await cache.match(req)).arrayBuffer();
      const body = new TextDecoder('latin1').decode(buf);
      const sha = [...new Uint8Array(await crypto.subtle.digest('SHA-256', buf))]
        .map((b) => b.toString(16).padStart(2, '0')).join('');
      out.push({ cache: name, url: req.url, sha, hits: needles.filter((n) => body.includes(n)) });
    }
  }
  return out;
}"""


def check_storage_and_caches(page, site, dist, needles, remembered_key=None):
    st = page.evaluate(STORAGE_JS)
    assert st["session"] == {}, st["session"]
    assert st["cookie"] == ""
    assert st["dbs"] == [], f"IndexedDB in use: {st['dbs']}"
    if remembered_key is None:
        assert st["local"] == {}, st["local"]
    else:
        assert list(st["local"]) == [STORE]
        saved = json.loads(st["local"][STORE])
        assert set(saved) == {"provider", "baseUrl", "model", "keys"}
        assert list(saved["keys"].values()) == [remembered_key]  # one key, for the provider and endpoint used
        assert leaks(st["local"][STORE], CORPUS) == []
    cached = page.evaluate(CACHES_JS, needles)
    assert cached, "the service worker cached nothing: the check would be empty"
    files = dist_files(dist)
    for entry in cached:
        u = urlparse(entry["url"])
        assert f"{u.scheme}://{u.netloc}/" == site.url, entry["url"]
        path = u.path.lstrip("/") or "index.html"
        # byte for byte a file of dist/ (the shipped example's own IDs are in dist/, nothing pasted is)
        assert files.get(path) == entry["sha"], f"cached, but not a dist/ file as built: {entry['url']}"
        assert entry["hits"] == [], f"{entry['url']} holds {entry['hits']}"


@pytest.mark.parametrize("provider,remember", [("OpenAI", False), ("Anthropic", True)])
def test_llm_gets_no_secret_and_nothing_keeps_one(context, site, dist, provider, remember):
    api_key = "sk-test-hostile-KEY-" + ("a1" * 20)
    llm = FakeLLM()
    llm.behaviour = Behaviour(mode="stream", answer=lambda p: "The trust names ACCOUNT_1; " + p[-200:], chunk=9)
    sent = []  # every request the browser made, anywhere

    def on_request(r):
        sent.append({"url": r.url, "method": r.method, "headers": r.headers, "body": r.post_data or "",
                     "sw": bool(r.service_worker)})

    context.on("request", on_request)
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto(site.url)
        wait_ready(page)
        wait_service_worker(page)
        for name, text in secret_inputs().items():
            label = {"error": "Error output", "provider": "Provider configuration", "trust_policy": "Trust policy",
                     "caller_policy": "Caller permissions policy"}[name]
            page.get_by_label(label, exact=True).fill(text)
        page.get_by_role("button", name="Diagnose").click()
        page.get_by_role("region", name="Diagnosis").locator(".verdict-word").first.wait_for(timeout=60_000)
        preview = page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")
        expect(preview).to_contain_text("ACCOUNT_1", timeout=30_000)
        assert leaks(preview.inner_text(), CORPUS) == [], "the preview shows a secret that would be sent"
        page.get_by_label("LLM provider").select_option(label=provider)
        page.get_by_label("Base URL").fill(llm.url + "/v1")
        page.get_by_label("Model").fill("test-model")
        page.get_by_label("API key").fill(api_key)
        if remember:
            page.get_by_label("Remember on this device").check()
        page.get_by_role("button", name="Ask the LLM").click()
        answer = page.get_by_role("region", name="LLM answer")
        expect(answer).to_contain_text("The engine's check of the answer", timeout=60_000)
        page.wait_for_timeout(300)

        # requests: the site's own, and exactly one POST to the chosen endpoint
        path = "/v1/messages" if provider == "Anthropic" else "/v1/chat/completions"
        # (blob: of the site's origin: the worker's module wrapper, made in the page)
        foreign = [r for r in sent if not r["url"].startswith((site.url, "blob:" + site.url))]
        assert [(r["method"], r["url"]) for r in foreign] == [("POST", llm.url + path)], foreign
        assert len(llm.requests) == 1
        for r in sent:
            where = f"{r['method']} {r['url']}"
            assert leaks(r["url"], CORPUS + [api_key]) == [], where
            assert leaks(r["body"], CORPUS + [api_key]) == [], where
            headers = {k: v for k, v in r["headers"].items() if k not in ("authorization", "x-api-key")}
            assert leaks(json.dumps(headers), CORPUS + [api_key]) == [], where
        (req,) = llm.requests
        assert leaks(json.dumps(req.body), CORPUS + [api_key]) == []
        assert leaks(req.path, CORPUS + [api_key]) == []
        key_headers = {k: v for k, v in req.headers.items() if api_key in v}
        assert key_headers == ({"x-api-key": api_key} if provider == "Anthropic" else {"authorization": f"Bearer {api_key}"})
        assert leaks(json.dumps({k: v for k, v in req.headers.items() if k not in key_headers}), CORPUS) == []
        assert "referer" not in req.headers and "cookie" not in req.headers

        # console, storage, caches
        logged = "\n".join(t for _, t in watch.console)
        assert leaks(logged, CORPUS + [api_key]) == [], "a secret or the key was logged"
        pasted = [s for s in CORPUS if s not in SECRETS]  # SECRETS are the shipped example's, in dist/
        check_storage_and_caches(page, site, dist, pasted + [api_key], api_key if remember else None)
        watch.assert_clean("after asking the LLM")
    finally:
        llm.stop()
