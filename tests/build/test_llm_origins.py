"""`python build.py build --llm-origin ORIGIN`: the origins whoever builds or
hosts the page adds to its CSP's connect-src, validated so that an option
cannot widen the policy beyond one endpoint."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys

import pytest

from conftest import load_server_module
from helpers import ROOT


def load_build():
    spec = importlib.util.spec_from_file_location("roledoctor_build", ROOT / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = load_build()


@pytest.mark.parametrize("value,origin", [
    ("https://my-gateway.example.com", "https://my-gateway.example.com"),
    ("https://Contoso.OpenAI.Azure.com/", "https://contoso.openai.azure.com"),
    ("https://llm.example.com:8443", "https://llm.example.com:8443"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost", "http://localhost"),
])
def test_accepted_origins(value, origin):
    assert build.llm_origin(value) == origin


@pytest.mark.parametrize("value", [
    "http://llm.example.com",  # a key in clear over the network
    "https://llm.example.com/v1",  # a path: not an origin
    "https://*.example.com", "*", "https:", "https://",
    "https://a.example.com https://b.example.com",  # two sources in one
    "https://a.example.com; script-src *",  # a directive smuggled in
    "https://a.example.com'", "'unsafe-inline'", "data:", "blob:", "javascript:alert(1)",
    "https://user:pw@llm.example.com", "https://llm.example.com?x=1", "https://llm.example.com:0",
    "https://llm.example.com:99999", "ftp://llm.example.com", "http://10.0.0.1", "http://localhost.evil.com",
    "https://-bad.example.com", "https://exa mple.com",
])
def test_refused_origins(value):
    with pytest.raises(build.BuildError, match="--llm-origin"):
        build.llm_origin(value)


def test_default_list_is_short():
    connect = next(d for d in build.page_policy().split("; ") if d.startswith("connect-src "))
    assert connect.split()[1:] == ["'self'", "https://api.openai.com", "https://api.anthropic.com",
                                   "http://localhost:*", "http://127.0.0.1:*"]


def test_origins_reach_the_meta_the_headers_file_and_serve_py(tmp_path):
    shutil.copy2(ROOT / "web" / "index.html", tmp_path / "index.html")
    origins = [build.llm_origin("https://gw.example.com"), build.llm_origin("https://llm.example.org:8443")]
    policy = build.write_policy(tmp_path, origins)
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', (tmp_path / "index.html").read_text()).group(1)
    assert meta == policy
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src "))
    assert connect.endswith("http://127.0.0.1:* https://gw.example.com https://llm.example.org:8443")
    headers = load_server_module().headers_for(tmp_path)
    assert headers["Content-Security-Policy"] == policy + "; frame-ancestors 'none'"
    assert headers["X-Frame-Options"] == "DENY"


def test_cli_refuses_a_bad_origin_before_building():
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--llm-origin", "https://x.example.com/v1"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "--llm-origin" in proc.stderr and "no path" in proc.stderr
