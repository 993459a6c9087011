"""The second opinion, attacked through the model and the settings: a model
that proposes a dangerous fix, a key that would follow a provider switch, an
Ask that would send text the user never saw, and an endpoint the page's CSP
does not list. The LLM is tests/fake_llm.py on 127.0.0.1."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from e2e.pagekit import ensure_diagnosis, load_example, open_page
from fake_llm import Behaviour, FakeLLM
from helpers import save_screenshot


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
