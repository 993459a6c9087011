"""The identity gate: the caller's own identity policies."""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Issue, Where
from roledoctor.diagnosis.rules.common import error_where, source_of, stmt_where, text_of
from roledoctor.evaluation import ALLOW, DENY, NOT_EVALUATED, SET_SOURCE_IDENTITY, TAG_SESSION, Evaluation
from roledoctor.findings.catalogue import message


def rule(case: Case, ev: Evaluation | None) -> list[Issue]:
    g = ev.gate("identity") if ev is not None else None
    if g is None or g.result == ALLOW or g.result == NOT_EVALUATED or not g.required and g.result != DENY:
        return []
    role = case.role_arn
    if g.result == DENY:
        st = g.matched[0] if g.matched else None
        src = source_of(case.identity, st)
        return [Issue("CALLER_EXPLICIT_DENY",
                      message("CALLER_EXPLICIT_DENY", action=case.action, role=role) if st else None,
                      [stmt_where(src, st.path)] if st and src else error_where(case),
                      details={"statement": text_of(case, src, st.path)} if st and src else {})]
    if not case.identity:  # the error says so; no policy text to edit
        return [Issue("CALLER_POLICY_NO_ALLOW", message("CALLER_POLICY_NO_ALLOW", "error_text"),
                      error_where(case), details={"statement": _assume_statement(case)})]
    allows = [s for pt in g.policies for s in pt.statements if s.effect == "Allow" and s.action_matched]
    wrong = next((s for s in allows if s.resource_matched is False), None)
    if wrong is not None:
        src = source_of(case.identity, wrong) or case.identity[0]
        stmt = src.policy.statements[wrong.index]
        res = stmt.resource or []
        path = wrong.path + ("Resource",)
        return [Issue("CALLER_POLICY_WRONG_RESOURCE",
                      message("CALLER_POLICY_WRONG_RESOURCE", index=wrong.index, action=case.action,
                              resources=res, role=role), [stmt_where(src, path)],
                      {"expected": role, "actual": res},
                      facts=[{"source": src, "path": path, "resources": res, "want": role}])]
    src = case.identity[0]
    return [Issue("CALLER_POLICY_NO_ALLOW",
                  message("CALLER_POLICY_NO_ALLOW", action=case.action, role=role,
                          cross_account=ev is not None and ev.same_account is False),
                  [Where(src.input, src.policy.span)], {"statement": _assume_statement(case)},
                  facts=[{"source": src, "add": _assume_statement(case)}])]


def _assume_statement(case: Case) -> dict:
    actions = [case.action]
    req = case.request
    if req is not None and (req.tags or req.transitive_tag_keys) and case.policies is not None:
        actions.append(TAG_SESSION)
    if req is not None and req.source_identity:
        actions.append(SET_SOURCE_IDENTITY)
    return {"Effect": "Allow", "Action": actions[0] if len(actions) == 1 else actions, "Resource": case.role_arn}
