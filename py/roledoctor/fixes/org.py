"""Planners for the organization's policies (SCP_BLOCKS, RCP_BLOCKS), pasted or
printed by AWS (describe-policy): exempt the caller on the Deny that applies
(fixes/deny.py), or add the missing Allow at the level that lacks one (an SCP allow-list: every level from the root to the account must allow,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
"""

from __future__ import annotations

from typing import Any

from roledoctor.evaluation.matching import match_action
from roledoctor.evaluation.model import ROLE, USER
from roledoctor.fixes.deny import exempt
from roledoctor.fixes.model import Repair, Source
from roledoctor.fixes.plan import Finding, planner

GATES = {"SCP_BLOCKS": "scp", "RCP_BLOCKS": "rcp"}
EDITABLE = ("json", "jsonencode", "heredoc", "policy_document", "string")


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
    sources = list((case.scps if gate == "scp" else case.rcps) or [])
    if g is None or not sources:
        return []
    editable = [s for s in sources if s.form in EDITABLE]
    if g.matched:  # a Deny applies: take the caller out of it
        st = g.matched[0]
        src = source_for(editable, st)
        return exempt(gate, src, st, caller_arn(case)) if src is not None else []
    return _missing_allow(case, gate, editable)


def source_for(sources: list[Source], st: Any) -> Source | None:
    """The policy a trace statement (label `scp[LEVEL]/NAME`) comes from."""
    level = st.policy.split("/", 1)[0]
    for s in sources:
        if s.label == st.policy:
            return s
    for s in sources:
        if st.policy.endswith("/" + (s.policy.id or s.policy.source)) and s.label.split("/", 1)[0] in (level, s.label):
            return s
    held = [s for s in sources if s.label.split("/", 1)[0] == level and tuple(st.path) in s.policy.spans]
    return held[0] if len(held) == 1 else None


def _missing_allow(case: Any, gate: str, sources: list[Source]) -> list[Repair]:
    """An allow-list without the action: add the Allow at the (first) level that lacks one."""
    k = case.aws
    levels = (k.scp_levels if gate == "scp" else k.rcp_levels) if k is not None else None
    if not levels:
        levels = [("pasted", sources)]
    for _, ss in levels:
        allows = any(x.effect == "Allow" and match_action(x, case.action)[0]
                     for s in ss for x in s.policy.statements)
        if not allows:
            src = next((s for s in ss if s in sources), None)
            if src is None:
                return []
            return [Repair(gate, "add_statement", src, value={"Effect": "Allow", "Action": case.action,
                                                               "Resource": case.role_arn or "*"})]
    return []
