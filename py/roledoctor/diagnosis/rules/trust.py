"""The trust gate: the role's trust policy against the caller and the request.

Reading the trust gate
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
the Allow statement that comes closest to applying is the one the user meant; whatever part of it
fails (action, principal, each condition) is a blocker of its own, so two
faults in one statement (a stale principal and an ExternalId typo) are both reported.
"""

from __future__ import annotations

from roledoctor.diagnosis.facts import DEFAULT_AUDIENCE, Case
from roledoctor.diagnosis.model import Issue, Source, Where
from roledoctor.diagnosis.rules.common import (
    NOARN, error_where, hop_where, principal_value, score, stmt_where, text_of,
)
from roledoctor.evaluation import DENY, IMPLICIT_DENY, Evaluation
from roledoctor.evaluation.arns import is_unique_id, parse_arn, same_role_other_path
from roledoctor.evaluation.matching import match_action
from roledoctor.evaluation.model import ROLE, GateTrace, StatementTrace
from roledoctor.findings.catalogue import message


def rule(case: Case, ev: Evaluation | None) -> list[Issue]:
    trust = ev.gate("trust") if ev is not None else None
    if trust is None or trust.result not in (DENY, IMPLICIT_DENY):
        return []
    if case.trust is not None:
        return _trust(case, trust, case.trust)
    code = "TRUST_EXPLICIT_DENY" if trust.result == DENY else "TRUST_PRINCIPAL_MISSING"
    return [Issue(code, message(code, "error_text", reason=trust.reason), error_where(case), uncertain=True)]


def _trust(case: Case, g: GateTrace, src: Source) -> list[Issue]:
    if g.result == DENY:
        st = g.matched[0] if g.matched else None
        return [Issue("TRUST_EXPLICIT_DENY",
                      message("TRUST_EXPLICIT_DENY", index=st.index, sid=st.sid)
                      if st else None,
                      [stmt_where(src, st.path)] if st else error_where(case),
                      details={"statement": text_of(case, src, st.path)} if st else {})]
    if case.caller is not None and case.caller.type == ROLE and case.caller.role_arn == case.role_arn:
        return [_self_assume(case, src)]
    allows = [s for pt in g.policies for s in pt.statements if s.effect == "Allow"]
    statements = src.policy.statements
    kinds = {k for s in statements if s.effect == "Allow" for k in (s.principal or {})}
    out: list[Issue] = []
    if case.web and "Federated" not in kinds and kinds:
        return [Issue("TRUST_ACTION_MISMATCH", message("TRUST_ACTION_MISMATCH", "web_trusts_aws"),
                      [Where(src.input, src.policy.span)])]
    if not case.web and kinds == {"Federated"}:
        return [Issue("TRUST_ACTION_MISMATCH", message("TRUST_ACTION_MISMATCH", "aws_trusts_oidc"),
                      [Where(src.input, src.policy.span)])]
    if not allows:
        return [Issue("TRUST_PRINCIPAL_MISSING", message("TRUST_PRINCIPAL_MISSING", "no_allow"),
                      [Where(src.input, src.policy.span)])]
    best = sorted(allows, key=score)[0]
    stmt = statements[best.index]
    if not best.action_matched:
        out.append(_action_mismatch(case, src, best, stmt))
    if best.principal is not None and best.principal.matched is not True:
        out.append(_principal(case, src, best, stmt))
    for c in best.conditions:
        if c.result is False:
            out.append(_condition(case, src, best, c))
    if not out and not any(c.result is None for c in best.conditions):
        out.append(Issue("TRUST_PRINCIPAL_MISSING", message("TRUST_PRINCIPAL_MISSING", "no_match", reason=g.reason),
                         [stmt_where(src, best.path)], uncertain=True))
    return out  # a condition on an unknown key: INPUT_MISSING says which


def _action_mismatch(case: Case, src: Source, t: StatementTrace, st) -> Issue:
    want = case.action
    path = t.path + (("Action",) if st.action is not None else ("NotAction",))
    return Issue("TRUST_ACTION_MISMATCH",
                 message("TRUST_ACTION_MISMATCH", index=t.index, actions=list(st.action or st.not_action or []),
                         want=want), [stmt_where(src, path)],
                 details={"expected": want, "actual": list(st.action or [])},
                 facts=[{"source": src, "statement": st, "path": path, "want": want}])


