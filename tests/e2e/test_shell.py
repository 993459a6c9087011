"""The page shell. The page loads Pyodide from its own origin in a
module worker, the worker answers, nothing leaves the origin, a visited page
works offline, and the offline bundle serves itself."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from helpers import Egress, ROOT, save_screenshot, wait_ready
from conftest import SiteServer


def diagnose_example(page):
    page.get_by_role("button", name="Load example").click()
    page.get_by_label("Provider configuration").wait_for()
    page.wait_for_function(
        "() => document.querySelector('textarea[data-input=provider]').value.includes('assume_role')")
    page.get_by_role("button", name="Diagnose").click()
    region = page.get_by_role("region", name="Diagnosis")
    region.get_by_text("terraform-deploy-role").first.wait_for(timeout=60_000)
    return region.inner_text()


def test_page_loads_and_worker_answers(context, site):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site.url)
    # the text areas are usable while Python is still loading
    page.get_by_label("Error output").fill("typed while loading")
    assert page.get_by_label("Error output").input_value() == "typed while loading"
    wait_ready(page)
    text = diagnose_example(page)
    assert "terraform-deploy-role" in text
    assert not errors, errors
    save_screenshot(page, "shell-answer")


def test_no_request_leaves_the_origin(context, site):
    watch = Egress(context, site.url)
    page = context.new_page()
    page.goto(site.url)
    wait_ready(page)
    diagnose_example(page)

    def paths() -> set[str]:
        return {u.split("?")[0].removeprefix(site.url) for u in watch.seen}

    # From the snapshot, the wheels are fetched once the worker is idle after the
    # first answer: wait for them (a minute at most), so their fetch is watched too.
    for _ in range(300):
        if any(p.startswith("wheels/roledoctor-") for p in paths()):
            break
        page.wait_for_timeout(200)
    assert watch.foreign() == []
    # the worker's own fetches are in the record: the wasm, the stdlib, our wheels
    assert "pyodide/pyodide.asm.wasm" in paths()
    assert any(p.startswith("wheels/roledoctor-") for p in paths())


def test_reload_works_offline_after_one_visit(browser, dist):
    server = SiteServer(dist)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url)
        wait_ready(page)
        # wait until the service worker has precached everything and controls the page
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
        wait_ready(page)
        server.stop()
        server = None
        context.set_offline(True)
        page.reload()
        wait_ready(page)
        assert "terraform-deploy-role" in diagnose_example(page)
    finally:
        context.close()
        if server:
            server.stop()


def test_tampered_artifact_stops_the_build(tmp_path):
    cache = ROOT / ".cache"
    tampered = tmp_path / "cache"
    tampered.mkdir()
    for p in cache.iterdir():
        if p.is_file():
            (tampered / p.name).write_bytes(p.read_bytes())
    wheel = tampered / "lark-1.3.1-py3-none-any.whl"
    data = bytearray(wheel.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wheel.write_bytes(bytes(data))
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "fetch"], capture_output=True, text=True,
                          env={**__import__("os").environ, "ROLEDOCTOR_CACHE": str(tampered)}, timeout=300)
    assert proc.returncode != 0
    assert "sha256 mismatch" in proc.stderr
    assert "lark-1.3.1-py3-none-any.whl" in proc.stderr
    assert "Traceback" not in proc.stderr


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bundle_serves_itself_offline(browser, dist, tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "bundle", "--no-build", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (zpath,) = tmp_path.glob("*.zip")
    unpacked = tmp_path / "unzipped"
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(unpacked)
    (top,) = unpacked.iterdir()
    port = free_port()
    server = subprocess.Popen([sys.executable, "serve.py", "--port", str(port)], cwd=top,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "http://127.0.0.1:" in server.stdout.readline()
        context = browser.new_context()
        base = f"http://127.0.0.1:{port}/"
        watch = Egress(context, base)
        page = context.new_page()
        page.goto(base)
        wait_ready(page)
        assert "terraform-deploy-role" in diagnose_example(page)
        assert watch.foreign() == []
        context.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
