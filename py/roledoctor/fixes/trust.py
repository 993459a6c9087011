"""Planners for the role's trust policy (and, for EXTERNAL_ID_MISMATCH, the provider's
`external_id` beside it).

EXTERNAL_ID_MISMATCH when no provider block was pasted (the request is known from
CloudTrail's requestParameters, or from the error): the only document at hand is the
trust, so its `sts:ExternalId` is set to the value the caller sent; the finding says
that the other remedy is the caller sending the trust's value.
"""

from __future__ import annotations

from typing import Any

from roledoctor.evaluation.arns import is_unique_id, parse_arn, same_role_other_path
from roledoctor.fixes.deny import exempt
from roledoctor.fixes.model import Repair, Source
from roledoctor.fixes.places import facts_of, is_list, set_or_add
from roledoctor.fixes.plan import Finding, planner


@planner("EXTERNAL_ID_MISMATCH")
def external_id_mismatch(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The provider sends the trust's value (proposed: the trust is what AWS checks); the other way
    round, the trust takes the provider's value, is the alternative. The provider's value only when it
    is written out (not a variable's)."""
    out: list[Repair] = []
    hop = case.hop
    for facts in facts_of(f):
        value = facts["trust_value"]
        if hop is None or hop.external_id is None or hop.external_id.symbolic or value is None:
            continue
        out.append(Repair("provider", "set_arg", case.provider, key="external_id", value=value, hop=case.target))
        alt = set_or_add("trust_policy", facts["source"], facts["condition"], facts["sent"])
        alt.alternative = True
        out.append(alt)
    return out or external_id_in_trust(case, ev, f)


def external_id_in_trust(case: Any, ev: Any, f: Finding) -> list[Repair]:
    sent, want = f.details.get("provider_value"), f.details.get("trust_value")
    src = case.trust
    if f.repairs or src is None or not isinstance(sent, str) or not isinstance(want, str):
        return []
    for st in src.policy.statements:
        for c in st.conditions:
            if c.key.lower() != "sts:externalid" or want not in c.values:
                continue
            path = tuple(c.path)
            if len(c.values) > 1 or (path + (0,)) in src.policy.spans:
                path = path + (c.values.index(want),)
            return [Repair("trust_policy", "set_string", src, path, sent)]
    return []


@planner("TRUST_EXPLICIT_DENY")
def trust_deny(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """A Deny of the trust that exempts principals through a negated condition the owner wrote
    (`StringNotEquals` on `aws:PrincipalAccount`, `aws:PrincipalOrgID`, …): the caller's value joins
    it. A Deny that names the caller itself is a decision, not a mistake: no edit."""
    g = ev.gate("trust") if ev is not None else None
    src = case.trust
    if g is None or not g.matched or src is None or src.form not in ("json", "jsonencode", "heredoc", "string",
                                                                       "urlencoded"):
        return []
    st = g.matched[0]
    if st.principal is not None and st.principal.grant not in ("wildcard", "account"):
        return []
    repairs = exempt("trust_policy", src, st, None)
    return [r for r in repairs if r.op == "add_item"]


# ---- from the trust rule's facts (diagnosis/rules/trust.py) ------------------------------------
# `source` the trust; a statement fix names `statement` (the policy Statement) and `path` (its
# place), a condition fix `condition` (the condition's path); `want` is the value the trust should hold.

@planner("TRUST_ACTION_MISMATCH")
def trust_action(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """Swap a lone STS assume action for the one the provider performs; else add it beside the others."""
    out = []
    for facts in facts_of(f):
        st, src, path = facts["statement"], facts["source"], facts["path"]
        if st.action is None or st.not_action:
            continue
        wrong = [a for a in st.action if a.lower().startswith("sts:assumerole")]
        out.append(set_or_add("trust_policy", src, path, facts["want"], replace=len(st.action) == 1 and bool(wrong)))
    return out


@planner("TRUST_PRINCIPAL_MISSING", "TRUST_PRINCIPAL_UNIQUE_ID", "TRUST_PRINCIPAL_SESSION_ARN",
         "TRUST_PRINCIPAL_PATH_MISMATCH", "CHAIN_HOP_NOT_TRUSTED", "TRUST_CONDITION_UNMET")
def trust_principal(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The caller's ARN in the trust: in the `aws:PrincipalArn` condition that names another, or in
    `Principal.AWS` (replacing the entry that is evidently the caller's stale form)."""
    out = []
    for facts in facts_of(f):
        want, src = facts["want"], facts["source"]
        if not want:
            continue
        if "condition" in facts:
            out.append(set_or_add("trust_policy", src, facts["condition"], want))
        else:
            out += _principal(src, facts["statement"], facts["path"], want)
    return out


def _principal(src: Source, st: Any, path: tuple, want: str) -> list[Repair]:
    if st.principal is not None and "AWS" in st.principal:
        aws_path = tuple(path) + ("Principal", "AWS")
        idx = next((i for i, v in enumerate(st.principal["AWS"] or []) if stale_form(v, want)), None)
        if idx is not None and is_list(src, aws_path):
            return [Repair("trust_policy", "set_string", src, aws_path + (idx,), want)]
        return [set_or_add("trust_policy", src, aws_path, want)]
    if st.principal is not None and src.form != "policy_document":
        return [Repair("trust_policy", "add_key", src, tuple(path) + ("Principal",), want, key="AWS")]
    return []


def stale_form(value: str, want: str | None) -> bool:
    """A unique ID, a session ARN, or the caller's role under another path: what a trust keeps of the caller."""
    a = parse_arn(value)
    return is_unique_id(value) or (a is not None and a.kind == "assumed-role") or same_role_other_path(value, want)


@planner("OIDC_PROVIDER_MISMATCH", "OIDC_AUDIENCE_MISMATCH")
def trust_value(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The `Federated` provider, or the `aud` condition's value, the token carries."""
    return [set_or_add("trust_policy", facts["source"], facts["path"], facts["want"]) for facts in facts_of(f)]


@planner("OIDC_SUBJECT_MISMATCH", "SELF_ASSUME_NOT_TRUSTED")
def trust_add_value(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The token's exact subject (no wider pattern), or the role's own ARN, joins what the trust lists."""
    return [set_or_add("trust_policy", facts["source"], facts["path"], facts["want"], replace=False)
            for facts in facts_of(f)]
