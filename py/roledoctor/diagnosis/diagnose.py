"""Orchestration: inputs -> facts -> engine -> findings -> fixes proven by a
second engine run -> Report (the output contract in docs/findings.md).

    d = diagnose({"error": ..., "provider": ..., "trust_policy": ...},
                 slots={"error": "error", ...}, caller=None)
    d.report  # roledoctor.findings.Report

A fix is proposed only when the engine, run again on the edited texts, says
`allowed` (docs/findings.md); hardening repairs ride along only if they keep it so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roledoctor.diagnosis import any_caller, callerside, conditions, joined
from roledoctor.fixes import evidence as evidence_fixes
from roledoctor.diagnosis.blockers import blockers, principal_value
from roledoctor.diagnosis.next_commands import minimal_policy, next_commands
from roledoctor.diagnosis.facts import Case, build_case, literal, prepare, same_arn
from roledoctor.fixes import plan as fix_plan
from roledoctor.fixes.apply import apply_repairs
from roledoctor.diagnosis.hardening import Target, hardening
from roledoctor.diagnosis.input_checks import input_checks
from roledoctor.diagnosis.model import Issue, Repair, Where
from roledoctor.evaluation import (
    ALLOWED, EXPLICITLY_DENIED, IMPLICITLY_DENIED, SET_SOURCE_IDENTITY, TAG_SESSION, Evaluation, evaluate,
)
from roledoctor.evaluation.model import REPORTABLE
from roledoctor.findings import Evidence, Fix, Report, Request, TraceStep, make_finding
from roledoctor.findings.catalogue import load as load_catalogue
from roledoctor.fixes.edits import apply_edits, unified_diff

VERDICT = {ALLOWED: "allowed", EXPLICITLY_DENIED: "denied", IMPLICITLY_DENIED: "denied"}
# Error facts no edit of the pasted files can change (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors).
FATAL_ERROR_CODES = ("STS_REGION_DISABLED", "BASE_CREDENTIALS_INVALID", "CALLER_IS_ROOT", "MFA_CODE_REJECTED",
                     "MFA_NOT_PRESENT", "CLOCK_SKEW", "WEB_IDENTITY_TOKEN_INVALID", "OIDC_PROVIDER_NOT_REGISTERED",
                     "OIDC_AUDIENCE_NOT_REGISTERED", "OIDC_TOKEN_NOT_ISSUED",
                     "ROLE_NOT_FOUND", "ROLE_NOT_YET_PROPAGATED")  # the last two: AWS output shows them
# Input causes the error text states (errortext.CAUSES and the AccessDenied sentence).
ERROR_INPUT_CAUSES = ("S3_BACKEND_ASSUME_ROLE_SYNTAX", "SESSION_NAME_INVALID", "PROVIDER_ROLE_ARN_INVALID",
                      "NOT_AN_ASSUME_ROLE_FAILURE")
# Input findings the provider or STS rejects before any policy is read (the provider schema and API_AssumeRole): the request fails.
REQUEST_INVALID = ("PROVIDER_ROLE_ARN_MISSING", "PROVIDER_ROLE_ARN_INVALID", "DURATION_OUT_OF_RANGE",
                   "SESSION_NAME_INVALID", "EXTERNAL_ID_INVALID", "S3_BACKEND_ASSUME_ROLE_SYNTAX",
                   "DEPRECATED_ARGUMENT", "PROFILE_CHAIN_BROKEN", "PROFILE_FEATURE_UNSUPPORTED")
FIX_TITLES = {"trust_policy": "Trust policy", "provider": "Provider block", "caller_policy": "Caller policy",
              "boundary": "Permissions boundary", "org_policies": "Organization policies",
              "scp": "Service control policy", "rcp": "Resource control policy", "ci_file": "CI file",
              "role": "Role"}


@dataclass
class ProposedFix:
    name: str  # trust_policy | provider | caller_policy | boundary | …
    raw: str  # the raw input it edits
    before: str
    after: str
    diff: str
    verdict_after: str
    alternative: bool = False
    title: str = ""
    case_after: Case | None = field(default=None, repr=False)  # the re-evaluated facts
    replaces: list[str] = field(default_factory=list)  # an alternative: the primary fixes it stands in for


@dataclass
class Diagnosis:
    report: Report
    case: Case
    evaluation: Evaluation | None
    issues: list[Issue]
    fixes: list[ProposedFix] = field(default_factory=list)
    verdict: str = "undetermined"


def verdict_of(case: Case, ev: Evaluation | None, issues: list[Issue]) -> str:
    if any(i.code in FATAL_ERROR_CODES or i.code in REQUEST_INVALID for i in issues):
        return "denied"
    if any(i.code == "PROVIDER_ROLE_ARN_MISMATCH" and "defined_arn" in i.details for i in issues):
        return "denied"  # role names are unique in an account: `role_arn` names no role (STS: AccessDenied)
    if ev is None:
        return "undetermined"
    v = VERDICT.get(ev.verdict, "undetermined")
    g = ev.gate(ev.deciding_gate) if ev.deciding_gate else None
    if v == "denied" and g is not None and g.result != "deny" and any(s.effect == "Allow" for s in g.unknown):
        return "undetermined"  # an Allow hinges on context not given
    if v != "denied" and any(i.code in ("OIDC_PROVIDER_MISMATCH", "OIDC_PROVIDER_NOT_REGISTERED") and not i.repairs
                             for i in issues):
        return "denied"
    return v


def _run(raw: dict[str, str], slots: dict[str, str], caller: str | None, verify: bool = False):
    case = build_case(prepare(raw, slots), caller, verify=verify)
    # request and policies are built together (facts._build_request)
    ev = evaluate(case.request, case.policies) if case.request is not None and case.policies is not None else None
    return case, ev


def diagnose(raw: dict[str, str], slots: dict[str, str] | None = None, caller: str | None = None,
             filenames: dict[str, str] | None = None) -> Diagnosis:
    slots = dict(slots or {})
    case, ev = _run(raw, slots, caller)
    basis = case  # the case the engine answered; another only when the caller cannot matter
    if ev is None and (got := any_caller.decide(case, verdict_of)) is not None:
        basis, ev, why = got
        case.assumptions.append(why)
    display = case.raw_name
    issues: list[Issue] = []
    issues += input_checks(case.inputs, case.slot, display)
    issues += _context_inputs(case, ev)
    issues += blockers(basis, ev)
    issues += callerside.issues(case, issues)  # profiles, CI files, tokens
    issues += conditions.never_matches(case.inputs, case.slot)
    target = Target(trust=case.trust, identity=list(case.identity or []), principal=principal_value(case),
                    role_arn=case.role_arn, subject=case.oidc_subject, actions=_caller_actions(case))
    if case.target not in (None, 0):
        target.identity = []  # the caller policy is hop 0's; a later hop's caller is a role of the chain
    issues += hardening(case.inputs, case.slot, target, case.role_account)
    issues = _dedupe(issues, {e.input for e in case.inputs.errors})
    fix_plan.plan(basis, ev, issues)  # repairs of the codes fixes/plan.py has a planner for
    verdict = verdict_of(basis, ev, issues)
    if verdict == "undetermined" and not (case.error and case.error.cause == "NOT_AN_ASSUME_ROLE_FAILURE"
                                          and case.role_arn is None):
        issues += _missing(case, ev, issues)  # (another action's denial: nothing to ask for the role)
    fixes = plan_fixes(raw, slots, caller, case, issues, verdict)
    report = build_report(case, ev, issues, fixes, verdict, filenames or {})
    evidence_fixes.annotate(case, fixes, report)  # AWS output fixed: the document and its command
    cmds = next_commands(case, verdict)
    report.next_commands = [{"command": c.command, "why": c.why} for c in cmds]
    report.next_commands_policy = minimal_policy(cmds)
    return Diagnosis(report, case, ev, issues, fixes, verdict)


def _caller_actions(case: Case) -> list[str]:
    acts = [case.action]
    req = case.request
    if req is not None and (req.tags or req.transitive_tag_keys):
        acts.append(TAG_SESSION)
    if req is not None and req.source_identity and (case.target or 0) >= 0:
        acts.append(SET_SOURCE_IDENTITY)
    return acts


def _context_inputs(case: Case, ev) -> list[Issue]:
    """Input findings that need the error and the provider together."""
    out = []
    err = case.error
    hops = case.hops
    if err and err.role and hops and case.provider is not None:
        roles = [literal(h.role_arn) for h in hops]
        if (not any(same_arn(err.role, r) for r in roles if isinstance(r, str))
                and all(isinstance(r, str) and r.strip() for r in roles)):
            h = hops[case.target or 0]
            out.append(Issue("PROVIDER_ROLE_ARN_MISMATCH",
                             f"The error is about `{err.role}`, but the provider's `role_arn` is "
                             f"{', '.join(f'`{r}`' for r in roles)}: the configuration pasted is not the one that "
                             "ran, or `role_arn` names the wrong role or account.",
                             [Where(case.provider.input, h.role_arn.span if h.role_arn else h.span),
                              Where(err.input, err.span)],
                             {"error_role": err.role, "provider_role": roles}))
    r = case.role_resource
    name = literal(getattr(r, "name", None)) if r is not None else None
    if isinstance(name, str) and case.role_arn and hops and case.target is not None and case.provider is not None:
        from roledoctor.evaluation.arns import parse_arn, role_name_and_path
        a = parse_arn(case.role_arn)
        if a and role_name_and_path(a.resource)[0] != name and len(case._trusts) == 1:
            h = hops[case.target]
            out.append(Issue("PROVIDER_ROLE_ARN_MISMATCH",
                             f"The provider assumes `{case.role_arn}`, but the trust pasted is that of role "
                             f"`{name}` ({getattr(r, 'address', '')}).",
                             [Where(case.provider.input, h.role_arn.span) if h.role_arn else Where(case.provider.input, h.span)],
                             {"provider_role": case.role_arn, "role_resource": name}))
    out += joined.target_role_conflicts(case)
    for e in case.inputs.errors:
        code = {"role-arn-not-set": "PROVIDER_ROLE_ARN_MISSING", "role-arn-missing": "PROVIDER_ROLE_ARN_MISSING",
                "duration-out-of-range": "DURATION_OUT_OF_RANGE",
                "s3-backend-block-syntax": "S3_BACKEND_ASSUME_ROLE_SYNTAX"}.get(e.kind)
        if e.kind == "field-validation":
            code = {"roleSessionName": "SESSION_NAME_INVALID", "externalId": "EXTERNAL_ID_INVALID",
                    "roleArn": "PROVIDER_ROLE_ARN_INVALID"}.get(e.details.get("field", ""))
        code = code or (e.cause if e.cause in ERROR_INPUT_CAUSES else None)
        if code == "NOT_AN_ASSUME_ROLE_FAILURE":
            gate = e.denial.policy_type if e.denial and e.denial.policy_type else None
            out.append(Issue(code, f"The error denies `{e.action}`{f' on `{e.resource}`' if e.resource else ''}, "
                             f"not the role assumption{f': the {gate} policy is the gate it names' if gate else ''}. "
                             "Diagnose that action's policies, not the role's trust.", [Where(e.input, e.span)],
                             {"action": e.action, "resource": e.resource,
                              "gate": e.denial.gate if e.denial else None}))
        elif code == "PROVIDER_ROLE_ARN_INVALID" and e.role and e.kind != "field-validation":
            out.append(Issue(code, f"`{e.role}` is not the ARN of a role (`arn:aws:iam::ACCOUNT_ID:role/NAME`, "
                             "twelve digits, unquoted).", [Where(e.input, e.span)], {"role_arn": e.role}))
        elif code:
            out.append(Issue(code, f"The error says: {e.message[:300]}", [Where(e.input, e.span)]))
    return out


def _missing(case: Case, ev, issues) -> list[Issue]:
    out = []
    seen = set()
    for what, why in case.missing:
        if what not in seen:
            seen.add(what)
            out.append(Issue("INPUT_MISSING", f"Needed for a verdict: {what} ({why}).", [], {"missing": what}))
    for m in (ev.missing if ev is not None else []):
        if m not in seen and not any(m.startswith(w + " (") for w in seen):
            seen.add(m)
            out.append(Issue("INPUT_MISSING", f"Needed for a verdict: {m}.", [], {"missing": m}))
    if ev is not None and ev.unknown_keys:
        keys = ", ".join(f"`{k}`" for k in ev.unknown_keys)
        out.append(Issue("INPUT_MISSING", f"The verdict depends on condition keys whose values are not known: {keys}.",
                         [], {"missing": list(ev.unknown_keys)}))
    if not out:
        out.append(Issue("INPUT_MISSING", "Not enough was pasted for a verdict.", []))
    return out


def _dedupe(issues: list[Issue], error_inputs: set[str] | frozenset[str] = frozenset()) -> list[Issue]:
    """One finding per cause, with the evidence of every input that shows it:
    - the same code at the same place is one finding (their repairs and facts joined);
    - a blocker code is one cause, wherever it shows;
    - a finding that only the error text shows (e.g. STS's ValidationError on
      `roleSessionName`) restates the one the configuration shows with the same
      code: its evidence joins that finding instead of making a second card."""
    out: list[Issue] = []
    seen: dict[tuple, Issue] = {}
    for i in issues:
        first = i.where[0] if i.where else None
        key = (i.code, first.input if first else None, getattr(first.span, "start", None) if first else None)
        if key in seen:
            _merge(seen[key], i, error_inputs)
            continue
        same = next((o for o in out if o.code == i.code and load_catalogue()[i.code].kind == "blocker"), None)
        if same is None and i.where:
            same = next((o for o in out if o.code == i.code and _shown_apart(o, i, error_inputs)), None)
        if same is not None:
            _merge(same, i, error_inputs)
            continue
        seen[key] = i
        out.append(i)
    return out


def _only_error(issue: Issue, error_inputs: set[str] | frozenset[str]) -> bool:
    return bool(issue.where) and all(w.input in error_inputs for w in issue.where)


def _shown_apart(a: Issue, b: Issue, error_inputs: set[str] | frozenset[str]) -> bool:
    """One of the two is shown by the error text alone, the other by a pasted file."""
    return _only_error(a, error_inputs) != _only_error(b, error_inputs) and bool(a.where)


def _merge(into: Issue, other: Issue, error_inputs: set[str] | frozenset[str]) -> None:
    """`other` is more evidence of `into`'s cause. A pasted file's finding speaks
    first (its message names the argument to change); the error's lines follow."""
    if _only_error(into, error_inputs) and other.where and not _only_error(other, error_inputs):
        into.message = other.message or into.message
        into.details = {**into.details, **other.details}
        into.uncertain = other.uncertain
        into.where = list(other.where) + [w for w in into.where if w not in other.where]
    else:
        into.where += [w for w in other.where if w not in into.where]
        for k, v in other.details.items():
            into.details.setdefault(k, v)
    into.repairs += [r for r in other.repairs if r not in into.repairs]
    into.facts += other.facts  # each planned in turn: the repairs joined, as above


