"""Run the rules over a text: candidate findings with spans, after the
per-rule and global allowlists, before overlaps are resolved."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Iterator

from roledoctor.redaction import allowlist
from roledoctor.redaction.rules import Rule, shannon_entropy

# one quoted string inside a bracketed list (rules' `list` group)
# (never starting at an escaped quote, so a run of \" is read once)
QUOTED_ITEM = re.compile(r"(?<!\\)\"((?:[^\"\\\r\n]|\\.){1,512}+)\"|(?<!\\)'([^'\r\n]{1,512}+)'")
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:")


@dataclass(frozen=True)
class SecretMatch:
    """A candidate secret or identifier in a scanned text (not a report finding: roledoctor.findings)."""

    start: int  # offsets in the scanned text
    end: int
    value: str
    type: str
    rule: str
    priority: int = 50


def _secret_spans(m: re.Match[str]) -> Iterator[tuple[int, int]]:
    groups = m.groupdict()
    if groups.get("list") is not None:
        base = m.start("list")
        for item in QUOTED_ITEM.finditer(groups["list"]):
            g = 1 if item.group(1) is not None else 2
            yield base + item.start(g), base + item.end(g)
        return
    for name, value in groups.items():
        if name.startswith("s") and value is not None:
            yield m.span(name)
            return
    yield m.span()


def _full_key(text: str, m: re.Match[str]) -> str:
    """The whole key name around the rule's keyword (`DB_PASSWORD`, `sts:ExternalId`)."""
    start = m.start("key")
    lo = max(0, start - 60)
    while start > lo and text[start - 1] in _KEY_CHARS:
        start -= 1
    key = text[start : m.end("key")].strip("\"'\\")
    return CAMEL_BOUNDARY.sub("_", key).lower()


class Protected:
    """Sorted, possibly overlapping spans; `covers` asks whether one contains [start, end)."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        # running maximum of ends, so one bisect answers the question
        run = 0
        self.maxend = []
        for e in self.ends:
            run = max(run, e)
            self.maxend.append(run)

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.maxend[i] >= end


def accepts(rule: Rule, value: str, quoted: bool = False) -> bool:
    if len(value) < rule.min_len:
        return False
    if rule.entropy and shannon_entropy(value) < rule.entropy:
        return False
    if any(rx.search(value) for rx in rule.allow_res):
        return False
    if allowlist.value_allowed(value, quoted):
        return False
    return rule.validate is None or rule.validate(value)


def scan(text: str, rules: Iterable[Rule]) -> list[SecretMatch]:
    lowered = text.lower()
    protected = Protected(allowlist.protected_spans(text))
    protected_literal = Protected(allowlist.protected_spans(text, literal=True))
    found: list[SecretMatch] = []
    for rule in rules:
        if rule.keywords and not any(k in lowered for k in rule.keywords):
            continue
        for m in rule.regex.finditer(text):
            if rule.key_allow_re is not None and m.groupdict().get("key") is not None:
                if rule.key_allow_re.search(_full_key(text, m)):
                    continue
            for start, end in _secret_spans(m):
                value = text[start:end]
                quoted = start > 0 and text[start - 1] in "\"'"  # a string literal, not an expression
                if start == end or not accepts(rule, value, quoted) or \
                        (protected_literal if quoted else protected).covers(start, end):
                    continue
                found.append(SecretMatch(start, end, value, rule.type, rule.id, rule.priority))
    return found
