"""Inline suppressions: a comment naming the finding code and a reason,

    # roledoctor:ignore TRUST_ACCOUNT_ROOT_PRINCIPAL reason: break-glass role owned by security

on the finding's line or the line above it (`//` and `/* */` comments too;
several codes separated by commas). A finding inside a heredoc policy, where
no comment can go, is also suppressed by a comment on the heredoc's first line
(`assume_role_policy = <<EOF`) or the line above it. A suppression without a reason, or naming
an unknown code, does not suppress and is itself reported (code
SUPPRESSION_INVALID, kind input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from roledoctor.findings import catalogue
from roledoctor.source import comment_start

MARKER = "roledoctor:ignore"
INVALID_CODE = "SUPPRESSION_INVALID"
# After the marker: codes separated by commas, then optionally `reason:` and the rest of the line.
# Each part is one character class with no overlap with the next: linear time.
_BODY = re.compile(r"[ \t]+([A-Za-z0-9_]{1,80}(?:[ \t]*,[ \t]*[A-Za-z0-9_]{1,80}){0,50})"
                   r"(?:[ \t]+reason[ \t]*[:=][ \t]*([^\n]*))?")
_HEREDOC = re.compile(r"<<-?[ \t]*([A-Za-z_][A-Za-z0-9_-]{0,100})[ \t]*\r?$")


def heredoc_start(lines: list[str], line: int) -> int | None:
    """When 1-based `line` lies inside a heredoc (`<<EOF` … `EOF`), the line the heredoc starts on."""
    for ln in range(line - 1, 0, -1):
        m = _HEREDOC.search(lines[ln - 1])
        if m:
            tag = m.group(1)
            for end in range(ln + 1, len(lines) + 1):
                if lines[end - 1].strip() == tag:
                    return ln if end >= line else None
            return None
    return None


@dataclass
class Suppression:
    input: str  # display name of the file
    line: int  # 1-based line of the comment
    codes: tuple[str, ...]
    reason: str  # "" when missing
    text: str  # the comment line, stripped
    problem: str = ""  # why it is invalid ("" when valid)
    used: int = 0

    @property
    def valid(self) -> bool:
        return not self.problem


def scan(name: str, text: str) -> list[Suppression]:
    """Every `roledoctor:ignore` comment in one file."""
    out: list[Suppression] = []
    if MARKER not in text:
        return out
    known = catalogue.load().entries
    pos = 0
    while True:
        i = text.find(MARKER, pos)
        if i < 0:
            return out
        pos = i + len(MARKER)
        start = text.rfind("\n", 0, i) + 1
        stop = text.find("\n", i)
        stop = len(text) if stop < 0 else stop
        line_text = text[start:stop].rstrip("\r")
        c = comment_start(line_text)
        if c < 0 or start + c > i:
            continue  # the marker inside a string, not a comment
        line = text.count("\n", 0, i) + 1
        m = _BODY.match(text, pos, stop)
        codes: tuple[str, ...] = ()
        reason = ""
        if m:
            codes = tuple(c.strip() for c in m.group(1).split(","))
            reason = (m.group(2) or "").strip()
            if reason.endswith("*/"):
                reason = reason[:-2].strip()
        s = Suppression(name, line, codes, reason, line_text.strip())
        unknown = [c for c in codes if c not in known]
        if not codes:
            s.problem = f"`{MARKER}` names no finding code"
        elif unknown:
            s.problem = f"unknown finding code {', '.join(unknown)}"
        elif len(reason) < 3:
            s.problem = "no reason given (write `reason: …` after the code)"
        out.append(s)


class Suppressions:
    """All suppression comments of the scanned files, looked up by (file, line)."""

    def __init__(self, texts: dict[str, str]):
        self.all: list[Suppression] = []
        self._by_place: dict[tuple[str, int], list[Suppression]] = {}
        self._texts = texts
        self._lines: dict[str, list[str]] = {}
        for name, text in texts.items():
            if isinstance(text, str):
                for s in scan(name, text):
                    self.all.append(s)
                    self._by_place.setdefault((name, s.line), []).append(s)

    def match(self, code: str, input_name: str, line: int) -> Suppression | None:
        """The valid suppression of `code` on `line` or the line above it."""
        if not line:
            return None
        places = [line, line - 1]
        if any(n == input_name for n, _ in self._by_place):
            # a policy in a heredoc cannot hold a comment: the line the heredoc starts on (or above) counts
            if input_name not in self._lines:
                self._lines[input_name] = (self._texts.get(input_name) or "").split("\n")
            start = heredoc_start(self._lines[input_name], line)
            if start is not None:
                places += [start, start - 1]
        for ln in places:
            for s in self._by_place.get((input_name, ln), []):
                if s.valid and code in s.codes:
                    s.used += 1
                    return s
        return None

    @property
    def invalid(self) -> list[Suppression]:
        return [s for s in self.all if not s.valid]

    @property
    def unused(self) -> list[Suppression]:
        return [s for s in self.all if s.valid and not s.used]
