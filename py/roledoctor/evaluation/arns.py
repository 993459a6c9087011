"""ARN parsing and caller normalisation (no regex on user text).

ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
Session ARNs carry no role path: arn:aws:sts::<acct>:assumed-role/<name>/<session>
(reference_policies_elements_principal.md, "Role session principals").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from roledoctor.evaluation.model import (
    FEDERATED_USER, ROLE, ROOT, SERVICE, USER, WEB_IDENTITY_CALLER, Caller,
)


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str  # everything after the 5th colon

    @property
    def kind(self) -> str:  # "user", "role", "assumed-role", "root", "oidc-provider", ...
        return self.resource.split("/", 1)[0]


def parse_arn(text: str | None) -> Arn | None:
    if not text or not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def is_account_id(text: str) -> bool:
    return len(text) == 12 and text.isdigit()


UNIQUE_ID_PREFIXES = ("AROA", "AIDA", "AGPA", "ANPA", "ANVA", "ASIA", "AKIA", "AIPA", "APKA", "ASCA")


def is_unique_id(text: str) -> bool:
    """IAM unique IDs: AROA…/AIDA… and friends, upper-case letters and digits.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes"""
    return len(text) >= 16 and text[:4] in UNIQUE_ID_PREFIXES and text.isalnum() and text.upper() == text


def role_name_and_path(role_resource: str) -> tuple[str, str]:
    """"role/team/ci" -> ("ci", "/team/")."""
    rest = role_resource.split("/", 1)[1] if "/" in role_resource else ""
    if "/" in rest:
        path, name = rest.rsplit("/", 1)
        return name, "/" + path.strip("/") + "/"
    return rest, "/"


def same_role_other_path(value: str | None, want: str | None) -> bool:
    """Two role ARNs of one account naming the same role under different paths."""
    a, b = parse_arn(value), parse_arn(want)
    if a is None or b is None or a.kind != "role" or b.kind != "role" or a.account != b.account:
        return False
    (na, pa), (nb, pb) = role_name_and_path(a.resource), role_name_and_path(b.resource)
    return na == nb and pa != pb


def normalise_caller(caller: Caller) -> Caller:
    """Fill type, account, role ARN and path from what is known; never invents a path."""
    c = replace(caller)
    arn = parse_arn(c.arn)
    if c.type is None:
        c.type = _caller_type(c, arn)
    if c.type == WEB_IDENTITY_CALLER and c.provider is None:
        c.provider = c.arn
    if c.account is None and arn is not None and is_account_id(arn.account):
        c.account = arn.account
    if c.type == ROLE:
        _role_facts(c, arn, given_role_arn=caller.role_arn)
    return c


# ARN resource kind -> caller type (reference-arns.html); `root` is the resource itself
_KIND_TYPES = {"assumed-role": ROLE, "role": ROLE, "user": USER, "federated-user": FEDERATED_USER,
               "oidc-provider": WEB_IDENTITY_CALLER, "saml-provider": WEB_IDENTITY_CALLER}


def _caller_type(c: Caller, arn: Arn | None) -> str | None:
    if arn is None:
        return SERVICE if c.arn and c.arn.endswith(".amazonaws.com") else (
            WEB_IDENTITY_CALLER if c.provider or (c.arn and "." in c.arn) else None)
    if arn.kind in ("assumed-role", "role", "user"):
        return _KIND_TYPES[arn.kind]
    if arn.resource == "root":
        return ROOT
    return _KIND_TYPES.get(arn.kind)


def _role_facts(c: Caller, arn: Arn | None, given_role_arn: str | None) -> None:
    """A role caller's role ARN, path and session name, from its ARN (a role's or a session's)."""
    if arn is not None and arn.kind == "role":  # caller given as the role itself: its path is known
        c.role_arn = c.role_arn or c.arn
        if c.role_path is None:
            c.role_path = role_name_and_path(arn.resource)[1]
    elif arn is not None and c.session_name is None:
        bits = arn.resource.split("/")
        if len(bits) >= 3:
            c.session_name = "/".join(bits[2:])
    if c.role_arn is None and arn is not None and arn.kind == "assumed-role":
        bits = arn.resource.split("/")
        name = bits[1] if len(bits) > 1 else ""
        path = c.role_path or "/"
        c.role_arn = f"arn:{arn.partition}:iam::{arn.account}:role{path}{name}"
    if c.role_arn and c.role_path is None and given_role_arn:
        ra = parse_arn(c.role_arn)
        if ra is not None:
            c.role_path = role_name_and_path(ra.resource)[1]


def session_arn(caller: Caller) -> str | None:
    """The caller's assumed-role session ARN (path dropped), if it is a session."""
    if caller.type != ROLE:
        return None
    arn = parse_arn(caller.arn)
    if arn is not None and arn.kind == "assumed-role":
        return caller.arn
    ra = parse_arn(caller.role_arn)
    if ra is None or not caller.session_name:
        return None
    name, _ = role_name_and_path(ra.resource)
    return f"arn:{ra.partition}:sts::{ra.account}:assumed-role/{name}/{caller.session_name}"
