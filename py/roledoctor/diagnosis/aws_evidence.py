"""AWS evidence (roledoctor.inputs.evidence) -> the facts of the case: the role's trust,
path, maximum session and creation date; the caller's identity policies and boundary;
the SCPs and RCPs at every level of the organization; the request CloudTrail recorded.

Where each fact comes from (AWS documentation):
- identity policies of a user: its inline and attached managed policies (the default
  version only) and those of its groups,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html;
- SCPs: every level from the root through each OU to the account must allow, a Deny
  at any level wins; the management account and service-linked roles are not
  restricted, https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html;
- RCPs: the same path, of the role's account,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roledoctor.diagnosis.model import Source
from roledoctor.evaluation import PolicyLevel
from roledoctor.evaluation.arns import parse_arn, role_name_and_path
from roledoctor.evaluation.model import ROLE, USER
from roledoctor.inputs.evidence.model import DocRef, Evidence, Principal, TrailEvent
from roledoctor.inputs.model import Arg, PolicySource, RoleResource
from roledoctor.policy import policy_from_obj

FULL_AWS_ACCESS_ID = "p-FullAWSAccess"  # attached by AWS to every root, OU and account (orgs_manage_policies_scps.html)
_FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass
class Known:
    """What the evidence told, for the rules and the next commands."""

    evidence: list[Evidence] = field(default_factory=list)
    role: Principal | None = None  # the target role, as AWS printed it
    role_input: str = ""
    role_not_found: dict | None = None  # {"input", "span", "why"}
    caller: Principal | None = None
    caller_docs: list[DocRef] = field(default_factory=list)
    missing_managed: list[str] = field(default_factory=list)  # attached ARNs without their document
    missing_inline: list[tuple[str, str]] = field(default_factory=list)
    boundary_arn: str = ""
    boundary_missing: bool = False
    scp_levels: list[str] | None = None  # target ids, root first
    rcp_levels: list[str] | None = None
    org_missing: list[tuple[str, str]] = field(default_factory=list)  # (what, target or policy id)
    trail: TrailEvent | None = None
    trail_input: str = ""
    oidc: list[dict] = field(default_factory=list)
    oidc_listed: list[str] | None = None
    oidc_not_found: dict | None = None
    management_account: str = ""
    refs: dict[str, DocRef] = field(default_factory=dict)  # Source label -> the document AWS printed


def _all(case) -> list[Evidence]:
    return list(case.inputs.evidence)


def _name_of(arn: str) -> str:
    a = parse_arn(arn)
    return role_name_and_path(a.resource)[0] if a else ""


def _source(d: DocRef, ev: Evidence, label: str, k: Known | None = None) -> Source:
    if k is not None:
        k.refs[label] = d
    return Source(ev.input, d.policy, "json" if d.form == "json" else d.form, label)


def find_role(evs: list[Evidence], arn: str | None) -> tuple[Principal | None, Evidence | None]:
    name = _name_of(arn) if arn else ""
    for ev in evs:
        for p in ev.principals:
            if p.type == "role" and (not arn or p.arn == arn or p.name == name):
                return p, ev
    for ev in evs:
        if ev.auth is not None and arn:
            r = ev.auth.role(arn, name)
            if r is not None and (not r.arn or _name_of(r.arn) == name):
                return r, ev
    return None, None


def _find_user(evs, arn: str, name: str):
    for ev in evs:
        for p in ev.principals:
            if p.type == "user" and (p.arn == arn or p.name == name):
                return p, ev
    for ev in evs:
        if ev.auth is not None:
            u = ev.auth.user(arn, name)
            if u is not None:
                return u, ev
    return None, None


def _managed(evs, arn: str) -> tuple[DocRef | None, Evidence | None]:
    """The default version's document of a managed policy."""
    default_id = ""
    for ev in evs:
        for mp in ev.managed:
            if mp.arn == arn and mp.default_version:
                default_id = mp.default_version
    for ev in evs:
        for mp in ev.managed:
            if mp.arn != arn:
                continue
            for d in mp.documents:
                if (default_id and d.version == default_id) or (not default_id and d.default):
                    return d, ev
        if ev.auth is not None:
            mp = ev.auth.policy(arn)
            d = mp.default_document() if mp is not None else None
            if d is not None:
                return d, ev
    return None, None


