"""The page half of the LLM path: a private second opinion. The LLM is tests/fake_llm.py
on 127.0.0.1 (both wire formats); page.route / request events only observe."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from e2e.pagekit import SECRETS, ensure_diagnosis, load_example, open_page
from fake_llm import Behaviour, FakeLLM
from helpers import save_screenshot


@pytest.fixture
def llm():
    fake = FakeLLM()
    yield fake
    fake.stop()


def answer_with_fix(prompt: str) -> str:
    """Like a model: reasons with the placeholders it was given and proposes a trust policy."""
    caller_acct = re.search(r"arn:aws:iam::([A-Z_]+_\d+):role/ci-runner", prompt).group(1)
    ext = re.search(r'external_id\s*=\s*"([A-Z_]+_\d+)"', prompt).group(1)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{caller_acct}:role/ci-runner"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": ext}}}]}
    return (f"The trust policy names old-ci-runner in {caller_acct}, not ci-runner, and the ExternalId "
            f"differs from {ext}.\n\n```json\n{json.dumps(policy, indent=2)}\n```\n")


def configure(page, llm, provider="OpenAI-compatible", key=""):
    page.get_by_label("LLM provider").select_option(label=provider)
    page.get_by_label("Base URL").fill(llm.url + "/v1")
    page.get_by_label("Model").fill("test-model")
    if key:
        page.get_by_label("API key").fill(key)


def foreign_requests(context, origin):
    seen = []
    context.on("request", lambda r: seen.append((r.method, r.url)) if not r.url.startswith(origin) else None)
    return seen


def ready_with_example(context, site):
    page = open_page(context, site)
    load_example(page)
    real = ensure_diagnosis(page)
    expect(page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")).to_contain_text("ACCOUNT_1")
    return page, real


@pytest.mark.parametrize("provider", ["OpenAI-compatible", "Anthropic", "OpenAI"])
def test_answer_is_redacted_out_and_restored_in(context, site, llm, provider):
    llm.behaviour = Behaviour(mode="stream", answer=answer_with_fix, chunk=7)
    seen = foreign_requests(context, site.url)
    page, real = ready_with_example(context, site)
    sent_preview = page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent").inner_text()
    configure(page, llm, provider, key="sk-test-KEY-1234567890" if provider != "OpenAI-compatible" else "")
    page.get_by_role("button", name="Ask the LLM").click()
    answer = page.get_by_role("region", name="LLM answer")
    expect(answer).to_contain_text("The engine's check of the answer", timeout=30_000)
    # exactly the chosen endpoint, once, from the page
    path = "/v1/messages" if provider == "Anthropic" else "/v1/chat/completions"
    assert [u for m, u in seen if m == "POST"] == [llm.url + path]
    (req,) = llm.requests
    body = json.dumps(req.body)
    for secret in SECRETS:
        assert secret not in body
    user = req.body["messages"][-1]["content"]
    assert user.strip() == sent_preview.strip()  # the preview is exactly what was sent
    if provider == "Anthropic":
        assert req.headers["anthropic-dangerous-direct-browser-access"] == "true"
        assert req.headers["x-api-key"] == "sk-test-KEY-1234567890"
    elif provider == "OpenAI":
        assert req.headers["authorization"] == "Bearer sk-test-KEY-1234567890"
    # placeholders are mapped back where they belong
    text = answer.inner_text()
    assert "arn:aws:iam::123456789012:role/ci-runner" in text
    assert '"sts:ExternalId": "acme-ci-7f3a"' in text
    assert "ACCOUNT_1" not in text
    assert "Proposed Trust policy (json): read" in text
    if real:
        assert "Engine verdict with the model's changes" in text
    else:
        assert "Not checked" in text
    # the key is kept in memory only
    assert "sk-test-KEY" not in page.evaluate("() => JSON.stringify(localStorage)")
    save_screenshot(page, f"llm-answer-{provider.lower()}-1440")


def test_plain_json_answer(context, site, llm):
    llm.behaviour = Behaviour(mode="json", answer=lambda p: "Short answer about ACCOUNT_1.")
    page, _ = ready_with_example(context, site)
    configure(page, llm)
    page.get_by_role("button", name="Ask the LLM").click()
    answer = page.get_by_role("region", name="LLM answer")
    expect(answer).to_contain_text("Short answer about 123456789012.", timeout=30_000)


def test_cancel_while_streaming(context, site, llm):
    llm.behaviour = Behaviour(mode="stream", answer=lambda p: "word " * 400, chunk=5, delay=0.05)
    page, _ = ready_with_example(context, site)
    configure(page, llm)
    page.get_by_role("button", name="Ask the LLM").click()
    cancel = page.get_by_role("button", name="Cancel")
    expect(cancel).to_be_visible()
    expect(page.get_by_role("region", name="LLM answer")).to_contain_text("word", timeout=15_000)
    cancel.click()
    expect(page.get_by_role("region", name="LLM answer")).to_contain_text("Cancelled")
    expect(page.get_by_role("button", name="Ask the LLM")).to_be_visible()
    expect(cancel).to_be_hidden()


def test_cancel_a_hanging_request(context, site, llm):
    llm.behaviour = Behaviour(mode="hang")
    page, _ = ready_with_example(context, site)
    configure(page, llm)
    page.get_by_role("button", name="Ask the LLM").click()
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("region", name="LLM answer")).to_contain_text("Cancelled")


@pytest.mark.parametrize("mode,provider,message", [
    ("401", "OpenAI-compatible", "HTTP 401: Incorrect API key provided"),
    ("429", "Anthropic", "HTTP 429: rate limited"),
    ("error-event", "OpenAI-compatible", "The server had an error"),
    ("error-event", "Anthropic", "Overloaded"),
])
def test_errors_show_a_clear_message(context, site, llm, mode, provider, message):
    llm.behaviour = Behaviour(mode=mode)
    page, _ = ready_with_example(context, site)
    configure(page, llm, provider, key="k-123")
    page.get_by_role("button", name="Ask the LLM").click()
    alert = page.get_by_role("region", name="LLM answer").get_by_role("alert")
    expect(alert).to_contain_text(message, timeout=30_000)
    expect(alert).to_contain_text("The LLM request failed")


def test_unredact_and_redact_more(context, site, llm):
    llm.behaviour = Behaviour(mode="stream", answer=lambda p: "ok")
    page, _ = ready_with_example(context, site)
    preview = page.get_by_role("region", name="Redaction preview")
    sent = preview.get_by_label("Text that will be sent")
    # un-redact one value
    preview.get_by_role("button", name="Un-redact EXTERNAL_ID_1").click()
    expect(sent).to_contain_text("acme-ci-7f3a")
    # redact more: select a session name in a box, then the button
    box = page.get_by_label("Provider configuration", exact=True)
    box.evaluate("""e => { const i = e.value.indexOf('terraform-ci-session');
                          e.focus(); e.setSelectionRange(i, i + 'terraform-ci-session'.length); }""")
    preview.get_by_role("button", name="Redact selection").click()
    expect(sent).to_contain_text("REDACTED_1")
    expect(sent).not_to_contain_text("terraform-ci-session")
    configure(page, llm)
    page.get_by_role("button", name="Ask the LLM").click()
    expect(page.get_by_role("region", name="LLM answer")).to_contain_text("ok", timeout=30_000)
    body = json.dumps(llm.requests[0].body)
    assert "terraform-ci-session" not in body and "acme-ci-7f3a" in body


def test_remember_and_forget_the_key(context, site):
    page, _ = ready_with_example(context, site)
    page.get_by_label("LLM provider").select_option(label="Anthropic")
    page.get_by_label("API key").fill("sk-remember-me")
    page.get_by_label("Remember on this device").check()
    page.reload()
    expect(page.get_by_label("API key")).to_have_value("sk-remember-me")
    expect(page.get_by_label("LLM provider")).to_have_value("anthropic")
    page.get_by_role("button", name="Forget").click()
    expect(page.get_by_label("API key")).to_have_value("")
    assert "sk-remember-me" not in page.evaluate("() => JSON.stringify(localStorage)")
    page.reload()
    expect(page.get_by_label("API key")).to_have_value("")
