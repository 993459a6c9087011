"""Planners for the caller's side: its identity policy (a Resource that names another
role, no Allow at all), its permissions boundary, and the statement that lacks the
sts:TagSession / sts:SetSourceIdentity action the request also needs (in the caller's
policy or in the trust, wherever the rule found it missing).

The rule's facts name the document (`source`), the place and the value it wants:
- CALLER_POLICY_WRONG_RESOURCE: `path` (the statement's Resource), `resources`, `want` (the role ARN);
- CALLER_POLICY_NO_ALLOW, BOUNDARY_BLOCKS: `add` (the statement to add);
- TAG_SESSION_NOT_ALLOWED, SOURCE_IDENTITY_NOT_ALLOWED: `target`, `path` (the statement's Action), `want`.
"""

from __future__ import annotations

from typing import Any

from roledoctor.fixes.model import Repair
from roledoctor.fixes.places import facts_of, is_list, set_or_add
from roledoctor.fixes.plan import Finding, planner

EDITABLE = ("json", "jsonencode", "heredoc", "policy_document")  # forms a statement can be added to


@planner("CALLER_POLICY_WRONG_RESOURCE")
def correct_resource(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """Replace the resource closest to the role's ARN (the evident typo) by the ARN."""
    out = []
    for facts in facts_of(f):
        src, path, res, want = facts["source"], facts["path"], facts["resources"], facts["want"]
        if want and res:
            idx = _closest(res, want)
            out.append(Repair("caller_policy", "set_string", src, path + (idx,) if is_list(src, path) else path, want))
    return out


@planner("CALLER_POLICY_NO_ALLOW")
def add_allow(case: Any, ev: Any, f: Finding) -> list[Repair]:
    return _add_statement("caller_policy", case, f)


@planner("BOUNDARY_BLOCKS")
def boundary_allow(case: Any, ev: Any, f: Finding) -> list[Repair]:
    return _add_statement("boundary", case, f)


def _add_statement(target: str, case: Any, f: Finding) -> list[Repair]:
    out = []
    for facts in facts_of(f):
        src = facts["source"]
        if case.role_arn and src is not None and src.form in EDITABLE:
            out.append(Repair(target, "add_statement", src, value=facts["add"]))
    return out


@planner("TAG_SESSION_NOT_ALLOWED", "SOURCE_IDENTITY_NOT_ALLOWED")
def add_session_action(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The action joins the statement's Action list (never replaces what is there)."""
    return [set_or_add(facts["target"], facts["source"], facts["path"], facts["want"], replace=False)
            for facts in facts_of(f)]


def _closest(values: list[str], want: str) -> int:
    """The index of the value sharing the longest prefix with `want`."""
    def common(v: str) -> int:
        n = 0
        for x, y in zip(v, want, strict=False):
            if x != y:
                break
            n += 1
        return n
    return max(range(len(values)), key=lambda i: common(values[i]))
