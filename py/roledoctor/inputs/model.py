"""The facts the input layer hands to later stages: plain dataclasses.

Every value taken from the user's text keeps its Span so that findings can
point at it and fixers can rewrite exactly those characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.policy import Policy
from roledoctor.source import Span

INPUT_UNPARSEABLE = "INPUT_UNPARSEABLE"
POLICY_INVALID = "POLICY_INVALID"


@dataclass
class Problem:
    code: str  # a catalogue code: INPUT_UNPARSEABLE, POLICY_INVALID
    message: str
    input: str  # the input's name (file name or text-area name)
    span: Span | None = None
    text: str = ""  # the offending characters (or the line around them)
    path: tuple = ()  # JSON path of the element, for POLICY_INVALID


@dataclass
class Arg:
    """One HCL attribute (or plan expression) as written.

    `value` is the evaluated Python value when it could be computed (strings,
    numbers, bools, lists, dicts); `symbolic` is True when it depends on
    something we could not resolve (var.x without a default, a resource
    attribute, a function we do not run), and then `value` is None or holds the
    partly rendered text, e.g. "arn:aws:iam::${var.account}:role/x".
    """

    name: str
    value: Any = None
    expr: str = ""  # the expression's source text
    span: Span | None = None  # of the value expression
    name_span: Span | None = None  # of the attribute name
    symbolic: bool = False
    refs: list[str] = field(default_factory=list)  # e.g. ["var.account"]
    node: Any = field(default=None, repr=False, compare=False)  # HCL node, for re-evaluation
    defaulted: bool = False  # the value uses a variable's default (a caller or tfvars may replace it)


@dataclass
class AssumeRoleHop:
    """One `assume_role` block (provider) or the S3 backend's attribute object.

    Arguments: terraform-provider-aws internal/provider/sdkv2/provider.go
    (assumeRoleSchema); https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume-role-configuration-block.
    """

    index: int  # 0-based position in the chain
    role_arn: Arg | None = None
    session_name: Arg | None = None
    external_id: Arg | None = None
    duration: Arg | None = None
    duration_seconds: Arg | None = None  # removed in provider v5.0.0
    policy: Arg | None = None
    policy_arns: Arg | None = None
    tags: Arg | None = None
    transitive_tag_keys: Arg | None = None
    source_identity: Arg | None = None
    args: dict[str, Arg] = field(default_factory=dict)  # every argument, known or not
    form: str = "block"  # "block" | "attribute" (S3 backend `assume_role = {...}`)
    span: Span | None = None


@dataclass
class WebIdentityConfig:
    role_arn: Arg | None = None
    session_name: Arg | None = None
    duration: Arg | None = None
    policy: Arg | None = None
    policy_arns: Arg | None = None
    web_identity_token: Arg | None = None
    web_identity_token_file: Arg | None = None
    args: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class ProviderConfig:
    input: str
    name: str = "aws"
    alias: Arg | None = None
    region: Arg | None = None
    sts_region: Arg | None = None
    profile: Arg | None = None
    access_key: Arg | None = None
    secret_key: Arg | None = None
    token: Arg | None = None
    assume_role: list[AssumeRoleHop] = field(default_factory=list)  # several = a chain
    web_identity: WebIdentityConfig | None = None
    args: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class S3Backend:
    input: str
    bucket: Arg | None = None
    key: Arg | None = None
    region: Arg | None = None
    profile: Arg | None = None
    role_arn: Arg | None = None  # removed top-level form (S3_BACKEND_ASSUME_ROLE_SYNTAX)
    assume_role: AssumeRoleHop | None = None
    # "attribute" (Terraform >= 1.6), "block" (wrong: the error "Blocks of type
    # "assume_role" are not expected here"), "top-level" (removed), or None.
    assume_role_form: str | None = None
    args: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class PolicySource:
    """Where a policy came from: parsed here, or a reference resolved later."""

    form: str  # "json" | "jsonencode" | "heredoc" | "string" | "policy_document" | "ref" | "file" | "plan"
    ref: str = ""  # e.g. "data.aws_iam_policy_document.trust.json", "file(\"trust.json\")"
    input: str = ""  # the input whose text the spans refer to
    unresolved: list[str] = field(default_factory=list)  # expressions left symbolic inside
    partial: bool = False  # a part is not decided by the code (unknown blocks, symbolic values)


@dataclass
class RoleResource:
    input: str
    address: str  # "aws_iam_role.deploy"
    name: Arg | None = None
    assume_role_policy: Arg | None = None
    trust: Policy | None = None
    trust_source: PolicySource | None = None
    max_session_duration: Arg | None = None  # seconds; AWS default 3600 when absent
    path: Arg | None = None
    permissions_boundary: Arg | None = None
    managed_policy_arns: Arg | None = None
    inline_policies: list[PolicyResource] = field(default_factory=list)
    args: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class PolicyResource:
    """aws_iam_policy, aws_iam_role_policy, inline_policy, data aws_iam_policy_document."""

    input: str
    address: str  # "aws_iam_policy.x", "data.aws_iam_policy_document.x"
    type: str
    name: Arg | None = None
    role: Arg | None = None  # aws_iam_role_policy.role
    policy: Policy | None = None
    policy_source: PolicySource | None = None
    args: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class PolicyAttachment:
    input: str
    address: str
    type: str  # aws_iam_role_policy_attachment | aws_iam_user_policy_attachment | ...
    role: Arg | None = None
    policy_arn: Arg | None = None
    args: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class Variable:
    input: str
    name: str
    default: Arg | None = None
    span: Span | None = None
    type: Any = None  # the `type` expression (hcl.Node): optional(...) attributes get their defaults


@dataclass
class ModuleCall:
    """`module "name" { source = "./x" ... }`: its arguments, evaluated in the calling module
    (https://developer.hashicorp.com/terraform/language/modules/syntax)."""

    input: str
    name: str
    source: str  # as written
    args: dict[str, Arg] = field(default_factory=dict)  # without source, version, providers, count, ...
    defaulted: set[str] = field(default_factory=set)  # arguments whose value uses a variable's default
    span: Span | None = None


@dataclass
class PolicyDocument:
    """A pasted JSON policy. `kind` is told apart by its elements (or the input's name)."""

    input: str
    kind: str  # trust | resource | rcp | scp | identity (identity-shaped: also boundary/session)
    reasons: list[str] = field(default_factory=list)
    policy: Policy | None = None


@dataclass
class Denial:
    """The reason part of an AccessDenied message (IAM troubleshoot_access-denied.md)."""

    form: str  # "plain" | "no-allow" | "explicit-deny" | "trust-allows" (sic, doc example)
    policy_type: str | None = None  # identity-based | resource-based | permissions boundary |
    # session | service control | resource control | VPC endpoint | role trust
    gate: str | None = None  # identity | trust | boundary | session | scp | rcp | vpce
    policy_arn: str | None = None  # enhanced messages: "...policy: arn:aws:organizations::..."


@dataclass
class ErrorFacts:
    input: str
    kind: str  # access-denied | expired-token | invalid-client-token | no-credentials | ...
    message: str = ""  # the core STS/Terraform message, unwrapped
    action: str | None = None
    caller: str | None = None
    caller_kind: str | None = None  # user | role | assumed-role | federated-user | web-identity | root
    caller_account: str | None = None
    role: str | None = None
    role_account: str | None = None
    denial: Denial | None = None
    error_code: str | None = None  # AccessDenied, ExpiredToken, RegionDisabledException, ...
    status_code: int | None = None
    request_id: str | None = None
    operation: str | None = None  # AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity
    sdk: str | None = None  # go-v1 | go-v2
    wrapper: str | None = None  # terraform-v5+ | terraform-v3/v4 | terraform-v2 | aws-sdk-go-base-beta | ...
    provider: str | None = None  # 'provider["registry.terraform.io/hashicorp/aws"].alias'
    provider_alias: str | None = None
    config_file: str | None = None
    config_line: int | None = None
    hop: int | None = None  # "IAM Role ARN not set in assume role N of M": N
    hops: int | None = None  # M
    account: str | None = None  # RegionDisabledException's account
    duration: str | None = None
    oidc_provider_url: str | None = None
    resource: str | None = None  # the denied resource when it is not the role (another action's target)
    cause: str | None = None  # the finding code of the cause the text states (catalogue.toml), if any
    details: dict[str, str] = field(default_factory=dict)
    line: int | None = None  # line of the message in the input
    span: Span | None = None


@dataclass
class Recognised:
    input: str
    kind: str  # error | provider | backend-s3 | role | policy-resource | policy-document |
    # attachment | variable | tfvars | policy-json | plan | problem
    facts: Any = None
    span: Span | None = None


def problem_record(name: str, p: Problem) -> Recognised:
    """A reader's problem as one of the records it returns (kind "problem")."""
    return Recognised(name, "problem", p, p.span)


@dataclass
class CallerIdentity:
    """`aws sts get-caller-identity` output: who runs Terraform, when no error
    text names the caller. https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"""

    input: str
    arn: str
    account: str | None = None
    user_id: str | None = None  # AIDA… for users, "AROA…:session" for role sessions
    span: Span | None = None


@dataclass
class Inputs:
    recognised: list[Recognised] = field(default_factory=list)
    errors: list[ErrorFacts] = field(default_factory=list)
    providers: list[ProviderConfig] = field(default_factory=list)
    backends: list[S3Backend] = field(default_factory=list)
    roles: list[RoleResource] = field(default_factory=list)
    policies: list[PolicyResource] = field(default_factory=list)  # incl. data documents
    attachments: list[PolicyAttachment] = field(default_factory=list)
    documents: list[PolicyDocument] = field(default_factory=list)  # pasted JSON policies
    variables: dict[str, Any] = field(default_factory=dict)  # resolved var values
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    identities: list[CallerIdentity] = field(default_factory=list)  # get-caller-identity output
    evidence: list = field(default_factory=list)  # AWS CLI / CloudTrail output (inputs.evidence.Evidence)
    modules: list[ModuleCall] = field(default_factory=list)  # calls of other modules
