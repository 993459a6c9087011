"""Global allowlists, applied after every rule (gitleaks `[allowlist]`).

PROTECTED: regions of the text that are public or are references, never
secrets; a finding lying inside one is dropped. VALUES: a secret value that
matches one of these (searched) is dropped whatever rule found it. The
REFERENCES among them describe expressions (`var.x`, `aws_x.y.z`, `${…}`):
they apply to unquoted values only. A quoted value is a literal string, and
"super_secret.hunter2" or "abc${x}defghijklmnop" are passwords that merely
look like references; a quoted value made only of interpolations stays one.
"""

from __future__ import annotations

import re

# (id, regex) regions of the text that no rule may redact
PROTECTED: tuple[tuple[str, str], ...] = (
    # provider lock-file hashes (.terraform.lock.hcl)
    ("lockfile-hash", r"\b(?:h1|zh):[A-Za-z0-9+/=]{20,100}+"),
    # content digests (container images, checksums)
    ("digest", r"\bsha(?:1|224|256|384|512):[A-Fa-f0-9]{32,128}+"),
    # AMI ids are public (research notes: "treat them as optional")
    ("ami-id", r"\bami-(?:[0-9a-f]{17}|[0-9a-f]{8})\b"),
    # GitHub Actions expressions, Terraform/shell interpolation (gitleaks global allowlist)
    ("actions-expression", r"\$\{\{[^}\r\n]{0,200}+\}\}"),
    ("interpolation", r"\$\{[^}$\r\n]{0,500}+\}"),  # no `$` inside: "${${${…" costs 2 steps a position, not 500
    ("hcl-reference", r"\b(?:var|local|module|data)\.[A-Za-z_][\w-]{0,100}+"),
    # AWS-managed policies and service principals are public names
    ("aws-managed-policy", r"\barn:aws[\w-]{0,20}+:iam::aws:policy/[\w+=,.@/-]{1,200}+"),
    ("service-principal", r"(?<![\w.-])[a-z0-9-]{2,40}+\.amazonaws\.com(?:\.cn)?\b"),
)

# regexes searched in a candidate secret value; a hit means "not a secret"
VALUES: tuple[tuple[str, str], ...] = (
    ("literal", r"(?i)^(?:true|false|null|nil|none|undefined|yes|no|on|off)$"),
    ("one-char-repeated", r"^(.)\1*+$"),
    ("interpolation", r"\$\{|\{\{|\{%"),
    ("env-reference", r"^(?:\$[A-Za-z_]\w{0,100}+|\$\([^)]{0,200}+\)?|%[A-Za-z_]\w{0,100}+%)$"),
    ("doc-placeholder", r"^<[^<>]{0,100}+>$"),
    ("hcl-reference", r"^(?:var|local|module|data|each|count|self|path|terraform)\.[\w.\[\]\"*-]{0,200}+$"),
    ("resource-reference", r"^[a-z][a-z0-9]{0,30}+_[a-z0-9_]{1,60}+\.[a-z0-9_-]{1,60}+(?:\.[\w\[\]\"*.-]{0,100}+)?$"),
    # AWS documentation example credentials (IAM User Guide)
    ("aws-doc-example", r"^(?:AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)$"),
    ("timestamp", r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9}+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"),
    ("masked", r"(?i)^(?:\*{3,}+|x{3,}+|redacted|\[redacted\]|masked|hidden|\(sensitive(?: value)?\))$"),
)

# Compiled from the tables above (ReDoS tests, tests/hostile/redos.py: the
# module-level compile calls and their instances).
DYNAMIC_PATTERN_SITES = ("<module>",)
PROTECTED_RES = tuple((name, re.compile(p)) for name, p in PROTECTED)
VALUE_RES = tuple((name, re.compile(p)) for name, p in VALUES)
# allow-values and protected regions (by name) that describe HCL expressions,
# not literal strings: for quoted values, ONLY_INTERPOLATIONS stands in for them
REFERENCES = frozenset({"interpolation", "hcl-reference", "resource-reference"})
LITERAL_VALUE_RES = tuple((name, rx) for name, rx in VALUE_RES if name not in REFERENCES)
# `${…}`, `{{…}}`, `{%…%}`: a quoted value that is only these is a template, not a secret
ONLY_INTERPOLATIONS = re.compile(
    r"^\s*+(?:(?:\$\{[^{}\r\n]{0,500}+\}|\{\{[^{}\r\n]{0,200}+\}\}|\{%[^\r\n%]{0,200}+%\})\s*+)++$")


def redos_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return ([(f"protected:{n}", rx) for n, rx in PROTECTED_RES] + [(f"allow-value:{n}", rx) for n, rx in VALUE_RES]
            + [("allow-value:only-interpolations", ONLY_INTERPOLATIONS)])


def protected_spans(text: str, literal: bool = False) -> list[tuple[int, int]]:
    """`literal`: the regions that protect a quoted value (no bare references)."""
    spans = [m.span() for name, rx in PROTECTED_RES if not (literal and name in REFERENCES)
             for m in rx.finditer(text)]
    spans.sort()
    return spans


def value_allowed(value: str, quoted: bool = False) -> bool:
    """`quoted`: the value is a string literal (it stood between quotes)."""
    if not quoted:
        return any(rx.search(value) for _, rx in VALUE_RES)
    if ONLY_INTERPOLATIONS.search(value):
        return True
    return any(rx.search(value) for _, rx in LITERAL_VALUE_RES)
