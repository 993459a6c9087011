"""The request context: which condition keys AWS would send, with which values.

Three states per key, because a missing input must never turn into an allow:
- present: we know the value(s);
- absent: we know AWS sends no such key (e.g. no external_id set, so no
  sts:ExternalId);
- unknown: the value exists or not in AWS but the user did not tell us
  (aws:SourceIp, aws:PrincipalOrgID, aws:PrincipalTag/*, OIDC claims…).
Keys compare case-insensitively ("Condition key names are not case-sensitive",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).

Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roledoctor.evaluation.arns import parse_arn, role_name_and_path, session_arn
from roledoctor.evaluation.model import (
    FEDERATED_USER, ROLE, ROOT, SERVICE, USER, WEB_IDENTITY_CALLER, Caller, Request,
)

PRESENT, ABSENT, UNKNOWN = "present", "absent", "unknown"
UNRESOLVED = "\x00unresolved-policy-variable\x00"  # sentinel from substitute()

# Keys whose presence the request fully determines: not given means AWS sends none.
_DETERMINED = {
    "sts:externalid", "sts:sourceidentity", "sts:rolesessionname", "aws:tagkeys",
    "sts:transitivetagkeys", "aws:principalarn", "aws:principalaccount", "aws:principaltype",
    "aws:userid", "aws:username", "aws:securetransport", "aws:principalisawsservice",
    "aws:viaawsservice", "aws:principalservicename", "aws:federatedprovider",
    "aws:multifactorauthpresent", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
}
_DETERMINED_PREFIXES = ("aws:requesttag/",)


@dataclass
class Context:
    values: dict[str, list[str]] = field(default_factory=dict)  # lower-case key -> values
    complete: bool = False
    known_absent: frozenset = frozenset()  # keys known not to be sent (lower case)
    known_prefixes: tuple = ()  # e.g. ("aws:principaltag/",) when the caller's tags are given in full
    used_unknown: set = field(default_factory=set)

    def lookup(self, key: str) -> tuple[str, list[str] | None]:
        k = key.lower()
        if k in self.values:
            return PRESENT, self.values[k]
        if (self.complete or k in _DETERMINED or k in self.known_absent
                or k.startswith(_DETERMINED_PREFIXES + self.known_prefixes)):
            return ABSENT, None
        self.used_unknown.add(key)
        return UNKNOWN, None


def _principal_arn(c: Caller) -> str | None:
    if c.type == ROLE:
        return c.role_arn
    if c.type in (USER, ROOT, FEDERATED_USER):
        return c.arn
    return None


class _Keys:
    """The context being built: values by lower-case key, and keys known to be absent."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        self.known: list[str] = []  # known absent; a key ending in "/" is a prefix

    def put(self, key: str, value) -> None:
        if value is None:
            return
        self.values[key.lower()] = list(value) if isinstance(value, (list, tuple)) else [str(value)]


def build_context(req: Request, caller: Caller) -> Context:
    keys = _Keys()
    # STS always runs over TLS for Terraform (the SDK uses https endpoints).
    keys.put("aws:SecureTransport", "true")
    keys.put("aws:ViaAWSService", "false")
    if caller.type in (USER, ROLE, ROOT, FEDERATED_USER):
        _principal_keys(keys, caller)
    _caller_keys(keys, caller)
    _request_keys(keys, req)
    for k, given in req.context.items():  # explicit values win
        if given is None:
            keys.values.pop(k.lower(), None)
            keys.known.append(k.lower())
        else:
            keys.put(k, given)
    known = keys.known
    return Context(values=keys.values, complete=req.context_complete,
                   known_absent=frozenset(k for k in known if not k.endswith("/")),
                   known_prefixes=tuple(k for k in known if k.endswith("/")))


