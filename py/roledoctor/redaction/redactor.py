"""Reversible redaction: typed placeholders, one map for many texts.

Placeholder syntax: `TYPE_N`, e.g. `ACCOUNT_1`, `PASSWORD_2`, `GITHUB_TOKEN_1`
(TYPE is `[A-Z][A-Z_]*`, N a decimal counter per type). Why:

* only letters, digits and `_`: nothing to escape inside JSON or HCL strings,
  no `${`/`%{` (HCL templates), no `<>`/`&` (jsonencode turns them into
  `\\u003c`), no Markdown emphasis, valid as a bare YAML scalar or env value,
  and an ARN keeps its shape: `arn:aws:iam::ACCOUNT_1:role/ci`;
* typed, so a model can still reason ("ACCOUNT_1 trusts ACCOUNT_2");
* easy to find again however a model writes it: restore compares
  case-insensitively and also swallows the brackets a model may add
  (`<ACCOUNT_1>`, `[[ACCOUNT_1]]`, `{{ACCOUNT_1}}`), while backticks and
  quotes stay (they are the model's own Markdown or syntax).

A placeholder is never issued when its lowercase form occurs in any input the
Redactor has seen (`secret_1` in the input makes the next SECRET be
`SECRET_2`). Restore is literal (`str.find`, longest placeholder first, one
pass, so restored values are never re-scanned); a hit followed by a digit is
a different number (`ACCOUNT_1` in `ACCOUNT_12`) and is left alone.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import string
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from roledoctor.limits import check_text
from roledoctor.redaction.detectors import RULES
from roledoctor.redaction.rules import Rule
from roledoctor.redaction.scan import SecretMatch, scan

TYPE_RE = re.compile(r"[A-Z][A-Z_]{0,30}")  # a placeholder type (fullmatch)
UNDERSCORE_DIGIT = re.compile(r"_\d")  # where a placeholder-like token may end
MAP_FORMAT = "roledoctor-redaction-map"

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ALNUM = frozenset(string.ascii_letters + string.digits)
_DIGITS = frozenset(string.digits)
_TYPE_CHARS = string.ascii_letters + "_"
# brackets a model may put around a placeholder; removed on restore
_WRAPPERS = (("<<", ">>"), ("[[", "]]"), ("{{", "}}"), ("<", ">"))


@dataclass
class Entry:
    placeholder: str
    value: str
    type: str
    rule: str
    wrapped: bool = False  # the placeholder stood between brackets in our own output


@dataclass(frozen=True)
class Replacement:
    start: int  # span of the placeholder in the redacted text
    end: int
    orig_start: int  # span of the value in the original text
    orig_end: int
    type: str
    rule: str
    placeholder: str


@dataclass
class RedactionResult:
    text: str
    replacements: list[Replacement] = field(default_factory=list)
    # set when the input was refused (over roledoctor.limits.MAX_INPUT_BYTES):
    # then `text` is empty, so nothing unredacted can be sent on
    problem: str | None = None

    def to_dict(self) -> dict:
        out = {"text": self.text, "replacements": [asdict(r) for r in self.replacements]}
        if self.problem:
            out["problem"] = self.problem
        return out


class _Intervals:
    """Disjoint [start, end) intervals, sorted."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:
            return False
        return i == len(self.starts) or self.starts[i] >= end

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def account_from_access_key(key_id: str) -> str | None:
    """The account number encoded in an access key id (AKIA/ASIA...).

    Characters 5-20 are base32; bits 1..40 of the first 6 decoded bytes are
    the account (research notes section 5; not valid for AKIAI/AKIAJ keys).
    """
    body = key_id[4:20]
    if len(body) != 16:
        return None
    try:
        raw = base64.b32decode(body)
    except (binascii.Error, ValueError):
        return None
    return f"{(int.from_bytes(raw[:6], 'big') & 0x7FFFFFFFFF80) >> 7:012d}"


