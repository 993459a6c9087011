"""Facts joined across inputs: what one pasted text hides, another may show.

- A role session ARN (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`) has no
  path, but `aws:PrincipalArn` is the role ARN with its path
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
  A pasted definition of the caller's role (an `aws_iam_role` resource, in HCL
  or a plan) gives that path.
- Two inputs that name the same role with different paths or accounts do not
  agree: that is a finding (PROVIDER_ROLE_ARN_MISMATCH), never a silent choice.
  Role names are unique within an account whatever the path
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names),
  so a `role_arn` with another path than the pasted definition names no role.

(get-role and authorization details output are joined in aws_evidence.py.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from roledoctor.diagnosis.model import Issue, Repair, Where
from roledoctor.evaluation.arns import is_account_id, parse_arn, role_name_and_path
from roledoctor.evaluation.model import ROLE

if TYPE_CHECKING:  # facts.py calls this module while it builds the Case
    from roledoctor.diagnosis.facts import Case


@dataclass(frozen=True)
class RoleDefinition:
    """What a pasted role definition says: name, path, and the account when its ARN is given."""

    address: str
    input: str
    name: str
    path: str
    account: str | None
    span: object  # of the `path` argument, else of the resource


def _str(arg: Any) -> str | None:
    if arg is None or getattr(arg, "symbolic", False):
        return None
    return arg.value if isinstance(arg.value, str) else None


def _norm_path(path: str) -> str:
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def definitions(roles: Iterable[Any]) -> list[RoleDefinition]:
    out = []
    for r in roles:
        name = _str(getattr(r, "name", None))
        if not name:
            continue
        arn = parse_arn(_str((getattr(r, "args", None) or {}).get("arn")))
        p = getattr(r, "path", None)
        path = _str(p)
        if path is None and arn is not None and arn.kind == "role":
            path = role_name_and_path(arn.resource)[1]
        if p is not None and path is None:
            continue  # a path we cannot read says nothing
        account = arn.account if arn is not None and is_account_id(arn.account) else None
        span = p.span if p is not None and getattr(p, "span", None) is not None else getattr(r, "span", None)
        out.append(RoleDefinition(r.address, r.input, name, _norm_path(path or "/"), account, span))
    return out


def _named(defs: list[RoleDefinition], arn_text: str | None) -> list[RoleDefinition]:
    arn = parse_arn(arn_text)
    if arn is None:
        return []
    name = role_name_and_path(arn.resource)[0] if arn.kind == "role" else (arn.resource.split("/") + ["", ""])[1]
    return [d for d in defs if d.name == name and (d.account is None or d.account == arn.account)]


def join_caller_role(case: Case) -> None:
    """The caller's role path from its pasted definition, when the caller's ARN does not show it."""
    c = case.caller
    if c is None or c.type != ROLE or not c.role_arn:
        return
    defs = [d for d in definitions(case.inputs.roles)
            if case.role_resource is None or d.address != getattr(case.role_resource, "address", None)
            or case.role_arn == c.role_arn]
    named = _named(defs, c.role_arn)
    paths = sorted({d.path for d in named})
    if len(paths) != 1:
        if len(paths) > 1:
            case.assumptions.append(f"the caller's role is defined with several paths ({', '.join(paths)}): "
                                    "its path is not taken from them")
        return
    d = named[0]
    arn = parse_arn(c.role_arn)
    if c.role_path is None and arn is not None:
        c.role_path = d.path
        c.role_arn = f"arn:{arn.partition}:iam::{arn.account}:role{d.path}{d.name}"
        if d.path != "/":
            case.assumptions.append(f"the caller's role path `{d.path}` is read from {d.address} (the "
                                    f"session ARN `{c.arn}` shows no path): aws:PrincipalArn is `{c.role_arn}`")


def target_role_conflicts(case: Case) -> list[Issue]:
    """The provider's `role_arn` against the pasted definition of the role it names."""
    hop = case.hop
    if hop is None or case.provider is None or not case.role_arn or hop.role_arn is None:
        return []
    arn = parse_arn(case.role_arn)
    if arn is None or arn.kind != "role":
        return []
    name, path = role_name_and_path(arn.resource)
    named = [d for d in definitions(case.inputs.roles) if d.name == name]
    if not named or any(d.path == path and d.account in (None, arn.account) for d in named):
        return []
    d = named[0]
    account = d.account or arn.account
    real = f"arn:{arn.partition}:iam::{account}:role{d.path}{d.name}"
    what = "path" if d.path != path else "account"
    where = [Where(case.provider.input, hop.role_arn.span)] if hop.role_arn.span is not None else []
    if d.span is not None:
        where.append(Where(d.input, d.span))
    return [Issue("PROVIDER_ROLE_ARN_MISMATCH",
                  f"The provider assumes `{case.role_arn}`, but {d.address} defines role `{d.name}` with "
                  f"{what} `{d.path if what == 'path' else account}`: its ARN is `{real}`. A role ARN includes "
                  "its path, so the provider names a role that is not the one defined.",
                  where, {"provider_role": case.role_arn, "role_resource": d.address, "defined_arn": real},
                  [Repair("provider", "set_arg", case.provider, key="role_arn", value=real, hop=case.target)])]
