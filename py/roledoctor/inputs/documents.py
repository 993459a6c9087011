"""Several documents in one text: JSON documents one after another (the page's
"Organization policies" box, a paste of `aws organizations describe-policy`
outputs), the JSON objects and HCL blocks an error paste quotes; where each one
is, and each cut out with the offsets and lines of the whole text."""

from __future__ import annotations

import re

from roledoctor.source import quoted_end


def split_documents(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level JSON object when a text holds two or more,
    separated by blanks, commas, `---`, `#`/`//` comment lines or wrapped in one
    JSON array; [] otherwise. One linear pass, strings skipped."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    depth, start, bracket = 0, -1, 0
    while i < n:
        ch = text[i]
        if depth > 0:
            if ch == '"':
                i = quoted_end(text, i)
                if i == -1:
                    return []  # a string that never closes
                continue
            if ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    out.append((start, i + 1))
        elif ch == "{":
            depth, start = 1, i
        elif ch == "[" and bracket == 0 and not out:
            bracket = 1
        elif ch == "]" and bracket == 1:
            bracket = 2
        elif ch in "#/" and (ch == "#" or text.startswith("//", i)) or text.startswith("---", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif not (ch.isspace() or ch == "," or ch == "\ufeff"):
            return []  # something other than JSON objects at the top level
        i += 1
    if depth or len(out) < 2:
        return []
    return out


def blank_outside(text: str, a: int, b: int) -> str:
    """The text with everything outside [a, b) blanked (newlines kept): offsets and lines stay."""
    return "".join(c if c == "\n" else " " for c in text[:a]) + text[a:b] + \
        "".join(c if c == "\n" else " " for c in text[b:])


_SEGMENT_START = re.compile(r"^(?:\{|(?:provider|resource|data|terraform|variable|locals)[ \t][^\n{]*\{)", re.M)


def _block_end(text: str, start: int, hcl: bool) -> int | None:
    """The offset just past the brace that closes the one at or after `start`, None when it
    never closes. Braces inside strings do not count (in HCL, nor inside `${ }` sequences);
    a string left open ends with its line, as a paste cut mid-line would have it."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = quoted_end(text, i, one_line=True, templates=hcl)
            if j == -1:
                j = text.find("\n", i)
                if j == -1:
                    return None
            i = j
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def segments(text: str) -> list[tuple[int, int, str]]:
    """Column-0 JSON objects and HCL blocks inside a mixed paste (error output
    plus config): (start, end, "json"|"hcl"). Braces are matched outside strings."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = _SEGMENT_START.search(text, pos)
        if not m:
            return out
        kind = "json" if text[m.start()] == "{" else "hcl"
        end = _block_end(text, m.start(), kind == "hcl")
        if end is None:
            return out
        out.append((m.start(), end, kind))
        pos = end
