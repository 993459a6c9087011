"""Minimal text edits in the user's own formatting, and unified diffs.

Fixers never re-serialise a whole document: they compute a few TextEdits
(character offsets into the text the user pasted) so that the diff shows only
what changed, with the user's quoting, indentation, commas and line endings.

Everything here scans the text once, by hand (no regexes), so it stays linear
on adversarial input.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from roledoctor.source import common_prefix, common_suffix, quoted_end


class EditError(ValueError):
    pass


@dataclass(frozen=True)
class TextEdit:
    start: int  # offset of the first replaced character
    end: int  # offset just past the last replaced character (== start for an insertion)
    replacement: str


def apply_edits(text: str, edits) -> str:
    """Apply non-overlapping edits (offsets refer to the original text)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for e in ordered:
        if not 0 <= e.start <= e.end <= len(text):
            raise EditError(f"edit {e.start}..{e.end} is outside the text (length {len(text)})")
    for a, b in zip(ordered, ordered[1:], strict=False):
        # Two insertions at one offset have no defined order: refuse them too.
        if b.start < a.end or (a.start == a.end == b.start == b.end):
            raise EditError(f"edits {a.start}..{a.end} and {b.start}..{b.end} overlap")
    out = text
    for e in reversed(ordered):  # from the end, so earlier offsets stay valid
        out = out[: e.start] + e.replacement + out[e.end :]
    return out


def _lines(text: str) -> list[str]:
    # Split on "\n" only (str.splitlines also splits on \x0c, \u2028...), keep the ends.
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


_HUNK = re.compile(r"-([0-9]{1,12})(,[0-9]{1,12})? \+([0-9]{1,12})(,[0-9]{1,12})?")


def unified_diff(before: str, after: str, name: str, context: int = 3) -> str:
    """A git-style unified diff (`a/NAME`, `b/NAME`); "" when nothing changed."""
    if before == after:
        return ""
    if len(before) > 1_000_000:
        return _large_diff(before, after, name, context)
    out = []
    for line in difflib.unified_diff(_lines(before), _lines(after), f"a/{name}", f"b/{name}", n=context):
        if line.endswith("\n"):
            out.append(line)
        else:  # last line without a newline: say so, as git and patch expect
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _large_diff(before: str, after: str, name: str, context: int) -> str:
    """unified_diff of a long text with a few changes: only the lines around them go to difflib."""
    p = common_prefix(before, after)
    start = before.rfind("\n", 0, p) + 1
    for _ in range(context):
        if start:
            start = before.rfind("\n", 0, start - 1) + 1
    s = common_suffix(before, after, min(len(before), len(after)) - p)
    d = len(after) - len(before)
    stop = len(before)
    if s:
        nl = before.find("\n", len(before) - s)
        stop = len(before) if nl < 0 else nl + 1
        for _ in range(context):
            nl = before.find("\n", stop)
            stop = len(before) if nl < 0 else nl + 1
    stop = max(stop, start)
    skip = before.count("\n", 0, start)
    out = []
    for line in difflib.unified_diff(_lines(before[start:stop]), _lines(after[start:stop + d]), f"a/{name}",
                                     f"b/{name}", n=context):
        if skip and line.startswith("@@ "):
            line = _HUNK.sub(lambda m: f"-{int(m.group(1)) + skip}{m.group(2) or ''} +{int(m.group(3)) + skip}"
                             f"{m.group(4) or ''}", line, count=1)
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# ---- strings -------------------------------------------------------------------

SYNTAXES = ("json", "hcl", "json_in_hcl")  # json_in_hcl: JSON inside an HCL heredoc/template


def quote_string(value: str, syntax: str = "json") -> str:
    """`value` as a double-quoted literal of `syntax`, non-ASCII kept as typed."""
    if syntax not in SYNTAXES:
        raise ValueError(f"syntax must be one of {SYNTAXES}")
    quoted = json.dumps(value, ensure_ascii=False)
    if syntax != "json":
        # HCL templates interpolate ${...} and %{...}: escape them so the value stays literal.
        quoted = quoted.replace("${", "$${").replace("%{", "%%{")
    return quoted