def _principal(case: Case, src: Source, t: StatementTrace, st) -> Issue:
    want = principal_value(case)
    p = t.principal
    assert p is not None  # _trust calls this for a statement whose principal did not match
    where = [stmt_where(src, p.path or t.path)]
    if case.web:
        fed = (st.principal or {}).get("Federated") or []
        fed_path = t.path + ("Principal", "Federated")
        expected = case.caller.provider if case.caller else None
        return Issue("OIDC_PROVIDER_MISMATCH", message("OIDC_PROVIDER_MISMATCH", actual=fed, expected=expected), where,
                     details={"expected": expected, "actual": fed},
                     facts=[{"source": src, "path": fed_path, "want": expected}] if fed and expected else [])
    if p.matched is None:
        return Issue("TRUST_PRINCIPAL_PATH_MISMATCH", message("TRUST_PRINCIPAL_PATH_MISMATCH", "unknown_path",
                                                              value=p.value), where, uncertain=True)
    aws = (st.principal or {}).get("AWS") or []
    # fixes/trust.py puts `want` in the statement's Principal.AWS
    facts = [{"source": src, "statement": st, "path": t.path, "want": want}] if want else []
    uid = next((v for v in aws if is_unique_id(v)), None)
    sess = next((v for v in aws if (parse_arn(v) or NOARN).kind == "assumed-role"), None)
    moved = next((v for v in aws if same_role_other_path(v, want)), None)
    details = {"caller": want, "trusted": aws}
    values = {"caller": want, "trusted": aws, "uid": uid, "session": sess, "moved": moved}
    if case.target and case.target > 0:
        code = "CHAIN_HOP_NOT_TRUSTED"
        values.update(hop=case.target + 1, previous=case.target)
    else:
        code = ("TRUST_PRINCIPAL_UNIQUE_ID" if uid else "TRUST_PRINCIPAL_SESSION_ARN" if sess
                else "TRUST_PRINCIPAL_PATH_MISMATCH" if moved else "TRUST_PRINCIPAL_MISSING")
    if code == "TRUST_PRINCIPAL_MISSING":
        values["caller"] = want or case.caller and case.caller.arn
    return Issue(code, message(code, **values), where, details, facts=facts)


def _condition(case: Case, src: Source, t: StatementTrace, c) -> Issue:
    key = c.key.lower()
    where = [Where(src.input, c.span or src.policy.span_at(c.path))]
    details = {"key": c.key, "operator": c.operator, "expected": c.policy_values, "actual": c.context_values}
    if key == "sts:externalid":
        trust_value = c.policy_values[0] if c.policy_values else None
        if c.key_status == "absent" or not c.context_values:
            return Issue("EXTERNAL_ID_MISSING", message("EXTERNAL_ID_MISSING", operator=c.operator),
                         where + hop_where(case), details,
                         facts=[{"trust_value": trust_value}])
        sent = c.context_values[0]
        details["provider_value"], details["trust_value"] = sent, trust_value
        details["difference"] = _difference(sent, trust_value or "")
        details["options"] = [
            {"change": "provider", "set": "external_id", "to": trust_value},
            {"change": "trust_policy", "set": "sts:ExternalId", "to": sent},
        ]
        return Issue("EXTERNAL_ID_MISMATCH",
                     message("EXTERNAL_ID_MISMATCH", sent=sent, expected=trust_value, difference=details["difference"]),
                     where + hop_where(case, "external_id"), details,
                     facts=[{"source": src, "condition": c.path, "sent": sent, "trust_value": trust_value}])
    if key.endswith(":aud"):
        aud = case.oidc_audience or DEFAULT_AUDIENCE
        values = {"key": c.key, "expected": c.policy_values, "audience": aud, "assumed": not case.oidc_audience}
        return Issue("OIDC_AUDIENCE_MISMATCH", message("OIDC_AUDIENCE_MISMATCH", **values), where, details,
                     facts=[{"source": src, "path": c.path, "want": aud}],
                     fix=message("OIDC_AUDIENCE_MISMATCH", "fix", **values))
    if key.endswith(":sub"):
        subject = case.oidc_subject
        return Issue("OIDC_SUBJECT_MISMATCH",
                     message("OIDC_SUBJECT_MISMATCH", key=c.key, operator=c.operator, expected=c.policy_values,
                             subject=subject), where, details,
                     facts=[{"source": src, "path": c.path, "want": subject}] if subject else [])
    if key == "aws:principalarn":
        want = principal_value(case)
        moved = next((v for v in c.policy_values if same_role_other_path(v, want)), None)
        sess = next((v for v in c.policy_values if (parse_arn(v) or NOARN).kind == "assumed-role"), None)
        facts = [{"source": src, "condition": c.path, "want": want}] if want else []
        code = ("TRUST_PRINCIPAL_PATH_MISMATCH" if moved else "TRUST_PRINCIPAL_SESSION_ARN" if sess
                else "TRUST_CONDITION_UNMET")
        return Issue(code, message(code, "principal_arn", moved=moved, session=sess, caller=want,
                                   operator=c.operator, expected=c.policy_values), where, details, facts=facts)
    return Issue("TRUST_CONDITION_UNMET",
                 message("TRUST_CONDITION_UNMET", operator=c.operator, key=c.key, expected=c.policy_values,
                         reason=c.reason, mfa=key in ("aws:multifactorauthpresent", "aws:multifactorauthage")),
                 where, details)


def _difference(a: str, b: str) -> str:
    if a.lower() == b.lower():
        return "they differ in letter case"
    if a.strip() == b.strip():
        return "they differ in surrounding whitespace"
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
        if len(diff) == 1:
            return f"they differ in one character, at position {diff[0] + 1}"
    return "they differ"


def _self_assume(case: Case, src: Source) -> Issue:
    arn = case.role_arn or ""
    target = None
    for s in src.policy.statements:
        if s.effect == "Allow" and s.principal and "AWS" in s.principal and (
                match_action(s, case.action)[0]):
            target = s
            break
    return Issue("SELF_ASSUME_NOT_TRUSTED", message("SELF_ASSUME_NOT_TRUSTED", role=arn),
                 [Where(src.input, src.policy.span_at(target.path) if target else src.policy.span)],
                 {"role": arn}, facts=[{"source": src, "path": target.path + ("Principal", "AWS"), "want": arn}]
                 if target is not None else [])
