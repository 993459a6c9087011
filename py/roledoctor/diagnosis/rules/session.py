"""The session gates: what STS checks beyond sts:AssumeRole (sts:TagSession,
sts:SetSourceIdentity) and the requested duration (evaluation/gates.py
duration_gate: the role's MaxSessionDuration, role chaining's one-hour limit)."""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Issue, Repair, Where
from roledoctor.diagnosis.rules.common import hop_where, score, set_or_add, source_of, stmt_where
from roledoctor.evaluation import ALLOW, DENY, SET_SOURCE_IDENTITY, TAG_SESSION, Evaluation
from roledoctor.evaluation.matching import match_action
from roledoctor.fixes.sts_values import go_duration
from roledoctor.findings.catalogue import message


def rule(case: Case, ev: Evaluation) -> list[Issue]:
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
        repairs, where = [], hop_where(case, arg if case.hop and case.hop.args.get(arg) else "transitive_tag_keys")
        side = sub.deciding_gate
        if side == "trust" and case.trust is not None:
            st = _allowing_trust_statement(case, ev)
            if st is None or match_action(st, action)[0]:
                continue  # the trust fails for another reason, reported above
            path = st.path + ("Action",)
            repairs.append(set_or_add("trust_policy", case.trust, path, action, replace=False))
            where = [stmt_where(case.trust, path)] + where
        elif side == "identity" and case.identity:
            ig = sub.gate("identity")
            allows = [s for pt in ig.policies for s in pt.statements if s.effect == "Allow" and s.resource_matched]
            if allows:
                src = source_of(case.identity, allows[0])
                stmt = src.policy.statements[allows[0].index]
                if stmt.action is not None:
                    repairs.append(set_or_add("caller_policy", src, allows[0].path + ("Action",), action, replace=False))
                    where = [stmt_where(src, allows[0].path)] + where
        elif side not in ("trust", "identity"):
            continue
        where_side = {"trust": "the trust policy", "identity": "the caller's policy"}.get(side, side)
        out.append(Issue(code, f"The provider passes {'session tags' if gate == 'tag-session' else 'a source identity'}"
                         f", so STS also checks `{action}`; {where_side} does not allow it.", where,
                         {"missing_in": side}, repairs))
    return out


def _allowing_trust_statement(case: Case, ev: Evaluation):
    g = ev.gate("trust")
    if g.matched:
        return case.trust.policy.statements[g.matched[0].index]
    allows = [s for pt in g.policies for s in pt.statements if s.effect == "Allow"]
    if not allows:
        return None
    return case.trust.policy.statements[sorted(allows, key=score)[0].index]


def _duration(case: Case, ev: Evaluation) -> list[Issue]:
    g = ev.gate("duration")
    if g is None or g.result != DENY:
        return []
    hop = case.hop
    where = hop_where(case, "duration")
    req = case.request
    if "role chaining" in g.reason:
        values = {"requested": req.duration_seconds, "limit": 3600}
        return [Issue("DURATION_EXCEEDS_CHAIN_LIMIT", message("DURATION_EXCEEDS_CHAIN_LIMIT", **values), where, values,
                      [Repair("provider", "set_arg", case.provider, key="duration", value="1h", hop=case.target)]
                      if hop is not None and case.provider is not None else [])]
    if "MaxSessionDuration" in g.reason:
        mx = case.policies.max_session_duration
        where += [Where(case.role_resource.input, case.role_resource.max_session_duration.span)] \
            if case.role_resource is not None and getattr(case.role_resource, "max_session_duration", None) is not None \
            and case.role_resource.max_session_duration.span is not None else []
        values = {"requested": req.duration_seconds, "max_session_duration": mx}
        return [Issue("DURATION_EXCEEDS_MAX_SESSION", message("DURATION_EXCEEDS_MAX_SESSION", **values), where, values,
                      [Repair("provider", "set_arg", case.provider, key="duration", value=go_duration(mx),
                              hop=case.target)] if hop is not None and case.provider is not None else [])]
    return []  # below 900 s: DURATION_OUT_OF_RANGE comes from input_checks

