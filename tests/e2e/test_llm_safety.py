"""The second opinion, attacked through the model and the settings: a model
that proposes a dangerous fix, a key that would follow a provider switch, an
Ask that would send text the user never saw, and an endpoint the page's CSP
does not list. The LLM is tests/fake_llm.py on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil

import pytest
from playwright.sync_api import expect

from e2e.pagekit import ensure_diagnosis, load_example, open_page
from fake_llm import Behaviour, FakeLLM
from conftest import SiteServer
from helpers import ROOT, save_screenshot


@pytest.fixture
def llm():
    fake = FakeLLM()
    yield fake
    fake.stop()


def ready(context, site):
    page = open_page(context, site)
    load_example(page)
    real = ensure_diagnosis(page)
    expect(page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")).to_contain_text("ACCOUNT_1")
    return page, real


def use(page, llm, provider="OpenAI-compatible"):
    page.get_by_label("LLM provider").select_option(label=provider)
    page.get_by_label("Base URL").fill(llm.url + "/v1")
    page.get_by_label("Model").fill("test-model")


# ---- a model that "fixes" the trust policy by trusting everyone

def anyone_may_assume(prompt: str) -> str:
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    return f"Simplest fix: trust every principal.\n\n```json\n{json.dumps(policy, indent=2)}\n```\n"


def test_review_flags_a_dangerous_answer(context, site, llm):
    llm.behaviour = Behaviour(mode="stream", answer=anyone_may_assume)
    page, real = ready(context, site)
    if not real:
        pytest.skip("this build has no diagnosis engine")
    use(page, llm)
    page.get_by_role("button", name="Ask the LLM").click()
    review = page.locator("#answer-review")
    expect(review).to_contain_text("The engine's check of the answer", timeout=30_000)
    text = review.inner_text()
    assert "Engine verdict with the model's changes: Allowed, but unsafe" in text, text
    card = review.locator("article.finding", has_text="TRUST_WILDCARD_PRINCIPAL")
    expect(card).to_have_count(1)
    assert card.locator(".severity").text_content() == "critical"
    # only critical and high hardening findings are raised here
    for sev in review.locator("article.finding .severity").all_text_contents():
        assert sev in ("critical", "high"), sev
    save_screenshot(page, "llm-review-unsafe-1440")


def test_review_of_a_safe_answer_stays_allowed(context, site, llm):
    def fix(prompt):
        acct = re.search(r"arn:aws:iam::([A-Z_]+_\d+):role/ci-runner", prompt).group(1)
        ext = re.search(r'external_id\s*=\s*"([A-Z_]+_\d+)"', prompt).group(1)
        policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:role/ci-runner"},
            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": ext}}}]}
        return f"```json\n{json.dumps(policy)}\n```"

    llm.behaviour = Behaviour(mode="stream", answer=fix)
    page, real = ready(context, site)
    if not real:
        pytest.skip("this build has no diagnosis engine")
    use(page, llm)
    page.get_by_role("button", name="Ask the LLM").click()
    review = page.locator("#answer-review")
    expect(review).to_contain_text("Engine verdict with the model's changes: Allowed.", timeout=30_000)
    assert "unsafe" not in review.inner_text()
    expect(review.locator("article.finding")).to_have_count(0)


# ---- the key stays with the provider and endpoint it was entered for

def test_key_does_not_follow_a_provider_switch(context, site, llm):
    llm.behaviour = Behaviour(mode="stream", answer=lambda p: "ok")
    page, _ = ready(context, site)
    key = page.get_by_label("API key")
    page.get_by_label("LLM provider").select_option(label="OpenAI")
    key.fill("sk-openai-SECRET-1234")
    # the user switches to a local OpenAI-compatible server (or one a colleague runs)
    page.get_by_label("LLM provider").select_option(label="OpenAI-compatible")
    expect(key).to_have_value("")
    page.get_by_label("Base URL").fill(llm.url + "/v1")
    page.get_by_label("Model").fill("test-model")
    page.get_by_role("button", name="Ask the LLM").click()
    expect(page.get_by_role("region", name="LLM answer")).to_contain_text("ok", timeout=30_000)
    (req,) = llm.requests
    assert "authorization" not in req.headers, req.headers
    assert "sk-openai" not in json.dumps(req.headers) + json.dumps(req.body)
    # back to OpenAI: its key is still there
    page.get_by_label("LLM provider").select_option(label="OpenAI")
    expect(key).to_have_value("sk-openai-SECRET-1234")


def test_key_does_not_follow_a_base_url_change(context, site, llm):
    other = FakeLLM()
    try:
        for fake in (llm, other):
            fake.behaviour = Behaviour(mode="stream", answer=lambda p: "ok")
        page, _ = ready(context, site)
        use(page, llm)
        page.get_by_label("API key").fill("k-for-the-first-server")
        # the endpoint changes: the key entered for the first one is not offered to the second
        page.get_by_label("Base URL").fill(other.url + "/v1")
        expect(page.get_by_label("API key")).to_have_value("")
        expect(page.locator("#llm-status")).to_contain_text(f"enter the key for {other.url}")
        page.get_by_role("button", name="Ask the LLM").click()
        expect(page.get_by_role("region", name="LLM answer")).to_contain_text("ok", timeout=30_000)
        assert llm.requests == []
        (req,) = other.requests
        assert "k-for-the-first-server" not in json.dumps(req.headers)
    finally:
        other.stop()


def test_remembered_keys_stay_per_provider(context, site):
    page, _ = ready(context, site)
    page.get_by_label("LLM provider").select_option(label="Anthropic")
    page.get_by_label("API key").fill("sk-ant-remembered")
    page.get_by_label("Remember on this device").check()
    page.get_by_label("LLM provider").select_option(label="OpenAI")
    expect(page.get_by_label("API key")).to_have_value("")
    page.reload()
    expect(page.get_by_label("LLM provider")).to_have_value("openai")
    expect(page.get_by_label("API key")).to_have_value("")
    page.get_by_label("LLM provider").select_option(label="Anthropic")
    expect(page.get_by_label("API key")).to_have_value("sk-ant-remembered")


# ---- Ask sends only what the preview showed

EDIT_AND_ASK = """() => {
  // one task: the edit and the click, before the debounced diagnosis can redraw anything
  const box = document.querySelector('textarea[data-input=caller_policy]');
  box.value = box.value.replace('"Statement"', '"Id": "arn:aws:iam::555566667777:root", "Statement"');
  box.dispatchEvent(new Event('input', { bubbles: true }));
  document.querySelector('#llm-ask').click();
}"""


def test_ask_after_an_edit_redraws_the_preview_and_waits(context, site, llm):
    llm.behaviour = Behaviour(mode="stream", answer=lambda p: "ok")
    page, _ = ready(context, site)
    use(page, llm)
    sent = page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")
    assert "555566667777" not in sent.inner_text() and "arn:aws:iam::" in sent.inner_text()
    page.evaluate(EDIT_AND_ASK)
    status = page.locator("#llm-status")
    expect(status).to_contain_text("Your inputs changed", timeout=15_000)
    expect(status).to_contain_text("Ask the LLM” again")
    assert llm.requests == []  # nothing went out on the first click
    preview_text = sent.inner_text()
    assert '"Id": "arn:aws:iam::ACCOUNT_' in preview_text and "555566667777" not in preview_text
    page.get_by_role("button", name="Ask the LLM").click()
    expect(page.get_by_role("region", name="LLM answer")).to_contain_text("ok", timeout=30_000)
    (req,) = llm.requests
    assert req.body["messages"][-1]["content"].strip() == sent.inner_text().strip()


# ---- an endpoint of one's own (Azure OpenAI, a company gateway)

GATEWAY = "https://llm-gateway.example.com"


def test_unlisted_endpoint_is_refused_with_how_to_add_one(context, site):
    tried = []
    context.on("request", lambda r: tried.append(r.url) if "llm-gateway" in r.url else None)
    page, _ = ready(context, site)
    origins = page.locator("#llm-origins")
    expect(origins).to_contain_text("This copy of the page may call: https://api.openai.com, https://api.anthropic.com")
    expect(origins).to_contain_text("--llm-origin")
    page.get_by_label("LLM provider").select_option(label="OpenAI-compatible")
    page.get_by_label("Base URL").fill(GATEWAY + "/openai/v1")
    page.get_by_label("Model").fill("gpt-4o")
    page.get_by_role("button", name="Ask the LLM").click()
    status = page.locator("#llm-status")
    expect(status).to_contain_text(f"This copy of the page may not call {GATEWAY}")
    expect(status).to_contain_text(f"python build.py build --llm-origin {GATEWAY}")
    assert tried == []  # refused before any request, not by a CSP error the user cannot act on


@pytest.fixture
def site_with_gateway(dist, tmp_path):
    """dist/ built with `--llm-origin https://llm-gateway.example.com` (the
    policy step of the build, on a copy), served by serve.py."""
    spec = importlib.util.spec_from_file_location("roledoctor_build", ROOT / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    shutil.copy2(ROOT / "web" / "index.html", copy / "index.html")
    build.write_policy(copy, [build.llm_origin(GATEWAY)])
    server = SiteServer(copy)
    yield server
    server.stop()


def test_added_endpoint_is_listed_and_reachable(browser, site_with_gateway, llm):
    llm.behaviour = Behaviour(mode="stream", answer=lambda p: "hello from the gateway")
    context = browser.new_context(service_workers="block")
    try:
        headers = {}
        context.on("response", lambda r: headers.setdefault(r.url, r.headers))
        # the gateway's host does not exist: the route hands its requests to the fake LLM
        context.route(GATEWAY + "/**", lambda route: route.fulfill(
            response=route.fetch(url=llm.url + route.request.url[len(GATEWAY):])))
        page, _ = ready(context, site_with_gateway)
        csp = headers[site_with_gateway.url]["content-security-policy"]
        assert GATEWAY in csp and "frame-ancestors 'none'" in csp
        expect(page.locator("#llm-origins")).to_contain_text(GATEWAY)
        page.get_by_label("LLM provider").select_option(label="OpenAI-compatible")
        page.get_by_label("Base URL").fill(GATEWAY + "/v1")
        page.get_by_label("Model").fill("gpt-4o")
        page.get_by_label("API key").fill("gw-key-1")
        page.get_by_role("button", name="Ask the LLM").click()
        expect(page.get_by_role("region", name="LLM answer")).to_contain_text("hello from the gateway", timeout=30_000)
        (req,) = llm.requests
        assert req.headers["authorization"] == "Bearer gw-key-1"
        save_screenshot(page, "llm-own-endpoint-1440")
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()
