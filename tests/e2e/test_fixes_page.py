"""The fixed files on the page: each proven ("verified: allowed after this fix"),
an alternative side by side with the fix it stands in for, one button that saves
them all as a zip (written by web/zip.mjs), and copy buttons that copy exactly the
text the engine produced. The expected texts come from the same entry point run in
CPython (webapi.handle), so the page and the CLI core must agree byte for byte."""

from __future__ import annotations

import json
import zipfile

from playwright.sync_api import expect

from e2e.pagekit import ensure_diagnosis, load_example, open_page
from roledoctor import webapi


def _boxes(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('textarea[data-input]')]
        .filter((t) => t.value.trim()).map((t) => [t.dataset.input, t.value]))""")


def _expected(page) -> dict:
    reply = json.loads(webapi.handle("diagnose", json.dumps({"inputs": _boxes(page)})))
    assert reply["ok"], reply
    return reply["result"]


def test_download_all_fixed_files_is_a_zip_of_every_proven_fix(context, site, tmp_path):
    page = open_page(context, site, 1440)
    load_example(page)
    assert ensure_diagnosis(page), "the real engine must answer"
    want = _expected(page)
    fixes = want["fixes"]
    assert any(f["alternative"] for f in fixes)  # the example has two ways to fix the external ID
    region = page.get_by_role("region", name="Diagnosis")
    with page.expect_download() as dl:
        region.get_by_role("button", name="Download all fixed files").click()
    assert dl.value.suggested_filename == "roledoctor-fixes.zip"
    path = tmp_path / "fixes.zip"
    dl.value.save_as(path)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None  # every CRC-32 is right
        got = {i.filename: z.read(i).decode("utf-8") for i in z.infolist()}
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
    expected = {("alternative/" if f["alternative"] else "") + f["filename"]: f["after"] for f in fixes}
    assert got == expected
    assert all(f["verdict_after"] == "allowed" for f in fixes)
    assert not page.errors


def test_alternatives_are_side_by_side_and_each_is_verified(context, site):
    page = open_page(context, site, 1440)
    load_example(page)
    assert ensure_diagnosis(page)
    want = _expected(page)
    alt = next(f for f in want["fixes"] if f["alternative"])
    either = [f for f in want["fixes"] if f["name"] in alt["replaces"]]
    assert either, alt
    group = page.get_by_role("group", name=f"Two ways to fix it: {', '.join(f['title'] for f in either)} or {alt['title']}")
    expect(group).to_be_visible()
    left, right = group.locator(".option").nth(0), group.locator(".option").nth(1)
    expect(left.get_by_text("verified: allowed after this fix")).to_be_visible()
    expect(right.get_by_text("verified: allowed after this fix")).to_be_visible()
    a, b = left.bounding_box(), right.bounding_box()
    assert a and b and b["x"] >= a["x"] + a["width"] - 1 and abs(a["y"] - b["y"]) < 2  # side by side
    expect(left.get_by_text(either[0]["filename"]).first).to_be_visible()
    expect(right.get_by_text(alt["filename"]).first).to_be_visible()


def test_copy_buttons_copy_exactly_the_fix_and_the_next_commands(context, site):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = open_page(context, site, 1440)
    load_example(page)
    assert ensure_diagnosis(page)
    want = _expected(page)
    region = page.get_by_role("region", name="Diagnosis")
    provider = next(f for f in want["fixes"] if f["name"] == "provider")
    region.get_by_role("button", name=f"Copy fixed {provider['filename']}").first.click()
    page.wait_for_function("(t) => navigator.clipboard.readText().then((c) => c === t)", arg=provider["after"],
                           timeout=10_000)
    commands = want["report"]["next_commands"]
    assert commands
    script = "".join(f"# {c['why']}\n{c['command']}\n" for c in commands)
    region.get_by_role("button", name="Copy the commands").click()
    page.wait_for_function("(t) => navigator.clipboard.readText().then((c) => c === t)", arg=script, timeout=10_000)
    assert page.evaluate("() => navigator.clipboard.readText()") == script
