"""Planners for the role's trust policy.

EXTERNAL_ID_MISMATCH when no provider block was pasted (the request is known from
CloudTrail's requestParameters, or from the error): the only document at hand is the
trust, so its `sts:ExternalId` is set to the value the caller sent; the finding says
that the other remedy is the caller sending the trust's value.
"""

from __future__ import annotations

from typing import Any

from roledoctor.fixes.deny import exempt
from roledoctor.fixes.model import Repair
from roledoctor.fixes.plan import Finding, planner


@planner("EXTERNAL_ID_MISMATCH")
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
