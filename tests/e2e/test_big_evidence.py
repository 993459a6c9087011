"""A large `aws iam get-account-authorization-details` output (over the 5 MB of a text box),
opened on the page: the worker reads it (never a text box), the box shows it as a chip with
the facts read, the diagnosis uses it and says what `roledoctor diagnose` says of the same
file, the redaction preview covers it without its whole text, and the page stays responsive.
Too large or not AWS evidence: a message naming the file and the limit.
The output's shape: https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from bench import big_authorization_details
from e2e.pagekit import open_page
from helpers import ROOT

ACCOUNT = "210987654321"  # (111111111111 is a documentation account the redactor leaves alone)
# Responsiveness: no task of the page's thread may take this long while the file is read,
# parsed and diagnosed (the work is in the worker; the page only draws). Generous: the
# machine is shared; a frozen page (a 9 MB textarea) takes seconds.
LONGEST_TASK_MS = 1500

WATCH = """() => {
  window.__longest = 0; window.__frames = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: "longtask", buffered: false });
  const tick = () => { window.__frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.__stages = new Set();  // what the chip said while the file was read
  new MutationObserver(() => {
    for (const s of document.querySelectorAll(".held-stage")) if (s.textContent) window.__stages.add(s.textContent);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """~9 MB of authorization details, an error naming a user and a role of it, and the CLI's answer."""
    tmp = tmp_path_factory.mktemp("big")
    text = big_authorization_details(9_000_000, ACCOUNT)
    path = tmp / "authorization-details.json"
    path.write_text(text)
    n = text.count('"RoleName"') // 2
    error = (f"api error AccessDenied: User: arn:aws:iam::{ACCOUNT}:user/user-{n - 1} is not authorized to "
             f"perform: sts:AssumeRole on resource: arn:aws:iam::{ACCOUNT}:role/role-{n - 2}\n")
    err = tmp / "error.txt"
    err.write_text(error)
    cli = subprocess.run([sys.executable, "-m", "roledoctor", "diagnose", str(err), str(path), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    report = json.loads(cli.stdout)
    assert path.stat().st_size > 5_000_000
    roles = len(json.loads(text)["RoleDetailList"])
    return {"path": path, "error": error, "roles": roles, "caller": f"user-{n - 1}", "cli": report}


def codes(report: dict) -> list[str]:
    return sorted(f["code"] for f in report["findings"])


def test_large_authorization_details_become_a_chip_and_are_diagnosed(context, site, big):
    page = open_page(context, site)
    page.get_by_label("Error output", exact=True).fill(big["error"])
    page.evaluate(WATCH)
    with page.expect_file_chooser() as fc:
        page.get_by_role("button", name="Open files").click()
    fc.value.set_files(str(big["path"]))

    chip = page.locator(".held-file")
    expect(chip).to_contain_text(f"authorization details of account {ACCOUNT}", timeout=120_000)
    expect(chip).to_contain_text(f"{big['roles']:,} roles")  # the facts read, with thousands marked
    expect(chip).to_contain_text("authorization-details.json")
    expect(page.get_by_role("status").filter(has_text="Placed:")).to_contain_text("authorization-details.json")
    cli = big["cli"]
    region = page.get_by_role("region", name="Diagnosis")
    for code in codes(cli):
        expect(region).to_contain_text(code, timeout=120_000)
    expect(region.locator(".verdict-word")).to_have_text(cli["verdict"].capitalize())
    # never into a text box: every box keeps the 5 MB limit
    assert page.get_by_label("AWS evidence", exact=True).input_value() == ""
    assert page.evaluate("() => Math.max(...[...document.querySelectorAll('textarea')].map(t => t.value.length))") < 5_000_000
    # the same findings as the CLI on the same file (the page's own request, held file by name)
    held = chip.get_attribute("data-input")
    answer = page.evaluate("async (inputs) => (await import('./app.mjs')).call('diagnose', {inputs})",
                           {"error": big["error"], "held": [held]})
    assert codes(answer["report"]) == codes(cli)
    assert answer["report"]["verdict"] == cli["verdict"]
    assert answer["report"]["request"]["role"] == cli["request"]["role"]
    # responsive all along: frames kept coming, no long task on the page's thread
    longest, frames, stages = page.evaluate("() => [window.__longest, window.__frames, [...window.__stages]]")
    assert any(re.fullmatch(r"Reading [\d.]+ MB of 1\d(\.\d)? MB…", s) for s in stages), stages  # progress shown
    assert any(s.startswith("Parsing ") for s in stages), stages
    assert "Diagnosing…" in stages, stages
    assert frames > 10
    assert longest < LONGEST_TASK_MS, f"the page's thread was blocked for {longest:.0f} ms"

    # the redaction preview covers it: a summary and the entries used, redacted; never the whole text
    preview = page.get_by_role("region", name="Redaction preview").get_by_label("Text that will be sent")
    expect(preview).to_contain_text("Not included in full", timeout=60_000)
    sent = preview.inner_text()
    assert ACCOUNT not in sent
    assert "ACCOUNT_1" in sent
    assert f'"UserName": "{big["caller"]}"' in sent  # the caller's entry, quoted
    assert len(sent) < 100_000

    # removed: gone from the box and from the diagnosis
    chip.get_by_role("button", name="Remove authorization-details.json").click()
    expect(chip).to_have_count(0)
    after = page.evaluate("async (inputs) => (await import('./app.mjs')).call('diagnose', {inputs})",
                          {"error": big["error"], "held": [held]})
    assert codes(after["report"]) != codes(cli)  # the worker let it go: the error alone decides less
    assert not page.errors


def test_too_large_or_not_evidence_is_refused_by_name(context, site):
    page = open_page(context, site)
    dt = page.evaluate_handle("""() => {
      const dt = new DataTransfer();
      // over the page's limit for AWS evidence (100 MB): refused before a byte is read
      dt.items.add(new File(['{"UserDetailList": [', new Uint8Array(101_000_000)], "huge-authorization-details.json"));
      // over a box's 5 MB and no AWS evidence: refused by its first bytes
      dt.items.add(new File([new Uint8Array(6_000_000).fill(65)], "big.log"));
      // looks like authorization details, is not JSON: the worker's reader says where
      dt.items.add(new File(['{"UserDetailList": [', " ".repeat(6_000_000), "oops"], "broken.json"));
      return dt; }""")
    page.get_by_role("heading", name="Diagnosis").dispatch_event("drop", {"dataTransfer": dt})
    status = page.get_by_role("status").filter(has_text="Placed:")
    expect(status).to_be_visible(timeout=120_000)
    text = status.inner_text()
    assert "huge-authorization-details.json: not read, too large (101 MB; AWS evidence files are read up to 100 MB)" in text
    assert "big.log: not read, too large (6 MB, the limit is 5 MB): only AWS evidence" in text
    assert "broken.json: not read" in text and "line 1, column" in text
    expect(page.locator(".held-file")).to_have_count(0)
    assert page.get_by_label("AWS evidence", exact=True).input_value() == ""
    assert not page.errors