def replace_string(text: str, start: int, end: int, value: str, syntax: str = "json") -> TextEdit:
    """Replace the string literal at text[start:end] by `value`.

    The span may include the quotes (a parser's value span) or be the contents
    only; either way the result stays a valid, correctly escaped literal.
    """
    quoted = quote_string(value, syntax)
    if end - start >= 2 and text[start] == '"' and text[end - 1] == '"':
        return TextEdit(start, end, quoted)
    return TextEdit(start, end, quoted[1:-1])


# ---- containers ------------------------------------------------------------------


@dataclass
class Container:
    open: int  # offset of "{" or "["
    close: int  # offset of the matching "}" or "]"
    items: list[tuple[int, int]]  # (start, end) of each element, trimmed of blanks and comments
    separators: list[int]  # offsets of the top-level commas
    trailing_comma: bool


_CLOSERS = {"{": "}", "[": "]", "(": ")"}


def _skip_string(text: str, i: int, syntax: str = "json") -> int:
    """Offset just past the string literal starting at text[i] == '"'; in HCL
    its `${ ... }` / `%{ ... }` template sequences may hold strings of their own."""
    end = quoted_end(text, i, templates=syntax == "hcl")
    if end == -1:
        raise EditError("unterminated string")
    return end


def _skip_comment(text: str, i: int, syntax: str) -> int:
    """Offset past a comment starting at i, or i when none starts there (HCL only)."""
    if syntax == "json":
        return i
    if text.startswith("#", i) or text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j  # the newline itself still separates items
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        if j < 0:
            raise EditError("unterminated comment")
        return j + 2
    return i


def _close(stack: list[str], ch: str, i: int) -> bool:
    """Pop the closer `ch` at offset i (EditError when it is not the one expected); True when it closes the container."""
    if ch != stack[-1]:
        raise EditError(f"unbalanced {ch!r} at offset {i}")
    stack.pop()
    return not stack


def scan_container(text: str, open_pos: int, syntax: str = "json") -> Container:
    """Find the top-level elements of the object/array opening at `open_pos`."""
    opener = text[open_pos : open_pos + 1]
    if opener not in ("{", "["):
        raise EditError(f"no '{{' or '[' at offset {open_pos}")
    newline_separates = syntax != "json" and opener == "{"  # HCL object items end at a newline
    items: list[tuple[int, int]] = []
    seps: list[int] = []
    stack = [_CLOSERS[opener]]
    cur_start = cur_end = -1
    i, n = open_pos + 1, len(text)
    while i < n:
        ch = text[i]
        j = _skip_comment(text, i, syntax)
        if j != i:
            i = j
            continue
        if ch == '"':
            end = _skip_string(text, i, syntax)
            if cur_start < 0:
                cur_start = i
            cur_end, i = end, end
            continue
        depth1 = len(stack) == 1
        if ch in _CLOSERS:
            stack.append(_CLOSERS[ch])
        elif ch in "}])":
            if _close(stack, ch, i):
                if cur_start >= 0:
                    items.append((cur_start, cur_end))
                trailing = bool(seps) and (not items or seps[-1] > items[-1][1])
                return Container(open_pos, i, items, seps, trailing)
        elif depth1 and (ch == "," or (newline_separates and ch == "\n")):
            if cur_start >= 0:
                items.append((cur_start, cur_end))
                cur_start = cur_end = -1
            if ch == ",":
                seps.append(i)
            i += 1
            continue
        if not ch.isspace():
            if cur_start < 0:
                cur_start = i
            cur_end = i + 1
        i += 1
    raise EditError(f"no closing bracket for offset {open_pos}")


# ---- style detection --------------------------------------------------------------


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _indent_at(text: str, pos: int) -> str:
    """Leading blanks of the line containing pos."""
    start = _line_start(text, pos)
    j = start
    while j < len(text) and text[j] in " \t":
        j += 1
    return text[start:j]


def _has_inline_list(text: str) -> bool:
    """Does some line hold a whole non-empty list, like `"Action": ["a", "b"]`?"""
    for line in text.split("\n"):
        i = line.find("[")
        if i >= 0 and line.find("]", i) > i + 1:
            return True
    return False


