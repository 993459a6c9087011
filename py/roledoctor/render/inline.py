"""Safe inline formatting shared by the Markdown, HTML and text renderers.

Catalogue texts and messages mark code with backticks (`sts:ExternalId`).
`split_code` cuts a text into plain and code parts; each renderer then escapes
the plain parts for its medium and shows the code parts as inert code, so a
value pasted by the user can never become a link, HTML or a terminal escape.
All scanners are single passes (no regex backtracking).
"""

from __future__ import annotations

import re

# Markdown punctuation that can start emphasis, links, HTML, autolinks
# (":" scheme, "@" e-mail, "." www.), headings, lists, tables or entities.
_MD_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~&:@^$")


def split_code(text: str) -> list[tuple[bool, str]]:
    """[(is_code, part)]: backtick pairs delimit code; an unpaired backtick stays plain."""
    parts: list[tuple[bool, str]] = []
    i, n, plain_from = 0, len(text), 0
    while i < n:
        j = text.find("`", i)
        if j < 0:
            break
        k = text.find("`", j + 1)
        if k < 0:
            break
        if j > plain_from:
            parts.append((False, text[plain_from:j]))
        parts.append((True, text[j + 1 : k]))
        plain_from = i = k + 1
    if plain_from < n:
        parts.append((False, text[plain_from:]))
    return parts


# Bidirectional controls reorder what a terminal or a page shows (Trojan
# Source, https://trojansource.codes/, CVE-2021-42574): dropped with the controls.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(ch: str) -> bool:
    o = ord(ch)
    return o < 0x20 or 0x7F <= o < 0xA0 or ch in "\u2028\u2029" or ch in BIDI


# str.translate tables (one pass in C): every unsafe character dropped, tabs
# kept, newlines kept or turned into spaces.
_DROP = {o: None for o in range(0xA0) if _unsafe(chr(o))} | {
    ord(c): None for c in "\u2028\u2029" + "".join(BIDI)}
_KEEP_NEWLINES = {o: v for o, v in _DROP.items() if o not in (0x09, 0x0A)}
_NEWLINES_AS_SPACES = {**_KEEP_NEWLINES, 0x0A: " "}


def clean_controls(text: str, keep_newlines: bool = True) -> str:
    """Drop C0/C1 control characters (ANSI escapes, bells, NULs, CR) and bidi
    controls; keep tabs and maybe newlines (else each becomes a space)."""
    return str(text).translate(_KEEP_NEWLINES if keep_newlines else _NEWLINES_AS_SPACES)


def one_line(text) -> str:
    """A field of a one-line message: no controls, newlines become spaces."""
    return clean_controls(str(text), keep_newlines=False)


def escape_name(name) -> str:
    """A file name for a terminal: controls, bidi and line separators shown as
    escapes (\\x1b, \\u202e), so the name can still be told apart, never acted on."""
    out = []
    for ch in str(name):
        if _unsafe(ch):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


# CI log commands: GitHub Actions reads `::command::` at the start of a line
# (after spaces) and its older `##[command]` anywhere in one; Azure Pipelines
# `##vso[` and TeamCity `##teamcity[` likewise.
# https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
# https://github.com/actions/runner/blob/main/src/Runner.Common/ActionCommand.cs
# https://learn.microsoft.com/en-us/azure/devops/pipelines/scripts/logging-commands
# https://www.jetbrains.com/help/teamcity/service-messages.html
_CI_ANYWHERE = re.compile(r"##(?=\[|vso\[|teamcity\[)", re.I)
_CI_LINE_START = re.compile(r"(?:^|(?<=\r))([^\S\r\n]*+)::", re.M)  # .NET ends lines at \r too


def ci_safe(text: str) -> str:
    """A whole output with no line a CI runner reads as a command: a backslash
    goes in front of such a line's `::` and between the two `#` of `##[`.
    Our own lines never start with `::`, so every such line came from the input."""
    return _CI_LINE_START.sub(r"\1\\::", _CI_ANYWHERE.sub(r"#\\#", text))


# Serialized JSON: these would act on a terminal or a CI log even inside a
# string; \uXXXX escapes decode to the same text.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
                          r"|##(?=\[|vso\[|teamcity\[)", re.I)


def _json_escape(m: re.Match) -> str:
    s = m.group()
    return "#\\u0023" if s == "##" else f"\\u{ord(s):04x}"


def json_safe(serialized: str) -> str:
    """Output of json.dumps(..., ensure_ascii=False) made inert, same data."""
    return _JSON_UNSAFE.sub(_json_escape, serialized)


def md_escape(text: str) -> str:
    """Backslash-escape Markdown punctuation; one line (newlines become spaces)."""
    out = []
    for ch in clean_controls(text, keep_newlines=False):
        out.append("\\" + ch if ch in _MD_SPECIAL else ch)
    return "".join(out)


def _longest_run(text: str, ch: str) -> int:
    best = cur = 0
    for c in text:
        cur = cur + 1 if c == ch else 0
        best = max(best, cur)
    return best


def md_code(text: str) -> str:
    """An inline code span that nothing inside can close: fence longer than any backtick run."""
    body = clean_controls(text, keep_newlines=False)
    fence = "`" * (_longest_run(body, "`") + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.endswith(" ") and body.strip()):
        body = f" {body} "
    return f"{fence}{body or ' '}{fence}"


def md_block(text: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run in the text."""
    body = clean_controls(text).rstrip("\n")
    fence = "`" * max(3, _longest_run(body, "`") + 1)
    lang = "".join(c for c in lang if c.isalnum())
    return f"{fence}{lang}\n{body}\n{fence}"


def md_inline(text: str) -> str:
    return "".join(md_code(p) if code else md_escape(p) for code, p in split_code(str(text)))


def text_inline(text: str) -> str:
    """Plain text for a terminal, one line: controls removed, backticks kept as the reader's cue."""
    return clean_controls(text, keep_newlines=False)
