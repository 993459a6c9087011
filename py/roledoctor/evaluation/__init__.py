"""The AssumeRole evaluation engine: AWS's decision, gate by gate, with a trace.

    from roledoctor.evaluation import Caller, Policies, Request, evaluate
    ev = evaluate(Request(role_arn=..., caller=Caller(arn=...)), Policies(trust=policy))
    ev.verdict, ev.deciding_gate, ev.trace

Stages: context (request keys) -> principal / matching / conditions
(per statement) -> statements (per policy) -> gates -> decision.
"""

from __future__ import annotations

from roledoctor.evaluation.decision import evaluate
from roledoctor.evaluation.model import (
    ALLOW, ALLOWED, ASSUME_ROLE, DENY, EXPLICITLY_DENIED, GATES, IMPLICIT_DENY, IMPLICITLY_DENIED,
    NOT_EVALUATED, SET_SOURCE_IDENTITY, TAG_SESSION, UNDETERMINED, WEB_IDENTITY, Caller,
    ConditionTrace, Evaluation, GateTrace, Policies, PolicyLevel, PolicyTrace, PrincipalTrace,
    Request, StatementTrace,
)

__all__ = [
    "evaluate", "Request", "Caller", "Policies", "PolicyLevel", "Evaluation", "GateTrace",
    "PolicyTrace", "StatementTrace", "PrincipalTrace", "ConditionTrace", "GATES",
    "ALLOWED", "EXPLICITLY_DENIED", "IMPLICITLY_DENIED", "UNDETERMINED",
    "ALLOW", "DENY", "IMPLICIT_DENY", "NOT_EVALUATED",
    "ASSUME_ROLE", "WEB_IDENTITY", "TAG_SESSION", "SET_SOURCE_IDENTITY",
]