def _newline(text: str) -> str:
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def _indent_unit(text: str) -> str:
    """The document's indent step: a tab, or the smallest positive space indent (default 2)."""
    smallest = 0
    for line in text.split("\n"):
        stripped = line.lstrip(" \t")
        if not stripped.strip():
            continue
        lead = line[: len(line) - len(stripped)]
        if lead.startswith("\t"):
            return "\t"
        if lead and (smallest == 0 or len(lead) < smallest):
            smallest = len(lead)
    return " " * (smallest or 2)


@dataclass
class Raw:
    """An expression inserted verbatim (e.g. `var.external_id` in HCL)."""

    text: str


_HCL_IDENT_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@dataclass
class Style:
    syntax: str  # json | hcl | json_in_hcl
    newline: str = "\n"
    unit: str = "  "
    key_sep: str = ": "  # JSON ": " or ":"; HCL " = " or ": "
    item_sep: str = ", "  # between items on one line
    quote_keys: bool = True  # HCL only: quote every key (else only those that need it)
    inline_scalar_lists: bool = False  # ["a", "b"] on one line even in a multi-line document

    def key(self, k: str) -> str:
        if self.syntax == "hcl" and not self.quote_keys and k and not k[0].isdigit() \
                and all(c in _HCL_IDENT_OK for c in k):
            return k
        return quote_string(k, self.syntax)

    def value(self, v, indent: str, multiline: bool) -> str:
        """A Python value (or Raw) in this style; containers broken over lines when multiline."""
        if isinstance(v, Raw):
            return v.text
        if isinstance(v, str):
            return quote_string(v, self.syntax)
        if isinstance(v, bool):
            return "true" if v else "false"
        if v is None:
            return "null"
        if isinstance(v, (int, float)):
            return json.dumps(v)
        if isinstance(v, dict):
            pairs = [self.key(str(k)) + self.key_sep + self.value(x, indent + self.unit, multiline)
                     for k, x in v.items()]
            return self._wrap("{", "}", pairs, indent, multiline, object_=True)
        if isinstance(v, (list, tuple)):
            if self.inline_scalar_lists and not any(isinstance(x, (dict, list, tuple)) for x in v):
                multiline = False
            vals = [self.value(x, indent + self.unit, multiline) for x in v]
            return self._wrap("[", "]", vals, indent, multiline, object_=False)
        raise TypeError(f"cannot render {type(v).__name__}")

    def _wrap(self, a: str, b: str, parts: list[str], indent: str, multiline: bool, object_: bool) -> str:
        if not parts:
            return a + b
        if not multiline:
            inner = self.item_sep.join(parts)
            return f"{a} {inner} {b}" if self.syntax == "hcl" and object_ else a + inner + b
        # HCL objects separate by newlines; JSON and HCL lists by commas.
        sep = self.newline if (self.syntax == "hcl" and object_) else "," + self.newline
        inner = sep.join(indent + self.unit + p for p in parts)
        trail = "," if (self.syntax == "hcl" and not object_) else ""
        return a + self.newline + inner + trail + self.newline + indent + b


def detect_style(text: str, syntax: str = "json", container: Container | None = None) -> Style:
    """Guess the user's style from the text (and the container being edited)."""
    st = Style(syntax=syntax, newline=_newline(text), unit=_indent_unit(text))
    st.key_sep = " = " if syntax == "hcl" else ": "
    if syntax == "hcl":
        st.quote_keys = False
    if syntax != "hcl" and '":' in text and '": ' not in text:
        st.key_sep, st.item_sep = ":", ","  # compact JSON
    st.inline_scalar_lists = _has_inline_list(text) if syntax != "hcl" else True
    sample = None
    if container and container.items:
        sample = container.items[-1]
        # Item separator on one line: what follows the first comma (", " or ",").
        if container.separators:
            c = container.separators[0]
            after = text[c + 1 : c + 2]
            if after not in ("\n", "\r"):  # a comma ending a line tells nothing about one-line style
                st.item_sep = ", " if after in (" ", "\t") else ","
    if sample and container is not None and text[container.open] == "{":
        k0, k1 = sample
        if text[k0] == '"':
            key_end = _skip_string(text, k0, syntax)
            if syntax == "hcl":
                st.quote_keys = True
        else:
            key_end = k0
            while key_end < k1 and text[key_end] not in " \t=:":
                key_end += 1
        j = key_end
        while j < k1 and text[j] in " \t":
            j += 1
        if j < k1 and text[j] in "=:":
            k = j + 1
            while k < k1 and text[k] in " \t":
                k += 1
            st.key_sep = text[key_end:k]
    return st


