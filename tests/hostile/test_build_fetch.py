"""build.py fetches MarkupSafe's source archive: nothing may build or run it,
and nothing may open it, before its sha256 is the pin."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import tarfile

import pytest

from hostile.conftest import ROOT

NAME = "markupsafe-3.0.3.tar.gz"
FILE_URL = "https://files.example.test/packages/ab/cd/" + NAME


@pytest.fixture
def build():
    spec = importlib.util.spec_from_file_location("roledoctor_build_under_test", ROOT / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _sdist() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        data = b"# setup.py: running this would be the attack\nraise SystemExit('built')\n"
        info = tarfile.TarInfo("markupsafe-3.0.3/setup.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def network(build, monkeypatch):
    """PyPI as urllib sees it: the JSON Simple index and the file. No pip, no tar."""
    served = {"file": _sdist(), "requests": []}

    def urlopen(req, timeout=None):
        url = getattr(req, "full_url", req)
        served["requests"].append(url)
        if url == build.PYPI_SIMPLE + "markupsafe/":
            assert "application/vnd.pypi.simple.v1+json" in req.get_header("Accept")
            files = [{"filename": "markupsafe-3.0.4.tar.gz", "url": FILE_URL.replace("3.0.3", "3.0.4")},
                     {"filename": NAME, "url": FILE_URL, "hashes": {"sha256": "0" * 64}}]
            return io.BytesIO(json.dumps({"files": files}).encode())
        if url == FILE_URL:
            return io.BytesIO(served["file"])
        raise AssertionError(f"unexpected request {url}")

    def no_subprocess(cmd, *a, **k):
        raise AssertionError(f"a subprocess ran while fetching the sdist: {cmd}")

    def no_tar(*a, **k):
        raise AssertionError("the archive was opened")

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    monkeypatch.setattr(build.subprocess, "run", no_subprocess)
    monkeypatch.setattr(build.tarfile, "open", no_tar)
    return served


def _pin(build, monkeypatch, data: bytes) -> None:
    monkeypatch.setitem(build.PINS, NAME, build.PINS[NAME]._replace(sha256=hashlib.sha256(data).hexdigest()))


def test_the_sdist_is_downloaded_by_url_never_built(build, network, monkeypatch, tmp_path):
    _pin(build, monkeypatch, network["file"])
    path = build.fetch(NAME, cache=tmp_path)
    assert path.read_bytes() == network["file"]
    assert network["requests"] == [build.PYPI_SIMPLE + "markupsafe/", FILE_URL]


def test_a_tampered_download_is_deleted_before_anything_opens_it(build, network, monkeypatch, tmp_path):
    _pin(build, monkeypatch, network["file"])
    network["file"] = network["file"][:-1] + bytes([network["file"][-1] ^ 0xFF])
    with pytest.raises(build.BuildError, match="sha256 mismatch"):
        build.fetch(NAME, cache=tmp_path)
    assert not any(p.is_file() for p in tmp_path.rglob("*")), "the tampered file was kept"


def test_a_tampered_cached_sdist_is_rejected_before_extraction(build, network, monkeypatch, tmp_path):
    _pin(build, monkeypatch, network["file"])
    (tmp_path / NAME).write_bytes(b"tampered")
    with pytest.raises(build.BuildError, match="sha256 mismatch"):
        build.fetch(NAME, cache=tmp_path)
    assert network["requests"] == []
