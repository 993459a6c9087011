"""The fix intents: a `Repair` says what to change (an op, a path, a value) in a
`Source` (a policy and where its text lives) or a provider / backend block; the
modules of fixes/ turn it into minimal text edits in the user's own form."""

from __future__ import annotations

from dataclasses import dataclass
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

    target: str  # trust_policy | provider | caller_policy | boundary | scp | rcp
    op: str  # a key of fixes.apply.OPS
    source: Any = None  # Source (policies) or ProviderConfig / S3Backend (provider)
    path: tuple = ()
    value: Any = None
    key: str | None = None
    hop: int | None = None
    alternative: bool = False  # offered beside the primary plan, not applied with it
    also: tuple["Repair", ...] = ()  # applied with this one for its proof (an alternative's other half)
