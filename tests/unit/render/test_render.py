"""Text, Markdown and HTML renderers: content, escaping, and the cached environment."""

from __future__ import annotations

import json

import pytest

from roledoctor.findings import Evidence, Fix, Report, Request, TraceStep, make_finding
from roledoctor.fixes.edits import unified_diff
from roledoctor.render import render
from roledoctor.render import inline, templates

EVIL = "<script>alert(1)</script> [x](javascript:alert(1)) ![i](http://e/x.png) https://evil.example **b** \x1b[31mred"


def report(message="Provider sends `acme-ci-7f3a`, trust wants `acme-ci-7f2a`", text='external_id  = "acme-ci-7f3a"'):
    before = '{\n  "a": "x"\n}\n'
    after = '{\n  "a": "y"\n}\n'
    return Report(
        "denied", Request(caller="arn:aws:iam::123456789012:role/ci-runner",
                          role="arn:aws:iam::987654321098:role/terraform-deploy-role"),
        trace=[TraceStep("trust", "implicit-deny", "trust_policy Statement[0]")],
        assumptions=["no SCPs pasted: assumed none"],
        findings=[make_finding("CALLER_POLICY_WILDCARD_STS"),
                  make_finding("EXTERNAL_ID_MISMATCH", message, [Evidence("provider", 7, text)])],
        fixes={"trust_policy": Fix(before, after, unified_diff(before, after, "trust-policy.json"), "allowed")},
        sources={"provider": "provider.tf"})


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_shows_verdict_codes_and_fix(fmt):
    out = render(report(), fmt)
    assert "Denied" in out
    assert "EXTERNAL_ID_MISMATCH" in out and "CALLER_POLICY_WILDCARD_STS" in out
    assert out.index("EXTERNAL_ID_MISMATCH") < out.index("CALLER_POLICY_WILDCARD_STS")  # blockers first
    assert "trust-policy.json" in out and "Allowed" in out
    assert "no SCPs pasted" in out


def test_json_format_is_the_contract():
    obj = json.loads(render(report(), "json"))
    assert obj["verdict"] == "denied" and obj["fixes"]["trust_policy"]["verdict_after"] == "allowed"


def test_unknown_format():
    with pytest.raises(ValueError):
        render(report(), "pdf")


def test_html_escapes_user_text_and_renders_code_marks():
    out = render(report(message="value `<b>x</b>` and " + EVIL, text=EVIL), "html")
    assert "<script>" not in out and "<b>x</b>" not in out
    assert "&lt;script&gt;" in out
    assert "<code>&lt;b&gt;x&lt;/b&gt;</code>" in out
    assert "\x1b" not in out
    assert '<span class="rd-diff-add">+  &#34;a&#34;: &#34;y&#34;</span>' in out


def test_markdown_cannot_be_injected():
    out = render(report(message="`code` " + EVIL, text="a ``` b\n# heading " + EVIL), "markdown")
    message_line = next(line for line in out.split("\n") if line.startswith("  `code`"))
    assert "\\<script\\>" in message_line
    for ch in "<[(!*":  # every markup character of user text is backslash-escaped
        assert all(message_line[i - 1] == "\\" for i, c in enumerate(message_line) if c == ch)
    evidence_line = next(line for line in out.split("\n") if "provider line 7" in line)
    assert evidence_line.endswith("````") and "````a ``` b" in evidence_line  # inert code span
    assert "](" not in message_line.replace("\\]\\(", "")  # no live link syntax
    assert "https://evil" not in message_line and "\x1b" not in out
    assert "\n# heading" not in out  # newlines inside values cannot start blocks
    assert "`code`" in out


def test_markdown_code_spans_and_blocks_cannot_be_closed_by_content():
    assert inline.md_code("a`b") == "``a`b``"
    assert inline.md_code("`x") == "`` `x ``"
    block = inline.md_block("x\n```\n# not a heading\n", "diff")
    assert block.startswith("````diff\n") and block.endswith("\n````")
    assert inline.md_escape("a_b*c [l](u) <i> 1. x") == "a\\_b\\*c \\[l\\]\\(u\\) \\<i\\> 1\\. x"


def test_split_code_pairs_backticks_and_leaves_unpaired_plain():
    assert inline.split_code("a `b` c `d") == [(False, "a "), (True, "b"), (False, " c `d")]
    assert inline.split_code("") == []


def test_text_strips_terminal_escapes():
    out = render(report(message="x\x1b]0;title\x07 y", text="\x1b[2Jz"), "text")
    assert "\x1b" not in out and "\x07" not in out
    assert "z" in out


def test_environments_and_templates_are_cached():
    assert templates.environment("html") is templates.environment("html")
    assert templates.template("text", "report.txt.j2") is templates.template("text", "report.txt.j2")
    assert templates.environment("html").autoescape is True
    assert templates.environment("markdown").autoescape is False  # escaped by finalize instead


def test_no_findings_and_no_fixes():
    for fmt in ("text", "markdown", "html"):
        out = render(Report("allowed"), fmt)
        assert "Allowed" in out and "No findings" in out


def test_inline_helpers_take_large_input():
    # growth with size: tests/hostile/test_linear_time.py
    big = ("`<*_[(" * 20000) + "x"
    assert any(code for code, _ in inline.split_code(big))
    assert inline.md_inline(big).endswith("x") and inline.md_block(big).startswith("```\n")
