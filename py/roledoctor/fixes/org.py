"""Planners for the organization's policies (SCP_BLOCKS, RCP_BLOCKS): exempt the
caller on the Deny that applies, or add the missing Allow at the level that lacks
one (an SCP allow-list: every level from the root to the account must allow,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
"""

from __future__ import annotations

from typing import Any

from roledoctor.evaluation.matching import match_action
from roledoctor.evaluation.model import ROLE, USER
from roledoctor.fixes.model import Repair
from roledoctor.fixes.plan import Finding, planner

GATES = {"SCP_BLOCKS": "scp", "RCP_BLOCKS": "rcp"}


def caller_arn(case: Any) -> str | None:
    """The ARN a policy names for this caller (role ARN with path, never a session)."""
    c = case.caller
    if c is None:
        return None
    return c.role_arn if c.type == ROLE else c.arn if c.type == USER else None


@planner("SCP_BLOCKS", "RCP_BLOCKS")
def org_policy(case: Any, ev: Any, f: Finding) -> list[Repair]:
    gate = GATES[f.code]
    g = ev.gate(gate) if ev is not None else None
    if g is None:
        return []
    sources = case.scps if gate == "scp" else case.rcps
    st = g.matched[0] if g.matched else None
    return org_repairs(case, gate, sources, st)


def org_repairs(case: Any, gate: str, sources: Any, st: Any) -> list[Repair]:
    """Repairs of an SCP or RCP that AWS printed (describe-policy)."""
    k = case.aws
    if k is None or not sources or gate not in ("scp", "rcp"):
        return []
    held = [s for s in sources if s.label in k.refs]
    if st is not None:
        src = next((s for s in held if s.policy is not None and any(x.path == st.path for x in s.policy.statements)
                    and st.policy.endswith(s.label.split("/", 1)[-1]) or False), None)
        src = src or next((s for s in held if st.policy.startswith(s.label.split("/", 1)[0])
                           and s.policy.spans.get(tuple(st.path))), None)
        who = caller_arn(case) if gate == "scp" else None
        if src is None or not who:
            return []
        stmt = next((x for x in src.policy.statements if x.path == st.path), None)
        if stmt is None or stmt.conditions:
            return []
        return [Repair(gate, "add_key", src, tuple(st.path), {"ArnNotLike": {"aws:PrincipalArn": who}},
                       key="Condition")]
    levels = k.scp_levels if gate == "scp" else k.rcp_levels
    for _, ss in levels or []:
        allows = any(x.effect == "Allow" and match_action(x, case.action)[0]
                     for s in ss for x in s.policy.statements)
        if not allows:
            src = next((s for s in ss if s.label in k.refs), None)
            if src is None:
                return []
            return [Repair(gate, "add_statement", src, value={"Effect": "Allow", "Action": case.action,
                                                               "Resource": case.role_arn or "*"})]
    return []