def _unwrap(text: str, start: int, end: int) -> tuple[int, int]:
    for left, right in _WRAPPERS:
        if text.startswith(right, end) and start >= len(left) and text.startswith(left, start - len(left)):
            return start - len(left), end + len(right)
    return start, end


def _wrapped(text: str, start: int, end: int) -> bool:
    return _unwrap(text, start, end) != (start, end)


def _find(text: str, entries: Iterable[Entry]) -> list[tuple[int, int, str]]:
    """Spans of placeholders in `text` with their values, sorted, disjoint."""
    low = text.translate(_ASCII_LOWER)
    taken = _Intervals()
    hits: list[tuple[int, int, str]] = []
    for entry in sorted(entries, key=lambda e: len(e.placeholder), reverse=True):
        p = entry.placeholder
        n = len(p)
        i = low.find(p.lower())
        while i >= 0:
            j = i + n
            if not (j < len(text) and text[j] in _DIGITS):
                # a case-changed hit must start a word; an exact one may sit
                # inside one (a fragment the user redacted mid-word)
                if text.startswith(p, i) or i == 0 or text[i - 1] not in _ALNUM:
                    s, e = (i, j) if entry.wrapped else _unwrap(text, i, j)
                    if not taken.free(s, e):
                        s, e = i, j
                    if taken.free(s, e):
                        taken.add(s, e)
                        hits.append((s, e, entry.value))
            i = low.find(p.lower(), i + 1)
    hits.sort()
    return hits


def restore_text(text: str, entries: Iterable[Entry]) -> str:
    """Put the original values back in place of placeholders (see module doc)."""
    out, pos = [], 0
    for s, e, value in _find(text, entries):
        out.append(text[pos:s])
        out.append(value)
        pos = e
    out.append(text[pos:])
    return "".join(out)


