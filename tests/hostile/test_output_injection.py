"""Terminal and CI-log injection through what we print: escape sequences,
bidi controls, and GitHub Actions / Azure / TeamCity log commands hidden in
values, file names and module names must come out inert in every text output
(check, diagnose text and Markdown, stderr lines, inspect, JSON and SARIF)."""

from __future__ import annotations

import json
import re

import pytest

from roledoctor.check import check
from roledoctor.check.output import render as render_check
from roledoctor.cli import main
from roledoctor.diagnosis.diagnose import diagnose
from roledoctor.render import render

# HCL escapes: the decoded values hold a newline, ESC, a C1 CSI, BEL and a bidi override
EVIL = r"x\n::error file=a.tf,line=1::pwned\u001b[31m\u009b2J\u0007\u202e ##[error]v1 ##vso[task.complete]"
PROVIDER = ('provider "aws" {\n  region = "eu-west-1"\n  assume_role {\n'
            f'    role_arn = "arn:aws:iam::123456789012:role/{EVIL}"\n'
            f'    external_id = "{EVIL}"\n  }}\n}}\n')
NAMED = 'provider "aws" {\n  secret_key = "abc"\n}\n'
EVIL_NAMES = ["::warning title=pwned::owned.tf", "  ::error::x.tf", "##[error]n.tf", "\u202eesc\u001b[2J.tf"]
ACTIVE = "\x1b\x9b\x07\u202e\u2066\r"


def assert_inert(out: str) -> None:
    for line in re.split(r"\r\n|\r|\n", out):
        assert not line.lstrip().startswith("::"), f"a workflow command line: {line!r}"
    assert not re.search(r"##(?:\[|vso\[|teamcity\[)", out, re.I), out
    assert not any(ch in out for ch in ACTIVE), [ch for ch in ACTIVE if ch in out]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(PROVIDER)
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "mod.tf").write_text('module "::error::m\u001b[31m" {\n  source = "git::https://x/y.git"\n}\n')
    for name in EVIL_NAMES:
        (tmp_path / name).write_text(NAMED)
    monkeypatch.chdir(tmp_path)  # names are shown as found under ".": the file name starts the line
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_check_output_is_inert(repo, fmt):
    result = check(["."], recursive=True)
    assert len(result.findings) >= 3
    out = render_check(result, fmt, "input")
    assert_inert(out)
    if fmt != "text":
        json.loads(out)  # still valid JSON, same data
    else:
        assert "owned.tf:2:" in out  # the file is still named


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif"])
def test_diagnose_output_is_inert(fmt):
    d = diagnose({"provider": PROVIDER, "error": "Error: " + EVIL.replace("\\n", "\n")}, {})
    out = render(d.report, fmt)
    assert_inert(out)


def test_stderr_lines_are_inert(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = "nope\n::error file=x::pwned\x1b[2J##[error]x"
    assert main(["check", bad]) == 2
    assert main(["diagnose", "--error", bad]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2, err  # one line each
    assert_inert(err)


def test_diagnose_reason_on_stderr_is_inert(tmp_path, capsys):
    f = tmp_path / "error.txt"
    f.write_text("Error: x\n")
    p = tmp_path / "trust.json"
    p.write_text('{"Statement": [{"Effect": "Allow", "Principal": "\\n::error::p\\u001b[2J", "Action": 1}')
    main(["diagnose", str(f), str(p)])
    assert_inert(capsys.readouterr().err)


def test_inspect_output_is_inert(tmp_path, capsys):
    f = tmp_path / "main.tf"
    f.write_text(PROVIDER)
    main(["inspect", str(f)])
    out = capsys.readouterr().out
    assert_inert(out)
    json.loads(out)
