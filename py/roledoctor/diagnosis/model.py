"""Plain data shared by the diagnosis modules.

An `Issue` is a finding in the making: its catalogue code, a message, where
it shows in the user's text, and the `Repair`s that would fix it (intents,
not text: fixers.py turns them into minimal edits in the user's own form).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.policy import Policy


@dataclass
class Source:
    """A policy and where its text lives (for evidence and for edits)."""

    input: str  # read_all input name whose text the policy's spans refer to
    policy: Policy
    form: str  # json | jsonencode | heredoc | string | policy_document | plan
    label: str = ""  # e.g. "trust_policy", "aws_iam_role.deploy"


@dataclass
class Repair:
    """One intended change. `target` names the fix it belongs to (the output contract's `fixes` keys)."""

    target: str  # trust_policy | provider | caller_policy | boundary
    op: str  # see fixers.OPS
    source: Any = None  # Source (policies) or ProviderConfig / S3Backend (provider)
    path: tuple = ()
    value: Any = None
    key: str | None = None
    hop: int | None = None
    alternative: bool = False  # offered beside the primary plan, not applied with it


@dataclass
class Where:
    """A place in the user's text to show as evidence."""

    input: str
    span: Any  # roledoctor.source.Span or None (then line 0)


@dataclass
class Issue:
    code: str
    message: str | None = None
    where: list[Where] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    repairs: list[Repair] = field(default_factory=list)
    uncertain: bool = False
    fix: str | None = None  # overrides the catalogue's fix text