# ---- fixes -------------------------------------------------------------------------------

def _is_hardening(issue: Issue) -> bool:
    return load_catalogue()[issue.code].kind == "hardening"


def plan_fixes(raw, slots, caller, case: Case, issues: list[Issue], verdict: str) -> list[ProposedFix]:
    primary = [r for i in issues if not _is_hardening(i) for r in i.repairs if not r.alternative]
    alternatives = [(i, r) for i in issues if not _is_hardening(i) for r in i.repairs if r.alternative]
    hard = [r for i in issues if _is_hardening(i) for r in i.repairs]
    if not primary and not hard:
        return []
    # a hardening repair that writes the same principal a blocker repair adds makes that addition redundant
    sets = {(id(getattr(r.source, "policy", r.source)), tuple(r.path[:-1]), r.value) for r in hard if r.op == "set_string" and r.path}
    lean = [r for r in primary if not (r.op == "add_item" and (id(getattr(r.source, "policy", r.source)), tuple(r.path), r.value) in sets)]
    attempts = [lean + hard, primary] if verdict != "allowed" else [hard]
    for repairs in attempts:
        if not repairs:
            continue
        got = _try(raw, slots, caller, case, repairs)
        if got is None:
            continue
        fixes = got
        for issue, alt in alternatives:
            others = [r for r in repairs if r not in issue.repairs]
            alt_fixes = _try(raw, slots, caller, case, others + [alt] + list(alt.also))
            if alt_fixes:
                primary_after = {f.raw: f.after for f in fixes}
                own = {case.raw_name(r.source.input) for r in issue.repairs if not r.alternative}
                replaced = [f.name for f in fixes if not f.alternative and f.raw in own]
                for f in alt_fixes:
                    if primary_after.get(f.raw) != f.after:
                        f.alternative = True
                        f.name += "_alternative"
                        f.title += " (alternative)"
                        f.replaces = replaced
                        issue.details["alternative_fix"] = {"target": f.name, "diff": f.diff,
                                                            "verdict_after": f.verdict_after}
                        fixes.append(f)
        return fixes
    return []