class Redactor:
    """Holds the placeholder map; redact several texts with one instance so
    the same value always gets the same placeholder."""

    def __init__(self, rules: Sequence[Rule] | None = None):
        self.rules: tuple[Rule, ...] = tuple(RULES if rules is None else rules)
        self._by_value: dict[str, Entry] = {}
        self._by_placeholder: dict[str, Entry] = {}
        self._counters: dict[str, int] = {}
        self._reserved: set[str] = set()  # lowercase TYPE_N-like tokens seen in inputs
        self._reserved_blob = ""
        self._allowed: set[str] = set()  # values the user un-redacted
        self._forced: dict[str, str] = {}  # fragment -> type, from redact_more

    # ------------------------------------------------------------ the map
    @property
    def entries(self) -> list[Entry]:
        return list(self._by_placeholder.values())

    @property
    def mapping(self) -> dict[str, str]:
        """placeholder -> original value"""
        return {p: e.value for p, e in self._by_placeholder.items()}

    def placeholder_for(self, value: str) -> str | None:
        entry = self._by_value.get(value)
        return entry.placeholder if entry else None

    def _reserve(self, text: str) -> None:
        """Remember every TYPE_N-like token of an input, lowercased."""
        new = set()
        for m in UNDERSCORE_DIGIT.finditer(text):
            i = m.start()
            before = text[max(0, i - 40) : i]
            head = before[len(before.rstrip(_TYPE_CHARS)) :]
            j = i + 1
            while j < len(text) and j - i <= 12 and text[j] in _DIGITS:
                j += 1
            new.add((head + text[i:j]).translate(_ASCII_LOWER))
        if not new <= self._reserved:
            self._reserved |= new
            self._reserved_blob = "\n".join(sorted(self._reserved))

    def _issue(self, type_: str) -> str:
        n = self._counters.get(type_, 0)
        while True:
            n += 1
            placeholder = f"{type_}_{n}"
            if placeholder not in self._by_placeholder and placeholder.lower() not in self._reserved_blob:
                break
        self._counters[type_] = n
        return placeholder

    def _entry(self, value: str, type_: str, rule: str) -> Entry:
        entry = self._by_value.get(value)
        if entry is None:
            entry = Entry(self._issue(type_), value, type_, rule)
            self._by_value[value] = entry
            self._by_placeholder[entry.placeholder] = entry
        return entry

    # ------------------------------------------------------------ redact
    def redact_all(self, texts: Sequence[str]) -> list[RedactionResult]:
        """Redact several inputs; placeholders avoid tokens in all of them."""
        for text in texts:
            if check_text(text) is None:
                self._reserve(text)
        return [self.redact(text) for text in texts]

    def redact(self, text: str) -> RedactionResult:
        too_large = check_text(text)
        if too_large:
            return RedactionResult("", [], too_large)
        self._reserve(text)
        spans = self._select(text)
        result = self._apply(text, spans)
        if not self._restorable(result):
            # a placeholder ran into neighbouring word characters: widen every
            # span to whole words and try again (not seen with the built-in rules)
            result = self._apply(text, self._select(text, whole_words=True))
            if not self._restorable(result):  # pragma: no cover - defensive
                raise RuntimeError("redaction would not be reversible")
        return result

    def _restorable(self, result: RedactionResult) -> bool:
        """Restore finds exactly the placeholders this result put in. (Other
        hits are placeholders of earlier inputs that this input quotes.)"""
        hits = {(s, e): v for s, e, v in _find(result.text, self._by_placeholder.values())}
        return all(hits.get((r.start, r.end)) == self._by_placeholder[r.placeholder].value for r in result.replacements)

    def _select(self, text: str, whole_words: bool = False) -> list[SecretMatch]:
        taken = _Intervals()
        picked: list[SecretMatch] = []

        def take(cands: Iterable[SecretMatch]) -> None:
            for f in sorted(cands, key=lambda f: (f.start - f.end, f.priority, f.start)):
                if taken.free(f.start, f.end):
                    taken.add(f.start, f.end)
                    picked.append(f)

        take(f for f in scan(text, self.rules) if f.value not in self._allowed)
        take(self._forced_findings(text))
        # the same value elsewhere in the text (a known account id in a log
        # line, a password repeated in a URL), and accounts encoded in key ids
        known: dict[str, tuple[str, str]] = {e.value: (e.type, "known-value") for e in self._by_value.values()}
        for f in picked:
            known.setdefault(f.value, (f.type, "same-value"))
            if f.type == "ACCESS_KEY_ID" and (account := account_from_access_key(f.value)):
                known.setdefault(account, ("ACCOUNT", "account-from-access-key"))
        take(self._occurrences(text, known))
        picked.sort(key=lambda f: f.start)
        return self._widen(text, picked, whole_words)

    def _forced_findings(self, text: str) -> Iterable[SecretMatch]:
        for fragment, type_ in self._forced.items():
            i = text.find(fragment)
            while i >= 0:
                yield SecretMatch(i, i + len(fragment), fragment, type_, "user", 0)
                i = text.find(fragment, i + 1)

    def _occurrences(self, text: str, known: dict[str, tuple[str, str]]) -> Iterable[SecretMatch]:
        for value, (type_, rule) in known.items():
            if len(value) < 3 or value in self._allowed:
                continue
            # short values must stand alone (an account id inside a longer number is not it)
            loose = len(value) >= 16
            i = text.find(value)
            while i >= 0:
                j = i + len(value)
                if loose or (
                    not (value[0] in _ALNUM and i > 0 and text[i - 1] in _ALNUM)
                    and not (value[-1] in _ALNUM and j < len(text) and text[j] in _ALNUM)
                ):
                    yield SecretMatch(i, j, value, type_, rule, 90)
                i = text.find(value, i + 1)

    @staticmethod
    def _widen(text: str, spans: list[SecretMatch], whole_words: bool) -> list[SecretMatch]:
        """A placeholder ends in digits, so a span followed by a digit (or, on
        the retry, any word character) is widened to the end of that word."""
        out: list[SecretMatch] = []
        word = _ALNUM | {"_"}
        for f in spans:
            start, end = f.start, f.end
            if whole_words:
                while start > 0 and text[start - 1] in word:
                    start -= 1
            if end < len(text) and (text[end] in _DIGITS or (whole_words and text[end] in word)):
                while end < len(text) and text[end] in word:
                    end += 1
            if out and start < out[-1].end:  # widening reached the previous span: merge
                prev = out.pop()
                start, end = prev.start, max(end, prev.end)
                f = prev
            if (start, end) != (f.start, f.end):
                f = SecretMatch(start, end, text[start:end], f.type, f.rule, f.priority)
            out.append(f)
        return out

    def _apply(self, text: str, spans: list[SecretMatch]) -> RedactionResult:
        out: list[str] = []
        reps: list[Replacement] = []
        pos = length = 0
        for f in spans:
            entry = self._entry(f.value, f.type, f.rule)
            out.append(text[pos : f.start])
            length += f.start - pos
            out.append(entry.placeholder)
            reps.append(Replacement(length, length + len(entry.placeholder), f.start, f.end, entry.type, f.rule, entry.placeholder))
            length += len(entry.placeholder)
            pos = f.end
        out.append(text[pos:])
        redacted = "".join(out)
        for r in reps:
            if _wrapped(redacted, r.start, r.end):
                self._by_placeholder[r.placeholder].wrapped = True
        return RedactionResult(redacted, reps)

    # ------------------------------------------------------------ restore
    def restore(self, text: str) -> str:
        return restore_text(text, self._by_placeholder.values())

    # ------------------------------------------------------------ user edits
    def unredact(self, placeholder: str) -> str:
        """Stop redacting the value behind `placeholder` (in this and later
        texts; redact the originals again to refresh). Returns the value.
        The placeholder is retired, never issued again."""
        entry = self._by_placeholder.pop(placeholder, None)
        if entry is None:
            raise KeyError(placeholder)
        del self._by_value[entry.value]
        self._allowed.add(entry.value)
        self._forced.pop(entry.value, None)
        return entry.value

    def redact_more(self, fragment: str, type_: str = "REDACTED") -> str:
        """Always redact `fragment` from now on; returns its placeholder.
        Redact the originals again to see it applied."""
        if not fragment:
            raise ValueError("nothing to redact")
        if not TYPE_RE.fullmatch(type_):
            raise ValueError(f"placeholder type must match {TYPE_RE.pattern}: {type_!r}")
        self._allowed.discard(fragment)
        self._reserve(fragment)
        entry = self._entry(fragment, type_, "user")
        self._forced[fragment] = entry.type
        return entry.placeholder

    # ------------------------------------------------------------ JSON
    def to_json(self) -> str:
        return json.dumps(
            {
                "format": MAP_FORMAT,
                "version": 1,
                "entries": [asdict(e) for e in self._by_placeholder.values()],
                "counters": self._counters,
                "reserved": sorted(self._reserved),
                "allowed": sorted(self._allowed),
                "forced": self._forced,
            },
            indent=2,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, data: str, rules: Sequence[Rule] | None = None) -> Redactor:
        """Load a map written by `to_json`; ValueError if it is not one."""
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as err:
            raise ValueError(f"not JSON: {err.msg} (line {err.lineno})") from None
        if not isinstance(doc, dict) or doc.get("format") != MAP_FORMAT:
            raise ValueError(f"not a {MAP_FORMAT} file")
        red = cls(rules)
        try:
            for item in doc.get("entries", []):
                entry = Entry(str(item["placeholder"]), str(item["value"]), str(item["type"]), str(item.get("rule", "")), bool(item.get("wrapped", False)))
                red._by_value[entry.value] = entry
                red._by_placeholder[entry.placeholder] = entry
            red._counters = {str(k): int(v) for k, v in doc.get("counters", {}).items()}
            red._reserved = {str(t) for t in doc.get("reserved", [])}
            red._reserved_blob = "\n".join(sorted(red._reserved))
            red._allowed = {str(v) for v in doc.get("allowed", [])}
            red._forced = {str(k): str(v) for k, v in doc.get("forced", {}).items()}
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ValueError(f"malformed map: {err!r}") from None
        return red
