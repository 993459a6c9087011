"""Minimal text edits in the user's formatting, and unified diffs."""

from __future__ import annotations

import json

import pytest

from roledoctor.fixes.edits import (EditError, Raw, TextEdit, apply_edits, insert_element, quote_string,
                                    replace_string, scan_container, unified_diff)

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:role/a"}, "Action": "sts:AssumeRole"}]}


def edit(text, *args, **kw):
    return apply_edits(text, [insert_element(text, *args, **kw)])


# ---- apply_edits / unified_diff ------------------------------------------------------

def test_apply_edits_from_the_end_with_original_offsets():
    assert apply_edits("abcdef", [TextEdit(0, 1, "X"), TextEdit(4, 6, "YZW"), TextEdit(2, 2, "-")]) == "Xb-cdYZW"
    assert apply_edits("abc", []) == "abc"


@pytest.mark.parametrize("edits", [
    [TextEdit(0, 3, "x"), TextEdit(2, 4, "y")],
    [TextEdit(1, 1, "x"), TextEdit(1, 1, "y")],
    [TextEdit(0, 9, "x")],
    [TextEdit(3, 2, "x")],
])
def test_apply_edits_refuses_overlap_and_bad_ranges(edits):
    with pytest.raises(EditError):
        apply_edits("abcdef", edits)


def test_adjacent_edits_are_fine():
    assert apply_edits("abcd", [TextEdit(0, 2, "X"), TextEdit(2, 4, "Y")]) == "XY"
    assert apply_edits("abcd", [TextEdit(2, 2, "+"), TextEdit(2, 3, "C")]) == "ab+Cd"


def test_unified_diff_headers_and_trailing_newline():
    d = unified_diff("a\nb\n", "a\nc\n", "trust.json")
    assert d == "--- a/trust.json\n+++ b/trust.json\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    assert unified_diff("x\n", "x\n", "f") == ""
    d = unified_diff("a\nb", "a\nc", "f")
    assert d.endswith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")
    d = unified_diff("a\n", "a", "f")
    assert "-a\n+a\n\\ No newline at end of file\n" in d


def test_unified_diff_keeps_crlf_and_splits_only_on_newline():
    d = unified_diff("a\r\nb\r\n", "a\r\nc\r\n", "f")
    assert "-b\r\n+c\r\n" in d
    d = unified_diff("a\x0cb\u2028c\n", "a\x0cb\u2028d\n", "f")
    assert d.count("\n") == 5  # one line changed, form feed and U+2028 are not line breaks


def test_unified_diff_applies_with_patch_semantics():
    before = json.dumps(POLICY, indent=2) + "\n"
    after = before.replace("role/a", "role/b")
    d = unified_diff(before, after, "p.json")
    assert d.count("\n-") == 1 and d.count("\n+") == 2  # +++ header and the changed line


# ---- strings -------------------------------------------------------------------------

def test_replace_string_keeps_quotes_and_escapes():
    text = '{"sts:ExternalId": "acme-ci-7f2a"}'
    s = text.index('"acme')
    e = s + len('"acme-ci-7f2a"')
    assert apply_edits(text, [replace_string(text, s, e, 'acme "3"\\')]) == '{"sts:ExternalId": "acme \\"3\\"\\\\"}'
    # A span over the contents only: the quotes stay the user's.
    assert apply_edits(text, [replace_string(text, s + 1, e - 1, "acme-ci-7f3a")]) == '{"sts:ExternalId": "acme-ci-7f3a"}'


def test_quote_string_per_syntax():
    assert quote_string("é/${x}") == '"é/${x}"'
    assert quote_string("é/${x}%{y}", "hcl") == '"é/$${x}%%{y}"'
    assert quote_string("${x}", "json_in_hcl") == '"$${x}"'
    with pytest.raises(ValueError):
        quote_string("x", "yaml")


# ---- inserting members and items in the user's style -------------------------------------

@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_insert_condition_matches_indent(indent):
    text = json.dumps(POLICY, indent=indent) + "\n"
    stmt = text.index("{", text.index("["))
    out = edit(text, stmt, {"StringEquals": {"sts:ExternalId": "x"}}, key="Condition")
    expected = json.loads(text)
    expected["Statement"][0]["Condition"] = {"StringEquals": {"sts:ExternalId": "x"}}
    assert out == json.dumps(expected, indent=indent) + "\n"


@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_append_statement_matches_indent(indent):
    text = json.dumps(POLICY, indent=indent)
    new = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    out = edit(text, text.index("["), new)
    expected = json.loads(text)
    expected["Statement"].append(new)
    assert out == json.dumps(expected, indent=indent)


def test_compact_one_line_json():
    text = json.dumps(POLICY, separators=(",", ":"))
    out = edit(text, text.index('{"AWS'), ["arn:aws:iam::2:role/b"], key="Service")
    assert out == text.replace('"arn:aws:iam::1:role/a"}', '"arn:aws:iam::1:role/a","Service":["arn:aws:iam::2:role/b"]}')
    out = edit(text, text.index("["), {"Effect": "Deny", "Action": "*"})
    assert out.endswith('"sts:AssumeRole"},{"Effect":"Deny","Action":"*"}]}')
    spaced = json.dumps(POLICY)  # one line, ", " and ": "
    out = edit(spaced, spaced.index('{"AWS'), "x", key="Service")
    assert '"AWS": "arn:aws:iam::1:role/a", "Service": "x"}' in out


