"""Evaluate statements and policies into traces.

Within one policy (and across the policies of one gate): an applicable Deny
wins, else an applicable Allow allows, else implicit deny.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from dataclasses import dataclass

from roledoctor.evaluation.conditions import evaluate_condition
from roledoctor.evaluation.context import Context
from roledoctor.evaluation.matching import match_action, match_resource
from roledoctor.evaluation.model import (
    ALLOW, DENY, IMPLICIT_DENY, Caller, PolicyTrace, StatementTrace,
)
from roledoctor.evaluation.principal import match_principal
from roledoctor.policy import Policy, Statement


def and3(values) -> bool | None:
    """Three-valued AND: False beats unknown (None) beats True."""
    out: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            out = None
    return out


@dataclass
class Target:
    action: str
    resource: str  # the role ARN
    caller: Caller
    ctx: Context


def evaluate_statement(st: Statement, policy: Policy, label: str, t: Target, with_principal: bool) -> StatementTrace:
    variables = policy.version == "2012-10-17"  # policy variables need this Version
    principal = None
    notes: list[str] = []
    if with_principal:
        if st.principal is not None:
            principal = match_principal(st.principal, t.caller, False, st.path + ("Principal",))
        elif st.not_principal is not None:
            principal = match_principal(st.not_principal, t.caller, True, st.path + ("NotPrincipal",))
        else:
            from roledoctor.evaluation.model import PrincipalTrace
            principal = PrincipalTrace(False, None, None, "statement has no Principal (required in this policy)")
    act_ok, act_val = match_action(st, t.action)
    res_ok, res_val = match_resource(st, t.resource, t.ctx, variables)
    conds = [evaluate_condition(c, t.ctx, variables) for c in st.conditions]
    cond_ok = and3(c.result for c in conds)
    applies = and3([principal.matched if principal else True, act_ok, res_ok, cond_ok])
    span = st.span if st.span is not None else policy.span_at(st.path)
    return StatementTrace(label, st.index, st.sid, st.effect, applies, principal, act_ok, act_val,
                          res_ok, res_val, cond_ok, conds, st.path, span, notes)


def evaluate_policy(policy: Policy, label: str, t: Target, with_principal: bool) -> PolicyTrace:
    traces = [evaluate_statement(s, policy, label, t, with_principal) for s in policy.statements]
    return PolicyTrace(label, combine(traces), traces)


def combine(traces: list[StatementTrace]) -> str:
    if any(s.effect == "Deny" and s.applies is True for s in traces):
        return DENY
    if any(s.effect == "Allow" and s.applies is True for s in traces):
        return ALLOW
    return IMPLICIT_DENY


def deciding(traces: list[StatementTrace], result: str) -> list[StatementTrace]:
    effect = {DENY: "Deny", ALLOW: "Allow"}.get(result)
    return [s for s in traces if effect and s.effect == effect and s.applies is True]


def unknown_statements(traces: list[StatementTrace]) -> list[StatementTrace]:
    return [s for s in traces if s.applies is None]
