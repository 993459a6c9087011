"""The shared string-aware scan (roledoctor.source.quoted_end / comment_start)
that the HCL block splitter and the suppression comments use."""

from __future__ import annotations

import pytest

from roledoctor.check.suppress import comment_start as suppress_comment_start
from roledoctor.inputs.hcl import top_level_blocks
from roledoctor.source import comment_start, quoted_end


@pytest.mark.parametrize("text, end", [
    ('"abc" x', 5),
    ('"a\\"b" x', 6),          # an escaped quote does not close
    ('"a\\\\" x', 5),          # an escaped backslash does: the quote after it closes
    ('"a\\\\\\"b" x', 8),      # three backslashes: the quote is escaped
    ('""', 2),
])
def test_quoted_end_skips_escapes(text: str, end: int) -> None:
    assert quoted_end(text, 0) == end


def test_quoted_end_unclosed_and_one_line() -> None:
    assert quoted_end('"abc', 0) == -1
    assert quoted_end('"ab\nc"', 0) == 6
    assert quoted_end('"ab\nc"', 0, one_line=True) == -1
    assert quoted_end('"abc" "', 6) == -1
    assert quoted_end('"abc"', 0, end=4) == -1


@pytest.mark.parametrize("line, at", [
    ('role_arn = "a#b" # why', 17),
    ('x = "//not" // yes', 12),
    ('x = "a\\"#" /* c */', 11),
    ('x = "# open', -1),
    ('no comment', -1),
])
def test_comment_start_outside_strings(line: str, at: int) -> None:
    assert comment_start(line) == at
    assert suppress_comment_start is comment_start  # one scanner, not two


def test_block_splitter_uses_the_scanner() -> None:
    src = 'provider "aws" {\n  role_arn = "a}\\"{"\n}\nresource "aws_iam_role" "r" {\n}\n'
    blocks = top_level_blocks(src)
    assert blocks is not None and len(blocks) == 2
    assert top_level_blocks('provider "aws" {\n  x = "open\n}\n') is None  # a string across lines


def test_document_splitting_skips_strings_with_the_shared_scanner() -> None:
    from roledoctor.inputs.documents import split_documents

    a = '{"Sid": "a}\\"{", "x": 1}'
    b = '{"Statement": []}'
    text = f"{a}\n---\n{b}\n"
    assert split_documents(text) == [(0, len(a)), (len(a) + 5, len(a) + 5 + len(b))]
    assert split_documents('{"a": "open}\n{"b": 1}') == []  # the string never closes


@pytest.mark.parametrize("text, end", [
    ('"${jsonencode({a = "b"})}" x', 26),   # the quotes inside the template do not close it
    ('"a $${x} b" x', 11),                   # $${ is literal text
    ('"%{ if v == "x" }y%{ endif }" z', 29),  # directives hold strings too
    ('"${"${"in"}"}" x', 14),                # nested templates
    ('"\\${x" y', 6),                         # a backslash keeps the brace after $ literal
])
def test_quoted_end_follows_hcl_templates(text: str, end: int) -> None:
    assert quoted_end(text, 0, templates=True) == end
    assert quoted_end(text, 0) <= end  # without templates the first unescaped quote closes it


def test_quoted_end_templates_one_line_and_unclosed() -> None:
    assert quoted_end('"${f(\n)}"', 0, templates=True) == 9
    assert quoted_end('"${f(\n)}"', 0, one_line=True, templates=True) == -1
    assert quoted_end('"${x', 0, templates=True) == -1
    assert quoted_end('"' + "${" * 50_000, 0, templates=True) == -1  # a stack, not recursion


def test_edit_engine_skips_hcl_strings_with_the_shared_scanner() -> None:
    from roledoctor.fixes.edits import EditError, _skip_string

    text = '"${jsonencode({a = "b"})}" x'
    assert _skip_string(text, 0, "hcl") == quoted_end(text, 0, templates=True) == 26
    assert _skip_string(text, 0, "json") == quoted_end(text, 0) == 20
    with pytest.raises(EditError):
        _skip_string('"open', 0, "hcl")


def test_block_splitter_follows_templates_and_refuses_what_does_not_split() -> None:
    src = 'resource "aws_s3_bucket" "b" {\n  x = "${jsonencode({a = "}"})}"\n}\nvariable "v" {}\n'
    blocks = top_level_blocks(src)
    assert blocks is not None and [(b[0], b[2]) for b in blocks] == [(0, False), (src.index("variable"), True)]
    assert top_level_blocks('resource "a" "b" {} resource "c" "d" {}\n') is None  # two blocks on one line
    assert top_level_blocks('a = 1\n') is None  # an attribute (tfvars)
    assert top_level_blocks('resource "a" "b"\n{\n}\n') is None  # a header over two lines
    assert top_level_blocks('/* open\nresource "a" "b" {}\n') is None
