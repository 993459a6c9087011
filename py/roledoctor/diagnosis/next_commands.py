"""What to run next: the read-only AWS CLI commands that fetch what the diagnosis lacks,
with the names, accounts and regions it already knows filled in, and the smallest IAM
policy that lets them run. Nothing is ever run for the user.

Commands (AWS CLI reference, https://docs.aws.amazon.com/cli/latest/reference/):
iam get-role, list-attached-{user,role}-policies, list-{user,role}-policies,
list-groups-for-user, get-{user,role,group}-policy, get-policy, get-policy-version, get-user,
get-account-authorization-details, get-open-id-connect-provider; organizations list-parents,
list-policies-for-target, describe-policy (from the management account or a delegated
administrator); cloudtrail lookup-events (STS calls are recorded in the region of the
endpoint used, https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from roledoctor.evaluation.arns import parse_arn, role_name_and_path
from roledoctor.evaluation.model import ROLE, USER, WEB_IDENTITY_CALLER

_SAFE = re.compile(r"[A-Za-z0-9+=,.@_:/-]{1,2048}")


@dataclass
class NextCommand:
    command: str
    why: str
    actions: list[str] = field(default_factory=list)  # IAM actions it needs


def _q(value: str) -> str:
    """A value as a shell word: bare when it is a plain name or ARN, else single-quoted."""
    if _SAFE.fullmatch(value or ""):
        return value
    return "'" + (value or "").replace("'", "'\\''") + "'"


def _name(arn: str | None) -> str:
    a = parse_arn(arn)
    return role_name_and_path(a.resource)[0] if a else ""


def _region(case) -> str:
    from roledoctor.diagnosis.facts import literal
    p = case.provider
    for arg in ((p.sts_region, p.region) if p is not None else ()):
        v = literal(arg)
        if isinstance(v, str) and v:
            return v
    t = getattr(case.aws, "trail", None)
    return t.region if t is not None and t.region else "us-east-1"


def next_commands(case, verdict: str) -> list[NextCommand]:
    if verdict == "allowed":
        return []
    out: list[NextCommand] = []
    k = case.aws
    add = out.append
    role, role_name, role_acct = case.role_arn, _name(case.role_arn), case.role_account
    if case.caller is None and not case.web:
        add(NextCommand("aws sts get-caller-identity --query Arn --output text",
                        "who runs Terraform: run it with the same credentials, in the same CI job", []))
    not_found = k is not None and k.role_not_found
    if role_name and case.trust is None and not not_found:
        add(NextCommand(f"aws iam get-role --role-name {_q(role_name)}",
                        f"the trust policy, path, maximum session and creation date of {role_name}"
                        f"{f' (run in account {role_acct})' if role_acct else ''}", ["iam:GetRole"]))
    c = case.caller
    if c is not None and case.identity is None and not (case.target or 0):
        out += _identity_commands(case, c)
    if k is not None:
        out += _missing_documents(case, k)
    if c is not None and case.boundary is None and c.type in (USER, ROLE) and not (k and k.caller is not None):
        out += _boundary_commands(c, role_name)
    if c is not None and case.scps is None and c.account and not c.is_management_account and c.type != \
            WEB_IDENTITY_CALLER:
        out += _org_commands(c.account, "SERVICE_CONTROL_POLICY", "SCPs of the caller's account")
    if role_acct and case.rcps is None and c is not None and c.account and c.account != role_acct:
        out += _org_commands(role_acct, "RESOURCE_CONTROL_POLICY", "RCPs of the role's account")
    if k is not None:
        out += _org_missing_commands(k)
    if case.web and role_acct and (k is None or not (k.oidc or k.oidc_listed is not None or k.oidc_not_found)):
        prov = case.caller.provider if case.caller is not None else None
        if prov:
            add(NextCommand(f"aws iam get-open-id-connect-provider --open-id-connect-provider-arn {_q(prov)}",
                            "the OIDC provider's registered audiences (ClientIDList) and thumbprints",
                            ["iam:GetOpenIDConnectProvider"]))
    if (case.error is not None or role) and (k is None or k.trail is None) and role:
        event = "AssumeRoleWithWebIdentity" if case.web else "AssumeRole"
        add(NextCommand(f"aws cloudtrail lookup-events --region {_q(_region(case))} --lookup-attributes "
                        f"AttributeKey=EventName,AttributeValue={event} --max-results 20",
                        f"the failed {event} call as CloudTrail recorded it (caller, parameters, time); "
                        f"run in account {role_acct or 'of the role'}", ["cloudtrail:LookupEvents"]))
    seen, unique = set(), []
    for n in out:
        if n.command not in seen:
            seen.add(n.command)
            unique.append(n)
    return unique


def _boundary_commands(c, role_name: str) -> list[NextCommand]:
    """The caller's own record: its permissions boundary (and a role's path)."""
    if c.type == USER:
        return [NextCommand(f"aws iam get-user --user-name {_q(_name_user(c.arn))}",
                            "the caller's permissions boundary (PermissionsBoundary), if any", ["iam:GetUser"])]
    if c.role_arn and _name(c.role_arn) != role_name:
        return [NextCommand(f"aws iam get-role --role-name {_q(_name(c.role_arn))}",
                            "the caller role's permissions boundary and path", ["iam:GetRole"])]
    return []


def _org_missing_commands(k) -> list[NextCommand]:
    """The organization's policies (or the attachments of a target) the pasted outputs name but lack."""
    out = []
    for what, ident in k.org_missing:
        if what.endswith("-policy"):
            out.append(NextCommand(f"aws organizations describe-policy --policy-id {_q(ident)}",
                                   f"the content of {ident}, attached on the path", ["organizations:DescribePolicy"]))
        else:
            filt = "SERVICE_CONTROL_POLICY" if what.startswith("scp") else "RESOURCE_CONTROL_POLICY"
            out.append(NextCommand(f"aws organizations list-policies-for-target --target-id {_q(ident)} --filter {filt}",
                                   f"the policies attached to {ident}", ["organizations:ListPoliciesForTarget"]))
    return out