def _owned(evs, owner: str) -> list[tuple[DocRef, Evidence]]:
    return [(d, ev) for ev in evs for d in ev.documents if d.role == "inline" and d.owner == owner]


def _listed_attached(evs, owner: str) -> list[str]:
    return [a for ev in evs for o, a in ev.attached if o in (owner, "")]


def _listed_groups(evs, user: str) -> list[str]:
    return [g for ev in evs for u, g in ev.groups_of if u in (user, "")]


def _orphans(evs) -> list[tuple[DocRef, Evidence]]:
    """get-policy-version outputs whose policy ARN the paste does not say."""
    return [(d, ev) for ev in evs for d in ev.documents if d.role == "managed" and not d.arn and d.default]


def apply(case) -> None:
    """Before the request is built: trust, role facts, caller policies, boundary, org policies."""
    evs = _all(case)
    if not evs:
        return
    k = Known(evidence=evs)
    case.aws = k
    for ev in evs:
        if ev.management_account:
            k.management_account = ev.management_account
        k.oidc += ev.oidc_providers
        if ev.oidc_listed is not None:
            k.oidc_listed = (k.oidc_listed or []) + ev.oidc_listed
        if ev.not_found and ev.not_found.get("entity") == "oidc-provider":
            k.oidc_not_found = {**ev.not_found, "input": ev.input, "span": ev.span}
        if ev.trail and k.trail is None:
            k.trail, k.trail_input = ev.trail[0], ev.input
    if case.role_arn is None:
        roles = [p for ev in evs for p in ev.principals if p.type == "role" and p.arn]
        if len(roles) == 1:
            case.role_arn = roles[0].arn
    _slotted(case, k, evs)
    _role(case, k, evs)
    _caller(case, k, evs)
    _org(case, k, evs)


# A policy output pasted into a box (or given with an option) plays that box's part.
_SLOT_PART = {"caller_policy": "identity", "boundary": "boundary", "scp": "scp", "rcp": "rcp",
              "session_policy": "session"}


def _slotted(case, k: Known, evs) -> None:
    for ev in evs:
        part = _SLOT_PART.get(case.slot(ev.input))
        if part is None:
            continue
        docs = ev.documents + [d for mp in ev.managed for d in mp.documents if d.default] + ev.org_policies
        for d in docs:
            if d.policy is None:
                continue
            src = _source(d, ev, f"{part}:{d.name or d.arn or ev.kind}", k)
            if part == "identity":
                case.identity = (case.identity or []) + [src]
            elif part in ("scp", "rcp"):
                setattr(case, part + "s", (getattr(case, part + "s") or []) + [src])
            elif getattr(case, part) is None:
                setattr(case, part, src)


