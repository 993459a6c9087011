"""Safe inline formatting shared by the Markdown, HTML and text renderers.

Catalogue texts and messages mark code with backticks (`sts:ExternalId`).
`split_code` cuts a text into plain and code parts; each renderer then escapes
the plain parts for its medium and shows the code parts as inert code, so a
value pasted by the user can never become a link, HTML or a terminal escape.
All scanners are single passes (no regex backtracking).
"""

from __future__ import annotations

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


def clean_controls(text: str, keep_newlines: bool = True) -> str:
    """Drop C0/C1 control characters (ANSI escapes, bells, NULs); keep tabs and maybe newlines."""
    out = []
    for ch in str(text):
        o = ord(ch)
        if ch == "\n" or ch == "\t":
            out.append(ch if (keep_newlines or ch == "\t") else " ")
        elif ch == "\r":
            continue
        elif o < 0x20 or 0x7F <= o < 0xA0 or ch in "\u2028\u2029":
            continue
        else:
            out.append(ch)
    return "".join(out)


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
    """Plain text for a terminal: controls removed, backticks kept as the reader's cue."""
    return clean_controls(text)
