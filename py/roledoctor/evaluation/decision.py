"""evaluate(request, policies) -> Evaluation: AWS's decision, gate by gate.

Order of the decision (reference_policies_evaluation-logic.md):
1. an explicit Deny in any policy wins;
2. every required gate must allow, else implicit deny;
3. a required gate we could not evaluate (input missing) -> undetermined;
4. STS validation (durations, gates.duration_gate) after authorization.
An allow that hinges on a Deny statement whose context we do not know is
reported as undetermined, never as allowed.
"""

from __future__ import annotations

from roledoctor.evaluation.arns import normalise_caller, parse_arn
from roledoctor.evaluation.context import build_context
from roledoctor.evaluation.gates import DIRECT_GRANTS, apply_report, duration_gate, policy_gate, rcp_gate, scp_gate
from roledoctor.evaluation.model import (
    ALLOW, ALLOWED, DENY, EXPLICITLY_DENIED, FEDERATED_USER, IMPLICIT_DENY, IMPLICITLY_DENIED,
    NOT_EVALUATED, ROLE, ROOT, SERVICE, SET_SOURCE_IDENTITY, TAG_SESSION, UNDETERMINED, USER,
    Caller, Evaluation, GateTrace, Policies, Request,
)
from roledoctor.evaluation.statements import Target



def evaluate(request: Request, policies: Policies) -> Evaluation:
    caller = normalise_caller(request.caller)
    ctx = build_context(request, caller)
    ev = _authorize(request, policies, caller, ctx, request.action, report=True)
    extra = [duration_gate(request, policies, caller)]
    if request.tags or request.transitive_tag_keys:
        extra.append(_sub_gate("tag-session", TAG_SESSION, request, policies, caller, ctx,
                               "session tags or transitive tag keys are passed (id_session-tags.md)"))
    if request.source_identity:
        extra.append(_sub_gate("source-identity", SET_SOURCE_IDENTITY, request, policies, caller, ctx,
                               "a source identity is set (id_credentials_temp_control-access_monitor.md)"))
    ev.trace += extra
    for g in extra:
        if g.sub is not None:
            ev.assumptions += [a for a in g.sub.assumptions if a not in ev.assumptions]
            ev.missing += [m for m in g.sub.missing if m not in ev.missing]
    _decide(ev, request)
    ev.unknown_keys = sorted(ctx.used_unknown, key=str.lower)
    ev.context = {k: list(v) for k, v in sorted(ctx.values.items())}
    return ev


def _role_account(role_arn: str) -> str | None:
    arn = parse_arn(role_arn)
    return arn.account if arn else None


def _authorize(req: Request, pol: Policies, caller: Caller, ctx, action: str, report: bool,
               force_identity: bool = False) -> Evaluation:
    t = Target(action, req.role_arn, caller, ctx)
    role_account = _role_account(req.role_arn)
    aws_caller = caller.type in (USER, ROLE, ROOT, FEDERATED_USER)
    same = (caller.account == role_account) if aws_caller and caller.account and role_account else None
    notes: list[str] = []

    scp = scp_gate(req, pol.scps, t)
    rcp = rcp_gate(pol.rcps, t, caller.type != SERVICE)

    trust = _trust_gate(req, pol, caller, t)
    identity = _identity_gate(pol, caller, t, trust, same, force_identity)

    boundary = _caller_side_gate("boundary", pol.boundary, (USER, ROLE), caller, t,
                                 "no permissions boundary given: assumed none")
    session = _caller_side_gate("session", pol.session, (ROLE, FEDERATED_USER), caller, t,
                                "no session policy given for the caller's session: assumed none")
    if same and trust.result == ALLOW and trust.grant in DIRECT_GRANTS:
        # Evaluation-logic table "Resource-based policies": a grant to a user ARN is not limited by
        # an implicit deny in a boundary, and one to a session ARN by neither; role-trust pages say
        # the boundary "must allow the sts:AssumeRole action". Blocking reading, marked uncertain.
        if boundary.result == IMPLICIT_DENY and trust.grant != "role":
            boundary.uncertain = True
            boundary.reason += ("; AWS docs disagree whether a boundary limits a trust that names the "
                                "caller directly (blocking reading chosen)")
        if session.result == IMPLICIT_DENY and trust.grant == "session":
            session.required = False
            session.reason += "; the trust names this session ARN, which a session policy does not limit"

    gates = [scp, rcp, identity, boundary, session, trust]
    if report:
        gates = [apply_report(g, req) for g in gates]
    ev = Evaluation(verdict=UNDETERMINED, deciding_gate=None, trace=gates, action=action,
                    same_account=same, notes=notes)
    ev.assumptions = [g.assumption for g in gates if g.assumption]
    if caller.type == ROLE and caller.role_path is None:
        ev.assumptions.append("the caller's role path is not known: assumed / (give the role ARN to be sure)")
    ev.missing = [g.missing for g in gates if g.missing and g.required]
    return ev