def _try(raw, slots, caller, case: Case, repairs: list[Repair]) -> list[ProposedFix] | None:
    per, done = apply_repairs(raw, repairs, case.raw_name)
    if not per:
        return None
    new_raw = dict(raw)
    for name, edits in per.items():
        new_raw[name] = apply_edits(raw[name], edits)
    case2, ev2 = _run(new_raw, slots, caller, verify=True)
    if ev2 is None and (got := any_caller.decide(case2, verdict_of)) is not None:
        ev2 = got[1]  # every caller holding the policies gets the same answer
    if case2.inputs.problems or ev2 is None:
        return None
    still = [i for i in blockers(case2, None) if i.code in FATAL_ERROR_CODES]
    still += [i for i in input_checks(case2.inputs, case2.slot) if i.code in REQUEST_INVALID]
    still += [i for i in case2.caller_issues if i.code in FATAL_ERROR_CODES or i.code in REQUEST_INVALID]
    if still or VERDICT.get(ev2.verdict) != "allowed" or not _error_durations_ok(case2):
        return None
    out: list = []
    targets: dict[str, str] = {}
    for r in done:
        targets.setdefault(case.raw_name(r.source.input), r.target)
    for name in per:
        slot = slots.get(name, "auto")
        fname = slot if slot in FIX_TITLES else targets.get(name, "trust_policy")
        if any(f.name == fname for f in out):
            fname = f"{fname}:{name}"
        out.append(ProposedFix(fname, name, raw[name], new_raw[name], unified_diff(raw[name], new_raw[name], name),
                               "allowed", title=FIX_TITLES.get(fname.split(":")[0], fname), case_after=case2))
    return out