def test_crlf_line_endings_are_kept():
    text = json.dumps(POLICY, indent=2).replace("\n", "\r\n") + "\r\n"
    out = edit(text, text.index('{\r\n        "AWS'), "arn:b", key="Service")
    assert '"AWS": "arn:aws:iam::1:role/a",\r\n        "Service": "arn:b"\r\n      }' in out
    assert "\n" not in out.replace("\r\n", "")
    json.loads(out)


def test_inline_lists_follow_the_document():
    text = '{\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": ["sts:AssumeRole"]\n    }\n  ]\n}'
    out = edit(text, text.index("{", 5), ["sts:TagSession", "sts:AssumeRole"], key="NotAction")
    assert '\n      "NotAction": ["sts:TagSession", "sts:AssumeRole"]\n    }' in out


def test_empty_containers():
    text = '{\n  "Statement": [],\n  "Condition": {\n  }\n}\n'
    out = edit(text, text.index("["), {"Effect": "Allow"})
    assert '"Statement": [\n    {\n      "Effect": "Allow"\n    }\n  ],' in out
    out = edit(text, text.index("{", 3), "v", key="k")
    assert '"Condition": {\n    "k": "v"\n  }\n}' in out
    assert edit("{}", 0, 1, key="a") == '{"a": 1}'
    assert edit("[]", 0, "x") == '["x"]'


def test_key_must_match_container():
    with pytest.raises(EditError):
        insert_element("{}", 0, 1)
    with pytest.raises(EditError):
        insert_element("[]", 0, 1, key="a")
    with pytest.raises(EditError):
        insert_element("x{}", 0, 1, key="a")


HCL = '''resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:role/ci-runner" } # the runner
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = {
            "sts:ExternalId" = var.external_id // from a secret
          }
        }
      },
    ]
  })
}
'''


def test_hcl_new_key_in_object_aligned_like_terraform_fmt():
    text = HCL.replace('        Condition = {\n          StringEquals = {\n            "sts:ExternalId" = var.external_id // from a secret\n          }\n        }\n', "")
    out = edit(text, text.index("{\n        Effect"), "AllowCi", "hcl", key="Sid")
    assert '        Action    = "sts:AssumeRole"\n        Sid       = "AllowCi"\n      },' in out


def test_hcl_quoted_keys_and_comments():
    out = edit(HCL, HCL.index('{\n            "sts'), "arn:aws:iam::123456789012:role/ci-runner", "hcl",
               key="aws:PrincipalArn")
    assert ('"sts:ExternalId" = var.external_id // from a secret\n'
            '            "aws:PrincipalArn" = "arn:aws:iam::123456789012:role/ci-runner"\n          }') in out


def test_hcl_one_line_object_and_raw_expression():
    out = edit(HCL, HCL.index("{ AWS"), Raw("[var.ci_role]"), "hcl", key="Service")
    assert 'Principal = { AWS = "arn:aws:iam::123456789012:role/ci-runner", Service = [var.ci_role] } # the runner' in out


def test_hcl_list_with_trailing_comma():
    out = edit(HCL, HCL.index("[\n"), {"Effect": "Deny", "Action": ["sts:AssumeRole"], "Principal": {"AWS": "*"}}, "hcl")
    assert ('      },\n      {\n        Effect = "Deny"\n        Action = ["sts:AssumeRole"]\n'
            '        Principal = {\n          AWS = "*"\n        }\n      },\n    ]') in out


def test_hcl_template_strings_with_nested_quotes_and_braces():
    text = 'jsonencode({\n  a = "${var.x == "}" ? "{" : "]"}"\n  b = "$${not}{"\n})'
    c = scan_container(text, text.index("{"), "hcl")
    assert len(c.items) == 2 and text[c.close] == "}" and c.close == len(text) - 2
    out = edit(text, text.index("{"), 1, "hcl", key="c")
    assert out.endswith('\n  c = 1\n})')


def test_scan_container_errors():
    for bad in ('{"a": "x', '{"a": [1}', "{ /* open"):
        with pytest.raises(EditError):
            scan_container(bad, 0, "hcl" if "/*" in bad else "json")


def test_scanners_are_linear_on_adversarial_input():
    n = 100_000
    cases = [
        ("json", "[" + "[" * n),  # unclosed nesting
        ("json", '{"a": "' + "\\" * n),  # escapes without an end
        ("hcl", '{ a = "' + "${" * (n // 2)),  # template openers without an end
        ("hcl", "{" + "/*" * (n // 2)),
        ("json", "[" + "1," * (n // 2) + "1]"),
    ]
    for syntax, text in cases:  # growth with size: tests/hostile/test_linear_time.py
        try:
            scan_container(text, 0, syntax)
        except EditError:
            pass
