"""Condition evaluation: the operator table plus the rules every operator shares.

Shared rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
and .../reference_policies_condition-single-vs-multi-valued-context-keys.html):
- several values for one key are OR'd; a negated operator needs the context
  value to match none of them;
- a key absent from the request: the condition is false, except negated
  operators (true), `…IfExists` (true) and Null (tests presence);
- `ForAnyValue:` true if some context value satisfies the operator, false when
  the key is absent or empty; `ForAllValues:` true if every context value
  does, and true when the key is absent or empty;
- a key whose value we do not know makes the result None (unknown), so a
  missing input can surface instead of silently allowing or denying.
"""

from __future__ import annotations

from roledoctor.evaluation.conditions import arns, binary, boolean, dates, ipaddr, numeric, strings
from roledoctor.evaluation.conditions.base import Operator
from roledoctor.evaluation.context import ABSENT, UNKNOWN, UNRESOLVED, Context, substitute
from roledoctor.evaluation.model import ConditionTrace
from roledoctor.policy import Condition

OPERATORS: dict[str, Operator] = {}
for _family in (strings, arns, numeric, dates, boolean, binary, ipaddr):
    OPERATORS.update(_family.OPERATORS)
_BY_LOWER = {name.lower(): o for name, o in OPERATORS.items()}

SET_PREFIXES = ("forallvalues:", "foranyvalue:")


def parse_operator(name: str) -> tuple[str | None, Operator | None, bool, bool]:
    """-> (set operator or None, operator, if_exists, is_null)."""
    low = name.lower()
    set_op = None
    for pre in SET_PREFIXES:
        if low.startswith(pre):
            set_op, low = pre[:-1], low[len(pre):]
            break
    if low == "null":
        return set_op, None, False, True
    if_exists = low.endswith("ifexists")
    if if_exists:
        low = low[: -len("ifexists")]
    return set_op, _BY_LOWER.get(low), if_exists, False


def evaluate_condition(cond: Condition, ctx: Context, variables: bool) -> ConditionTrace:
    status, ctx_vals = ctx.lookup(cond.key)
    set_op, oper, if_exists, is_null = parse_operator(cond.operator)

    def trace(result: bool | None, reason: str, values: list[str] | None = None) -> ConditionTrace:
        return ConditionTrace(cond.operator, cond.key, values if values is not None else list(cond.values),
                              ctx_vals, status, result, reason, cond.path, cond.span)

    if is_null:
        return trace(*_null(cond, status, ctx_vals))
    if oper is None:
        return trace(None, f"unknown condition operator {cond.operator!r}")
    pvals = _policy_values(cond, ctx, oper, variables)
    if isinstance(pvals, tuple):
        return trace(*pvals)
    shown = [_show(p) for p in pvals]
    if status == UNKNOWN:
        return trace(None, "key value unknown", shown)
    if status == ABSENT or not ctx_vals:
        return trace(*_absent(set_op, if_exists, oper), shown)
    return trace(*_present(set_op, oper, ctx_vals, pvals), shown)


Outcome = tuple[bool | None, str]  # (result, reason)


def _null(cond: Condition, status: str, ctx_vals: list[str] | None) -> Outcome:
    want_absent = [v.lower() == "true" for v in cond.values]
    if status == UNKNOWN:
        return None, "key value unknown"
    absent = status == ABSENT or not ctx_vals
    ok = any(w == absent for w in want_absent)
    return ok, ("key absent" if absent else "key present") + (", as required" if ok else ", not as required")


def _policy_values(cond: Condition, ctx: Context, oper: Operator, variables: bool) -> list[str] | Outcome:
    """The condition's values with policy variables substituted, or the outcome when one cannot be."""
    pvals: list[str] = []
    for v in cond.values:
        s = substitute(v, ctx, oper.pattern) if variables else v
        if s is None:
            return None, f"policy variable in {v!r} refers to a key whose value is unknown"
        if s == UNRESOLVED:
            return False, f"policy variable in {v!r} has no value in this request: the statement is invalid"
        pvals.append(s)
    return pvals


def _absent(set_op: str | None, if_exists: bool, oper: Operator) -> Outcome:
    """A key absent from the request (or empty), in the order the rules apply."""
    if set_op == "forallvalues":
        return True, "key absent: ForAllValues is true for an absent key"
    if if_exists:
        return True, "key absent: …IfExists is true for an absent key"
    if set_op == "foranyvalue":
        return False, "key absent: ForAnyValue is false for an absent key"
    if oper.negated:
        return True, "key absent: a negated operator is true for an absent key"
    return False, "key absent"


def _present(set_op: str | None, oper: Operator, present: list[str], pvals: list[str]) -> Outcome:
    def satisfied(c: str) -> bool:
        hit = any(oper.test(c, p) for p in pvals)
        return not hit if oper.negated else hit

    if set_op == "forallvalues":
        bad = [c for c in present if not satisfied(c)]
        return not bad, "every value satisfies the operator" if not bad else f"value {bad[0]!r} does not"
    if set_op == "foranyvalue":
        ok = any(satisfied(c) for c in present)
        return ok, "a value satisfies the operator" if ok else "no value satisfies the operator"
    # single-valued use; a multivalued context is treated as "any value", negation over all
    hit = any(oper.test(c, p) for c in present for p in pvals)
    ok = not hit if oper.negated else hit
    if oper.negated:
        return ok, "no policy value matches" if ok else "a policy value matches, which the negated operator forbids"
    return ok, "a policy value matches" if ok else "no policy value matches"


def _show(p: str) -> str:
    from roledoctor.evaluation.wildcard import LIT_QMARK, LIT_STAR
    return p.replace(LIT_STAR, "*").replace(LIT_QMARK, "?")