def _error_durations_ok(case: Case) -> bool:
    req = case.request
    for e in case.inputs.errors:
        if e.kind in ("duration-chain-limit", "duration-exceeds-max"):
            if req is None or req.duration_seconds is None or req.duration_seconds > 3600:
                return False
    return True


# ---- the report --------------------------------------------------------------------------

def evidence(case: Case, w: Where) -> Evidence:
    name = case.raw_name(w.input)
    text = case.inputs.texts.get(w.input, "")
    if w.span is None or not isinstance(text, str):
        return Evidence(input=name, line=0, text="")
    return Evidence.from_span(name, w.span, text)


def _statement_label(st) -> str:
    sid = f' (Sid "{st.sid}")' if st.sid else ""
    return f"{st.policy} Statement[{st.index}]{sid}"


def build_report(case: Case, ev, issues: list[Issue], fixes: list[ProposedFix], verdict: str,
                 filenames: dict[str, str]) -> Report:
    caller = case.caller.arn if case.caller is not None else None
    rep = Report(verdict=verdict, request=Request(case.action, caller, case.role_arn))
    if ev is not None:
        for g in ev.trace:
            if g.gate not in REPORTABLE:
                continue
            statement = _statement_label(g.matched[0]) if g.matched else g.reason
            rep.trace.append(TraceStep(g.gate, g.result, statement))
    for a in case.assumptions + (ev.assumptions if ev is not None else []):
        if a not in rep.assumptions:
            rep.assumptions.append(a)
    for i in issues:
        rep.findings.append(make_finding(i.code, i.message, [evidence(case, w) for w in i.where], fix=i.fix,
                                         uncertain=i.uncertain, details=i.details or None))
    for f in fixes:
        if f.alternative:
            continue
        key = f.name if f.name not in rep.fixes else f"{f.name}:{f.raw}"
        rep.fixes[key] = Fix(f.before, f.after, f.diff, f.verdict_after)
    rep.sources = {name: path for name, path in filenames.items()}
    if verdict != "undetermined":  # a check against a fault not yet known would guard nothing
        from roledoctor.diagnosis.prevention_section import prevention_section
        rep.prevention = prevention_section(case, fixes, issues)
    return rep