def _name_user(arn: str | None) -> str:
    a = parse_arn(arn)
    return a.resource.rsplit("/", 1)[-1] if a else ""


def _identity_commands(case, c) -> list[NextCommand]:
    acct = f" (account {c.account})" if c.account else ""
    if c.type == USER:
        u = _q(_name_user(c.arn))
        return [NextCommand(f"aws iam list-attached-user-policies --user-name {u}",
                            f"the managed policies attached to the caller{acct}", ["iam:ListAttachedUserPolicies"]),
                NextCommand(f"aws iam list-user-policies --user-name {u}", "the caller's inline policies",
                            ["iam:ListUserPolicies"]),
                NextCommand(f"aws iam list-groups-for-user --user-name {u}", "the groups whose policies apply too",
                            ["iam:ListGroupsForUser"]),
                NextCommand("aws iam get-account-authorization-details --filter User Group LocalManagedPolicy "
                            "AWSManagedPolicy", "or all of it at once (users, groups, managed policies)" + acct,
                            ["iam:GetAccountAuthorizationDetails"])]
    if c.type == ROLE and c.role_arn:
        r = _q(_name(c.role_arn))
        return [NextCommand(f"aws iam list-attached-role-policies --role-name {r}",
                            f"the managed policies of the caller's role{acct}", ["iam:ListAttachedRolePolicies"]),
                NextCommand(f"aws iam list-role-policies --role-name {r}", "the inline policies of the caller's role",
                            ["iam:ListRolePolicies"])]
    return []


def _missing_documents(case, k) -> list[NextCommand]:
    out = []
    for arn in k.missing_managed + ([k.boundary_arn] if k.boundary_missing else []):
        version = next((mp.default_version for ev in k.evidence for mp in ev.managed
                        if mp.arn == arn and mp.default_version), "")
        if version:
            out.append(NextCommand(f"aws iam get-policy-version --policy-arn {_q(arn)} --version-id {_q(version)}",
                                   f"the default version ({version}) of {arn.rsplit('/', 1)[-1]}",
                                   ["iam:GetPolicyVersion"]))
        else:
            out.append(NextCommand(f"aws iam get-policy --policy-arn {_q(arn)}",
                                   f"the default version id of {arn.rsplit('/', 1)[-1]}", ["iam:GetPolicy"]))
            out.append(NextCommand(f"aws iam get-policy-version --policy-arn {_q(arn)} --version-id "
                                   f"\"$(aws iam get-policy --policy-arn {_q(arn)} --query Policy.DefaultVersionId "
                                   "--output text)\"", "its document (the default version is the one in force)",
                                   ["iam:GetPolicy", "iam:GetPolicyVersion"]))
    for owner, name in k.missing_inline:
        kind, who = owner.split("/", 1) if "/" in owner else ("user", owner)
        out.append(NextCommand(f"aws iam get-{kind}-policy --{kind}-name {_q(who)} --policy-name {_q(name)}",
                               f"the inline policy {name} of {owner}", [f"iam:Get{kind.title()}Policy"]))
    return out


def _org_commands(account: str, filt: str, what: str) -> list[NextCommand]:
    note = " (run from the management account or a delegated administrator)"
    return [NextCommand(f"aws organizations list-parents --child-id {_q(account)}",
                        f"the OU above account {account}; repeat with the OU's id up to the root ({what})" + note,
                        ["organizations:ListParents"]),
            NextCommand(f"aws organizations list-policies-for-target --target-id {_q(account)} --filter {filt}",
                        f"the {what} attached to the account; repeat for each OU and the root", 
                        ["organizations:ListPoliciesForTarget"]),
            NextCommand("aws organizations describe-policy --policy-id POLICY_ID",
                        "the content of each policy listed (its Id from the previous output)",
                        ["organizations:DescribePolicy"])]


def minimal_policy(cmds: list[NextCommand]) -> dict | None:
    actions = sorted({a for c in cmds for a in c.actions})
    if not actions:
        return None
    return {"Version": "2012-10-17", "Statement": [{"Sid": "RoledoctorNextCommandsReadOnly", "Effect": "Allow",
                                                    "Action": actions, "Resource": "*"}]}