def _principal_keys(keys: _Keys, caller: Caller) -> None:
    """The principal's keys of an IAM caller (user, role session, root, federated user)."""
    assert caller.type is not None
    keys.put("aws:PrincipalArn", _principal_arn(caller))
    keys.put("aws:PrincipalAccount", caller.account)
    keys.put("aws:PrincipalType", {USER: "User", ROLE: "AssumedRole", ROOT: "Account",
                                   FEDERATED_USER: "FederatedUser"}[caller.type])
    keys.put("aws:PrincipalIsAWSService", "false")
    if caller.org_id:
        keys.put("aws:PrincipalOrgID", caller.org_id)
    elif caller.in_org is False:
        keys.known.append("aws:principalorgid")
    if caller.tags is not None:
        for k, val in caller.tags.items():
            keys.put(f"aws:PrincipalTag/{k}", val)
        keys.known.append("aws:principaltag/")


def _caller_keys(keys: _Keys, caller: Caller) -> None:
    """The keys only one type of caller has."""
    if caller.type == USER:
        arn = parse_arn(caller.arn)
        if arn:
            keys.put("aws:username", arn.resource.rsplit("/", 1)[-1])
        if caller.unique_id:
            keys.put("aws:userid", caller.unique_id)
        keys.known.append("aws:multifactorauthpresent")  # absent for long-term access keys
    if caller.type == ROLE:
        if caller.unique_id:
            uid = caller.unique_id.split(":", 1)[0]
            keys.put("aws:userid", f"{uid}:{caller.session_name}" if caller.session_name else uid)
        # temporary credentials carry MFA state: false unless the caller says otherwise
        keys.put("aws:MultiFactorAuthPresent", "false")
    if caller.type == WEB_IDENTITY_CALLER and caller.provider:
        keys.put("aws:FederatedProvider", caller.provider)
    if caller.type == SERVICE and caller.arn:
        keys.put("aws:PrincipalServiceName", caller.arn)
        keys.put("aws:PrincipalIsAWSService", "true")


def _request_keys(keys: _Keys, req: Request) -> None:
    """The keys of the AssumeRole request itself: external ID, source identity, session name, tags."""
    keys.put("sts:ExternalId", req.external_id)
    keys.put("sts:SourceIdentity", req.source_identity)
    keys.put("sts:RoleSessionName", req.session_name)
    for k, val in req.tags.items():
        keys.put(f"aws:RequestTag/{k}", val)
    if req.tags:
        keys.put("aws:TagKeys", list(req.tags))
    if req.transitive_tag_keys:
        keys.put("sts:TransitiveTagKeys", list(req.transitive_tag_keys))


def substitute(value: str, ctx: Context, for_pattern: bool) -> str | None:
    """Replace ${key} / ${key, 'default'} / ${*} ${?} ${$} (policy Version 2012-10-17 only).

    Returns None when a variable's key is unknown, and UNRESOLVED when its key
    is absent and it has no default: "any attempt to match it fails and causes
    the statement to be invalid", so the whole statement does not apply.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
    """
    if "${" not in value:
        return value
    from roledoctor.evaluation.wildcard import LIT_QMARK, LIT_STAR

    out: list[str] = []
    i = 0
    while True:
        j = value.find("${", i)
        if j < 0:
            out.append(value[i:])
            break
        k = value.find("}", j)
        if k < 0:
            out.append(value[i:])
            break
        out.append(value[i:j])
        inner = value[j + 2:k].strip()
        i = k + 1
        if inner in ("*", "?", "$"):
            lit = {"*": LIT_STAR, "?": LIT_QMARK, "$": "$"}[inner] if for_pattern else inner
            out.append(lit)
            continue
        key, default = inner, None
        if "," in inner:
            key, rest = inner.split(",", 1)
            key, rest = key.strip(), rest.strip()
            if len(rest) >= 2 and rest[0] == rest[-1] == "'":
                default = rest[1:-1]
        status, vals = ctx.lookup(key)
        if status == "unknown":
            return None
        if status == "absent" or not vals or len(vals) != 1:
            if default is None:
                return UNRESOLVED
            val = default
        else:
            val = vals[0]
        if for_pattern:
            val = val.replace("*", LIT_STAR).replace("?", LIT_QMARK)
        out.append(val)
    return "".join(out)


def role_path_of(caller: Caller) -> str | None:
    if caller.role_arn is None:
        return None
    arn = parse_arn(caller.role_arn)
    return role_name_and_path(arn.resource)[1] if arn else None


__all__ = ["Context", "build_context", "substitute", "session_arn", "PRESENT", "ABSENT", "UNKNOWN"]
