"""The organization and caller-side policy gates: SCPs, RCPs, the caller's
permissions boundary and its session policy."""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Issue, Where
from roledoctor.diagnosis.rules.common import error_where, principal_value, source_of, stmt_where, text_of
from roledoctor.evaluation import DENY, IMPLICIT_DENY, Evaluation
from roledoctor.findings.catalogue import message

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
        suggestion = message(code, "exemption", who=principal_value(case))
        msg = message(code, "statement", index=st.index, sid=st.sid, action=case.action, role=role,
                      suggestion=suggestion)
        return [Issue(code, msg, where, {"statement": text, "suggestion": suggestion}, uncertain=g.uncertain)]
    where = [Where(src.input, src.policy.span)] if src else error_where(case)
    add = {"Effect": "Allow", "Action": case.action, "Resource": role}
    facts = [{"source": src, "add": add}] if gate == "boundary" and src is not None else []
    msg = message(code, action=case.action, role=role, suggestion=message(code, "exemption", who=principal_value(case)),
                  unpasted=g.reported and src is None)
    return [Issue(code, msg, where, {"statement_to_add": add} if gate in ("boundary", "scp") else {},
                  uncertain=g.uncertain, facts=facts)]

