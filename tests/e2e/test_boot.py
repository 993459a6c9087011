"""Issue 8: the page starts from the build-time memory snapshot, and falls
back to the normal start-up whenever the snapshot cannot be used."""

from __future__ import annotations

import gzip
import hashlib
import os

import pytest

from helpers import wait_ready


def first_verdict(page):
    page.get_by_role("button", name="Load example").click()
    region = page.get_by_role("region", name="Diagnosis")
    region.get_by_text("TRUST_PRINCIPAL_MISSING").first.wait_for(timeout=60_000)
    return region.inner_text()


def boot_mode(page) -> str:
    page.wait_for_function("() => document.body.dataset.boot !== undefined", timeout=120_000)
    return page.evaluate("() => document.body.dataset.boot")


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


@pytest.mark.parametrize("breakage", ["missing", "tampered", "truncated", "foreign"])
def test_unusable_snapshot_falls_back(context, site, breakage):
    """A snapshot from another build, a corrupted or cut-off one, or none at
    all: the worker notices (its size, its sha256, the decompression, or
    Pyodide's build id) and starts the normal way."""
    junk = gzip.compress(os.urandom(1 << 20))

    def broken(route):
        if breakage == "missing":
            return route.fulfill(status=404, body="not found")
        if breakage in ("tampered", "truncated"):
            image = bytearray(gzip.decompress(route.fetch().body()))
            if breakage == "tampered":  # one flipped byte: same size, only the sha256 can tell
                image[len(image) // 2] ^= 0xFF
            else:
                del image[-4096:]
            return route.fulfill(status=200, body=gzip.compress(bytes(image), 1),
                                 headers={"content-type": "application/octet-stream"})
        return route.fulfill(status=200, body=junk, headers={"content-type": "application/octet-stream"})

    def manifest(route):
        # "foreign": the manifest vouches for the junk, so it passes the size
        # and integrity checks and reaches Pyodide, which must refuse it
        body = route.fetch().json()
        raw = gzip.decompress(junk)
        body["sha256"] = hashlib.sha256(raw).hexdigest()
        body["size"] = len(raw)
        return route.fulfill(status=200, json=body)

    context.route("**/snapshot.bin.gz", broken)
    if breakage == "foreign":
        context.route("**/snapshot.json", manifest)
    warnings = []
    page = context.new_page()
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(site.url)
    wait_ready(page)
    assert boot_mode(page) == "normal"
    reason = {"missing": "HTTP 404", "tampered": "integrity check", "truncated": "smaller than its manifest",
              "foreign": "snapshot start-up failed"}[breakage]
    assert any("snapshot start-up failed" in w and reason in w for w in warnings), warnings
    assert "EXTERNAL_ID_MISMATCH" in first_verdict(page)
