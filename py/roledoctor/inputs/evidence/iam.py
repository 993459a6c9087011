"""`aws iam` outputs about one role, user, group or policy (AWS CLI reference,
https://docs.aws.amazon.com/cli/latest/reference/iam/): get-role, get-role-policy,
get-user-policy, get-group-policy, list-role-policies, list-user-policies,
list-attached-role-policies, list-attached-user-policies, get-policy,
get-policy-version, get-user, list-groups-for-user.

Each reader: recognise(value) on the parsed JSON, read(ctx, ev) filling an Evidence.
"""

from __future__ import annotations

from roledoctor.inputs.evidence.common import Ctx, document, get, strings, text_of
from roledoctor.inputs.evidence.model import Evidence, ManagedPolicy, Principal


def _owner(ctx: Ctx, ev: Evidence, value: dict) -> str:
    for key, kind in (("RoleName", "role"), ("UserName", "user"), ("GroupName", "group")):
        if isinstance(value.get(key), str):
            return f"{kind}/{value[key]}"
    for opt, kind in (("--role-name", "role"), ("--user-name", "user"), ("--group-name", "group")):
        if ev.command.get(opt):
            return f"{kind}/{ev.command[opt]}"
    return ""


# ---- get-role (https://docs.aws.amazon.com/cli/latest/reference/iam/get-role.html) ----

def is_get_role(v) -> bool:
    return isinstance(get(v, "Role"), dict) and isinstance(get(v, "Role", "RoleName"), str) and \
        "AssumeRolePolicyDocument" in v["Role"]


def role_from(ctx: Ctx, obj: dict, path: tuple) -> Principal:
    """A Role (get-role) or RoleDetail (authorization details) object."""
    r = Principal("role", text_of(obj, "RoleName"), text_of(obj, "Arn"), text_of(obj, "Path") or "/",
                  text_of(obj, "CreateDate"), span=ctx.span(path))
    if isinstance(obj.get("MaxSessionDuration"), int) and not isinstance(obj["MaxSessionDuration"], bool):
        r.max_session = obj["MaxSessionDuration"]
    r.boundary_arn = text_of(obj, "PermissionsBoundary", "PermissionsBoundaryArn")
    r.last_used = text_of(obj, "RoleLastUsed", "LastUsedDate")
    r.last_used_region = text_of(obj, "RoleLastUsed", "Region")
    r.trust = document(ctx, path + ("AssumeRolePolicyDocument",), "trust", name="trust", owner=f"role/{r.name}")
    return r


def read_get_role(ctx: Ctx, ev: Evidence) -> None:
    r = role_from(ctx, ctx.doc.value["Role"], ("Role",))
    ev.principals.append(r)
    ev.title = f"get-role output for {r.name}"
    ev.facts.append(f"role {r.arn or r.name}")
    if r.trust is not None:
        ev.facts.append("trust policy" + (" (URL-encoded)" if r.trust.form == "urlencoded" else ""))
    ev.facts.append(f"maximum session {r.max_session} s" if r.max_session else "maximum session not shown")
    if r.path != "/":
        ev.facts.append(f"path {r.path}")
    if r.create_date:
        ev.facts.append(f"created {r.create_date}")
    if r.boundary_arn:
        ev.facts.append(f"permissions boundary {r.boundary_arn}")
    if r.last_used:
        ev.facts.append(f"last used {r.last_used}{' in ' + r.last_used_region if r.last_used_region else ''}")


# ---- get-role-policy, get-user-policy, get-group-policy ----

def is_inline_policy(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("PolicyName"), str) and "PolicyDocument" in v and \
        any(isinstance(v.get(k), str) for k in ("RoleName", "UserName", "GroupName"))


def read_inline_policy(ctx: Ctx, ev: Evidence) -> None:
    v = ctx.doc.value
    owner = _owner(ctx, ev, v)
    d = document(ctx, ("PolicyDocument",), "inline", name=v["PolicyName"], owner=owner)
    kind = owner.split("/", 1)[0]
    ev.title = f"get-{kind}-policy output: {v['PolicyName']} of {owner}"
    if d is not None:
        ev.documents.append(d)
        ev.facts.append(f"inline policy {v['PolicyName']} of {owner}")


# ---- list-role-policies, list-user-policies (PolicyNames) ----

def is_policy_names(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("PolicyNames"), list) and set(v) <= {"PolicyNames", "IsTruncated",
                                                                                        "Marker"}