def _role(case, k: Known, evs) -> None:
    role, ev = find_role(evs, case.role_arn)
    if role is not None and ev is not None:  # found together
        k.role, k.role_input = role, ev.input
        if case.trust is None and role.trust is not None:
            case.trust = _source(role.trust, ev, role.arn or role.name, k)
        elif case.trust is not None and role.trust is not None and case.trust.policy is role.trust.policy:
            k.refs[case.trust.label] = role.trust
        if case.role_resource is None or getattr(case.role_resource, "address", "") == (role.arn or role.name):
            r = RoleResource(ev.input, role.arn or role.name, name=Arg("RoleName", role.name, role.name),
                             trust=role.trust.policy if role.trust else None,
                             trust_source=PolicySource(role.trust.form if role.trust else "json", input=ev.input))
            if role.max_session is not None:
                r.max_session_duration = Arg("MaxSessionDuration", role.max_session, str(role.max_session))
            r.path = Arg("Path", role.path, role.path)
            case.role_resource = r
        return
    name = _name_of(case.role_arn) if case.role_arn else ""
    for ev in evs:
        nf = ev.not_found
        if nf and nf.get("entity") == "role" and (not nf.get("name") or not name or nf["name"] == name):
            k.role_not_found = {"input": ev.input, "span": ev.span,
                                "why": f"IAM answered NoSuchEntity: {nf['message'][:200]}"}
            return
    acct = case.role_account
    for ev in evs:
        if ev.auth is not None and acct and ev.account == acct and ev.auth.count("RoleDetailList") and \
                "truncated" not in " ".join(ev.facts):
            k.role_not_found = {"input": ev.input, "span": ev.span,
                                "why": f"the authorization details of account {acct} list "
                                       f"{ev.auth.count('RoleDetailList')} roles, none named `{name}`"}
            return


def _caller(case, k: Known, evs) -> None:
    c = case.caller
    if c is None:
        return
    if k.management_account and c.account == k.management_account:
        c.is_management_account = True
    got = _caller_record(c, evs)
    if got is None:
        return
    who, ev, name, owner = got
    attached = list(who.attached) if who else []
    attached += [a for a in _listed_attached(evs, owner) if a not in attached]
    inline = [(d, ev) for d in (who.inline if who else [])] + _owned(evs, owner)
    groups = list(who.groups) if who else []
    if c.type == USER:
        groups += [g for g in _listed_groups(evs, name) if g not in groups]
    listed_names = [(o, n) for e in evs for o, n in e.inline_names if o in (owner, "")]
    docs: list[tuple[DocRef, Evidence]] = list(inline) + _group_docs(evs, ev, groups, attached)
    docs += _managed_docs(case, k, evs, attached)
    have = {d.name for d, _ in docs if d.role == "inline"}
    k.missing_inline = [(o or owner, n) for o, n in listed_names if n not in have]
    known = who is not None or attached or listed_names or inline
    if case.identity is None and known:
        if docs:
            case.identity = [_source(d, e, f"{d.owner or 'managed'}:{d.name or d.arn}", k) for d, e in docs]
        elif not k.missing_managed and not k.missing_inline and (who is not None or listed_names or attached):
            case.identity = []  # AWS lists none: nothing allows the call
    k.caller, k.caller_docs = who, [d for d, _ in docs]
    _caller_boundary(case, k, evs, who)


def _caller_record(c, evs) -> tuple[Any, Any, str, str] | None:
    """(the caller's user or role record, its evidence, its name, its owner key `user/NAME` /
    `role/NAME`); the role's path, which a session ARN does not show, joins the caller."""
    if c.type == USER:
        ua = parse_arn(c.arn)
        name = ua.resource.rsplit("/", 1)[-1] if ua else ""
        who, ev = _find_user(evs, c.arn or "", name)
        return who, ev, name, f"user/{name}"
    if c.type != ROLE or not c.role_arn:
        return None
    name = _name_of(c.role_arn)
    who, ev = find_role(evs, c.role_arn)
    if who is not None and who.path and c.role_path is None:  # the path the session ARN does not show
        c.role_path = who.path
        a = parse_arn(c.role_arn)
        if a is not None:
            c.role_arn = f"arn:{a.partition}:iam::{a.account}:role{who.path}{name}"
    return who, ev, name, f"role/{name}"


def _group_docs(evs, ev, groups: list[str], attached: list[str]) -> list[tuple[DocRef, Evidence]]:
    """The inline policies of the caller's groups (shown by `ev`, the caller's record); their managed
    policies join `attached`."""
    docs: list[tuple[DocRef, Evidence]] = []
    for g in groups:
        gp = next((e.auth.group(g) for e in evs if e.auth is not None and e.auth.group(g)), None)
        docs += [(d, ev) for d in (gp.inline if gp else [])] + _owned(evs, f"group/{g}")
        for a in (gp.attached if gp else []):
            if a not in attached:
                attached.append(a)
    return docs


