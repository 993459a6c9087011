"""What AWS itself printed: the facts read from AWS CLI outputs and CloudTrail records.

Plain dataclasses; every policy keeps its Span (roledoctor.policy.Policy) so
findings point into the pasted output and fixes edit its characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from roledoctor.policy import Policy
from roledoctor.source import Span

if TYPE_CHECKING:  # authdetails imports this module
    from roledoctor.inputs.evidence.authdetails import AuthIndex


@dataclass
class DocRef:
    """A policy document found in AWS output."""

    role: str  # trust | inline | managed | scp | rcp | document (owner unknown)
    policy: Policy
    name: str = ""  # policy name, or the Organizations policy Id
    owner: str = ""  # "role/NAME" | "user/NAME" | "group/NAME" for inline policies
    arn: str = ""  # managed policy / Organizations policy ARN
    version: str = ""  # managed policy version (v1, v2 …)
    default: bool = True  # the managed policy's default version
    form: str = "json"  # json (an object) | string (JSON in a string) | urlencoded (RFC 3986, the API's form)
    span: Span | None = None


@dataclass
class Principal:
    """A role, user or group as get-role / get-user / get-account-authorization-details print it."""

    type: str  # role | user | group
    name: str
    arn: str = ""
    path: str = "/"
    create_date: str = ""
    max_session: int | None = None  # roles: MaxSessionDuration
    boundary_arn: str = ""  # PermissionsBoundary.PermissionsBoundaryArn
    last_used: str = ""  # roles: RoleLastUsed.LastUsedDate
    last_used_region: str = ""
    trust: DocRef | None = None
    inline: list[DocRef] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    groups: list[str] = field(default_factory=list)  # users: group names
    span: Span | None = None


@dataclass
class ManagedPolicy:
    """A managed policy: get-policy (its default version id), get-policy-version, or authorization details."""

    arn: str
    name: str = ""
    default_version: str = ""
    documents: list[DocRef] = field(default_factory=list)

    def default_document(self) -> DocRef | None:
        for d in self.documents:
            if d.default or (self.default_version and d.version == self.default_version):
                return d
        return None


@dataclass
class OrgPolicySummary:
    id: str
    name: str = ""
    type: str = ""  # SERVICE_CONTROL_POLICY | RESOURCE_CONTROL_POLICY
    aws_managed: bool = False


@dataclass
class TrailEvent:
    """One CloudTrail record of an STS call
    (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)."""

    event_name: str = ""
    event_time: str = ""
    region: str = ""
    caller_arn: str = ""
    caller_type: str = ""  # IAMUser | AssumedRole | Root | WebIdentityUser | …
    caller_account: str = ""
    role_arn: str = ""
    session_name: str | None = None
    duration: int | None = None
    external_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    transitive_tag_keys: list[str] = field(default_factory=list)
    source_identity: str | None = None
    error_code: str = ""
    error_message: str = ""
    span: Span | None = None


@dataclass
class Evidence:
    input: str
    kind: str  # see roledoctor.inputs.evidence.KINDS
    title: str  # "get-role output for tf-deploy"
    facts: list[str] = field(default_factory=list)  # what was read, one short line each
    span: Span | None = None
    principals: list[Principal] = field(default_factory=list)
    managed: list[ManagedPolicy] = field(default_factory=list)
    documents: list[DocRef] = field(default_factory=list)  # owner-less documents (get-policy-version …)
    attached: list[tuple[str, str]] = field(default_factory=list)  # (owner, policy ARN): list-attached-*-policies
    inline_names: list[tuple[str, str]] = field(default_factory=list)  # (owner, name): list-*-policies
    groups_of: list[tuple[str, str]] = field(default_factory=list)  # (user, group): list-groups-for-user
    org_policies: list[DocRef] = field(default_factory=list)  # describe-policy
    org_targets: dict[str, list[OrgPolicySummary]] = field(default_factory=dict)  # target id -> policies
    org_parents: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # child -> [(id, type)]
    org_roots: list[str] = field(default_factory=list)
    management_account: str = ""
    oidc_providers: list[dict] = field(default_factory=list)  # {"arn", "url", "client_ids", "thumbprints"}
    oidc_listed: list[str] | None = None  # list-open-id-connect-providers ARNs
    trail: list[TrailEvent] = field(default_factory=list)
    not_found: dict | None = None  # NoSuchEntity: {"operation", "entity", "name", "arn"}
    caller_arn: str = ""
    command: dict[str, str] = field(default_factory=dict)  # options of a `$ aws …` line pasted above the output
    account: str = ""  # the account the output is of, when it says
    errors: list = field(default_factory=list)  # ErrorFacts read from CloudTrail errorMessage
    auth: AuthIndex | None = None  # authdetails.AuthIndex: get-account-authorization-details, read on demand
