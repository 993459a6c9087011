"""What build.py puts in dist/ and how it is served."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request

import pytest

from conftest import load_server_module
from helpers import ROOT


def test_meta_csp_equals_the_served_header():
    html = (ROOT / "web" / "index.html").read_text()
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    serve = load_server_module()
    assert meta == serve.CSP
    assert serve.DEFAULT_HEADERS["Content-Security-Policy"] == meta + "; frame-ancestors 'none'"
    assert "require-trusted-types-for 'script'" in meta and "worker-src 'self' blob:" in meta
    assert "'unsafe-eval'" not in meta and "'unsafe-inline'" not in meta
    assert "script-src 'self' 'wasm-unsafe-eval'" in meta


def test_no_inline_script_or_style_in_the_page():
    html = (ROOT / "web" / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "no third-party resources"


def test_lock_file_pins_every_wheel_by_sha256(dist):
    lock = json.loads((dist / "pyodide-lock.json").read_text())
    assert lock["info"]["python"].startswith("3.14")
    names = set(lock["packages"])
    assert {"roledoctor", "python-hcl2", "lark", "jinja2", "markupsafe", "micropip"} <= names
    for entry in lock["packages"].values():
        wheel = dist / entry["file_name"]
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], wheel.name
        for dep in entry["depends"]:
            assert dep in names


def test_service_worker_precaches_every_file(dist):
    sw = (dist / "sw.js").read_text()
    assert "__PRECACHE__" not in sw and "__VERSION__" not in sw
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw, re.S).group(1))
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {"sw.js", "_headers"}
    assert files <= set(precache)
    assert "_headers" not in precache  # hosts that read it do not serve it


def test_served_with_mime_types_and_csp(site):
    def head(path):
        with urllib.request.urlopen(site.url + path) as r:
            return r.headers
    assert head("pyodide/pyodide.asm.wasm")["Content-Type"] == "application/wasm"
    assert head("worker.mjs")["Content-Type"] == "text/javascript"
    site_headers = load_server_module().headers_for(ROOT / "dist")
    assert head("worker.mjs")["Content-Security-Policy"] == site_headers["Content-Security-Policy"]
    assert head("index.html")["X-Frame-Options"] == "DENY"
    with pytest.raises(urllib.error.HTTPError, match="404"):
        head("_headers")  # read by the server, not served
    assert head("index.html")["Content-Security-Policy"]