def _managed_docs(case, k: Known, evs, attached: list[str]) -> list[tuple[DocRef, Evidence]]:
    """The documents of the attached managed policies; those not pasted go to `k.missing_managed`
    (a lone get-policy-version output is taken as the lone policy without a document)."""
    docs: list[tuple[DocRef, Evidence]] = []
    orphans = _orphans(evs)
    for arn in attached:
        d, dev = _managed(evs, arn)
        if d is None and len(orphans) == 1 and len([a for a in attached if _managed(evs, a)[0] is None]) == 1:
            d, dev = orphans[0]
            case.assumptions.append(f"the get-policy-version output pasted is taken to be that of `{arn}`")
        if d is not None and dev is not None:
            docs.append((d, dev))
        else:
            k.missing_managed.append(arn)
    return docs


def _caller_boundary(case, k: Known, evs, who) -> None:
    k.boundary_arn = who.boundary_arn if who else ""
    if k.boundary_arn and case.boundary is None:
        d, dev = _managed(evs, k.boundary_arn)
        if d is not None and dev is not None:
            case.boundary = _source(d, dev, f"permissions boundary {k.boundary_arn.rsplit('/', 1)[-1]}", k)
        else:
            k.boundary_missing = True


# ---- organizations ----------------------------------------------------------------

def _org_docs(evs) -> dict[str, tuple[DocRef, Evidence]]:
    return {d.version: (d, ev) for ev in evs for d in ev.org_policies if d.version}


def _path(evs, account: str) -> list[str] | None:
    """Target ids from the root to the account (list-parents), or None when not known."""
    parents: dict[str, list[tuple[str, str]]] = {}
    for ev in evs:
        for child, ps in ev.org_parents.items():
            parents.setdefault(child, []).extend(ps)
    if not parents:
        return None
    chain, node, seen = [account], account, set()
    while node not in seen:
        seen.add(node)
        ps = parents.get(node) or (parents.get("") if node == account else None)
        if not ps:
            return None
        pid, ptype = ps[0]
        chain.append(pid)
        if ptype == "ROOT" or pid.startswith("r-"):
            return list(reversed(chain))
        node = pid
    return None


def _levels(case, k: Known, evs, account: str | None, kind: str):
    """[(level name, [Source])] from the root to the account, or None when not known."""
    if not account:
        return None
    targets: dict[str, list] = {}
    for ev in evs:
        for t, items in ev.org_targets.items():
            targets.setdefault(t, []).extend(p for p in items if
                                             {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}.get(
                                                 p.type, "scp") == kind)
    if not any(targets.values()):
        return None
    path = _path(evs, account) or [account]
    docs = _org_docs(evs)
    levels = []
    for t in path:
        items = targets.get(t) or (targets.get("") if t == account and len(path) == 1 else None)
        if items is None:
            k.org_missing.append((f"{kind}-target", t))
            continue
        sources = []
        for p in items:
            if p.id in docs:
                d, ev = docs[p.id]
                sources.append(_source(d, ev, f"{kind}[{t}]/{p.name or p.id}", k))
            elif p.id == FULL_AWS_ACCESS_ID or p.name == "FullAWSAccess":
                pol = policy_from_obj(_FULL, source="FullAWSAccess")
                sources.append(Source("", pol, "aws", f"{kind}[{t}]/FullAWSAccess"))
            elif p.aws_managed and kind == "rcp":
                continue  # RCPFullAWSAccess: allows everything
            else:
                k.org_missing.append((f"{kind}-policy", p.id))
        levels.append((t, sources))
    return levels


