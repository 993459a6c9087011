"""The page a cloud engineer would rather use than a chat window.
Driven by accessible names (get_by_role / get_by_label), in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.pagekit import SECRETS, described_by, ensure_diagnosis, load_example, open_page, tab_to, words
from helpers import ROOT, Egress, save_screenshot

AXE = ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CODES = ("TRUST_PRINCIPAL_MISSING", "EXTERNAL_ID_MISMATCH", "CALLER_POLICY_WILDCARD_STS")

MAIN_TF = """terraform {
  required_version = ">= 1.6"
}

provider "aws" {
  region = "us-east-1"
  assume_role {
    role_arn    = "arn:aws:iam::987654321098:role/terraform-deploy-role"
    external_id = "acme-ci-7f3a"
  }
}

resource "aws_iam_role" "deploy" {
  name               = "terraform-deploy-role"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/ci-runner"]
    }
  }
}

resource "aws_iam_role_policy" "ci" {
  role   = "ci-runner"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }] })
}
"""


@pytest.mark.parametrize("width", [1440, 375])
def test_example_diagnosis_fixes_and_export(context, site, width, tmp_path):
    page = open_page(context, site, width)
    load_example(page)
    real = ensure_diagnosis(page)
    region = page.get_by_role("region", name="Diagnosis")
    text = words(region.inner_text())
    assert "Denied" in text
    for code in CODES:
        assert code in text
    # findings grouped by kind
    expect(region.get_by_role("heading", name=re.compile(r"^Blockers"))).to_be_visible()
    expect(region.get_by_role("heading", name=re.compile(r"^Hardening"))).to_be_visible()
    # the path as a picture: every gate is a button with its result in words
    trust_gate = region.get_by_role("button", name=re.compile(r"^Trust policy")).first
    expect(trust_gate).to_be_visible()
    # the facts read from the error output are underlined in its box
    if real:
        expect(page.locator('.fact-mark[data-fact="caller"]')).to_have_count(1)
        expect(page.locator('.fact-mark[data-fact="role"]')).to_have_count(1)
    # evidence is highlighted in the boxes, and a gate scrolls to it
    trust_gate.click()
    expect(page.get_by_label("Trust policy", exact=True)).to_be_focused()
    # fixed files: verified, with copy and download
    expect(region.get_by_text("verified: allowed after this fix").first).to_be_visible()
    with page.expect_download() as dl:
        region.get_by_role("button", name="Download trust-policy.json").first.click()
    fixed = tmp_path / "trust.json"
    dl.value.save_as(fixed)
    assert "arn:aws:iam::123456789012:role/ci-runner" in fixed.read_text()
    with page.expect_download() as dl:
        region.get_by_role("button", name="Export report as Markdown").click()
    assert dl.value.suggested_filename.endswith(".md")
    with page.expect_download() as dl:
        region.get_by_role("button", name="Export report as HTML").click()
    assert dl.value.suggested_filename.endswith(".html")
    page.wait_for_timeout(300)  # the smooth scroll settles
    save_screenshot(page, f"page-diagnosis-{width}{'' if real else '-fixture'}")
    assert not page.errors


def test_dark_theme_screenshots(browser, site):
    for width in (375, 1440):
        context = browser.new_context(color_scheme="dark", viewport={"width": width, "height": 900})
        page = open_page(context, site, width)
        load_example(page)
        ensure_diagnosis(page)
        bg = page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
        assert bg == "rgb(13, 17, 23)"
        save_screenshot(page, f"page-dark-{width}")
        context.close()


def test_copy_puts_the_fixed_file_on_the_clipboard(context, site):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = open_page(context, site)
    load_example(page)
    ensure_diagnosis(page)
    region = page.get_by_role("region", name="Diagnosis")
    region.get_by_role("button", name="Copy fixed trust-policy.json").first.click()
    expect(region.get_by_text("Copied.").first).to_be_visible()
    assert "role/ci-runner" in page.evaluate("() => navigator.clipboard.readText()")


def test_unparseable_input_shows_line_and_column(context, site):
    page = open_page(context, site)
    box = page.get_by_label("Trust policy", exact=True)
    box.fill('{\n  "Version": "2012-10-17",\n  "Statement": [ {"Effect": "Allow" "Action": "sts:AssumeRole"} ]\n}\n')
    # no Diagnose click: the page re-runs as the user edits
    page.wait_for_function("() => document.querySelector('#in-trust-message') && !document.querySelector('#in-trust-message').hidden",
                           timeout=30_000)
    msg = described_by(box)
    assert re.search(r"Line 3, column \d+", msg), msg
    assert box.get_attribute("aria-invalid") == "true"
    save_screenshot(page, "page-unparseable-1440")


def test_open_files_routes_each_file_to_its_box(context, site, tmp_path):
    ex = ROOT / "examples" / "seed-cross-account"
    files = {
        "policy-a.json": (ex / "trust-policy.json").read_text(),   # named neither trust nor caller
        "policy-b.json": (ex / "caller-policy.json").read_text(),
        "apply.log": (ex / "error.txt").read_text(),
        "providers.tf": MAIN_TF.split("resource")[0],
        "prod.tfvars": 'region = "us-east-1"\n',
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    page = open_page(context, site)
    with page.expect_file_chooser() as fc:
        page.get_by_role("button", name="Open files").click()
    fc.value.set_files(paths)
    expect(page.get_by_role("status").filter(has_text="Placed:")).to_be_visible(timeout=30_000)
    assert "AccessDenied" in page.get_by_label("Error output", exact=True).input_value()
    provider = page.get_by_label("Provider configuration", exact=True).input_value()
    assert 'provider "aws"' in provider and 'region = "us-east-1"' in provider
    assert "old-ci-runner" in page.get_by_label("Trust policy", exact=True).input_value()
    assert '"sts:*"' in page.get_by_label("Caller permissions policy", exact=True).input_value()


def test_drop_files_anywhere_on_the_page(context, site):
    ex = ROOT / "examples" / "seed-cross-account"
    page = open_page(context, site)
    dt = page.evaluate_handle("""([trust, caller]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([trust], "role-trust.json", { type: "application/json" }));
        dt.items.add(new File([caller], "ci.json", { type: "application/json" }));
        return dt; }""", [(ex / "trust-policy.json").read_text(), (ex / "caller-policy.json").read_text()])
    target = page.get_by_role("heading", name="Diagnosis")
    target.dispatch_event("dragenter", {"dataTransfer": dt})
    target.dispatch_event("drop", {"dataTransfer": dt})
    expect(page.get_by_role("status").filter(has_text="Placed:")).to_be_visible(timeout=30_000)
    assert "old-ci-runner" in page.get_by_label("Trust policy", exact=True).input_value()
    assert '"sts:*"' in page.get_by_label("Caller permissions policy", exact=True).input_value()


def test_pasted_main_tf_is_split_into_its_parts(context, site):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = open_page(context, site)
    page.evaluate("(t) => navigator.clipboard.writeText(t)", MAIN_TF)
    box = page.get_by_label("Error output", exact=True)
    box.focus()
    page.keyboard.press("Control+V")
    expect(page.get_by_role("status").filter(has_text="Split the pasted Terraform")).to_be_visible(timeout=30_000)
    assert page.get_by_label("Error output", exact=True).input_value() == ""
    assert 'provider "aws"' in page.get_by_label("Provider configuration", exact=True).input_value()
    assert "aws_iam_policy_document" in page.get_by_label("Trust policy", exact=True).input_value()
    assert "aws_iam_role_policy" in page.get_by_label("Caller permissions policy", exact=True).input_value()


def test_keyboard_only_end_to_end(context, site):
    page = open_page(context, site)
    tab_to(page, page.get_by_role("button", name="Load example"))
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('textarea[data-input=provider]').value.includes('assume_role')")
    ensure_diagnosis(page)
    region = page.get_by_role("region", name="Diagnosis")
    gate = region.get_by_role("button", name=re.compile(r"conditions", re.I)).first
    tab_to(page, gate, limit=200)
    # the focus is visible: an outline is drawn on the focused gate's hit area
    assert page.evaluate("() => getComputedStyle(document.activeElement.querySelector('.hit')).strokeWidth") == "3px"
    page.keyboard.press("Enter")
    expect(page.get_by_label("Trust policy", exact=True)).to_be_focused()
    evidence = region.get_by_role("button", name=re.compile(r"^Provider configuration, line 7")).first
    tab_to(page, evidence, limit=200)
    page.keyboard.press("Space")
    expect(page.get_by_label("Provider configuration", exact=True)).to_be_focused()
    tab_to(page, region.get_by_role("button", name="Download trust-policy.json").first, limit=200)
    with page.expect_download():
        page.keyboard.press("Enter")


def _axe(page, site):
    url = site.url + "__test__/axe.min.js"
    page.context.route(url, lambda route: route.fulfill(body=AXE.read_text(), content_type="text/javascript"))
    page.add_script_tag(url=url)
    result = page.evaluate("async () => { const r = await axe.run(document, { resultTypes: ['violations'] });"
                           " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                           " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1440, 375])
def test_axe_finds_no_serious_violations(browser, site, width, scheme):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `python build.py test` (npm install in tests/node)")
    # service workers blocked: the test-only script must not go through the offline cache;
    # CSP bypassed: axe-core is injected as a script and writes HTML (the page requires Trusted Types)
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900}, service_workers="block",
                                  bypass_csp=True)
    try:
        page = open_page(context, site, width)
        load_example(page)
        ensure_diagnosis(page)
        page.get_by_role("region", name="Redaction preview").get_by_role("button", name="Redact selection").wait_for()
        bad = _axe(page, site)
        assert bad == [], bad
    finally:
        context.close()


def test_nothing_leaves_the_origin_without_the_llm(context, site):
    watch = Egress(context, site.url)
    page = open_page(context, site)
    load_example(page)
    ensure_diagnosis(page)
    preview = page.get_by_role("region", name="Redaction preview")
    sent = preview.get_by_label("Text that will be sent")
    expect(sent).to_contain_text("ACCOUNT_1")
    for secret in SECRETS:
        assert secret not in sent.inner_text()
    page.get_by_label("Trust policy", exact=True).fill(page.get_by_label("Trust policy", exact=True).input_value() + "\n")
    page.wait_for_timeout(800)  # one debounced re-run
    assert watch.foreign() == []
