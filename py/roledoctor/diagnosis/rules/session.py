"""The session gates: what STS checks beyond sts:AssumeRole (sts:TagSession,
sts:SetSourceIdentity) and the requested duration (evaluation/gates.py
duration_gate: the role's MaxSessionDuration, role chaining's one-hour limit)."""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Issue, Source, Where
from roledoctor.diagnosis.rules.common import hop_where, score, source_of, stmt_where
from roledoctor.evaluation import ALLOW, DENY, SET_SOURCE_IDENTITY, TAG_SESSION, Evaluation
from roledoctor.evaluation.matching import match_action
from roledoctor.findings.catalogue import message
from roledoctor.policy import Statement


def rule(case: Case, ev: Evaluation | None) -> list[Issue]:
    if ev is None:
        return []
    return _sub_gates(case, ev) + _duration(case, ev)


def _sub_gates(case: Case, ev: Evaluation) -> list[Issue]:
    out = []
    for gate, action, code, arg in (("tag-session", TAG_SESSION, "TAG_SESSION_NOT_ALLOWED", "tags"),
                                    ("source-identity", SET_SOURCE_IDENTITY, "SOURCE_IDENTITY_NOT_ALLOWED",
                                     "source_identity")):
        g = ev.gate(gate)
        if g is None or g.result == ALLOW or g.sub is None:
            continue
        sub = g.sub
        facts, where = [], hop_where(case, arg if case.hop and case.hop.args.get(arg) else "transitive_tag_keys")
        side = sub.deciding_gate
        trust, ig = case.trust, sub.gate("identity")
        if side == "trust" and trust is not None:
            st = _allowing_trust_statement(trust, ev)
            if st is None or match_action(st, action)[0]:
                continue  # the trust fails for another reason, reported above
            path = st.path + ("Action",)
            facts.append({"target": "trust_policy", "source": trust, "path": path, "want": action})
            where = [stmt_where(trust, path)] + where
        elif side == "identity" and case.identity and ig is not None:
            allows = [s for pt in ig.policies for s in pt.statements if s.effect == "Allow" and s.resource_matched]
            src = source_of(case.identity, allows[0]) if allows else None
            if allows and src is not None:
                stmt = src.policy.statements[allows[0].index]
                if stmt.action is not None:
                    facts.append({"target": "caller_policy", "source": src, "path": allows[0].path + ("Action",),
                                  "want": action})
                    where = [stmt_where(src, allows[0].path)] + where
        elif side not in ("trust", "identity"):
            continue
        out.append(Issue(code, message(code, side, action=action), where, {"missing_in": side}, facts=facts))
    return out


def _allowing_trust_statement(trust: Source, ev: Evaluation) -> Statement | None:
    g = ev.gate("trust")
    if g is None:
        return None
    if g.matched:
        return trust.policy.statements[g.matched[0].index]
    allows = [s for pt in g.policies for s in pt.statements if s.effect == "Allow"]
    if not allows:
        return None
    return trust.policy.statements[sorted(allows, key=score)[0].index]


def _duration(case: Case, ev: Evaluation) -> list[Issue]:
    g = ev.gate("duration")
    req = case.request
    if g is None or g.result != DENY or req is None:
        return []
    hop = case.hop
    where = hop_where(case, "duration")
    if "role chaining" in g.reason:
        values = {"requested": req.duration_seconds, "limit": 3600}
        return [Issue("DURATION_EXCEEDS_CHAIN_LIMIT", message("DURATION_EXCEEDS_CHAIN_LIMIT", **values), where, values,
                      facts=[{"duration": 3600}] if hop is not None and case.provider is not None else [])]
    mx = case.policies.max_session_duration if case.policies is not None else None
    if "MaxSessionDuration" in g.reason and mx is not None:
        r = case.role_resource
        arg = getattr(r, "max_session_duration", None)
        if r is not None and arg is not None and arg.span is not None:
            where.append(Where(getattr(r, "input", ""), arg.span))
        values = {"requested": req.duration_seconds, "max_session_duration": mx}
        return [Issue("DURATION_EXCEEDS_MAX_SESSION", message("DURATION_EXCEEDS_MAX_SESSION", **values), where, values,
                      facts=[{"duration": mx}] if hop is not None and case.provider is not None else [])]
    return []  # below 900 s: DURATION_OUT_OF_RANGE comes from input_checks

