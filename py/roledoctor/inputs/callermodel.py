"""Facts about where the caller comes from (CI files, tokens, profiles): one shape
for every reader of that kind, so the diagnosis treats all platforms alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from roledoctor.inputs.model import Arg
from roledoctor.source import Span


@dataclass
class CallerSource:
    input: str
    kind: str  # github-workflow | gitlab-ci | k8s-serviceaccount | terragrunt
    platform: str | None = None  # an id of roledoctor.inputs.platforms.PLATFORMS
    role_arn: Arg | None = None
    web_identity: bool = True  # sts:AssumeRoleWithWebIdentity (else sts:AssumeRole)
    subject_parts: dict[str, str] = field(default_factory=dict)  # what the file tells of the subject
    subject_note: str = ""  # how the subject was derived
    audience: Arg | None = None  # requested audience (None: the platform's default)
    token_missing: str = ""  # why no token is issued ("" = issued or not known)
    token_span: Span | None = None
    session_name: Arg | None = None
    duration_seconds: Arg | None = None
    external_id: Arg | None = None
    tags: dict[str, str] = field(default_factory=dict)  # session tags the tool passes
    tags_note: str = ""
    tags_span: Span | None = None
    chained_from: str | None = None  # role ARN whose session calls (role chaining)
    service_caller: str | None = None  # an AWS service that calls STS itself (pods.eks.amazonaws.com)
    notes: list[str] = field(default_factory=list)
    span: Span | None = None