def read_policy_names(ctx: Ctx, ev: Evidence) -> None:
    owner = _owner(ctx, ev, {})
    names = strings(ctx.doc.value, "PolicyNames")
    ev.inline_names += [(owner, n) for n in names]
    ev.title = f"list of inline policies{' of ' + owner if owner else ''}"
    ev.facts.append(f"{len(names)} inline polic{'y' if len(names) == 1 else 'ies'}: {', '.join(names) or 'none'}")


# ---- list-attached-role-policies, list-attached-user-policies (AttachedPolicies) ----

def is_attached(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("AttachedPolicies"), list)


def read_attached(ctx: Ctx, ev: Evidence) -> None:
    owner = _owner(ctx, ev, {})
    arns = [text_of(p, "PolicyArn") for p in ctx.doc.value["AttachedPolicies"] if text_of(p, "PolicyArn")]
    ev.attached += [(owner, a) for a in arns]
    ev.title = f"list of attached managed policies{' of ' + owner if owner else ''}"
    ev.facts.append(f"{len(arns)} attached: {', '.join(a.rsplit('/', 1)[-1] for a in arns) or 'none'}")


# ---- get-policy (Policy.DefaultVersionId) and get-policy-version (PolicyVersion.Document) ----

def is_get_policy(v) -> bool:
    return isinstance(get(v, "Policy"), dict) and isinstance(get(v, "Policy", "Arn"), str) and \
        "DefaultVersionId" in v["Policy"]


def read_get_policy(ctx: Ctx, ev: Evidence) -> None:
    p = ctx.doc.value["Policy"]
    mp = ManagedPolicy(p["Arn"], text_of(p, "PolicyName"), text_of(p, "DefaultVersionId"))
    ev.managed.append(mp)
    ev.title = f"get-policy output for {mp.name or mp.arn}"
    ev.facts.append(f"managed policy {mp.arn}, default version {mp.default_version or '?'}")


def is_policy_version(v) -> bool:
    return isinstance(get(v, "PolicyVersion"), dict) and "Document" in v["PolicyVersion"]


def read_policy_version(ctx: Ctx, ev: Evidence) -> None:
    pv = ctx.doc.value["PolicyVersion"]
    arn = ev.command.get("--policy-arn", "")
    default = pv.get("IsDefaultVersion") is not False
    d = document(ctx, ("PolicyVersion", "Document"), "managed", arn=arn, version=text_of(pv, "VersionId"),
                 default=default)
    ev.title = f"get-policy-version output{' for ' + arn.rsplit('/', 1)[-1] if arn else ''}" \
        f" ({text_of(pv, 'VersionId') or '?'})"
    if d is None:
        return
    if arn:
        ev.managed.append(ManagedPolicy(arn, arn.rsplit("/", 1)[-1], d.version if default else "", [d]))
    else:
        ev.documents.append(d)
    ev.facts.append(f"policy version {d.version or '?'}{' (default)' if default else ' (not the default)'}")


# ---- get-user, list-groups-for-user ----

def is_get_user(v) -> bool:
    return isinstance(get(v, "User"), dict) and isinstance(get(v, "User", "UserName"), str) and \
        isinstance(get(v, "User", "Arn"), str)


def user_from(ctx: Ctx, obj: dict, path: tuple) -> Principal:
    u = Principal("user", text_of(obj, "UserName"), text_of(obj, "Arn"), text_of(obj, "Path") or "/",
                  text_of(obj, "CreateDate"), span=ctx.span(path))
    u.boundary_arn = text_of(obj, "PermissionsBoundary", "PermissionsBoundaryArn")
    return u


def read_get_user(ctx: Ctx, ev: Evidence) -> None:
    u = user_from(ctx, ctx.doc.value["User"], ("User",))
    ev.principals.append(u)
    ev.title = f"get-user output for {u.name}"
    ev.facts.append(f"user {u.arn}")
    if u.boundary_arn:
        ev.facts.append(f"permissions boundary {u.boundary_arn}")


def is_groups(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("Groups"), list) and \
        all(isinstance(g, dict) and "GroupName" in g for g in v["Groups"])


def read_groups(ctx: Ctx, ev: Evidence) -> None:
    user = ev.command.get("--user-name", "")
    names = [text_of(g, "GroupName") for g in ctx.doc.value["Groups"] if text_of(g, "GroupName")]
    ev.groups_of += [(user, g) for g in names]
    ev.title = f"groups of {'user ' + user if user else 'the user'}"
    ev.facts.append(f"groups: {', '.join(names) or 'none'}")


# Registered in roledoctor.inputs.kinds (stage aws-output), one row per output.
__all__ = ["role_from", "user_from"]