def _trust_gate(req: Request, pol: Policies, caller: Caller, t: Target) -> GateTrace:
    """Always required for sts:AssumeRole* (a role is assumable only through its trust policy)."""
    if pol.trust is None:
        return GateTrace("trust", NOT_EVALUATED, True, "no trust policy given",
                         missing="the role's trust policy (assume_role_policy of the aws_iam_role)")
    trust = policy_gate("trust", [("trust_policy", pol.trust)], t, True, True)
    if trust.result == ALLOW:
        grants = [s.principal.grant for s in trust.matched if s.principal]
        trust.grant = "account" if all(g == "account" for g in grants) else next(
            g for g in grants if g != "account")
        if caller.type == ROLE and caller.role_arn == req.role_arn and trust.grant == "account":
            # Since 2022-2023 a role must name itself explicitly to assume itself.
            # https://aws.amazon.com/blogs/security/announcing-an-update-to-iam-role-trust-policy-behavior/
            trust.result, trust.reason = IMPLICIT_DENY, (
                "the role assumes itself but its trust names only the account; it must name the role")
    if trust.result != ALLOW:
        trust.matched = [s for s in trust.matched] if trust.result == DENY else []
    return trust


def _identity_gate(pol: Policies, caller: Caller, t: Target, trust: GateTrace, same: bool | None,
                   force_identity: bool) -> GateTrace:
    if caller.type not in (USER, ROLE, ROOT, FEDERATED_USER):
        return GateTrace("identity", NOT_EVALUATED, False,
                         "not applicable: a federated or service caller has no identity policies")
    if caller.type == ROOT:
        # API_AssumeRole.html: "You cannot use AWS account root user credentials to call AssumeRole."
        return GateTrace("identity", IMPLICIT_DENY, True,
                         "the account root user cannot call AssumeRole; use an IAM user or role")
    required, why = _identity_required(trust, same, force_identity)
    if pol.identity is None:
        return GateTrace("identity", NOT_EVALUATED, required, f"no identity policies given; {why}",
                         missing=("the caller's identity policies (the permissions of "
                                  f"{caller.role_arn or caller.arn})") if required else None)
    labelled = [(f"identity/{p.id or p.source or i}", p) for i, p in enumerate(pol.identity)]
    identity = policy_gate("identity", labelled, t, False, required)
    identity.reason += f"; {why}"
    return identity


def _identity_required(trust: GateTrace, same: bool | None, force_identity: bool) -> tuple[bool, str]:
    """Whether the caller's identity policies must allow the call, and why."""
    if same is False:
        return True, "cross-account: the caller's identity policy must allow the action"
    if force_identity:
        return True, "role chaining: the caller's identity policy must allow the action"
    if trust.result == ALLOW and trust.grant == "account":
        return True, "the trust names the account, which delegates to the caller's identity policies"
    if trust.result == ALLOW:
        return False, "same account and the trust names the caller itself: no identity allow needed"
    return False, "needed only if the trust names the account (same account)"


