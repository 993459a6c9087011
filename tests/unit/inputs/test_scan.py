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
