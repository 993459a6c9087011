"""A verdict when the caller is not known but cannot change it.

The verdict is `undetermined` only when some value of an unknown input could
change it. When no pasted text names the caller, the answer can still be the
same for every caller: a trust open to `"AWS": "*"` with no condition on the
principal, and the caller's identity policy pasted, gives one answer to every
IAM user or role that holds that policy. This is decided by evaluating the
request for representative callers (a user and a role session, in the role's
account and in another one) and only when nothing pasted tells callers apart:
no principal but `*` in the trust, no condition key about the principal
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties),
no policy variable. Any disagreement leaves the verdict undetermined, and
INPUT_MISSING names the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from roledoctor.evaluation import Caller, Evaluation, evaluate
from roledoctor.diagnosis.facts import Case, build_request
from roledoctor.evaluation.arns import normalise_caller, parse_arn
from roledoctor.policy import Policy

# Keys whose value depends on who the caller is (the principal-properties keys
# and the MFA and identity-provider keys of the same page).
_CALLER_KEYS = ("aws:principal", "aws:userid", "aws:username", "aws:multifactorauth", "aws:federatedprovider",
                "aws:sourceidentity", "aws:tokenissuetime", "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner",
                "aws:resourceaccount", "aws:resourceorg")
_NAME = "roledoctor-any-caller"
ANY = "any caller"  # Case.caller_from of a representative: its ARN is never shown (rules.common.principal_value)


def _policies(case: Case) -> list[Policy]:
    out = [case.trust.policy] if case.trust is not None else []
    for group in (case.identity, case.scps, case.rcps):
        out += [s.policy for s in group or []]
    out += [s.policy for s in (case.boundary, case.session) if s is not None]
    return out


def _callers_alike(case: Case) -> bool:
    """Nothing pasted can tell one IAM caller from another."""
    if case.trust is None or case.web or not case.role_arn:
        return False
    for s in case.trust.policy.statements:
        for element in (s.principal, s.not_principal):
            for kind, values in (element or {}).items():
                if kind not in ("AWS", "*") or any(v != "*" for v in values):
                    return False
    for p in _policies(case):
        for s in p.statements:
            if any(c.key.lower().startswith(_CALLER_KEYS) for c in s.conditions):
                return False
            values = [v for c in s.conditions for v in c.values] + list(s.resource or []) + list(s.not_resource or [])
            if any("${" in v for v in values):
                return False
    return True


def _other_account(case: Case, account: str) -> str:
    seen = {account}
    for p in _policies(case):
        for s in p.statements:
            seen |= {a.account for v in list(s.resource or []) + [x for c in s.conditions for x in c.values]
                     if (a := parse_arn(v)) is not None}
    return next(a for a in ("999999999999", "888888888888", "777777777777", "666666666666") if a not in seen)


def representatives(case: Case) -> list[Caller]:
    a = parse_arn(case.role_arn)
    if a is None or not (len(a.account) == 12 and a.account.isdigit()):
        return []
    out = []
    for account in (a.account, _other_account(case, a.account)):
        out.append(Caller(arn=f"arn:{a.partition}:iam::{account}:user/{_NAME}"))
        out.append(Caller(arn=f"arn:{a.partition}:sts::{account}:assumed-role/{_NAME}/session",
                          role_arn=f"arn:{a.partition}:iam::{account}:role/{_NAME}", role_path="/"))
    return out


def decide(case: Case, verdict_of: Callable[[Case, Evaluation, list], str]
           ) -> tuple[Case, Evaluation, str] | None:
    """(the case for one representative caller, its evaluation, the assumption to state),
    when every representative caller gets the same verdict; else None."""
    if case.caller is not None or not _callers_alike(case):
        return None
    runs = []
    for caller in representatives(case):
        c = replace(case, caller=normalise_caller(caller), caller_from=ANY, assumptions=list(case.assumptions),
                    missing=[], request=None, policies=None)
        build_request(c)
        if c.request is None or c.policies is None or c.missing:
            return None
        ev = evaluate(c.request, c.policies)
        runs.append((c, ev, verdict_of(c, ev, [])))
    verdicts = {v for _, _, v in runs}
    if len(runs) < 4 or len(verdicts) != 1 or "undetermined" in verdicts:
        return None
    c, ev, v = runs[0]
    who = "any principal (`*`)"
    return c, ev, (f"the caller is not known, and it does not matter: the trust admits {who} with no condition on "
                   f"the principal, so every IAM user or role holding the policies pasted, in this account or "
                   f"another, is {v}")
