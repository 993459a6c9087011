"""A small JSON parser that remembers where every key and value is.

The stdlib json module gives values but no positions; fixes must edit the
user's own characters, so we need offsets. Strings are decoded by the stdlib's
C `scanstring` (fast and exact); the structure is walked here. Errors carry the
offset of the offending character. Nesting is bounded so adversarial input
cannot exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C decoder, not in typeshed
from typing import Any

MAX_DEPTH = 400

_WS = re.compile(r"[ \t\n\r]*")
# One alternation, no nested quantifiers: linear time.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))


class JSONSyntaxError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class JSONDoc:
    value: Any  # whatever the JSON holds: checked where it is read
    spans: dict = field(default_factory=dict)  # path -> (start, end) of the value
    key_spans: dict = field(default_factory=dict)  # path -> (start, end) of the key string
    start: int = 0
    end: int = 0


def parse(text: str, start: int = 0, end: int | None = None, positions: bool = True) -> JSONDoc:
    """Parse one JSON value in text[start:end]; trailing non-space is an error."""
    p = _Parser(text, end if end is not None else len(text), positions)
    i = p.ws(start)
    value, j = p.value(i, (), 0)
    k = p.ws(j)
    if k < p.end:
        raise JSONSyntaxError("unexpected text after the JSON value", k)
    return JSONDoc(value, p.spans, p.key_spans, i, j)


class _Parser:
    def __init__(self, text: str, end: int, positions: bool):
        self.text = text
        self.end = end
        self.positions = positions
        self.spans: dict = {}
        self.key_spans: dict = {}

    def ws(self, i: int) -> int:
        m = _WS.match(self.text, i, self.end)  # matches always (it may be empty)
        return m.end() if m else i

    def fail(self, message: str, i: int):
        raise JSONSyntaxError(message, min(i, self.end))

    def value(self, i: int, path: tuple, depth: int):
        if i >= self.end:
            self.fail("unexpected end of input, expected a value", i)
        ch = self.text[i]
        if ch == "{":
            v, j = self.obj(i, path, depth)
        elif ch == "[":
            v, j = self.arr(i, path, depth)
        elif ch == '"':
            v, j = self.string(i)
        else:
            m = _NUMBER.match(self.text, i, self.end)
            if m and m.end() > i:
                s = m.group()
                v, j = (float(s) if any(c in s for c in ".eE") else int(s)), m.end()
            else:
                for word, lit in _LITERALS:
                    if self.text.startswith(word, i) and i + len(word) <= self.end:
                        v, j = lit, i + len(word)
                        break
                else:
                    self.fail(f"unexpected character {ch!r}, expected a value", i)
        if self.positions:
            self.spans[path] = (i, j)
        return v, j

    def string(self, i: int):
        try:
            s, j = scanstring(self.text, i + 1, True)
        except ValueError as err:  # message carries "(char N)"
            m = re.search(r"\(char ([0-9]+)\)", str(err))
            pos = int(m.group(1)) if m else i
            msg = str(err).split(":")[0].replace(" at", "")
            if pos >= len(self.text) or self.text[pos] == "\n" or msg.startswith("Unterminated"):
                msg, pos = "unterminated string", i  # point at the opening quote
            self.fail(msg, pos)
        if j > self.end:
            self.fail("unterminated string", i)
        return s, j

    def obj(self, i: int, path: tuple, depth: int):
        if depth >= MAX_DEPTH:
            self.fail("nesting too deep", i)
        out: dict = {}
        i = self.ws(i + 1)
        if i < self.end and self.text[i] == "}":
            return out, i + 1
        while True:
            if i >= self.end or self.text[i] != '"':
                self.fail("expected a property name in double quotes", i)
            key, j = self.string(i)
            if self.positions:
                self.key_spans[path + (key,)] = (i, j)
            j = self.ws(j)
            if j >= self.end or self.text[j] != ":":
                self.fail("expected ':' after the property name", j)
            j = self.ws(j + 1)
            # Duplicate keys: the last one wins, as in most JSON readers.
            out[key], j = self.value(j, path + (key,), depth + 1)
            j = self.ws(j)
            if j < self.end and self.text[j] == ",":
                i = self.ws(j + 1)
                if i < self.end and self.text[i] == "}":
                    self.fail("trailing comma before '}'", j)
                continue
            if j < self.end and self.text[j] == "}":
                return out, j + 1
            self.fail("expected ',' or '}'", j)

    def arr(self, i: int, path: tuple, depth: int):
        if depth >= MAX_DEPTH:
            self.fail("nesting too deep", i)
        out: list = []
        i = self.ws(i + 1)
        if i < self.end and self.text[i] == "]":
            return out, i + 1
        while True:
            v, j = self.value(i, path + (len(out),), depth + 1)
            out.append(v)
            j = self.ws(j)
            if j < self.end and self.text[j] == ",":
                i = self.ws(j + 1)
                if i < self.end and self.text[i] == "]":
                    self.fail("trailing comma before ']'", j)
                continue
            if j < self.end and self.text[j] == "]":
                return out, j + 1
            self.fail("expected ',' or ']'", j)


def string_offsets(text: str, start: int) -> tuple[str, list[int]] | None:
    """Decode the JSON string literal at text[start] ('"') and map each decoded
    character to its source offset, so a policy embedded as a JSON string (plan
    files) still gets exact spans. Returns None if it is not a valid literal.
    Offsets has one more entry than the value (the closing quote)."""
    try:
        value, end = scanstring(text, start + 1, True)
    except ValueError:
        return None
    offsets: list[int] = []
    i = start + 1
    close = end - 1
    while i < close:
        ch = text[i]
        if ch != "\\":
            offsets.append(i)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "u":
            code = int(text[i + 2 : i + 6], 16)
            # A surrogate pair decodes to one character from 12 source characters.
            if 0xD800 <= code < 0xDC00 and text.startswith("\\u", i + 6):
                offsets.append(i)
                i += 12
                continue
            offsets.append(i)
            i += 6
        else:
            offsets.append(i)
            i += 2
    offsets.append(close)
    if len(offsets) != len(value) + 1:
        return None
    return value, offsets
