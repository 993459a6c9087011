"""Exempt the caller from a Deny statement, in the form the policy's owner already
uses: when the Deny holds a negated condition (`StringNotEquals`, `ArnNotLike`, …,
with or without `IfExists`) on a key the request has a value for (the caller's
account, ARN, organization), that value joins the condition's list, which is how the
owner exempts the principals they trust; otherwise an
`"ArnNotLike": {"aws:PrincipalArn": CALLER}` condition is added to the statement
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
"""

from __future__ import annotations

from typing import Any

from roledoctor.fixes.model import Repair, Source

NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike")


def add_condition(target: str, src: Source, st: Any, operator: str, key: str, value: str) -> Repair:
    """Add `operator: {key: value}` to statement `st`'s Condition (creating what is missing)."""
    if (tuple(st.path) + ("Condition",)) not in src.policy.spans:
        return Repair(target, "add_key", src, tuple(st.path), {operator: {key: value}}, key="Condition")
    if (tuple(st.path) + ("Condition", operator)) in src.policy.spans:
        return Repair(target, "add_key", src, tuple(st.path) + ("Condition", operator), value, key=key)
    return Repair(target, "add_key", src, tuple(st.path) + ("Condition",), {key: value}, key=operator)


def exempt(target: str, src: Source, trace: Any, caller: str | None) -> list[Repair]:
    """Repairs that take the caller out of the Deny statement `trace` (a StatementTrace) of `src`."""
    stmt = next((s for s in src.policy.statements if tuple(s.path) == tuple(trace.path)), None)
    if stmt is None:
        return []
    for c in trace.conditions:
        base = c.operator.removesuffix("IfExists")
        if base in NEGATED and c.result is True and c.context_values and c.path in src.policy.spans:
            return [Repair(target, "add_item", src, tuple(c.path), c.context_values[0])]
    if not caller:
        return []
    return [add_condition(target, src, stmt, "ArnNotLike", "aws:PrincipalArn", caller)]
