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


def _is_sibling(path):
    """x.br / x.gz beside x: another encoding of x, not a file of its own."""
    return path.suffix in (".br", ".gz") and path.with_suffix("").is_file()


def test_service_worker_precaches_every_file(dist):
    sw = (dist / "sw.js").read_text()
    assert "__PRECACHE__" not in sw and "__VERSION__" not in sw
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw, re.S).group(1))
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file() and not _is_sibling(p)}
    assert files - {"sw.js", "_headers"} <= set(precache)
    assert "_headers" not in precache  # hosts that read it do not serve it
    # the encodings of a file are the host's business: the cache keeps the file once
    assert not [f for f in precache if f.endswith((".br", ".gz"))]


def test_precompressed_siblings_hold_the_same_bytes(dist):
    """Each compressible file over 1 KB has a .gz and a .br beside it; the .gz
    decodes to the file (the .br is checked in Chromium, test_encodings.py)."""
    import gzip

    big = [p for p in dist.rglob("*") if p.is_file() and not _is_sibling(p)
           and p.suffix in (".wasm", ".mjs", ".js", ".json", ".bin", ".css", ".html") and p.stat().st_size > 1024]
    assert dist / "snapshot.bin" in big and dist / "pyodide" / "pyodide.asm.wasm" in big
    for path in big:
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes(), path
        assert path.with_name(path.name + ".br").stat().st_size < path.stat().st_size, path
    assert not (dist / "pyodide" / "python_stdlib.zip.br").exists()  # deflated already


# Rebuilds the image from dist/snapshot.bin as web/boot.mjs does, in Node,
# with the memory of a fresh Pyodide start; prints the image's sha256.
REBUILD = """
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
const dist = process.argv[1];
const { loadPyodide } = await import(`${dist}/pyodide/pyodide.mjs`);
const { applyDelta } = await import(`${dist}/boot.mjs`);
const { default: create } = await import(`${dist}/pyodide/pyodide.asm.mjs`);
const manifest = JSON.parse(readFileSync(`${dist}/snapshot.json`, "utf8"));
const sent = new Uint8Array(readFileSync(`${dist}/snapshot.bin`));
const stop = new Error("stop");
let image;
try {
  await loadPyodide({ indexURL: `${dist}/pyodide/`, lockFileURL: `${dist}/pyodide-lock.json`,
    _loadSnapshot: new Uint8Array(16), createPyodideModule: async (settings) => {
      image = applyDelta(sent, (await create(settings)).HEAPU8, manifest.delta);
      throw stop;
    } });
} catch (err) { if (err !== stop) throw err; }
console.log(createHash("sha256").update(image).digest("hex"));
"""


def test_snapshot_is_sent_as_a_delta_of_the_start_up_memory(dist):
    """snapshot.bin is not the image: its data segments' span is XORed with
    the memory Pyodide starts with (a bitmap after the image says which
    words). Rebuilt as the page does, it is the image the manifest's sha256
    names; read as an image, it fails that check (an old page falls back)."""
    import subprocess

    manifest = json.loads((dist / "snapshot.json").read_text())
    delta = manifest["delta"]
    assert delta["format"] == "xor-base-v1"
    sent = (dist / "snapshot.bin").read_bytes()
    words = (delta["to"] - delta["from"]) // 4
    assert len(sent) == manifest["size"] == delta["image_size"] + (words + 7) // 8
    assert int.from_bytes(sent[:4], "little") == 1886286592  # Pyodide's snapshot magic: the header is as made
    assert hashlib.sha256(sent[: delta["image_size"]]).hexdigest() != manifest["sha256"]
    xored = sum(bin(b).count("1") for b in sent[delta["image_size"]:])
    assert words // 2 < xored < words  # most words of the data segments, not the varying ones
    proc = subprocess.run(["node", "--input-type=module", "-e", REBUILD, dist.resolve().as_posix()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == manifest["sha256"]


def _get(url, encoding):
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding is not None else {})
    with urllib.request.urlopen(req) as r:
        return r.headers, r.read()


@pytest.mark.parametrize("accept, expected", [
    ("gzip, deflate, br, zstd", "br"),  # what Chromium sends
    ("gzip", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("identity", None),
    (None, None),
])
def test_served_in_the_encoding_the_client_accepts(site, dist, accept, expected):
    """As static hosts do: a precompressed sibling with its Content-Encoding,
    the file's own type, and Vary so that caches keep the encodings apart."""
    import gzip

    headers, body = _get(site.url + "snapshot.bin", accept)
    raw = (dist / "snapshot.bin").read_bytes()
    assert headers.get("Content-Encoding") == expected
    assert headers["Vary"] == "Accept-Encoding"
    assert headers["Content-Type"] == "application/octet-stream"
    assert int(headers["Content-Length"]) == len(body)
    if expected is None:
        assert body == raw
    elif expected == "gzip":
        assert gzip.decompress(body) == raw
    else:
        assert body == (dist / "snapshot.bin.br").read_bytes()


def test_compressible_file_without_sibling_is_gzipped_on_the_fly(tmp_path):
    """A site without siblings (the bare bench page, a copy of web/) is still
    served as a host serves it: compressible types gzipped, zips as they are."""
    import gzip
    import threading

    (tmp_path / "index.html").write_text("<!doctype html>" + "x" * 5000)
    (tmp_path / "a.zip").write_bytes(b"PK" + bytes(5000))
    server = load_server_module().make_server(tmp_path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        headers, body = _get(url, "gzip, br")
        assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == (tmp_path / "index.html").read_bytes()
        headers, body = _get(url + "a.zip", "gzip, br")
        assert headers.get("Content-Encoding") is None and body == (tmp_path / "a.zip").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_accept_encoding_parsing():
    accepted = load_server_module().accepted_encodings
    assert accepted("gzip, deflate, br") == {"gzip", "deflate", "br"}
    assert accepted("br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted("BR ; q=1") == {"br"}
    assert accepted("gzip;q=x") == set()
    assert accepted(None) == set()


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
