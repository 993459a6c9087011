"""The page starts from the build-time memory snapshot, and falls
back to the normal start-up whenever the snapshot cannot be used."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from conftest import SiteServer
from helpers import wait_ready
from e2e.pagekit import boot_mode, first_verdict


def test_starts_from_the_snapshot(context, site):
    warnings = []
    page = context.new_page()
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(site.url)
    wait_ready(page)
    assert boot_mode(page) == "snapshot", warnings
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)
    # lazy imports need the wheels' files, which the snapshot does not hold
    reply = page.evaluate("async () => (await import('./app.mjs')).call('about', {})")
    assert reply["python"].startswith("3.14")


def test_normal_start_up_on_request(context, site):
    page = context.new_page()
    page.goto(site.url + "?boot=normal")
    wait_ready(page)
    assert boot_mode(page) == "normal"
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)


def _site_with_image(dist, tmp_path, image: bytes):
    """dist/ with another snapshot.bin (and no precompressed copies of it):
    a 45 MB body is served faster by a server than through a route."""
    site = tmp_path / "site"
    site.mkdir()
    for entry in dist.iterdir():
        if not entry.name.startswith("snapshot.bin"):
            (site / entry.name).symlink_to(entry)
    (site / "snapshot.bin").write_bytes(image)
    return SiteServer(site)


def _broken_image(dist, breakage: str) -> bytes:
    """snapshot.bin with one flipped byte: in the heap after the delta's span
    ("tampered"), in the span that is XORed with the start-up memory
    ("span"), or one bit of the bitmap that says which words are ("bitmap":
    a word then left XORed); or its last 4 KB cut off ("truncated")."""
    image = bytearray((dist / "snapshot.bin").read_bytes())
    delta = json.loads((dist / "snapshot.json").read_text())["delta"]
    header = int.from_bytes(image[4:8], "little")
    if breakage == "tampered":
        image[len(image) // 2] ^= 0xFF
    elif breakage == "span":
        image[header + (delta["from"] + delta["to"]) // 2] ^= 0xFF
    elif breakage == "bitmap":
        at = next(i for i in range(delta["image_size"], len(image)) if image[i])
        image[at] &= image[at] - 1  # its lowest bit set cleared
    else:
        del image[-4096:]
    return bytes(image)


@pytest.mark.parametrize("breakage", ["missing", "tampered", "span", "bitmap", "truncated", "foreign", "format"])
def test_unusable_snapshot_falls_back(context, site, dist, tmp_path, breakage):
    """A snapshot from another build, a corrupted or cut-off one, a delta of
    a format this page does not know, or none at all: the worker notices (its
    size, the rebuilt image's sha256, or Pyodide's build id) and starts the
    normal way."""
    junk = os.urandom(1 << 20)

    def manifest(route):
        body = route.fetch().json()
        if breakage == "format":
            body["delta"]["format"] = "xor-base-v0"
            return route.fulfill(status=200, json=body)
        # "foreign": the manifest vouches for the junk as a plain image, so it
        # passes the size and integrity checks and reaches Pyodide, which must refuse it
        body["sha256"] = hashlib.sha256(junk).hexdigest()
        body["size"] = len(junk)
        del body["delta"]
        return route.fulfill(status=200, json=body)

    server = None
    url = site.url
    if breakage == "missing":
        context.route("**/snapshot.bin", lambda route: route.fulfill(status=404, body="not found"))
    elif breakage == "foreign":
        context.route("**/snapshot.bin", lambda route: route.fulfill(
            status=200, body=junk, headers={"content-type": "application/octet-stream"}))
        context.route("**/snapshot.json", manifest)
    elif breakage == "format":
        context.route("**/snapshot.json", manifest)
    else:
        server = _site_with_image(dist, tmp_path, _broken_image(dist, breakage))
        url = server.url
    try:
        warnings = []
        page = context.new_page()
        page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
        page.goto(url)
        wait_ready(page)
        assert boot_mode(page) == "normal"
        reason = {"missing": "HTTP 404", "tampered": "integrity check", "span": "integrity check",
                  "bitmap": "integrity check", "truncated": "smaller than its manifest",
                  "foreign": "snapshot start-up failed", "format": "unknown image format"}[breakage]
        assert any("snapshot start-up failed" in w and reason in w for w in warnings), warnings
        assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)
    finally:
        if server:
            server.stop()


class _Planted:
    """Unpickled, this changes the version `about` reports: the page can tell if it ran."""

    def __reduce__(self):
        return (exec, ("import roledoctor.webapi as w; w.__version__ = 'PWNED'",))


@pytest.mark.parametrize("breakage", ["flipped", "planted"])
def test_tampered_parser_tables_are_not_loaded(context, site, breakage):
    """The parser tables are a pickle (unpickling runs code): the worker checks
    them against the manifest's sha256 before Python sees them; a file that
    fails is skipped and the parser is built instead. "planted": the real
    header, then a pickle that runs code."""
    import pickle

    def tampered(route):
        body = route.fetch().body()
        if breakage == "flipped":
            body = bytearray(body)
            body[len(body) // 2] ^= 0xFF
        else:
            body = body[: body.index(b"\n") + 1] + pickle.dumps(_Planted())
        return route.fulfill(status=200, body=bytes(body), headers={"content-type": "application/octet-stream"})

    context.route("**/cache/*.tables", tampered)
    warnings = []
    page = context.new_page()
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(site.url + "?boot=normal")
    wait_ready(page)
    assert boot_mode(page) == "normal"
    assert any("cache/" in w and "not used" in w for w in warnings), warnings
    reply = page.evaluate("async () => (await import('./app.mjs')).call('about', {})")
    assert reply["version"] != "PWNED", "the planted pickle ran in the page"
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)


# ---- what the page does while Python starts (nothing repeated, nothing in the way)

COUNT_POSTS = """
window.__posted = [];
const post = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message, ...rest) {
  if (message && message.method) window.__posted.push(message.method);
  return post.call(this, message, ...rest);
};
"""


def test_edits_while_loading_give_one_diagnosis_of_the_newest_inputs(context, site):
    """Loading the example, editing it and pressing Diagnose while Python
    starts queue one diagnosis, not three, and it is of the edited inputs."""
    page = context.new_page()
    page.add_init_script(COUNT_POSTS)
    page.goto(site.url + "?boot=normal")  # the normal start: seconds of loading to edit in
    page.get_by_role("button", name="Load example").click()
    page.wait_for_function("() => document.querySelector('#in-provider').value.includes('acme-ci-7f3a')")
    provider = page.locator("#in-provider")
    provider.fill(provider.input_value().replace("acme-ci-7f3a", "acme-ci-7f2a"))  # now matches the trust policy
    page.get_by_role("button", name="Diagnose").click()
    assert page.evaluate("() => document.body.dataset.boot") is None, "the engine was ready too soon for this test"
    assert "Waiting for the analysis engine" in page.locator("#diagnosis-body").inner_text()
    region = page.get_by_role("region", name="Diagnosis")
    region.get_by_text("TRUST_PRINCIPAL_MISSING").first.wait_for(timeout=120_000)
    page.wait_for_timeout(600)  # longer than the edit debounce: a second request would have been sent
    assert "EXTERNAL_ID_MISMATCH" not in region.inner_text()
    assert page.evaluate("() => window.__posted.filter((m) => m === 'diagnose').length") == 1


def test_offline_copy_waits_until_the_engine_is_ready(context, site):
    """The service worker (which precaches all of dist/) is registered only
    once Python is ready, so that it does not compete with the start-up."""
    page = context.new_page()
    page.goto(site.url + "?boot=normal")
    page.wait_for_function("() => document.querySelector('#load-example') !== null")
    before = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()) === undefined")
    assert page.evaluate("() => document.body.dataset.boot") is None, "the engine was ready too soon for this test"
    assert before, "registered during the start-up"
    wait_ready(page)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")


def test_messages_from_the_worker_before_the_page_script_are_kept(context, site):
    """start.js starts the worker before app.mjs loads; what the worker says
    meanwhile (progress, ready) reaches the page once app.mjs takes over."""
    held = []
    context.route("**/app.mjs", lambda route: held.append(route))
    page = context.new_page()
    page.goto(site.url, wait_until="commit")
    page.wait_for_function("() => (self.roledoctorWorker?.early ?? []).some((m) => m.type === 'boot')",
                           timeout=120_000)
    assert len(held) == 1 and page.evaluate("() => document.body.dataset.boot") is None
    held[0].continue_()
    wait_ready(page)
    assert boot_mode(page) == "snapshot"
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)
