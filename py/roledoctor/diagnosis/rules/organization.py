"""The organization and caller-side policy gates: SCPs, RCPs, the caller's
permissions boundary and its session policy."""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Issue, Where
from roledoctor.diagnosis.rules.common import error_where, principal_value, source_of, stmt_where, text_of
from roledoctor.evaluation import DENY, IMPLICIT_DENY, Evaluation

_GATE_CODES = {"scp": "SCP_BLOCKS", "rcp": "RCP_BLOCKS", "boundary": "BOUNDARY_BLOCKS",
               "session": "SESSION_POLICY_BLOCKS"}


def rule(case: Case, ev: Evaluation | None) -> list[Issue]:
    out: list[Issue] = []
    if ev is None:
        return out
    for gate, code in _GATE_CODES.items():
        out += _org_gate(case, ev, gate, code)
    return out


def _org_gate(case: Case, ev: Evaluation, gate: str, code: str) -> list[Issue]:
    g = ev.gate(gate)
    if g is None or g.result not in (DENY, IMPLICIT_DENY) or not g.required:
        return []
    sources = {"scp": case.scps, "rcp": case.rcps, "boundary": [case.boundary] if case.boundary else None,
               "session": [case.session] if case.session else None}[gate]
    st = g.matched[0] if g.matched else None
    src = source_of(sources, st) if sources else None
    role = case.role_arn
    if st is not None and src is not None:
        where = [stmt_where(src, st.path)]
        text = text_of(case, src, st.path)
        suggestion = _exemption(case, gate)
        msg = (f"Statement {st.index}{f' ({st.sid})' if st.sid else ''} of the {_GATE_NAMES[gate]} denies "
               f"`{case.action}` on `{role}`. Change that statement: {suggestion}")
        return [Issue(code, msg, where, {"statement": text, "suggestion": suggestion}, uncertain=g.uncertain)]
    where = [Where(src.input, src.policy.span)] if src else error_where(case)
    add = {"Effect": "Allow", "Action": case.action, "Resource": role}
    facts = [{"source": src, "add": add}] if gate == "boundary" and src is not None else []
    if gate == "session":
        msg = ("The caller's own session was created with a session policy that does not allow "
               f"`{case.action}`: recreate the caller's session without it (or with one that allows the role).")
    elif gate == "rcp":
        msg = f"A resource control policy of the role's account refuses the caller: {_exemption(case, gate)}"
    elif gate == "scp":
        msg = (f"The SCPs of the caller's account do not allow `{case.action}` (an allow-list without it, or a Deny "
               f"the error reports). AWS words both as an explicit deny. Add `{case.action}` to the allow-list, "
               f"or: {_exemption(case, gate)}")
    else:
        msg = f"The caller's permissions boundary does not allow `{case.action}` on `{role}`; add the statement shown."
    if g.reported and src is None:
        msg += " (Paste the policy to see which statement.)"
    return [Issue(code, msg, where, {"statement_to_add": add} if gate in ("boundary", "scp") else {},
                  uncertain=g.uncertain, facts=facts)]


_GATE_NAMES = {"scp": "service control policy", "rcp": "resource control policy",
               "boundary": "permissions boundary", "session": "session policy"}


def _exemption(case: Case, gate: str) -> str:
    who = principal_value(case) or "the caller's role ARN"
    if gate == "rcp":
        return ("exempt the caller with a condition on the Deny, e.g. `\"StringNotEqualsIfExists\": "
                "{\"aws:PrincipalOrgID\": \"o-yourorg\"}` or `\"aws:PrincipalAccount\"` for this account.")
    return (f"exempt the caller on the Deny with `\"ArnNotLike\": {{\"aws:PrincipalArn\": \"{who}\"}}`, or move the "
            "account to an OU whose SCPs allow it.")
