"""What the first answer waits for on the snapshot start: the image (sent
compressed by the host, decoded by the browser), Pyodide's wasm and script,
and nothing else. The standard library's zip and the wheels come after it,
and a request that needs one of their files waits for them and is run again."""

from __future__ import annotations

import hashlib
import re

from helpers import wait_ready
from e2e.pagekit import boot_mode, first_verdict


STAGES = """
window.__stages = [];
new MutationObserver(() => {
  const t = document.querySelector('#load-stage')?.textContent;
  if (t && window.__stages.at(-1) !== t) window.__stages.push(t);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def test_first_answer_waits_for_neither_the_standard_library_nor_the_wheels(context, site):
    """Both held back by the network: the example's verdict still comes (from
    the image alone), and once they are let through, lazy imports work."""
    held = []
    context.route("**/pyodide/python_stdlib.zip", lambda route: held.append(route))
    context.route("**/wheels/*.whl", lambda route: held.append(route))
    page = context.new_page()
    page.goto(site.url)
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)
    assert boot_mode(page) == "snapshot"
    page.wait_for_timeout(1000)  # the worker asks for them once it is idle
    asked = {route.request.url.rsplit("/", 1)[-1] for route in held}
    assert "python_stdlib.zip" in asked and any(a.startswith("roledoctor-") for a in asked), asked
    for route in held:
        route.continue_()
    reply = page.evaluate("async () => (await import('./app.mjs')).call('about', {})")
    assert reply["python"].startswith("3.14")


def test_a_request_that_needs_files_waits_for_them(context, site):
    """The `bench` method imports `statistics`, a module the image does not
    hold: while the standard library's zip is held back it gets no answer
    (none from a half-started engine), and once the zip arrives it gets the
    right one."""
    held = []
    context.route("**/pyodide/python_stdlib.zip", lambda route: held.append(route))
    said = []
    page = context.new_page()
    page.on("console", lambda m: said.append(m.text))
    page.goto(site.url)
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)  # the first answer needs no file
    assert boot_mode(page) == "snapshot"
    page.evaluate("""() => { window.__bench = null;
        import('./app.mjs').then((m) => m.call('bench', { inputs: { error: 'Error: Cannot assume IAM Role' }, repeat: 1 }))
          .then((r) => { window.__bench = r; }, (e) => { window.__bench = { error: String(e) }; }); }""")
    page.wait_for_timeout(1500)
    assert held, "the worker did not ask for the standard library"
    assert page.evaluate("() => window.__bench") is None, "answered before its files were there"
    assert any("bench needs files (statistics" in s for s in said), said
    for route in held:
        route.continue_()
    page.wait_for_function("() => window.__bench !== null", timeout=60_000)
    reply = page.evaluate("() => window.__bench")
    assert reply.get("n") == 1 and reply["verdict"], reply


def test_the_report_export_waits_for_the_template_engine(context, site, tmp_path):
    """jinja2 is not in the image (only the exports use it): an export asked
    for before the wheels are in waits for them, then downloads the report."""
    held = []
    context.route("**/pyodide/python_stdlib.zip", lambda route: held.append(route))
    context.route("**/wheels/*.whl", lambda route: held.append(route))
    said = []
    page = context.new_page()
    page.on("console", lambda m: said.append(m.text))
    page.goto(site.url)
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)  # drawn without jinja2
    assert boot_mode(page) == "snapshot"
    region = page.get_by_role("region", name="Diagnosis")
    with page.expect_download(timeout=60_000) as dl:
        region.get_by_role("button", name="Export report as HTML").click()
        page.wait_for_timeout(1500)
        assert any(s.startswith("roledoctor: export needs files (") for s in said), said
        assert held
        for route in held:
            route.continue_()
    report = tmp_path / "report.html"
    dl.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "EXTERNAL_ID_MISMATCH" in html


def test_progress_says_how_much_of_the_image_has_arrived(context, site):
    page = context.new_page()
    page.add_init_script(STAGES)
    page.goto(site.url)
    wait_ready(page)
    stages = page.evaluate("() => window.__stages")
    amounts = [tuple(map(float, m.groups())) for t in stages
               if (m := re.search(r"image \((\d+\.\d) of (\d+\.\d) MB\)", t))]
    assert amounts, stages
    size = (site_size := amounts[0][1])
    assert all(total == site_size for _, total in amounts) and size > 1
    got = [a for a, _ in amounts]
    assert got == sorted(got) and got[-1] <= size
    assert stages[-1].startswith("Ready"), stages


def test_the_browser_decodes_what_the_host_compressed(context, site, dist):
    """Chromium asks for br, the host sends the .br sibling, and the page reads
    the very bytes of the file (as the image's sha256 check needs)."""
    page = context.new_page()
    page.goto(site.url)
    for name in ("snapshot.bin", "pyodide/pyodide.asm.wasm", "app.mjs"):
        got = page.evaluate("""async (name) => {
            const res = await fetch(name, { cache: "no-store" });
            const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await res.arrayBuffer()));
            const entry = performance.getEntriesByType("resource").filter((e) => e.name.endsWith(name)).at(-1);
            return { sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
                     encoded: entry.encodedBodySize, decoded: entry.decodedBodySize };
        }""", name)
        path = dist / name
        assert got["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), name
        assert got["decoded"] == path.stat().st_size, name
        assert got["encoded"] == (dist / f"{name}.br").stat().st_size, name
