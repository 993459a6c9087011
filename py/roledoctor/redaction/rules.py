"""The detector rule model: one small declarative record per detector.

A rule is data: an id, the placeholder type it produces, one regular
expression, keywords that must occur in the text before the regex runs
(trufflehog-style prefilter), an entropy floor, an allowlist of secret
values, and the true-/false-positive sample lines its tests run
(gitleaks `Validate(r, tps, fps)`, detect-secrets parametrised tests).

Regex conventions, read by `roledoctor.redaction.scan`:

* the secret is the first participating group whose name starts with `s`
  (`s`, `s2`, ...); without one, the whole match;
* a group named `list` holds a bracketed list: each quoted string in it is
  a separate secret (`values = ["a", "b"]`);
* a group named `key` is the key the value is assigned to; the scanner widens
  it backwards to the whole key name and drops the match when `key_allow`
  matches that name (`password_length`, `secret_arn`, ...).

Linear time: every pattern starts with a literal, a word boundary or a
lookbehind that pins its start; repetitions are bounded, and where two
adjacent quantifiers could share characters the first one is possessive.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Rule:
    id: str  # stable rule id, reported with every replaced span
    type: str  # placeholder type: ACCOUNT, PASSWORD, GITHUB_TOKEN, ...
    pattern: str  # regex source (conventions in the module docstring)
    keywords: tuple[str, ...] = ()  # lowercase; the rule runs only if one occurs
    entropy: float = 0.0  # a secret with lower Shannon entropy is dropped
    min_len: int = 1
    allow: tuple[str, ...] = ()  # regexes searched in the secret: a hit keeps it
    key_allow: str = ""  # regex searched in the lowercased key name: a hit keeps it
    validate: Callable[[str], bool] | None = None  # extra check of the secret
    source: str = ""  # where the pattern comes from
    tp: tuple[str, ...] = ()  # lines the rule must redact
    fp: tuple[str, ...] = ()  # lines it must leave alone
    priority: int = 50  # tie-break between equal spans: lower wins
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    allow_res: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    key_allow_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))
        object.__setattr__(self, "allow_res", tuple(re.compile(a) for a in self.allow))
        object.__setattr__(self, "key_allow_re", re.compile(self.key_allow) if self.key_allow else None)

    def patterns(self) -> list[re.Pattern[str]]:
        out = [self.regex, *self.allow_res]
        if self.key_allow_re is not None:
            out.append(self.key_allow_re)
        return out


# Rule.__post_init__ compiles each rule's patterns (ReDoS tests,
# tests/hostile/redos.py): every instance is a rule of detectors.RULES.
DYNAMIC_PATTERN_SITES = ("Rule.__post_init__",)


def redos_patterns() -> list[tuple[str, re.Pattern[str]]]:
    from roledoctor.redaction.detectors import RULES

    return [(f"rule:{r.id}:{i}", rx) for r in RULES for i, rx in enumerate(r.patterns())]


def shannon_entropy(value: str) -> float:
    """Bits per character (gitleaks and detect-secrets use the same measure)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


# ---------------------------------------------------------------- fragments
# Shared regex pieces for "KEY <sep> VALUE" assignments in HCL, JSON, YAML,
# env files, INI and connection strings (detect-secrets KeywordDetector and
# gitleaks GenerateSemiGenericRegex, rewritten to start at the keyword).

# rest of the key name after the keyword, then an optional closing quote
KEY_TAIL = r"[\w.-]{0,40}+(?:\\?[\"'])?"
# the separator: HCL/env/INI `=`, YAML/JSON `:`, `=>`, `:=`
SEP = r"[ \t]{0,64}+(?:=>|:{1,3}=|[?.]?=|:)[ \t]{0,64}+"
# a value: double-quoted (JSON escapes allowed), JSON-escaped quotes inside a
# string (\"...\"), single-quoted, or bare up to a delimiter. A value, once
# started, always matches (closing quote optional, bare values cut at their
# bound), so the search moves past it: no attempt rescans the same characters.
# A bare word followed by "(" is a function call (jsondecode(...)), not a value.
QUOTED_VALUE = r"\"(?P<s>(?:[^\"\\\r\n]|\\.){1,512}+)\"?"
ESCAPED_VALUE = r"\\\"(?P<s2>(?:[^\"\\\r\n]|\\[^\"\r\n]){1,512}+)(?:\\\")?"
SINGLE_VALUE = r"'(?P<s3>[^'\r\n]{1,512}+)'?"
BARE_VALUE = r"(?P<s4>[^\s\"'`,;&<>()\[\]{}\\]{1,256}+)(?![(\[])"
LIST_VALUE = r"\[(?P<list>[^\]]{1,2000}+)\]"
VALUE = f"(?:{QUOTED_VALUE}|{ESCAPED_VALUE}|{SINGLE_VALUE}|{BARE_VALUE})"


def assignment(keywords: str, value: str = VALUE, sep: str = SEP) -> str:
    """`<...keyword...> <sep> <value>`, case-insensitive keyword."""
    return f"(?P<key>(?i:{keywords}){KEY_TAIL}){sep}{value}"


# Key names that only name, point to or configure a secret (gitleaks
# generic-api-key allowlist of benign names, detect-secrets is_likely_id_string).
BENIGN_KEY = (
    r"(?:^|[_.\-:])(?:name|names|id|ids|arn|arns|path|paths|file|filename|length|len|version|versions|"
    r"type|types|policy|policies|url|uri|endpoint|enabled|enable|count|ttl|prefix|suffix|rotation|"
    r"min|max|format|encoding|algorithm|alg|size|hash|header|field|label|ref|template|manager|store|"
    r"backend|provider|mode|expiry|expires|expiration|expires_in|lifetime|duration|days|age|required|"
    r"location|source|key_id|output|description|hint|config|parameter|param|arn_suffix|usage|"
    r"spec|rules|reset|resets|generation|wo_version|secret_version|strategy|storage|ssm|kms|"
    r"sensitive|lookup|reference|variable|env|vault|method|scope|scopes|limit|tokens|cache|"
    r"timeout|dir|directory|selector|placeholder|public|public_key|pub_key|publickey)$"
)
