"""Where things are in the user's text: spans with offsets, lines and columns.

Every parsed element keeps a Span so that findings can point at a line and
fixes can edit exactly those characters in the user's own formatting.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int  # offset of the first character in the input text
    end: int  # offset just past the last character
    line: int  # 1-based
    col: int  # 1-based, in characters
    end_line: int
    end_col: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


_LARGE = 1_000_000  # characters: a text this long is indexed once (LineIndex._recent)


class LineIndex:
    """Maps character offsets of one text to (line, column), both 1-based. Read-only once
    built, so the index of a large text (AWS output of tens of MB, read again by every
    diagnosis and by its fix's verification) is built once and shared."""

    _recent: list = []  # [(text, index)] of the last large texts, newest first

    def __new__(cls, text: str):
        if isinstance(text, str) and len(text) >= _LARGE:
            for seen, index in cls._recent:
                if seen is text:
                    return index
        return super().__new__(cls)

    def __init__(self, text: str):
        if getattr(self, "text", None) is text:
            return  # a large text indexed before (__new__ gave its index)
        self.text = text
        # Line starts, each line's length + 1 summed: split, map and accumulate run in C
        # (100 MB of AWS output in a fraction of a second).
        lengths = list(map(len, text.split("\n")))
        self.starts = [0] + list(map(operator.add, itertools.accumulate(lengths[:-1]), range(1, len(lengths))))
        if len(text) >= _LARGE:
            LineIndex._recent = [(text, self)] + LineIndex._recent[:2]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col - 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(start, end, line, col, end_line, end_col)

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


def common_prefix(a: str, b: str) -> int:
    """Length of the common start of `a` and `b`."""
    n, i, step = min(len(a), len(b)), 0, 1 << 16
    while i < n and a[i:i + step] == b[i:i + step]:  # compared in C, 64 K at a time
        i += step
    end = min(i + step, n)
    while i < end and a[i] == b[i]:
        i += 1
    return min(i, n)


def common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common end of `a` and `b`, at most `limit`."""
    n, i, step = limit, 0, 1 << 16
    la, lb = len(a), len(b)
    while i < n and a[la - min(i + step, n):la - i] == b[lb - min(i + step, n):lb - i]:
        i = min(i + step, n)
    while i < n and a[la - i - 1] == b[lb - i - 1]:
        i += 1
    return i


# ---- scanning quoted strings ---------------------------------------------
# The one string-aware scan the readers, checks and the edit engine share:
# Terraform's (HCL's) and JSON's double-quoted strings both escape with a
# backslash. An HCL string is a template: with `templates`, a `${ ... }` or
# `%{ ... }` sequence inside it is an expression with strings of its own
# (`"${jsonencode({a = "b"})}"`), and `$${` / `%%{` are literal text
# (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).

# A backslash before `$` or `%` keeps the `{` after it literal too (an invalid escape either way);
# `.` leaves out the newline: a backslash-newline is no escape.
_IN_STRING = re.compile(r'\\([$%])\1?\{|\\.|\$\$\{|%%\{|[$%]\{|["\n]')
_IN_TEMPLATE = re.compile(r'[{}"\n]')


def quoted_end(text: str, i: int, end: int | None = None, one_line: bool = False,
               templates: bool = False) -> int:
    """text[i] == '"': the offset just past the closing quote (backslash escapes
    skipped), or -1 when the string does not close before `end` (or, with
    `one_line`, before the next newline: HCL's quoted strings do not span lines).
    With `templates`, quotes inside `${ }` / `%{ }` sequences do not close it."""
    n = len(text) if end is None else end
    if templates:
        return _template_end(text, i + 1, n, one_line)
    j = i + 1
    while True:
        k = text.find('"', j, n)
        if one_line and text.find("\n", j, n if k == -1 else k) != -1:
            return -1
        if k == -1:
            return -1
        bs = k
        while bs > j and text[bs - 1] == "\\":
            bs -= 1
        if (k - bs) % 2 == 0:  # an even run of backslashes escapes only itself
            return k + 1
        j = k + 1


def _template_end(text: str, j: int, n: int, one_line: bool) -> int:
    """quoted_end of an HCL template string whose text starts at j. A stack, not
    recursion: '"' inside a string, '}' inside a template sequence or a brace in it."""
    stack = ['"']
    while stack:
        m = (_IN_STRING if stack[-1] == '"' else _IN_TEMPLATE).search(text, j, n)
        if m is None:
            return -1
        g, j = m.group(), m.end()
        if g == "\n":
            if one_line:
                return -1
        elif g == '"':
            if stack[-1] == '"':
                stack.pop()
            else:
                stack.append('"')
        elif g in ("${", "%{", "{"):
            stack.append("}")
        elif g == "}":
            stack.pop()
        # else a backslash escape, `$${` or `%%{`: literal text
    return j


def comment_start(line: str) -> int:
    """Index of the first `#`, `//` or `/*` outside a string on one line, or -1."""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            i = quoted_end(line, i)
            if i == -1:
                return -1
            continue
        if ch == "#" or line.startswith("//", i) or line.startswith("/*", i):
            return i
        i += 1
    return -1
