"""OIDC platforms that call sts:AssumeRoleWithWebIdentity: issuer, default audience and
subject format of each, as data. Each row cites the platform's own documentation.

`match(issuer_host)` -> the platform of an issuer (the part of a `Federated` principal
after `oidc-provider/`, or a token's `iss` without `https://`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    issuer: str  # host (and path) as IAM keys it; may contain {placeholders}
    issuer_re: re.Pattern  # fullmatch on the host/path, no scheme
    audience: str | None  # the default audience; None: the job chooses it, nothing is implied
    audience_note: str  # said in fixes when the audience is missing or wrong
    subject: str  # subject format(s), for messages
    subject_re: re.Pattern | None  # a subject that pins what the platform's subject names
    pin: str  # what a `sub` condition should pin, for OIDC_SUBJECT_WILDCARD
    source: str  # the documentation URL


# One bounded character class per part: linear time.
PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "github", "GitHub Actions", "token.actions.githubusercontent.com",
        re.compile(r"token\.actions\.githubusercontent\.com(?:/[A-Za-z0-9_-]{1,100})?"),
        "sts.amazonaws.com",
        "aws-actions/configure-aws-credentials requests the audience `sts.amazonaws.com` (its `audience` input)",
        "repo:OWNER/REPO:ref:refs/heads/BRANCH, repo:OWNER/REPO:environment:NAME, repo:OWNER/REPO:pull_request; "
        "with immutable IDs repo:OWNER@ID/REPO@ID:… (repositories created or renamed from July 2026: "
        "https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens/), "
        "or a customised subject (e.g. repository_owner_id:ID:repository_id:ID:…)",
        re.compile(r"(?:repo:[A-Za-z0-9_.-]{1,100}(?:@[0-9]{1,20})?/[A-Za-z0-9_.-]{1,100}(?:@[0-9]{1,20})?"
                   r"|repository_owner_id:[0-9]{1,20}|repository_id:[0-9]{1,20}):[^*?]{1,300}"),
        "the repository and the ref or environment",
        "https://docs.github.com/en/actions/reference/security/oidc"),
    Platform(
        "gitlab", "GitLab CI/CD", "gitlab.com",
        re.compile(r"gitlab\.com|gitlab\.[A-Za-z0-9.-]{1,200}"),
        None,
        "GitLab sets `aud` to what the job's `id_tokens: NAME: aud:` says",
        "project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF",
        re.compile(r"project_path:[A-Za-z0-9_./-]{1,300}:ref_type:(?:branch|tag):ref:[^*?]{1,300}"),
        "the project path and the ref",
        "https://docs.gitlab.com/ci/secrets/id_token_authentication/"),
    Platform(
        "hcp-terraform", "HCP Terraform", "app.terraform.io",
        re.compile(r"app\.terraform\.io"),
        "aws.workload.identity",
        "HCP Terraform's default audience is `aws.workload.identity` (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE)",
        "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:plan|apply",
        re.compile(r"organization:[A-Za-z0-9_-]{1,100}:project:[^:*?]{1,100}:workspace:[^:*?]{1,100}:run_phase:"
                   r"(?:plan|apply|\*)"),
        "the organization, project and workspace",
        "https://developer.hashicorp.com/terraform/cloud-docs/dynamic-provider-credentials/aws-configuration"),
    Platform(
        "eks", "Amazon EKS (IRSA)", "oidc.eks.REGION.amazonaws.com/id/ID",
        re.compile(r"oidc\.eks\.[a-z0-9-]{1,30}\.amazonaws\.com(?:\.cn)?/id/[A-Za-z0-9]{1,64}"),
        "sts.amazonaws.com",
        "the EKS pod identity webhook projects a token with audience `sts.amazonaws.com`",
        "system:serviceaccount:NAMESPACE:NAME",
        re.compile(r"system:serviceaccount:[a-z0-9.-]{1,253}:[a-z0-9.-]{1,253}"),
        "the namespace and the service account",
        "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html"),
    Platform(
        "bitbucket", "Bitbucket Pipelines", "api.bitbucket.org/2.0/workspaces/WORKSPACE/pipelines-config/identity/oidc",
        re.compile(r"api\.bitbucket\.org/2\.0/workspaces/[A-Za-z0-9_.-]{1,100}/pipelines-config/identity/oidc"),
        None,
        "Bitbucket's audience is `ari:cloud:bitbucket::workspace/WORKSPACE_UUID` (repository settings, OpenID Connect)",
        "{REPOSITORY_UUID}:{STEP_UUID} (or {REPOSITORY_UUID}[:{ENVIRONMENT_UUID}]:{STEP_UUID})",
        re.compile(r"\{[0-9a-fA-F-]{36}\}[^*?]{0,200}|\{[0-9a-fA-F-]{36}\}:?\*"),
        "the repository UUID",
        "https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/"),
    Platform(
        "circleci", "CircleCI", "oidc.circleci.com/org/ORG_ID",
        re.compile(r"oidc\.circleci\.com/org/[0-9a-fA-F-]{36}"),
        None,
        "CircleCI's audience is the organization ID",
        "org/ORG_ID/project/PROJECT_ID/user/USER_ID",
        re.compile(r"org/[0-9a-fA-F-]{36}/project/[0-9a-fA-F-]{36}/[^?]{0,200}"),
        "the organization and project IDs",
        "https://circleci.com/docs/guides/permissions-authentication/openid-connect-tokens/"),
    Platform(
        "buildkite", "Buildkite", "agent.buildkite.com",
        re.compile(r"agent\.buildkite\.com"),
        "sts.amazonaws.com",
        "request the token with `buildkite-agent oidc request-token --audience sts.amazonaws.com`",
        "organization:ORG:pipeline:PIPELINE:ref:REF:commit:SHA:step:STEP",
        re.compile(r"organization:[A-Za-z0-9_-]{1,100}:pipeline:[A-Za-z0-9_-]{1,100}:[^?]{0,400}"),
        "the organization and pipeline",
        "https://buildkite.com/docs/pipelines/security/oidc/aws"),
)

BY_ID = {p.id: p for p in PLATFORMS}


def match(host: str | None) -> Platform | None:
    """The platform whose issuer this is (`https://` and a trailing `/` are dropped)."""
    if not isinstance(host, str):
        return None
    h = host.strip()
    if h.startswith("https://"):
        h = h[8:]
    h = h.rstrip("/")
    if len(h) > 400:
        return None
    for p in PLATFORMS:
        if p.issuer_re.fullmatch(h):
            return p
    return None


def issuer_of_key(key: str) -> str | None:
    """`token.actions.githubusercontent.com:sub` -> `token.actions.githubusercontent.com`."""
    if not isinstance(key, str) or ":" not in key:
        return None
    return key.rsplit(":", 1)[0]


def redos_patterns() -> list[tuple[str, re.Pattern]]:
    out = []
    for p in PLATFORMS:
        out.append((f"platforms.{p.id}.issuer", p.issuer_re))
        if p.subject_re is not None:
            out.append((f"platforms.{p.id}.subject", p.subject_re))
    return out
