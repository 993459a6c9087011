"""Secrets masked in what we print and export: evidence lines, fix diffs,
messages. Only the secret rules (keys, tokens, passwords); identifiers
(account ids, ExternalIds, ARNs) stay, the reader needs them to act, and the
exports say that they are not redacted. Masking is one-way: unlike
Redactor, nothing maps back."""

from __future__ import annotations

from typing import Iterable

from roledoctor.redaction.detectors import RULES, identifiers
from roledoctor.redaction.scan import scan

MASK = "****"  # the allowlist's "masked" value: a masked text is not masked again
IDENTIFIER_TYPES = frozenset(r.type for r in identifiers.RULES)
SECRET_RULES = tuple(r for r in RULES if r.type not in IDENTIFIER_TYPES)


def _spans(text: str, known: Iterable[str]) -> list[tuple[int, int]]:
    spans = [(f.start, f.end) for f in scan(text, SECRET_RULES)]
    for value in known:
        i = text.find(value) if value else -1
        while i >= 0:
            spans.append((i, i + len(value)))
            i = text.find(value, i + len(value))
    return sorted(spans)


def mask_secrets(text: str, known: Iterable[str] = ()) -> str:
    """`text` with every secret value the rules find, and every `known` value, as ****."""
    if not isinstance(text, str) or not text:
        return text
    out, at = [], 0
    for start, end in _spans(text, known):
        if end <= at:
            continue
        out.append(text[at:max(start, at)])
        out.append(MASK)
        at = end
    out.append(text[at:])
    return "".join(out)


def mask_data(value, known: Iterable[str] = ()):
    """mask_secrets over every string of JSON-like data (dicts, lists)."""
    if isinstance(value, str):
        return mask_secrets(value, known)
    if isinstance(value, dict):
        return {k: mask_data(v, known) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(v, known) for v in value]
    return value