def _org(case, k: Known, evs) -> None:
    if case.scps is None:
        loose = [(d, ev) for ev in evs for d in ev.org_policies if d.role == "scp"]
        if loose and not any(ev.org_targets for ev in evs):
            case.scps = [_source(d, ev, f"scp/{d.name}", k) for d, ev in loose]
    if case.rcps is None:
        loose = [(d, ev) for ev in evs for d in ev.org_policies if d.role == "rcp"]
        if loose and not any(ev.org_targets for ev in evs):
            case.rcps = [_source(d, ev, f"rcp/{d.name}", k) for d, ev in loose]
    c = case.caller
    caller_account = c.account if c is not None else None
    k.scp_levels = _levels(case, k, evs, caller_account, "scp")
    k.rcp_levels = _levels(case, k, evs, case.role_account, "rcp")
    pairs: tuple[tuple[Any, str], ...] = ((k.scp_levels, "scps"), (k.rcp_levels, "rcps"))
    for levels, attr in pairs:
        if levels is not None and getattr(case, attr) is None:
            setattr(case, attr, [s for _, ss in levels for s in ss if s.input] or None)


def apply_request(case) -> None:
    """After the request is built: CloudTrail's parameters, the org levels, exemptions."""
    k = getattr(case, "aws", None)
    if k is None:
        return
    if k.role_not_found:
        case.missing = [m for m in case.missing if m[0] != "the role's trust policy"]
    req, pol = case.request, case.policies
    if req is None or pol is None:
        return
    t = k.trail
    if t is not None and (not t.role_arn or t.role_arn == case.role_arn):
        hop = case.hop
        lit = (lambda a: a is not None and not a.symbolic) if hop is not None else (lambda a: False)
        if t.session_name and not lit(getattr(hop, "session_name", None)):
            req.session_name = t.session_name
        if t.duration and not lit(getattr(hop, "duration", None)):
            req.duration_seconds = t.duration
        if t.external_id is not None and not lit(getattr(hop, "external_id", None)):
            req.external_id = t.external_id
        if t.tags and not lit(getattr(hop, "tags", None)):
            req.tags = dict(t.tags)
            req.transitive_tag_keys = list(t.transitive_tag_keys)
        if t.source_identity and not lit(getattr(hop, "source_identity", None)):
            req.source_identity = t.source_identity
    if k.role is not None and k.role.max_session is not None and pol.max_session_duration is None:
        pol.max_session_duration = k.role.max_session
    if k.scp_levels is not None:
        case.assumptions[:] = [a for a in case.assumptions if not a.startswith("the pasted SCPs only deny")]
    for levels, attr in ((k.scp_levels, "scps"), (k.rcp_levels, "rcps")):
        if levels is not None:
            setattr(pol, attr, [PolicyLevel(name, [s.policy for s in ss]) for name, ss in levels])
    c = case.caller
    if c is not None and c.type == ROLE and "/aws-service-role/" in (c.role_arn or ""):
        pol.scps = None  # SCPs do not restrict service-linked roles
        case.assumptions.append("the caller is a service-linked role: SCPs do not restrict it")


def aws_trusts(inputs, limit: int = 5000) -> list[tuple[Source, str]]:
    """Every role trust AWS output holds, with the role's account (for `roledoctor check`)."""
    out = []
    for ev in inputs.evidence:
        roles = [p for p in ev.principals if p.type == "role"]
        if ev.auth is not None:
            items = ev.auth.lists.get("RoleDetailList", [])[:limit]
            roles += [r for r in (ev.auth.role(text_of_arn(o)) for o, _, _ in items if isinstance(o, dict)) if r]
        for r in roles:
            if r.trust is not None and r.trust.policy is not None:
                a = parse_arn(r.arn)
                out.append((Source(ev.input, r.trust.policy, "json" if r.trust.form == "json" else r.trust.form,
                                   r.arn or r.name), a.account if a else ""))
    return out


def text_of_arn(obj: dict) -> str:
    v = obj.get("Arn")
    return v if isinstance(v, str) else ""
