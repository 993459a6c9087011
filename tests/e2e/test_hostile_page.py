"""The page half of hostile input: hostile input is shown as text. HTML and script
payloads in policy values, HCL strings, error text, file names and LLM answers
open no dialog, add no live element or handler to the DOM, trip no CSP
violation, log no error, and are visible as the text that was pasted; the
exported reports carry no live markup.

The checks hold with the page's CSP on, and (for the boxes) with the CSP
bypassed as well, so that escaping does not lean on the CSP alone."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from e2e.hostile_kit import (ALL, LABELS, PAYLOADS, Watch, hostile_inputs, html_report_problems,
                             markdown_report_problems, visible)
from fake_llm import Behaviour, FakeLLM
from helpers import ROOT, wait_ready

EXAMPLE = ROOT / "examples" / "seed-cross-account"


def norm(text: str) -> str:
    return visible(text)


def open_hostile(context, site):
    page = context.new_page()
    watch = Watch(page)
    page.goto(site.url)
    wait_ready(page)
    return page, watch


def fill_boxes(page, boxes: dict[str, str]):
    for name, text in boxes.items():
        page.get_by_label(LABELS[name], exact=True).fill(text)
    page.get_by_role("button", name="Diagnose").click()
    region = page.get_by_role("region", name="Diagnosis")
    region.locator(".verdict-word").first.wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#diagnosis-body').hasAttribute('aria-busy')")
    preview = page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")
    preview.wait_for(timeout=30_000)
    return region, preview


def export_reports(page, region, tmp_path) -> tuple[str, str]:
    with page.expect_download() as dl:
        region.get_by_role("button", name="Export report as Markdown").click()
    md = tmp_path / "report.md"
    dl.value.save_as(md)
    with page.expect_download() as dl:
        region.get_by_role("button", name="Export report as HTML").click()
    html = tmp_path / "report.html"
    dl.value.save_as(html)
    return md.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")


def check_reports(md: str, html: str, must_show: list[str]):
    bad, text = html_report_problems(html)
    assert bad == [], f"live markup in the HTML report: {bad}"
    assert markdown_report_problems(md) == []
    for payload in must_show:  # the payload is there, as text
        assert norm(payload) in norm(text), f"{payload!r} not shown as text in the HTML report"


def test_the_checks_catch_live_markup(browser, site):
    """The detectors themselves: markup put into the DOM, or left live in a report, is reported."""
    assert html_report_problems('<p>x</p><img src=x onerror=alert(1)><a href=" javascript:x">y</a>')[0] == [
        "<img>", "<img onerror>", "<a href=' javascript:x'>"]
    assert html_report_problems("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == ([], "<script>alert(1)</script>")
    assert markdown_report_problems("a <img src=x> [x](javascript:y) ![i](u)") != []
    assert markdown_report_problems("a \\<img src=x\\> `<script>` \\[x\\](javascript:y)\n```\n<b>\n```\n") == []
    context = browser.new_context(bypass_csp=True)
    try:
        page, watch = open_hostile(context, site)
        page.evaluate("() => { document.querySelector('#route-status').innerHTML = '<img src=x onerror=alert(1)>'; }")
        page.wait_for_timeout(300)
        with pytest.raises(AssertionError, match="live markup"):
            watch.assert_clean("control")
        assert watch.dialogs == ["alert: 1"]
    finally:
        context.close()


@pytest.mark.parametrize("csp", ["enforced", "bypassed"])
def test_payloads_in_every_box_are_shown_as_text(browser, site, csp, tmp_path):
    context = browser.new_context(bypass_csp=csp == "bypassed", accept_downloads=True)
    try:
        page, watch = open_hostile(context, site)
        boxes = hostile_inputs()
        region, preview = fill_boxes(page, boxes)
        watch.assert_clean("after the diagnosis")
        # the boxes keep exactly what was pasted
        for name, text in boxes.items():
            assert page.get_by_label(LABELS[name], exact=True).input_value() == text
        # the preview shows the pasted text (payloads are not secrets: only identifiers become placeholders)
        sent = norm(preview.inner_text())
        # (the two used as ExternalIds become EXTERNAL_ID_n placeholders everywhere)
        missing = {k for k in PAYLOADS if norm(PAYLOADS[k]) not in sent}
        assert missing <= {"svg", "attr"}, f"payloads missing from the preview: {missing}"
        assert "EXTERNAL_ID_1" in sent and "EXTERNAL_ID_2" in sent
        # the engine quotes pasted values in its findings: as text
        diag = norm(region.inner_text())
        for k in ("script", "img", "attr"):
            assert norm(PAYLOADS[k]) in diag, k
        assert "49" not in diag.replace("7*7", "")  # {{7*7}} was not evaluated anywhere
        md, html = export_reports(page, region, tmp_path)
        check_reports(md, html, [PAYLOADS["img"], PAYLOADS["script"]])
        # every fixed or prevention file downloads as plain text
        for button in region.get_by_role("button", name=re.compile(r"^Download ")).all():
            with page.expect_download() as dl:
                button.click()
            assert dl.value.suggested_filename and "/" not in dl.value.suggested_filename
        watch.assert_clean("after the exports")
    finally:
        context.close()


def evaluated_inputs() -> dict[str, str]:
    """The example with payloads where the engine evaluates them (Sids, principals,
    condition values), so that they reach the path picture, the gates and the fixes."""
    p = PAYLOADS
    trust = json.loads((EXAMPLE / "trust-policy.json").read_text())
    st = trust["Statement"][0]
    st["Sid"] = p["img"] + p["template"]
    st["Principal"]["AWS"] = ["arn:aws:iam::123456789012:role/old-ci-runner",
                              "arn:aws:iam::123456789012:role/" + p["script"]]
    st["Condition"]["StringLike"] = {"aws:PrincipalTag/team": [p["svg"], p["md-link"], p["bidi"], p["nul"]]}
    trust["Statement"].append({"Sid": p["break-out"], "Effect": "Deny", "Principal": {"AWS": p["anchor"]},
                               "Action": "sts:AssumeRole"})
    caller = json.loads((EXAMPLE / "caller-policy.json").read_text())
    caller["Statement"][0]["Sid"] = p["object"]
    scp = {"Version": "2012-10-17", "Statement": [{"Sid": p["body"], "Effect": "Allow", "Action": "*", "Resource": "*"},
                                                  {"Sid": p["jinja"], "Effect": "Deny", "Action": "s3:*", "Resource": "*",
                                                   "Condition": {"StringEquals": {"aws:ResourceTag/x": p["js-url"]}}}]}
    return {"error": (EXAMPLE / "error.txt").read_text(), "provider": (EXAMPLE / "provider.tf").read_text(),
            "trust_policy": json.dumps(trust, indent=2), "caller_policy": json.dumps(caller, indent=2),
            "org_policies": json.dumps(scp, indent=2)}


def test_payloads_the_engine_evaluates_stay_text(context, site, tmp_path):
    page, watch = open_hostile(context, site)
    region, preview = fill_boxes(page, evaluated_inputs())
    expect(region.locator(".verdict-word")).to_have_text(re.compile("Denied|Allowed|Undetermined"))
    watch.assert_clean("after the diagnosis")
    diag = norm(region.inner_text())
    # Sids of the statements that decided a gate and principals are quoted in the path and the findings
    for k in ("object", "body", "script"):
        assert norm(PAYLOADS[k]) in diag, k
    # the diagram's accessible names (SVG <title>) are text too
    titles = page.evaluate("() => [...document.querySelectorAll('svg.path-diagram title')].map(t => t.textContent).join(' ')")
    assert "Trust policy" in titles
    # every evidence link and gate can be used
    for gate in region.locator("svg.path-diagram g.gate").all():
        gate.click()
    for link in region.locator("button.link").all()[:12]:
        link.click()
    watch.assert_clean("after following the evidence")
    # the preview: un-redact a value, then redact a selection that holds markup
    table = page.get_by_role("region", name="Redaction preview")
    first = table.get_by_role("button", name=re.compile(r"^Un-redact ")).first
    first.click()
    box = page.get_by_label("Trust policy", exact=True)
    box.evaluate("""(e, frag) => { const i = e.value.indexOf(frag); e.focus(); e.setSelectionRange(i, i + frag.length); }""",
                 json.dumps(PAYLOADS["script"])[1:-1])
    table.get_by_role("button", name="Redact selection").click()
    expect(preview).to_contain_text("REDACTED_1")
    expect(table.locator("code.original").filter(has_text="<script>")).to_have_count(1)
    watch.assert_clean("after un-redact and redact more")
    md, html = export_reports(page, region, tmp_path)
    check_reports(md, html, [PAYLOADS["script"]])
    for button in region.get_by_role("button", name=re.compile(r"^Download ")).all():
        with page.expect_download() as dl:
            button.click()
        name = dl.value.suggested_filename
        assert name and "/" not in name and "<" not in name
    watch.assert_clean("after the downloads")


HOSTILE_NAMES = [
    PAYLOADS["img"] + ".json",
    "\"><svg onload=alert('file')>.tf",
    "javascript:alert('file').log",
    "<script>alert('file')</script>.txt",
    "\u202egnp.tf",
    "{{7*7}}${alert(1)}.tfvars",
    "[x](javascript:alert(1)).json",
]


def test_hostile_file_names_and_contents(context, site):
    page, watch = open_hostile(context, site)
    boxes = hostile_inputs()
    contents = [boxes["trust_policy"], boxes["provider"], boxes["error"], boxes["error"], boxes["provider"],
                'region = "<img src=x onerror=alert(1)>"\n', boxes["caller_policy"]]
    files = [{"name": n, "mimeType": "text/plain", "buffer": c.encode()} for n, c in zip(HOSTILE_NAMES, contents, strict=False)]
    # one more that is not accepted: its name is only counted
    files.append({"name": "<img src=x onerror=alert('skip')>.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"})
    with page.expect_file_chooser() as fc:
        page.get_by_role("button", name="Open files").click()
    fc.value.set_files(files)
    status = page.get_by_role("status").filter(has_text="Placed:")
    expect(status).to_be_visible(timeout=30_000)
    text = norm(status.inner_text())
    for name in HOSTILE_NAMES[:4]:
        assert norm(name) in text, name
    assert "1 other file skipped" in text
    page.get_by_role("region", name="Diagnosis").locator(".verdict-word").first.wait_for(timeout=60_000)
    watch.assert_clean("after opening files")
    # the same by drag and drop, with names no file system allows
    dt = page.evaluate_handle("""(items) => {
        const dt = new DataTransfer();
        for (const [name, text] of items) dt.items.add(new File([text], name, { type: "text/plain" }));
        return dt; }""", [["../../<img src=x onerror=alert('drop')>/trust.json", boxes["trust_policy"]],
                          ["nul\u0000<iframe src=javascript:alert(1)>.tf", boxes["provider"]],
                          ["<svg onload=alert('drop')>.exe", "x"]])
    target = page.get_by_role("heading", name="Diagnosis")
    target.dispatch_event("dragenter", {"dataTransfer": dt})
    target.dispatch_event("drop", {"dataTransfer": dt})
    expect(page.get_by_role("status").filter(has_text="onerror=alert('drop')")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    watch.assert_clean("after dropping files")


def answer_with_payloads(prompt: str) -> str:
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": PAYLOADS["img"], "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::ACCOUNT_1:role/ci-runner"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "EXTERNAL_ID_1" + PAYLOADS["script"]}}}]}
    return ("Here is why ACCOUNT_1 " + ALL + "\n\n"
            "```html\n<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned2=1\">\n```\n\n"
            f"```json\n{json.dumps(policy, indent=2)}\n```\n\n"
            "```hcl\nprovider \"aws\" {\n  assume_role {\n    role_arn = \"arn:aws:iam::ACCOUNT_2:role/"
            "<svg onload=window.__pwned3=1>\"\n  }\n}\n```\n"
            "<details open ontoggle=alert(1)><summary>x</summary></details>\n"
            "~~~\n</pre></code><script>alert('fence')</script>\n~~~\n")


@pytest.mark.parametrize("provider,mode", [("OpenAI-compatible", "stream"), ("Anthropic", "stream"),
                                           ("OpenAI", "json")])
def test_hostile_llm_answers_are_text(context, site, provider, mode):
    llm = FakeLLM()
    try:
        llm.behaviour = Behaviour(mode=mode, answer=answer_with_payloads, chunk=5)
        page, watch = open_hostile(context, site)
        page.get_by_role("button", name="Load example").click()
        sent = page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")
        expect(sent).to_contain_text("ACCOUNT_1", timeout=60_000)
        page.get_by_label("LLM provider").select_option(label=provider)
        page.get_by_label("Base URL").fill(llm.url + "/v1")
        page.get_by_label("Model").fill("<img src=x onerror=alert('model')>")
        page.get_by_label("API key").fill("sk-test-<script>alert(1)</script>")
        page.get_by_role("button", name="Ask the LLM").click()
        answer = page.get_by_role("region", name="LLM answer")
        expect(answer).to_contain_text("The engine's check of the answer", timeout=60_000)
        text = norm(answer.inner_text())
        for k in ("script", "img", "svg", "anchor", "md-link", "template", "jinja"):
            assert norm(PAYLOADS[k]) in text, k
        assert "<script>window.__pwned = 1</script>" in text
        assert "arn:aws:iam::123456789012:role/ci-runner" in text  # placeholders mapped back
        watch.assert_clean(f"after a hostile {provider} answer")
    finally:
        llm.stop()


def test_hostile_llm_error_message_is_text(context, site):
    llm = FakeLLM()
    try:
        page, watch = open_hostile(context, site)
        page.get_by_role("button", name="Load example").click()
        sent = page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")
        expect(sent).to_contain_text("ACCOUNT_1", timeout=60_000)
        body = json.dumps({"error": {"message": PAYLOADS["img"] + PAYLOADS["script"], "type": "x"}})
        # the test answers for the endpoint (an error body with markup in its message)
        page.route(llm.url + "/**", lambda route: route.fulfill(
            status=400, body=body, content_type="application/json",
            headers={"access-control-allow-origin": "*"}))
        page.get_by_label("LLM provider").select_option(label="OpenAI-compatible")
        page.get_by_label("Base URL").fill(llm.url + "/v1")
        page.get_by_role("button", name="Ask the LLM").click()
        alert = page.get_by_role("region", name="LLM answer").get_by_role("alert")
        expect(alert).to_contain_text("onerror=alert", timeout=30_000)
        assert norm(PAYLOADS["img"]) in norm(alert.inner_text())
        # a failed fetch logs a console error in Chromium for the 400: that one is expected
        watch.console = [(k, t) for k, t in watch.console if "400" not in t]
        watch.assert_clean("after a hostile error message")
    finally:
        llm.stop()


# ---- nothing hangs: input the engine refuses, and input it must work through

def test_too_large_file_is_not_read(context, site):
    """A file over the core's limit is not read at all (reading and routing 30 MB kept the
    engine busy for about 90 s); the others in the same drop are placed."""
    page, watch = open_hostile(context, site)
    big = b"2024-05-01T10:00:00Z DEBUG provider: something happened\n" * 560_000  # ~31 MB
    files = [{"name": "huge.log", "mimeType": "text/plain", "buffer": big},
             {"name": "trust.json", "mimeType": "application/json", "buffer": (EXAMPLE / "trust-policy.json").read_bytes()}]
    with page.expect_file_chooser() as fc:
        page.get_by_role("button", name="Open files").click()
    fc.value.set_files(files)
    status = page.get_by_role("status").filter(has_text="Placed:")
    expect(status).to_contain_text("huge.log: not read, too large (31.4 MB, the limit is 5 MB)", timeout=15_000)
    expect(status).to_contain_text("trust.json → Trust policy")
    assert page.get_by_label("Error output", exact=True).input_value() == ""
    # the engine is free: the next diagnosis answers at once
    page.get_by_label("Error output", exact=True).fill((EXAMPLE / "error.txt").read_text())
    page.get_by_role("button", name="Diagnose").click()
    expect(page.get_by_role("region", name="Diagnosis")).to_contain_text("TRUST_PRINCIPAL_MISSING", timeout=10_000)
    watch.assert_clean("after a too-large file")


def test_many_secrets_do_not_stall_the_preview(context, site):
    page, watch = open_hostile(context, site)
    line = "2024-05-01 DEBUG credential AKIA2E0A8F3B244C9986 for arn:aws:iam::123456789012:role/ci\n"
    # ~430 KB, 10,000 values to replace; set as a paste would (Playwright's fill()
    # types it in and alone takes minutes for this size)
    page.get_by_label("Error output", exact=True).evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        line * 5_000 + (EXAMPLE / "error.txt").read_text())
    preview = page.get_by_role("region", name="Redaction preview")
    expect(preview).to_contain_text("values replaced by placeholders", timeout=20_000)
    page.get_by_label("Trust policy", exact=True).fill((EXAMPLE / "trust-policy.json").read_text())
    page.get_by_role("button", name="Diagnose").click()
    expect(page.get_by_role("region", name="Diagnosis")).to_contain_text("TRUST_PRINCIPAL_MISSING", timeout=10_000)
    watch.assert_clean("after many secrets")
