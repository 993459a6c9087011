"""Secret detection and reversible redaction before text goes to an LLM.

    red = Redactor()
    results = red.redact_all([error_text, provider_tf, trust_json])
    answer = red.restore(llm_answer)
    saved = red.to_json(); red = Redactor.from_json(saved)

Rules (one small declarative record per detector) are in `detectors/`, the
global allowlists in `allowlist.py`, placeholder syntax in `redactor.py`.
"""

from __future__ import annotations

import re

from roledoctor.redaction import allowlist, redactor, scan as _scan
from roledoctor.redaction.detectors import RULES
from roledoctor.redaction.redactor import (
    Entry,
    RedactionResult,
    Redactor,
    Replacement,
    account_from_access_key,
    restore_text,
)
from roledoctor.redaction.rules import Rule, shannon_entropy
from roledoctor.redaction.scan import SecretMatch, scan

__all__ = [
    "RULES", "Entry", "SecretMatch", "RedactionResult", "Redactor", "Replacement", "Rule",
    "account_from_access_key", "all_patterns", "redact", "restore", "restore_text", "scan",
    "shannon_entropy",
]


def redact(text: str) -> RedactionResult:
    """Redact one text with a fresh Redactor (use a Redactor to keep the map)."""
    return Redactor().redact(text)


def restore(text: str, map_json: str) -> str:
    """Restore placeholders using a map written by `Redactor.to_json`."""
    return Redactor.from_json(map_json).restore(text)


def all_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every compiled regex of the package, named, for the ReDoS tests."""
    out: list[tuple[str, re.Pattern[str]]] = []
    for rule in RULES:
        out += [(f"rule:{rule.id}:{i}", rx) for i, rx in enumerate(rule.patterns())]
    out += [(f"protected:{name}", rx) for name, rx in allowlist.PROTECTED_RES]
    out += [(f"allow-value:{name}", rx) for name, rx in allowlist.VALUE_RES]
    out.append(("allow-value:only-interpolations", allowlist.ONLY_INTERPOLATIONS))
    out += [
        ("scan:quoted-item", _scan.QUOTED_ITEM),
        ("redactor:type", redactor.TYPE_RE),
        ("redactor:underscore-digit", redactor.UNDERSCORE_DIGIT),
    ]
    return out
