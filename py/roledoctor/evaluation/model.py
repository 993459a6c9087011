"""Plain data in and out of the evaluation engine.

Inputs: `Request` (who asks for what, with which context) and `Policies`
(everything that can allow or deny it). Output: `Evaluation`, a verdict plus a
trace of every gate, down to the condition value that failed, so the diagnosis
stage can say *why* without re-evaluating anything.

AWS reference: "Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roledoctor.policy import Path, Policy
from roledoctor.source import Span

# Verdicts
ALLOWED = "allowed"
EXPLICITLY_DENIED = "explicitly-denied"
IMPLICITLY_DENIED = "implicitly-denied"
UNDETERMINED = "undetermined"

# Gate results
ALLOW = "allow"
DENY = "deny"
IMPLICIT_DENY = "implicit-deny"
NOT_EVALUATED = "not-evaluated"

# Gates, in trace order. The last three are STS checks beside the policy gates.
GATES = ("scp", "rcp", "identity", "boundary", "session", "trust",
         "duration", "tag-session", "source-identity")
REPORTABLE = ("scp", "rcp", "identity", "boundary", "session", "trust")

ASSUME_ROLE = "sts:AssumeRole"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SAML = "sts:AssumeRoleWithSAML"
TAG_SESSION = "sts:TagSession"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"

# Caller types
USER = "user"
ROLE = "role"  # an assumed-role session (its role is the principal)
ROOT = "root"
FEDERATED_USER = "federated-user"
WEB_IDENTITY_CALLER = "web-identity"  # OIDC/SAML: the principal is the provider
SERVICE = "service"


@dataclass
class Caller:
    """The identity that calls STS. Give `arn` and the rest is derived where possible."""

    arn: str | None = None  # user / assumed-role session / root / federated-user ARN, provider ARN, or service name
    account: str | None = None
    type: str | None = None  # USER, ROLE, ROOT, FEDERATED_USER, WEB_IDENTITY_CALLER, SERVICE
    role_arn: str | None = None  # for ROLE: the role's ARN, with its path when known
    role_path: str | None = None  # "/" or "/team/"; None = unknown
    session_name: str | None = None  # of the caller's own session (ROLE)
    unique_id: str | None = None  # AROA…/AIDA…, when known
    org_id: str | None = None  # aws:PrincipalOrgID, when known
    in_org: bool | None = None  # is the caller account in an AWS Organization? None = unknown
    is_management_account: bool = False  # SCPs never restrict the management account
    tags: dict[str, str] | None = None  # aws:PrincipalTag/*; None = unknown
    provider: str | None = None  # WEB_IDENTITY_CALLER: Federated principal (OIDC provider ARN or IdP domain)


@dataclass
class Request:
    role_arn: str
    caller: Caller
    action: str = ASSUME_ROLE
    session_name: str | None = None  # RoleSessionName of the new session (sts:RoleSessionName)
    external_id: str | None = None
    source_identity: str | None = None
    tags: dict[str, str] = field(default_factory=dict)  # session tags passed (aws:RequestTag/*)
    transitive_tag_keys: list[str] = field(default_factory=list)
    duration_seconds: int | None = None
    chained: bool | None = None  # the caller is itself a role session; None = derived from the caller type
    context: dict[str, str | list[str]] = field(default_factory=dict)  # explicit keys, e.g. aws:SourceIp, OIDC claims
    context_complete: bool = False  # True: a key not given is absent (not unknown)
    reported_denial: str | None = None  # gate the error text blames: scp|rcp|identity|boundary|session|trust
    reported_explicit: bool = True  # "with an explicit deny in …" (True) or "because no … policy allows" (False)


@dataclass
class PolicyLevel:
    """The SCPs or RCPs attached at one level of the org path (root, an OU, the account)."""

    name: str
    policies: list[Policy]


@dataclass
class Policies:
    """What can allow or deny. None means "not given" (never "none exist")."""

    trust: Policy | None = None
    identity: list[Policy] | None = None  # the caller's identity policies; [] = given, and there are none
    boundary: Policy | None = None  # the caller's permissions boundary
    session: Policy | None = None  # the caller's own session policy
    scps: list[PolicyLevel] | None = None  # caller account's path, root first
    rcps: list[PolicyLevel] | None = None  # role account's path, root first
    max_session_duration: int | None = None  # the role's, in seconds


# ---- trace ----

@dataclass
class ConditionTrace:
    operator: str
    key: str
    policy_values: list[str]  # after policy-variable substitution
    context_values: list[str] | None  # None when the key is absent or unknown
    key_status: str  # "present" | "absent" | "unknown"
    result: bool | None  # None: depends on a context value we do not know
    reason: str
    path: Path = ()
    span: Span | None = None


@dataclass
class PrincipalTrace:
    matched: bool | None
    grant: str | None  # how the caller is named: "user" | "role" | "session" | "account" | "wildcard" | "unique-id" | "federated" | "service"
    value: str | None  # the Principal entry that matched (or None)
    reason: str
    negated: bool = False  # NotPrincipal
    path: Path = ()


@dataclass
class StatementTrace:
    policy: str  # label of the policy, e.g. "trust_policy", "scp[Root]/FullAWSAccess"
    index: int
    sid: str | None
    effect: str
    applies: bool | None  # principal and action and resource and conditions
    principal: PrincipalTrace | None  # None: policy type has no Principal element
    action_matched: bool
    action_value: str | None  # the pattern that matched the action (Action) or None
    resource_matched: bool | None
    resource_value: str | None
    conditions_matched: bool | None
    conditions: list[ConditionTrace] = field(default_factory=list)
    path: Path = ()
    span: Span | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class PolicyTrace:
    label: str
    result: str  # ALLOW | DENY | IMPLICIT_DENY
    statements: list[StatementTrace]


@dataclass
class GateTrace:
    gate: str
    result: str  # ALLOW | DENY | IMPLICIT_DENY | NOT_EVALUATED
    required: bool  # must this gate allow for the request to succeed?
    reason: str
    matched: list[StatementTrace] = field(default_factory=list)  # deciding statements
    policies: list[PolicyTrace] = field(default_factory=list)
    unknown: list[StatementTrace] = field(default_factory=list)  # outcome hinges on unknown context
    grant: str | None = None  # trust only: how the allowing statement names the caller
    reported: bool = False  # result taken from the error text, not from a policy
    uncertain: bool = False
    missing: str | None = None  # what to paste for this gate
    assumption: str | None = None
    sub: Evaluation | None = None  # tag-session / source-identity: the evaluation of that action

    @property
    def statement(self) -> StatementTrace | None:
        return self.matched[0] if self.matched else None


@dataclass
class Evaluation:
    verdict: str
    deciding_gate: str | None
    trace: list[GateTrace]
    action: str
    same_account: bool | None
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    uncertain: bool = False
    notes: list[str] = field(default_factory=list)
    context: dict[str, list[str]] = field(default_factory=dict)  # effective context (lower-case keys)
    unknown_keys: list[str] = field(default_factory=list)  # keys policies used whose value is unknown

    @property
    def denied(self) -> bool:
        return self.verdict in (EXPLICITLY_DENIED, IMPLICITLY_DENIED)

    def gate(self, name: str) -> GateTrace | None:
        return next((g for g in self.trace if g.gate == name), None)
