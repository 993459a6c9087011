"""Does a Principal / NotPrincipal element name the caller, and how?

How it names the caller matters: a same-account trust that names the caller
itself is enough, one that names the account only delegates to the account's
identity policies.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

from roledoctor.evaluation.arns import Arn, is_account_id, is_unique_id, parse_arn, role_name_and_path, session_arn
from roledoctor.evaluation.model import (
    FEDERATED_USER, ROLE, ROOT, SERVICE, USER, WEB_IDENTITY_CALLER, Caller, PrincipalTrace,
)

AWS_CALLERS = (USER, ROLE, ROOT, FEDERATED_USER)
# Ranking when several entries match: a direct grant beats a delegation to the account.
_RANK = {"user": 0, "role": 0, "session": 0, "unique-id": 0, "federated": 0, "service": 0,
         "wildcard": 1, "account": 2}


def match_entry(kind: str, value: str, caller: Caller) -> tuple[bool | None, str | None, str]:
    """One principal value vs the caller -> (matched, grant, reason)."""
    if kind == "*":
        return True, "wildcard", 'Principal "*" matches everyone'
    if kind == "Service":
        ok = caller.type == SERVICE and (caller.arn or "").lower() == value.lower()
        return ok, "service" if ok else None, "service principal matches" if ok else "caller is not this service"
    if kind == "Federated":
        if caller.type != WEB_IDENTITY_CALLER:
            return False, None, "Federated principal, but the caller is not a web-identity/SAML federation"
        ok = caller.provider == value
        return ok, "federated" if ok else None, (
            "identity provider matches" if ok else f"identity provider is {caller.provider!r}, not {value!r}")
    if kind != "AWS":
        return False, None, f"{kind} principals never match an STS caller"
    return _match_aws(value, caller)


def _match_aws(value: str, caller: Caller) -> tuple[bool | None, str | None, str]:
    """An "AWS" principal value: everyone, a unique ID, an account, or an ARN."""
    if caller.type not in AWS_CALLERS:
        return False, None, "AWS principal, but the caller is not an AWS account principal"
    if value == "*":
        return True, "wildcard", '"AWS": "*" matches every AWS principal'
    if is_unique_id(value):
        # A raw unique ID in a trust means the principal was deleted (and maybe recreated):
        # it matches only that exact identity. reference_policies_elements_principal.md
        uid = (caller.unique_id or "").split(":", 1)[0]
        if uid and uid == value:
            return True, "unique-id", "unique ID equals the caller's"
        return False, None, ("unique ID: matches only the deleted principal it was saved from"
                             if not uid else f"unique ID differs from the caller's {uid}")
    if is_account_id(value):
        ok = caller.account == value
        return ok, "account" if ok else None, "names the caller's account" if ok else "names another account"
    arn = parse_arn(value)
    if arn is None:
        return False, None, "not an account ID or ARN"
    return _match_arn(arn, value, caller)


def _match_arn(arn: Arn, value: str, caller: Caller) -> tuple[bool | None, str | None, str]:
    """An ARN in an "AWS" principal: the account root, a user, a role, a session, a federated user."""
    if arn.resource == "root":
        ok = caller.account == arn.account and arn.service == "iam"
        return ok, "account" if ok else None, "names the caller's account (root)" if ok else "names another account"
    if arn.kind == "user":
        ok = caller.type == USER and caller.arn == value
        return ok, "user" if ok else None, "names the calling user" if ok else _why_not(value, caller)
    if arn.kind == "role":
        if caller.type != ROLE or not caller.role_arn:
            return False, None, "names a role; the caller is not a session of a role"
        if caller.role_arn == value:
            return True, "role", "names the caller's role"
        if caller.role_path is None:  # the caller's path is unknown: a same-named role may still be it
            ra = parse_arn(caller.role_arn)
            mine = role_name_and_path(ra.resource)[0] if ra else None
            theirs, path = role_name_and_path(arn.resource)
            if ra is not None and mine == theirs and ra.account == arn.account and path != "/":
                return None, "role", f"same role name with path {path}; the caller's role path is not known"
        return False, None, _why_not(value, caller)
    if arn.kind == "assumed-role":
        ok = caller.type == ROLE and session_arn(caller) == value
        return ok, "session" if ok else None, ("names the caller's session" if ok else
                                               "names an assumed-role session, which matches that one session only")
    if arn.kind == "federated-user":
        ok = caller.type == FEDERATED_USER and caller.arn == value
        return ok, "user" if ok else None, "names the federated user" if ok else "names another federated user"
    return False, None, f"{arn.kind} is not a principal that can call STS"


def _why_not(value: str, caller: Caller) -> str:
    if caller.type == ROLE:
        return f"caller's role is {caller.role_arn}"
    return f"caller is {caller.arn}"


def match_principal(element: dict[str, list[str]], caller: Caller, negated: bool, base_path: tuple) -> PrincipalTrace:
    best: PrincipalTrace | None = None
    unknown: PrincipalTrace | None = None
    miss: PrincipalTrace | None = None  # first entry that did not match, with why
    for kind, values in element.items():
        for i, value in enumerate(values):
            ok, grant, reason = match_entry(kind, value, caller)
            path = base_path + ((kind,) if kind == "*" else (kind, i) if len(values) > 1 else (kind,))
            if ok and grant is not None:  # every match names its grant
                t = PrincipalTrace(True, grant, value, reason, negated, path)
                if best is None or best.grant is None or _RANK[grant] < _RANK[best.grant]:
                    best = t
            elif ok is None and unknown is None:
                unknown = PrincipalTrace(None, grant, value, reason, negated, path)
            elif miss is None:
                miss = PrincipalTrace(False, None, value, reason, negated, path)
    found = best or unknown or miss or PrincipalTrace(False, None, None, "empty principal", negated, base_path)
    if not negated:
        return found
    # NotPrincipal: the statement applies to everyone the list does not name.
    applies = None if found.matched is None else not found.matched
    return PrincipalTrace(applies, found.grant if applies is False else "wildcard", found.value,
                          ("NotPrincipal names the caller, so the statement skips it" if applies is False
                           else "NotPrincipal does not name the caller, so the statement applies"),
                          True, found.path)
