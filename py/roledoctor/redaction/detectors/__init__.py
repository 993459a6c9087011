"""The detector catalogue: one module per family, each exporting RULES."""

from __future__ import annotations

from roledoctor.redaction.detectors import aws, chat, cloud, credentials, hashicorp, identifiers, keys, saas, vcs
from roledoctor.redaction.rules import Rule

FAMILIES = (aws, vcs, chat, saas, cloud, hashicorp, keys, credentials, identifiers)

RULES: tuple[Rule, ...] = tuple(rule for family in FAMILIES for rule in family.RULES)
