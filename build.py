#!/usr/bin/env python3
"""Build, serve, bundle, test and benchmark roledoctor. Standard library only,
so it runs before anything is installed.

  python build.py serve [--port 8000]   fetch pinned artifacts, build dist/, serve it
  python build.py test [PYTEST ARGS]    install test needs, build dist/, run every test
  python build.py build                 build dist/ only
      [--llm-origin https://llm.example.com]   (repeatable; also for serve and bundle)
                                          let the page call this LLM endpoint too
  python build.py bundle                dist/ + a one-file server as a zip
  python build.py bench                 speed measurements (prints numbers)
  python build.py fetch                 fetch and verify the pinned artifacts only
  python build.py docs                  write docs/findings.md from the catalogue
  python -m build                       wheel and sdist (PyPA's build; this file hands over to it)

Every fetched file is checked against the sha256 pins below; a mismatch stops
the build. Fetched files are kept in .cache/ (ignored by git).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / "tools"

if __name__ == "__main__" and __spec__ is not None and __spec__.name == "build":
    # `python -m build` in this folder finds this file before PyPA's build (the
    # current directory comes first on sys.path): hand over to the real one.
    import runpy
    sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != ROOT]
    try:
        runpy.run_module("build", run_name="__main__", alter_sys=True)
    except ImportError:
        sys.exit("python -m build: PyPA's build is not installed here (pip install build)")
    sys.exit(0)
CACHE = Path(os.environ.get("ROLEDOCTOR_CACHE", ROOT / ".cache"))
DIST = ROOT / "dist"
WEB = ROOT / "web"
EXAMPLE = ROOT / "examples" / "seed-cross-account"

PYODIDE_VERSION = "314.0.7"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")


class Pin(NamedTuple):
    """One fetched artifact. source "npm": `npm pack`; "pypi": a wheel through
    pip (a wheel is never built or run by pip download); "sdist": the source
    archive itself, by its URL, never through pip (pip would install a build
    backend and run the sdist's build hooks before any hash is checked).
    version: None for the runtime dependencies, whose `==` pin is written once,
    in pyproject.toml. lock: (import names, depends) of its entry in our
    pyodide-lock.json, None for none."""

    project: str
    source: str
    sha256: str
    version: str | None = None
    lock: tuple[list[str], list[str]] | None = None

    @property
    def release(self) -> str:
        return self.version or dependency_pins()[self.project]

    @property
    def requirement(self) -> str:
        return f"{self.project}@{self.release}" if self.source == "npm" else f"{self.project}=={self.release}"

    @property
    def file_name(self) -> str:
        if self.source == "npm":
            return f"{self.project}-{self.release}.tgz"
        if self.source == "sdist":
            return f"{self.project}-{self.release}.tar.gz"
        return f"{re.sub(r'[-.]', '_', self.project)}-{self.release}-py3-none-any.whl"

    @property
    def wheel_name(self) -> str:
        """The wheel in dist/wheels (an sdist's is made here: pure Python)."""
        return f"{self.project.lower()}-{self.release}-py3-none-any.whl" if self.source == "sdist" else self.file_name

    @property
    def lock_name(self) -> str:
        return re.sub(r"[._]", "-", self.project.lower())  # as Pyodide normalises names


# Every pin and lock entry, one row each.
PIN_TABLE = (
    Pin("pyodide", "npm", "66b7949e5a0cba2250b586d7e368bf12fb482800748d182c4618254b685ffaa0", PYODIDE_VERSION),
    Pin("lark", "pypi", "c629b661023a014c37da873b4ff58a817398d12635d3bbb2c5a03be7fe5d1e12",
        lock=(["lark"], [])),
    Pin("python-hcl2", "pypi", "75738bd95717d692a683495babf4d00063f1b211e2eca04b156c6d79b9a0feae",
        lock=(["hcl2"], ["lark"])),
    Pin("jinja2", "pypi", "85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67",
        lock=(["jinja2"], ["markupsafe"])),
    # jinja2's dependency; no wasm wheel on PyPI, so the wheel is made from the sdist
    Pin("markupsafe", "sdist", "722695808f4b6457b320fdc131280796bdceb04ab50fe1795cd540799ebe1698", "3.0.3",
        lock=(["markupsafe"], [])),
    Pin("micropip", "pypi", "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3", "0.11.1",
        lock=(["micropip"], [])),
    # YAML for CI files (py/roledoctor/inputs/yamlsafe.py): pure Python, no dependencies
    # (its C extension is an extra); https://pypi.org/project/ruamel.yaml/0.19.1/
    Pin("ruamel.yaml", "pypi", "27592957fedf6e0b62f281e96effd28043345e0e66001f97683aa9a40c667c93",
        lock=(["ruamel"], [])),
)


def dependency_pins() -> dict[str, str]:
    """project -> version of pyproject.toml's `name==version` dependencies."""
    import tomllib
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return dict(d.replace(" ", "").split("==", 1) for d in deps)


PINS = {pin.file_name: pin for pin in PIN_TABLE}
PINS_BY_PROJECT = {pin.project: pin for pin in PIN_TABLE}
PYODIDE_TGZ = f"pyodide-{PYODIDE_VERSION}.tgz"


class BuildError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- fetching

PYPI_SIMPLE = "https://pypi.org/simple/"
MAX_DOWNLOAD = 100_000_000


def pypi_file_url(project: str, filename: str) -> str:
    """The URL of one release file, from PyPI's JSON Simple API (PEP 691:
    https://peps.python.org/pep-0691/)."""
    index_url = f"{PYPI_SIMPLE}{project}/"
    req = urllib.request.Request(index_url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            index = json.loads(res.read(MAX_DOWNLOAD))
    except (OSError, ValueError) as err:
        raise BuildError(f"could not read the PyPI index of {project}: {err}") from None
    for f in index.get("files", []):
        if f.get("filename") == filename:
            url = urllib.parse.urljoin(index_url, f["url"])  # PEP 691 allows relative URLs
            if urllib.parse.urlsplit(url).scheme != "https":
                raise BuildError(f"{filename}: not an https URL: {url}")
            return url
    raise BuildError(f"{filename} is not in the PyPI index of {project}")


def download_checked(url: str, dest: Path, pin: str) -> None:
    """Stream `url` into `dest`, hashing as it comes; a file whose sha256 is not
    the pin is deleted before anything opens it."""
    h = hashlib.sha256()
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=120) as res, open(dest, "wb") as out:
            for chunk in iter(lambda: res.read(1 << 20), b""):
                size += len(chunk)
                if size > MAX_DOWNLOAD:
                    raise BuildError(f"{url}: larger than {MAX_DOWNLOAD // 1_000_000} MB")
                h.update(chunk)
                out.write(chunk)
    except OSError as err:
        dest.unlink(missing_ok=True)
        raise BuildError(f"could not download {url}: {err}") from None
    except BuildError:
        dest.unlink(missing_ok=True)
        raise
    if h.hexdigest() != pin:
        dest.unlink()
        raise BuildError(f"sha256 mismatch for {url}:\n  expected {pin}\n  actual   {h.hexdigest()}\n"
                         "The download is not the pinned artifact; nothing was unpacked.")


def fetch(name: str, cache: Path = CACHE) -> Path:
    """Return the cached artifact, fetching it once; stop on a sha256 mismatch."""
    source, spec, pin = PINS[name].source, PINS[name].requirement, PINS[name].sha256
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / name
    if not path.exists():
        log(f"fetching {spec} ({source})")
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            got = Path(tmp) / name
            if source == "sdist":
                download_checked(pypi_file_url(spec.split("==")[0], name), got, pin)
            else:
                if source == "npm":
                    cmd = ["npm", "pack", spec, "--silent", "--pack-destination", tmp]
                else:
                    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                           "--disable-pip-version-check", "-d", tmp, "--only-binary", ":all:",
                           "--python-version", "3.14", spec]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode != 0 or not got.exists():
                    raise BuildError(f"could not fetch {spec}: {proc.stderr.strip() or proc.stdout.strip()}")
            shutil.move(str(got), path)
    actual = sha256_file(path)
    if actual != pin:
        raise BuildError(
            f"sha256 mismatch for {path}:\n  expected {pin}\n  actual   {actual}\n"
            f"The file differs from the pinned artifact. Delete it to fetch it again, "
            f"or update the pin in build.py if the change is intended.")
    return path


def fetch_all(cache: Path = CACHE) -> dict[str, Path]:
    return {name: fetch(name, cache) for name in PINS}


# ---------------------------------------------------------------- wheels

WHEEL_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: same input, same wheel, same sha256


def write_wheel(out: Path, dist_name: str, version: str, files: dict[str, bytes], requires: list[str]) -> Path:
    """Write a pure-Python wheel (PEP 427) from {archive path: bytes}."""
    norm = dist_name.replace("-", "_").lower()
    info = f"{norm}-{version}.dist-info"
    meta = ["Metadata-Version: 2.1", f"Name: {dist_name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    files = dict(sorted(files.items()))
    files[f"{info}/METADATA"] = ("\n".join(meta) + "\n").encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: roledoctor-build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for arc, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arc},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = out / f"{norm}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, data in files.items():
            zi = zipfile.ZipInfo(arc, WHEEL_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    return path


def markupsafe_wheel(sdist: Path, out: Path) -> Path:
    """MarkupSafe has no wasm wheel on PyPI: keep its pure-Python modules only
    (without _speedups its __init__ falls back to _native:
    https://github.com/pallets/markupsafe/blob/3.0.3/src/markupsafe/__init__.py)."""
    files = {}
    with tarfile.open(sdist) as tf:
        for m in tf.getmembers():
            parts = m.name.split("/")
            if m.isfile() and parts[1:3] == ["src", "markupsafe"] and not m.name.endswith((".c", ".pyi")):
                files["markupsafe/" + "/".join(parts[3:])] = tf.extractfile(m).read()
    if "markupsafe/_native.py" not in files:
        raise BuildError(f"{sdist.name} has no markupsafe/_native.py: cannot make a pure-Python wheel")
    return write_wheel(out, "MarkupSafe", PINS_BY_PROJECT["markupsafe"].release, files, [])


def project_version() -> str:
    """The version is written once, in py/roledoctor/__init__.py (pyproject.toml reads it too)."""
    import re
    found = re.search(r'^__version__ = "([^"]+)"', (ROOT / "py" / "roledoctor" / "__init__.py").read_text(), re.M)
    if not found:
        raise BuildError("py/roledoctor/__init__.py has no __version__ = \"...\" line")
    return found.group(1)


def project_meta() -> tuple[str, list[str]]:
    import tomllib
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project_version(), meta["dependencies"]


def roledoctor_wheel(out: Path) -> Path:
    version, deps = project_meta()
    files = {}
    pkg = ROOT / "py" / "roledoctor"
    for p in sorted(pkg.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc",):
            files["roledoctor/" + p.relative_to(pkg).as_posix()] = p.read_bytes()
    return write_wheel(out, "roledoctor", version, files, deps)


# ---------------------------------------------------------------- dist

def extract_pyodide(tgz: Path, dest: Path) -> dict:
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tf:
        for name in PYODIDE_FILES:
            data = tf.extractfile(f"package/{name}").read()
            (dest / name).write_bytes(data)
        lock = json.load(tf.extractfile("package/pyodide-lock.json"))
    return lock["info"]


def write_lock(dist: Path, info: dict, wheels: dict[str, Path]) -> None:
    """Our own lock file: the npm package's lists 357 packages it does not ship.
    Each sha256 becomes a Subresource Integrity check in the browser."""
    packages = {}
    for pin in PIN_TABLE:
        if pin.lock:
            packages[pin.lock_name] = _lock_entry(pin.lock_name, wheels[pin.wheel_name], *pin.lock)
    depends = [PINS_BY_PROJECT[name].lock_name for name in dependency_pins()]
    packages["roledoctor"] = _lock_entry("roledoctor", wheels["roledoctor"], ["roledoctor"], depends)
    (dist / "pyodide-lock.json").write_text(json.dumps({"info": info, "packages": packages}, indent=1))


def _lock_entry(name: str, path: Path, imports: list[str], depends: list[str]) -> dict:
    version = path.name.split("-")[1]
    return {"name": name, "version": version, "file_name": f"wheels/{path.name}",
            "install_dir": "site", "package_type": "package", "sha256": sha256_file(path),
            "imports": imports, "depends": depends, "unvendored_tests": False, "shared_library": False}


def copy_web(dist: Path) -> None:
    for p in sorted(WEB.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.name != "serve.py":
            target = dist / p.relative_to(WEB)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, target)
    ex = dist / "examples" / EXAMPLE.name
    ex.mkdir(parents=True, exist_ok=True)
    for p in sorted(EXAMPLE.iterdir()):
        if p.is_file():
            shutil.copy2(p, ex / p.name)


def write_service_worker(dist: Path) -> str:
    """Fill the precache list and a content-hash cache name into sw.js, so every
    build with different content makes the browser install a new worker."""
    # (_headers is read by the host, which does not serve it)
    files = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*")
                   if p.is_file() and p.name not in ("sw.js", "_headers") and not is_sibling(p))
    h = hashlib.sha256()
    for f in files:
        h.update(f.encode() + b"\0" + hashlib.sha256((dist / f).read_bytes()).digest())
    version = h.hexdigest()[:16]
    sw = dist / "sw.js"
    text = sw.read_text()
    if "__PRECACHE__" not in text or "__VERSION__" not in text:
        raise BuildError("web/sw.js must contain __PRECACHE__ and __VERSION__ markers")
    precache = ["./"] + [f for f in files if f != "index.html"] + ["index.html"]
    sw.write_text(text.replace("__PRECACHE__", json.dumps(precache)).replace("__VERSION__", version))
    return version


# ---------------------------------------------------------------- the page's policy

_CSP_META = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]+)(")')
_HOST = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ORIGIN = re.compile(rf"(?:https://{_HOST}(?:\.{_HOST})*|http://(?:127\.0\.0\.1|localhost))(?::(\d{{1,5}}))?")


def llm_origin(value: str) -> str:
    """An origin the page may send LLM requests to, as it goes into the CSP:
    https://host[:port], or http:// on 127.0.0.1 or localhost only (a key
    must not cross the network in clear). No path, wildcard or other
    scheme: anything else could widen the policy beyond one endpoint."""
    text = value.strip().lower()
    text = text[:-1] if text.endswith("/") else text
    m = _ORIGIN.fullmatch(text)
    if not m or (m.group(1) and not 0 < int(m.group(1)) < 65536):
        raise BuildError(f"--llm-origin {value!r}: expected an origin like https://llm.example.com or "
                         f"https://llm.example.com:8443 (http:// only for 127.0.0.1 or localhost; no path)")
    return text


def page_policy(llm_origins=()) -> str:
    """web/index.html's CSP, with the LLM origins added to connect-src."""
    meta = _CSP_META.search((WEB / "index.html").read_text()).group(2)
    out = []
    for directive in (d.strip() for d in meta.split(";") if d.strip()):
        if directive.startswith("connect-src "):
            have = directive.split()
            directive = " ".join(have + [o for o in dict.fromkeys(llm_origins) if o not in have])
        out.append(directive)
    return "; ".join(out)


def write_policy(dist: Path, llm_origins=()) -> str:
    """The policy into dist/index.html's <meta>, and the response headers into
    dist/_headers (read by serve.py, Netlify and Cloudflare Pages), where the
    CSP also carries frame-ancestors (a <meta> cannot)."""
    policy = page_policy(llm_origins)
    index = dist / "index.html"
    index.write_text(_CSP_META.sub(lambda m: m.group(1) + policy + m.group(3), index.read_text(), count=1))
    headers = dict(load_server().DEFAULT_HEADERS)
    headers["Content-Security-Policy"] = f"{policy}; frame-ancestors 'none'"
    lines = ["# Response headers for every file (Netlify / Cloudflare Pages format; serve.py reads it too).",
             "# Written by build.py: change the LLM origins with `python build.py build --llm-origin ...`.",
             "/*"] + [f"  {k}: {v}" for k, v in headers.items()]
    (dist / "_headers").write_text("\n".join(lines) + "\n")
    return policy


def build_caches(dist: Path, wheels: dict[str, Path]) -> list[str]:
    """Parser tables (lark's LALR cache) built once in the same Pyodide that
    runs the page, so the first parse in the browser skips ~3 s of work.
    Kept in .cache keyed by the wheels' hashes: rebuilt only when they change."""
    key = hashlib.sha256(b"".join(sha256_file(p).encode() for p in sorted(wheels.values()))
                         + PYODIDE_VERSION.encode() + (TOOLS / "make_parser_cache.mjs").read_bytes()).hexdigest()[:16]
    cached = CACHE / f"runtime-cache-{key}"
    if not (cached / "done").exists():
        log("building parser caches in Pyodide (once per change of the core)")
        tmp = CACHE / f"runtime-cache-{key}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        proc = subprocess.run(["node", str(TOOLS / "make_parser_cache.mjs"), dist.as_posix(), tmp.as_posix()],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"building the parser cache in Pyodide failed:\n{proc.stderr[-3000:]}")
        (tmp / "done").write_text(proc.stdout)
        shutil.rmtree(cached, ignore_errors=True)
        tmp.rename(cached)
    names = json.loads((cached / "done").read_text().strip().splitlines()[-1])
    target = dist / "cache"
    target.mkdir(exist_ok=True)
    for name in names:
        shutil.copy2(cached / name, target / name)
    # The tables are a pickle: the worker checks each sha256 before Python reads it.
    (target / "manifest.json").write_text(json.dumps(
        [{"file": name, "sha256": sha256_file(target / name)} for name in names]))
    return names


# Wheels the page unpacks itself on the snapshot path (micropip is not needed).
STDLIB_PLACEHOLDER = "stdlib-placeholder.zip"
SNAPSHOT_PACKAGES = ("lark", "python-hcl2", "markupsafe", "jinja2", "ruamel-yaml", "roledoctor")


def build_snapshot(dist: Path, wheels: dict[str, Path]) -> None:
    """A memory snapshot of Pyodide with our modules imported and the parser
    built: the page restores it instead of booting and importing.
    Experimental Pyodide API; the worker falls back to the normal start-up
    when it cannot load. Kept in .cache keyed like the parser cache.
    snapshot.bin is the image as a delta against the memory Pyodide starts
    with (tools/make_snapshot.mjs; web/boot.mjs rebuilds it), and the
    manifest's sha256 is the rebuilt image's: a page that read the delta as
    an image would fail that check and start normally.
    The host compresses it (precompress)."""
    if os.environ.get("ROLEDOCTOR_SNAPSHOT", "1") == "0":
        return
    lock = json.loads((dist / "pyodide-lock.json").read_text())
    files = [dist / lock["packages"][name]["file_name"] for name in SNAPSHOT_PACKAGES]
    tool = TOOLS / "make_snapshot.mjs"
    key = hashlib.sha256(b"".join(sha256_file(p).encode() for p in files) + PYODIDE_VERSION.encode()
                         + tool.read_bytes()).hexdigest()[:16]
    cached = CACHE / f"snapshot-{key}.bin"
    if not cached.exists():
        log("making the Pyodide memory snapshot (once per change of the core)")
        tmp = cached.with_suffix(".tmp")
        proc = subprocess.run(["node", str(tool), dist.as_posix(), tmp.as_posix(), *[f.as_posix() for f in files]],
                              capture_output=True, text=True)
        described = Path(f"{tmp}.json")
        if proc.returncode != 0 or not tmp.exists() or not described.exists():
            raise BuildError(f"making the memory snapshot failed:\n{proc.stderr[-3000:]}")
        if proc.stderr.strip():
            log(proc.stderr.strip().splitlines()[-1])
        described.rename(cached.with_suffix(".json"))
        tmp.rename(cached)
    shutil.copy2(cached, dist / "snapshot.bin")
    image = json.loads(cached.with_suffix(".json").read_text())
    # Until the first answer is out, Pyodide mounts an empty zip where the
    # standard library goes; the worker writes the real one afterwards.
    with zipfile.ZipFile(dist / STDLIB_PLACEHOLDER, "w"):
        pass
    stdlib = dist / "pyodide" / "python_stdlib.zip"
    (dist / "snapshot.json").write_text(json.dumps({
        "file": "snapshot.bin", "size": cached.stat().st_size, "sha256": image["sha256"], "delta": image["delta"],
        "pyodide": PYODIDE_VERSION, "packages": list(SNAPSHOT_PACKAGES),
        "stdlib_placeholder": STDLIB_PLACEHOLDER,
        "stdlib": {"file": stdlib.relative_to(dist).as_posix(), "sha256": sha256_file(stdlib)}}))


# Files a host sends compressed, with a sibling of each encoding written here
# (web/serve.py picks one by the request's Accept-Encoding). Zips and wheels
# are deflated already: brotli saves under 3% on python_stdlib.zip.
COMPRESSIBLE = (".wasm", ".mjs", ".js", ".json", ".css", ".html", ".svg", ".bin", ".txt", ".tf", ".tables")
# Brotli quality 11 takes ~3 min for Pyodide's 9.6 MB wasm (once: cached by
# content); quality 10 for the snapshot, rebuilt with every change of the
# core (measured on a loaded 2-core machine, 45 MB image: q9 6.01 MB in 9 s,
# q10 5.43 MB in 59 s, q11 5.22 MB in 409 s; gzip -9 7.6 MB).
BROTLI_BEST_UP_TO = 12_000_000
BROTLI_LARGE_FILES = 10


def precompress(dist: Path) -> None:
    """`x.br` and `x.gz` beside each compressible file of dist/ over 1 KB, as
    static hosts serve them; brotli from Node's zlib (tools/compress.mjs),
    kept in .cache by content hash, so an unchanged file is not compressed again."""
    store = CACHE / "compressed"
    store.mkdir(parents=True, exist_ok=True)
    files = [p for p in sorted(dist.rglob("*"))
             if p.is_file() and p.suffix in COMPRESSIBLE and p.stat().st_size > 1024]
    kept: dict[Path, Path] = {}
    todo: dict[int, list[str]] = {}
    for path in files:
        data = path.read_bytes()
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
        quality = 11 if len(data) <= BROTLI_BEST_UP_TO else BROTLI_LARGE_FILES
        kept[path] = store / f"{hashlib.sha256(data).hexdigest()}.q{quality}.br"
        if not kept[path].exists():
            todo.setdefault(quality, []).extend([path.as_posix(), kept[path].as_posix()])
    for quality, pairs in todo.items():
        log(f"brotli (quality {quality}) for {len(pairs) // 2} file(s)")
        proc = subprocess.run(["node", str(TOOLS / "compress.mjs"), str(quality), *pairs],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"brotli compression failed:\n{proc.stderr[-3000:]}")
    for path, br in kept.items():
        shutil.copyfile(br, path.with_name(path.name + ".br"))


def is_sibling(path: Path) -> bool:
    """A precompressed copy of another file of dist/ (not a file of its own)."""
    return path.suffix in (".br", ".gz") and path.with_suffix("").suffix in COMPRESSIBLE \
        and path.with_suffix("").exists()


def build(dist: Path = DIST, quiet: bool = False, llm_origins=()) -> Path:
    t0 = time.time()
    llm_origins = [llm_origin(o) for o in llm_origins]
    artifacts = fetch_all()
    if dist.exists():
        shutil.rmtree(dist)
    (dist / "wheels").mkdir(parents=True)
    info = extract_pyodide(artifacts[PYODIDE_TGZ], dist / "pyodide")
    wheels: dict[str, Path] = {}
    for name, path in artifacts.items():
        if name.endswith(".whl"):
            wheels[name] = Path(shutil.copy2(path, dist / "wheels" / name))
    ms = markupsafe_wheel(artifacts[PINS_BY_PROJECT["markupsafe"].file_name], dist / "wheels")
    wheels[ms.name] = ms
    wheels["roledoctor"] = roledoctor_wheel(dist / "wheels")
    write_lock(dist, info, wheels)
    copy_web(dist)
    policy = write_policy(dist, llm_origins)
    build_caches(dist, wheels)
    build_snapshot(dist, wheels)
    version = write_service_worker(dist)
    precompress(dist)
    if not quiet:
        log(f"dist/ built in {time.time() - t0:.1f} s (cache {version}): {dist_size(dist)}")
        connect = next(d for d in policy.split("; ") if d.startswith("connect-src "))
        log(f"the page may call: {connect.removeprefix('connect-src ').replace(chr(39) + 'self' + chr(39) + ' ', '')}")
    return dist


def dist_size(dist: Path) -> str:
    """The files' own size, and what a host sends: the .br sibling where there is one."""
    raw = sent = 0
    for p in dist.rglob("*"):
        if p.is_file() and not is_sibling(p):
            br = p.with_name(p.name + ".br")
            raw += p.stat().st_size
            sent += (br if br.exists() else p).stat().st_size
    return f"{raw / 1e6:.1f} MB, {sent / 1e6:.1f} MB as sent (brotli)"


# ---------------------------------------------------------------- serve, bundle

def load_server():
    import importlib.util
    spec = importlib.util.spec_from_file_location("roledoctor_serve", WEB / "serve.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def cmd_serve(args) -> int:
    build(llm_origins=args.llm_origin)
    server = load_server()
    server.serve(DIST, args.host, args.port)
    return 0


def cmd_bundle(args) -> int:
    if not args.no_build:
        build(llm_origins=args.llm_origin)
    elif not (DIST / "index.html").exists():
        raise BuildError("dist/ is not built: run `python build.py build` first")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    version, _ = project_meta()
    zpath = out / f"roledoctor-{version}-offline.zip"
    top = f"roledoctor-{version}"
    readme = (
        "roledoctor, offline\n\n"
        "Run:  python3 serve.py        then open the URL it prints (http://127.0.0.1:8000/).\n"
        "Needs Python 3 and nothing else; no network is used. Opening index.html as a file\n"
        "does not work: browsers refuse module scripts from file:// pages.\n")
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{top}/README.txt", readme)
        zf.write(WEB / "serve.py", f"{top}/serve.py")
        for p in sorted(DIST.rglob("*")):
            if p.is_file():
                zf.write(p, f"{top}/site/{p.relative_to(DIST).as_posix()}")
    log(f"bundle: {zpath} ({zpath.stat().st_size / 1e6:.1f} MB); unzip it and run: python3 {top}/serve.py")
    return 0


# ---------------------------------------------------------------- test

def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium"), shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def ensure_chromium() -> str:
    found = find_chromium()
    if found:
        return found
    is_debian = Path("/etc/debian_version").exists()
    if is_debian and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        log("Chromium is missing: installing Debian's chromium (apt-get install -y chromium)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
        found = find_chromium()
        if found:
            return found
    raise BuildError(
        "Chromium is needed for the end-to-end tests and was not found.\n"
        "Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM=/path/to/chromium.")


VENV = ROOT / ".venv"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_test_deps() -> str:
    """The tests' own environment, as nox and tox make one: .venv/ (ignored by
    git) with roledoctor installed editable and its test extras. Nothing is
    installed into the interpreter that runs build.py. Reinstalled only when
    pyproject.toml changes. Returns the venv's python."""
    py = venv_python()
    log(f"tests run in {VENV.relative_to(ROOT)}/ (created and reused here; "
        f"nothing is installed into {sys.executable})")
    if not py.exists():
        if subprocess.run([sys.executable, "-m", "venv", str(VENV)]).returncode != 0:
            raise BuildError(f"could not create {VENV} (python -m venv; on Debian: apt-get install python3-venv)")
    stamp = VENV / ".roledoctor-stamp"
    want = sha256_file(ROOT / "pyproject.toml")
    if not stamp.exists() or stamp.read_text() != want:
        log("installing roledoctor and its test dependencies into .venv (pip install -e .[test])")
        cmd = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f"{ROOT}[test]"]
        if subprocess.run(cmd).returncode != 0:
            raise BuildError("pip install -e .[test] into .venv failed")
        stamp.write_text(want)
    for node_dir in (ROOT / "tests" / "node", ROOT / "tests" / "oracle"):
        npm_install(node_dir)
    return str(py)


def npm_install(node_dir: Path) -> None:
    """Install a folder's test-only npm packages when its lock file changed."""
    lock = node_dir / "package-lock.json"
    if not (node_dir / "package.json").exists():
        return
    stamp = node_dir / "node_modules" / ".roledoctor-stamp"
    want = sha256_file(lock) if lock.exists() else "none"
    if stamp.exists() and stamp.read_text() == want:
        return
    log(f"installing test-only npm packages ({node_dir.relative_to(ROOT)})")
    cmd = ["npm", "ci" if lock.exists() else "install", "--silent", "--no-audit", "--no-fund"]
    if subprocess.run(cmd, cwd=node_dir).returncode != 0:
        raise BuildError(f"npm install in {node_dir} failed")
    stamp.write_text(want)


def cmd_test(args) -> int:
    if not shutil.which("node"):
        raise BuildError("Node.js is needed to run Pyodide tests and to build the parser cache (apt-get install -y nodejs).")
    py = ensure_test_deps()
    os.environ["CHROMIUM"] = ensure_chromium()
    build()
    cmd = [py, "-m", "pytest", "tests", "-q", *args.pytest_args]
    log(" ".join(cmd))
    return subprocess.run(cmd, cwd=ROOT).returncode


# ---------------------------------------------------------------- bench

def cmd_bench(args) -> int:
    py = ensure_test_deps()
    os.environ["CHROMIUM"] = ensure_chromium()
    build()
    return subprocess.run([py, str(ROOT / "tests" / "bench.py"), *args.bench_args], cwd=ROOT).returncode


# ---------------------------------------------------------------- docs

def findings_reference() -> str:
    sys.path.insert(0, str(ROOT / "py"))
    from roledoctor.findings import reference  # standard library only
    return reference.render()


def cmd_docs(args) -> int:
    out = ROOT / "docs" / "findings.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(findings_reference(), encoding="utf-8")
    log(f"wrote {out.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="build dist/ and serve it")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    origins = dict(action="append", default=[], metavar="ORIGIN",
                   help="an LLM endpoint the page may call besides OpenAI, Anthropic and localhost, "
                        "e.g. https://my-gateway.example.com (repeatable)")
    p.add_argument("--llm-origin", **origins)
    p.set_defaults(run=cmd_serve)
    p = sub.add_parser("test", help="run every test (extra args go to pytest)")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(run=cmd_test)
    p = sub.add_parser("build", help="build dist/")
    p.add_argument("--llm-origin", **origins)
    p.set_defaults(run=lambda a: build(llm_origins=a.llm_origin) and 0)
    sub.add_parser("fetch", help="fetch and verify pinned artifacts").set_defaults(
        run=lambda a: fetch_all() and 0)
    sub.add_parser("docs", help="write docs/findings.md from the catalogue").set_defaults(run=cmd_docs)
    p = sub.add_parser("bundle", help="zip dist/ with a one-file server")
    p.add_argument("--out", default=str(ROOT / "bundle"), help="folder for the zip (default bundle/)")
    p.add_argument("--no-build", action="store_true", help="zip the dist/ already built")
    p.add_argument("--llm-origin", **origins)
    p.set_defaults(run=cmd_bundle)
    p = sub.add_parser("bench", help="print speed measurements")
    p.add_argument("bench_args", nargs=argparse.REMAINDER)
    p.set_defaults(run=cmd_bench)
    argv = sys.argv[1:] if argv is None else list(argv)
    # Everything after `test` / `bench` is passed on as it is: argparse's
    # REMAINDER refuses a first argument that looks like an option (`-k`,
    # https://bugs.python.org/issue17050).
    if argv[:1] in (["test"], ["bench"]):
        args = parser.parse_args(argv[:1])
        setattr(args, "pytest_args" if argv[0] == "test" else "bench_args", argv[1:])
    else:
        args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BuildError as err:
        print(f"build.py: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