# ---- insertion ---------------------------------------------------------------------


def _aligned_key_sep(text: str, style: Style, item: tuple[int, int], key: str) -> str:
    """`terraform fmt` aligns the `=` of adjacent attributes: pad a shorter new key to that column."""
    start, end = item
    if style.syntax != "hcl" or "=" not in style.key_sep or "\n" in text[start:end]:
        return style.key_sep  # only a single-line attribute starts an alignment group
    eq = text.find("=", start, end)
    if eq < 0:
        return style.key_sep
    pad = (eq - start) - len(key)  # columns from the key's start to "="
    return " " * pad + style.key_sep.lstrip(" ") if pad >= 1 else style.key_sep


def insert_element(text: str, open_pos: int, element, syntax: str = "json", key: str | None = None) -> TextEdit:
    """Append a member (`key` given: object) or an item (array) to the container at open_pos.

    `element` is a Python value (dict, list, str, number, bool) or a Raw
    expression; it is written in the surrounding indentation, newline, key
    separator and comma style. A one-line container stays on one line.
    """
    c = scan_container(text, open_pos, syntax)
    is_object = text[open_pos] == "{"
    if is_object != (key is not None):
        raise EditError("give `key` for an object, and no key for an array")
    st = detect_style(text, syntax, c)
    hcl_object = syntax == "hcl" and is_object
    multiline = "\n" in text[c.open : c.close] or (not c.items and "\n" in text)

    if c.items:
        last = c.items[-1]
        item_indent = _indent_at(text, last[0])
        base = item_indent
        key_sep = _aligned_key_sep(text, st, last, st.key(key)) if key is not None else st.key_sep
    else:
        base = _indent_at(text, c.open) + st.unit
        key_sep = st.key_sep

    def render(indent: str, ml: bool) -> str:
        value = st.value(element, indent, ml)
        return (st.key(key) + key_sep + value) if key is not None else value

    if not c.items:
        if multiline:
            close_indent = _indent_at(text, c.open)
            body = st.newline + base + render(base, True) + ("," if syntax == "hcl" and not is_object else "")
            # Replace whatever blank lines sit between the brackets with the new body.
            return TextEdit(c.open + 1, c.close, body + st.newline + close_indent)
        inner = render("", False)
        return TextEdit(c.open + 1, c.close, f" {inner} " if hcl_object else inner)

    last_end = c.items[-1][1]
    if not multiline:
        # One-line container: `[a, b]` -> `[a, b, new]`; HCL `{ a = 1 }` -> `{ a = 1, new = 2 }`.
        sep = st.item_sep
        if c.trailing_comma:
            return TextEdit(c.separators[-1] + 1, c.separators[-1] + 1, sep.lstrip(",") + render("", False) + ",")
        return TextEdit(last_end, last_end, sep + render("", False))

    new = render(base, True)
    # Keep a comment at the end of the last item's line on that line.
    at = c.separators[-1] + 1 if c.trailing_comma else last_end
    eol = _end_of_line_after(text, at, syntax)
    if hcl_object or c.trailing_comma:
        # HCL members are newline-separated; keep a trailing comma habit if the last item has one.
        return TextEdit(eol, eol, st.newline + base + new + ("," if c.trailing_comma else ""))
    return TextEdit(last_end, eol, "," + text[last_end:eol] + st.newline + base + new)


def _end_of_line_after(text: str, pos: int, syntax: str) -> int:
    """Where the line after `pos` ends, if only blanks or a comment follow on it (before any "\r"); else pos."""
    i, n = pos, len(text)
    while i < n and text[i] in " \t":
        i += 1
    j = _skip_comment(text, i, syntax)
    if j != i:
        if "\n" in text[i:j]:  # a /* */ comment running over lines: stay before it
            return pos
        i = j
        while i < n and text[i] in " \t":
            i += 1
    if i >= n:
        return n
    if text[i] == "\n":
        return i - 1 if i > 0 and text[i - 1] == "\r" else i
    if text.startswith("\r\n", i):
        return i
    return pos