def _caller_side_gate(gate: str, policy, types, caller: Caller, t: Target, assumption: str) -> GateTrace:
    if caller.type not in types:
        return GateTrace(gate, NOT_EVALUATED, False, f"not applicable to a {caller.type or 'unknown'} caller")
    if policy is None:
        return GateTrace(gate, NOT_EVALUATED, False, f"no {gate} policy given", assumption=assumption)
    return policy_gate(gate, [(gate, policy)], t, False, True)


def _sub_gate(gate: str, action: str, req: Request, pol: Policies, caller: Caller, ctx, why: str) -> GateTrace:
    chained = req.chained if req.chained is not None else caller.type == ROLE
    # SetSourceIdentity: chaining or cross-account needs the caller's permission too
    # (id_credentials_temp_control-access_monitor.md); cross-account follows from the generic rule.
    sub = _authorize(req, pol, caller, ctx, action, report=False,
                     force_identity=(action == SET_SOURCE_IDENTITY and chained))
    _decide(sub, req)
    result = {ALLOWED: ALLOW, EXPLICITLY_DENIED: DENY, IMPLICITLY_DENIED: IMPLICIT_DENY}.get(sub.verdict, NOT_EVALUATED)
    g = GateTrace(gate, result, True, f"{action} is required because {why}: {sub.verdict}"
                  + (f" at {sub.deciding_gate}" if sub.deciding_gate else ""), sub=sub)
    if sub.deciding_gate:
        dg = sub.gate(sub.deciding_gate)
        if dg is not None:  # the deciding gate is one of the sub-evaluation's own
            g.matched, g.uncertain = list(dg.matched), dg.uncertain
    return g


def _decide(ev: Evaluation, req: Request) -> None:
    gates = ev.trace
    auth = [g for g in gates if g.gate != "duration"]
    validation = [g for g in gates if g.gate == "duration"]

    def first(cands):
        reported = [g for g in cands if g.reported]
        return (reported or cands)[0]

    explicit = [g for g in auth if g.result == DENY]
    implicit = [g for g in auth if g.result == IMPLICIT_DENY and g.required]
    invalid = [g for g in validation if g.result == DENY]
    pending = [g for g in gates if g.result == NOT_EVALUATED and g.required]
    if explicit:
        g = first(explicit)
        ev.verdict, ev.deciding_gate = EXPLICITLY_DENIED, g.gate
    elif implicit:
        g = first(implicit)
        ev.verdict, ev.deciding_gate = IMPLICITLY_DENIED, g.gate
        if g.unknown and any(s.effect == "Allow" for s in g.unknown):
            g.uncertain = True
            ev.notes.append(f"{g.gate}: an Allow statement might apply; it depends on context not given")
    elif invalid:
        g = invalid[0]
        ev.verdict, ev.deciding_gate = EXPLICITLY_DENIED, g.gate  # STS ValidationError
    elif pending:
        g = pending[0]
        ev.verdict, ev.deciding_gate = UNDETERMINED, g.gate
    else:
        risky = [g for g in gates if any(s.effect == "Deny" for s in g.unknown)]
        if risky:
            g = risky[0]
            ev.verdict, ev.deciding_gate = UNDETERMINED, g.gate
            g.uncertain = True
            ev.notes.append(f"{g.gate}: a Deny statement might apply; it depends on context not given")
        else:
            ev.verdict, ev.deciding_gate = ALLOWED, None
    ev.uncertain = any(g.uncertain for g in gates if g.gate == ev.deciding_gate) or ev.verdict == UNDETERMINED \
        or (ev.verdict == ALLOWED and any(g.uncertain for g in gates))
    ev.missing = [g.missing for g in gates if g.missing and (g.required or g.reported)]
