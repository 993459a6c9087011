"""One function per gate, the session-duration checks included. Each returns a
GateTrace; none decides the verdict.

Which gates a request must pass (reference_policies_evaluation-logic.md,
"Determining whether a request is allowed or denied within an account", and
reference_policies_evaluation-logic-cross-account.md):
- SCPs of the caller's account (every level of its OU path must allow);
- RCPs of the role's account (deny-only: RCPFullAWSAccess is always attached,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html);
- the role's trust policy, always;
- the caller's identity policies: cross-account always; same account only
  when the trust names the account rather than the caller;
- the caller's permissions boundary and session policy, which intersect;
- the requested session duration (`duration_gate`: the 900 s minimum, role
  chaining's one-hour limit, the role's MaxSessionDuration).
"""

from __future__ import annotations

from roledoctor.evaluation.model import (
    ALLOW, DENY, FEDERATED_USER, IMPLICIT_DENY, NOT_EVALUATED, ROLE, ROOT, USER,
    Caller, GateTrace, Policies, PolicyLevel, Request,
)
from roledoctor.evaluation.statements import Target, combine, deciding, evaluate_policy, unknown_statements
from roledoctor.policy import Policy

DIRECT_GRANTS = ("user", "role", "session", "unique-id", "wildcard", "federated", "service")
_PHRASE = {"scp": "a service control policy", "rcp": "a resource control policy",
           "identity": "an identity-based policy", "boundary": "the permissions boundary",
           "session": "the session policy", "trust": "the role trust policy"}


def _label(prefix: str, p: Policy, i: int) -> str:
    return f"{prefix}/{p.id or p.source or i}"


def policy_gate(gate: str, labelled: list[tuple[str, Policy]], t: Target, with_principal: bool,
                required: bool) -> GateTrace:
    pts = [evaluate_policy(p, label, t, with_principal) for label, p in labelled]
    sts = [s for pt in pts for s in pt.statements]
    result = combine(sts)
    if result == DENY:
        reason = "a Deny statement matches"
    elif result == ALLOW:
        reason = "an Allow statement matches"
    else:
        reason = "no Allow statement matches" if sts else "no statements"
    return GateTrace(gate, result, required, reason, deciding(sts, result), pts, unknown_statements(sts))


def scp_gate(req: Request, levels: list[PolicyLevel] | None, t: Target) -> GateTrace:
    c = t.caller
    if c.type not in (USER, ROLE, ROOT, FEDERATED_USER):
        return GateTrace("scp", NOT_EVALUATED, False, "SCPs do not apply to this kind of caller")
    if c.is_management_account:
        return GateTrace("scp", NOT_EVALUATED, False, "SCPs do not restrict the organization's management account")
    if levels is None:
        return GateTrace("scp", NOT_EVALUATED, False, "no SCPs given",
                         assumption="no SCPs given: assumed none (or the caller's account is not in an organization)")
    if c.in_org is False:
        return GateTrace("scp", NOT_EVALUATED, False, "the caller's account is not in an organization: SCPs ignored")
    pts, sts, gap = [], [], None
    for level in levels:
        lvl = [evaluate_policy(p, _label(f"scp[{level.name}]", p, i), t, False) for i, p in enumerate(level.policies)]
        pts += lvl
        lsts = [s for pt in lvl for s in pt.statements]
        sts += lsts
        if gap is None and combine(lsts) != ALLOW and not any(s.effect == "Deny" and s.applies for s in lsts):
            gap = level.name
    if combine(sts) == DENY:
        return GateTrace("scp", DENY, True, "an SCP Deny statement matches", deciding(sts, DENY), pts, unknown_statements(sts))
    if gap is not None:
        # AWS words this as "explicit deny in a service control policy" too (troubleshoot_access-denied.md).
        return GateTrace("scp", IMPLICIT_DENY, True,
                         f"no SCP at level {gap!r} allows the action (every level of the path must allow)",
                         [], pts, unknown_statements(sts))
    return GateTrace("scp", ALLOW, True, "every level of the OU path allows", deciding(sts, ALLOW), pts,
                     unknown_statements(sts))


def rcp_gate(levels: list[PolicyLevel] | None, t: Target, applies: bool) -> GateTrace:
    if not applies:
        return GateTrace("rcp", NOT_EVALUATED, False, "RCPs do not apply to AWS service principals")
    if levels is None:
        return GateTrace("rcp", NOT_EVALUATED, False, "no RCPs given",
                         assumption="no RCPs given: assumed none (only RCPFullAWSAccess)")
    labelled = [(_label(f"rcp[{lv.name}]", p, i), p) for lv in levels for i, p in enumerate(lv.policies)]
    g = policy_gate("rcp", labelled, t, True, True)
    if g.result != DENY:  # RCPFullAWSAccess is attached at every level and cannot be detached
        g.result, g.matched = ALLOW, []
        g.reason = "no RCP Deny statement matches (RCPFullAWSAccess allows the rest)"
    return g


def apply_report(g: GateTrace, req: Request) -> GateTrace:
    """The error text names the gate that denied ("with an explicit deny in a service control policy")."""
    if req.reported_denial != g.gate:
        return g
    said = f"the error says {_PHRASE.get(g.gate, g.gate)} denied the request"
    wanted = DENY if req.reported_explicit else IMPLICIT_DENY
    g.reported, g.required = True, True
    if g.result in (DENY, IMPLICIT_DENY):
        g.reason += f"; {said}"
    elif g.result == NOT_EVALUATED:
        g.result, g.reason = wanted, f"{said} (policy not given)"
        g.assumption = None
        g.missing = g.missing or f"the {_PHRASE.get(g.gate, g.gate)} text, to show which statement denies"
    else:
        g.result, g.uncertain = wanted, True
        g.reason = f"{said}, but the policy given allows it: the deployed policy or the request context differs"
    return g


# "The role chaining … limits your session to a maximum of one hour" (id_roles_terms-and-concepts.md)
CHAIN_LIMIT = 3600
MIN_DURATION = 900  # API_AssumeRole.html: DurationSeconds minimum
DEFAULT_MAX = 3600  # every role allows at least 1 h


def duration_gate(req: Request, pol: Policies, caller: Caller) -> GateTrace:
    """STS's session-duration checks: the 900 s minimum, the one-hour limit of role
    chaining, the role's MaxSessionDuration (validated after authorization)."""
    d = req.duration_seconds
    chained = req.chained if req.chained is not None else caller.type == ROLE
    if d is None:
        return GateTrace("duration", NOT_EVALUATED, False, "no duration requested: STS uses 3600 s")
    if d < MIN_DURATION:
        return GateTrace("duration", DENY, True, f"{d} s is below the 900 s minimum (API_AssumeRole.html)")
    if chained and d > CHAIN_LIMIT:
        return GateTrace("duration", DENY, True,
                         f"{d} s exceeds the 1 hour session limit for roles assumed by role chaining "
                         "(id_roles_terms-and-concepts.md)")
    mx = pol.max_session_duration
    if mx is not None and d > mx:
        return GateTrace("duration", DENY, True, f"{d} s exceeds the role's MaxSessionDuration of {mx} s")
    if mx is None and d > DEFAULT_MAX:
        return GateTrace("duration", NOT_EVALUATED, True,
                         f"{d} s is above 1 h; allowed only if the role's max_session_duration is at least that",
                         missing="the role's max_session_duration")
    return GateTrace("duration", ALLOW, True, f"{d} s is within the limits")
