"""Deep nesting and size: a clear INPUT_UNPARSEABLE problem, never a
RecursionError, never an unbounded wait."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hostile.conftest import ROOT, guard

from roledoctor.pageapi.view import diagnose_for_page
from roledoctor.inputs import read
from roledoctor.limits import MAX_INPUT_BYTES, check_text
from roledoctor.redaction import Redactor, redact

DEEP = 100_000
HCL = lambda expr: "locals {\n  x = " + expr + "\n}\n"  # noqa: E731
NESTED = {
    "json-array": "[" * DEEP + "]" * DEEP,
    "json-array-open": "[" * DEEP,
    "json-object": '{"a":' * DEEP + "1" + "}" * DEEP,
    "json-policy": '{"Statement": [{"Effect": "Allow", "Condition": ' + '{"a":' * DEEP + "1" + "}" * DEEP + "}]}",
    "hcl-tuple": HCL("[" * DEEP + "]" * DEEP),
    "hcl-parens": HCL("(" * DEEP + "1" + ")" * DEEP),
    "hcl-object": HCL("{a = " * DEEP + "1" + "}" * DEEP),
    "hcl-blocks": 'provider "aws" {\n' + "x {\n" * DEEP + "}\n" * DEEP + "}\n",
    "hcl-calls": HCL("f(" * DEEP + ")" * DEEP),
    "hcl-unclosed": HCL("[" * DEEP),
    "hcl-jsonencode": 'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode(' + "[" * DEEP + "]" * DEEP + ")\n}\n",
    "hcl-heredoc-json": 'resource "aws_iam_role" "r" {\n  assume_role_policy = <<EOT\n' + "[" * DEEP + "]" * DEEP + "\nEOT\n}\n",
    "hcl-attr-chain": HCL("a" + ".b" * 20_000),
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_deep_nesting_is_a_clear_problem(name):
    text = NESTED[name]
    with guard(f"read {name}"):
        recs = read("deep", text)
    problems = [r.facts for r in recs if r.kind == "problem"]
    assert problems, [r.kind for r in recs]
    assert all(p.code == "INPUT_UNPARSEABLE" and "RecursionError" not in p.message for p in problems)
    if name not in ("json-array-open", "hcl-unclosed", "hcl-attr-chain"):
        assert any("nesting too deep" in p.message and "line" in p.message for p in problems), problems
    with guard(f"page {name}"):
        out = diagnose_for_page({"provider" if name.startswith("hcl") else "trust_policy": text})
    assert out["verdict_word"] == "Undetermined"
    assert not any("internal error" in p["message"] for i in out["inputs"] for p in i["problems"])


def test_moderate_nesting_still_reads():
    assert [r.kind for r in read("ok.tf", HCL("[" * 60 + "]" * 60))] == ["locals"]
    assert read("ok.json", '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", '
                           '"Condition": {"StringEquals": {"a": "b"}}}}')[0].kind == "policy-json"


# ---- size ----------------------------------------------------------------------

OVER = "x" * (MAX_INPUT_BYTES + 1_200_000)  # 6.2 MB


def test_limit_message():
    assert check_text("x" * 100) is None
    assert check_text("x" * MAX_INPUT_BYTES) is None
    assert check_text(OVER) == "input too large: 6.2 MB, the limit is 5 MB"
    assert check_text("é" * (MAX_INPUT_BYTES // 2 + 1))  # counted in UTF-8 bytes, not characters


def test_page_refuses_an_oversized_box():
    with guard("diagnose_for_page over the limit", 2.0):
        out = diagnose_for_page({"error": "AccessDenied", "trust_policy": OVER})
    assert out["verdict_word"] == "Undetermined"
    assert "input too large: 6.2 MB, the limit is 5 MB" in out["verdict_sentence"]
    box = next(i for i in out["inputs"] if i["input"] == "trust_policy")
    assert box["problems"][0] == {"code": "INPUT_UNPARSEABLE", "message": "input too large: 6.2 MB, the limit is 5 MB",
                                  "line": None, "column": None, "text": ""}
    assert out["report"]["findings"][0]["code"] == "INPUT_UNPARSEABLE"


def test_redaction_refuses_an_oversized_input_without_leaking_it():
    secret = "AKIAIOSFODNN7EXAMPLF"
    with guard("redact over the limit", 2.0):
        res = redact(secret + OVER)
        many = Redactor().redact_all(["aws_secret_access_key = abc", secret + OVER])
    assert res.text == "" and res.problem == "input too large: 6.2 MB, the limit is 5 MB"
    assert res.to_dict()["problem"] == res.problem
    assert many[1].text == "" and many[1].problem and many[0].problem is None
    assert "problem" not in redact("hello").to_dict()


def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "roledoctor", *args], capture_output=True, text=True, input=stdin,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT / "py"), "PATH": "/usr/bin:/bin"}, timeout=120)


@pytest.mark.parametrize("command", [["diagnose"], ["inspect"], ["redact"]])
def test_cli_refuses_an_oversized_file(tmp_path, command):
    big = tmp_path / "big.tf"
    big.write_text(OVER)
    proc = _cli(*command, str(big))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"roledoctor: {big}: input too large: 6.2 MB, the limit is 5 MB"]
    assert proc.stdout == ""


def test_cli_refuses_oversized_stdin():
    proc = _cli("diagnose", "-", stdin=OVER)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "roledoctor: stdin: input too large: over 5 MB, the limit is 5 MB"


def test_just_under_the_limit_is_read(tmp_path):
    """An input at the limit is diagnosed (an answer arrives; timing is the bench's job)."""
    unit = 'resource "aws_s3_bucket" "b%d" {\n  bucket = "bucket-%d"\n  tags = { team = "x" }\n}\n'
    parts, size, i = [], 0, 0
    while size < 1_000_000:
        s = unit % (i, i)
        parts.append(s)
        size += len(s)
        i += 1
    text = 'provider "aws" {\n  assume_role {\n    role_arn = "arn:aws:iam::123456789012:role/x"\n  }\n}\n' + "".join(parts)
    with guard("diagnose_for_page 1 MB", 30.0):
        out = diagnose_for_page({"provider": text})
    assert out["verdict_word"] in ("Denied", "Allowed", "Undetermined")
    assert not any(p for i in out["inputs"] for p in i["problems"])
