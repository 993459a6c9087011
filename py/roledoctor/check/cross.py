"""Mismatches visible across files: a provider's (or S3 backend's) `role_arn`
names a role defined in the same code, so its trust can be checked against the
caller and the ExternalId the provider sends. The diagnosis' own case builder,
evaluation engine and blocker rules decide, so `check` and `diagnose` agree.

The caller of hop N > 0 is hop N-1's role (role chaining); the caller of hop 0
is `--caller ARN` when given. Without a known caller only what does not depend
on who calls is reported (ExternalId, action, durations, tag/source-identity
permissions in the trust).

A role is matched to a `role_arn` by name (and path, and full ARN when a plan
gives it); a name defined more than once is ambiguous and skipped.
"""

from __future__ import annotations

import dataclasses
import re

from roledoctor.diagnosis.blockers import blockers
from roledoctor.diagnosis.facts import Prepared, build_case, literal
from roledoctor.diagnosis.model import Issue
from roledoctor.diagnosis.rolearn import role_arn_problem
from roledoctor.evaluation import evaluate
from roledoctor.evaluation.arns import is_account_id, parse_arn, role_name_and_path
from roledoctor.inputs import Inputs
from roledoctor.inputs.model import ProviderConfig, RoleResource

# Blockers that do not depend on who the caller is (safe with an assumed caller).
CALLER_INDEPENDENT = {"EXTERNAL_ID_MISSING", "EXTERNAL_ID_MISMATCH", "TRUST_ACTION_MISMATCH",
                      "DURATION_EXCEEDS_MAX_SESSION", "DURATION_EXCEEDS_CHAIN_LIMIT",
                      "TAG_SESSION_NOT_ALLOWED", "SOURCE_IDENTITY_NOT_ALLOWED"}
# What the trust side of one hop can show statically (the caller's own policies are not known here).
TRUST_SIDE = CALLER_INDEPENDENT | {"TRUST_PRINCIPAL_MISSING", "TRUST_PRINCIPAL_UNIQUE_ID",
                                   "TRUST_PRINCIPAL_SESSION_ARN", "TRUST_PRINCIPAL_PATH_MISMATCH",
                                   "TRUST_EXPLICIT_DENY", "TRUST_CONDITION_UNMET", "SELF_ASSUME_NOT_TRUSTED",
                                   "CHAIN_HOP_NOT_TRUSTED"}
_ROLE_REF = re.compile(r"\$\{(aws_iam_role\.[A-Za-z0-9_-]{1,200})\.arn\}")
_SYNTHETIC_NAME = "roledoctor-check-assumed-caller"


def _str(arg) -> str | None:
    v = literal(arg)
    return v if isinstance(v, str) else None


def hop_arn(hop) -> str | None:
    v = _str(hop.role_arn)
    if not v or role_arn_problem(v):
        return None
    return v


def _hops_of(inputs: Inputs):
    """(owner, hop index, hop, arn) of every provider and backend hop with a valid literal role_arn."""
    for p in inputs.providers:
        for h in p.assume_role:
            arn = hop_arn(h)
            if arn:
                yield p, h.index, h, arn
    for b in inputs.backends:
        if b.assume_role is not None:
            arn = hop_arn(b.assume_role)
            if arn:
                yield b, 0, b.assume_role, arn


def match_roles(inputs: Inputs) -> dict[str, RoleResource]:
    """role ARN named by a hop -> the one RoleResource defined in the code with that name (and path)."""
    by_name: dict[str, list] = {}
    for r in inputs.roles:
        name = _str(r.name)
        if name:
            by_name.setdefault(name, []).append(r)
    out = {}
    for _owner, _i, _hop, arn in _hops_of(inputs):
        a = parse_arn(arn)
        if a is None or a.kind != "role":
            continue
        name, path = role_name_and_path(a.resource)
        cands = []
        for r in by_name.get(name, []):
            rpath = _str(r.path)
            known = _str(r.args.get("arn"))
            if (rpath is not None and rpath != path) or (known is not None and known != arn):
                continue
            cands.append(r)
        if len(cands) == 1:
            out[arn] = cands[0]
    return out


def role_arn_map(inputs: Inputs, matched: dict[str, RoleResource]) -> dict[int, str]:
    """id(RoleResource) -> its ARN when known (a plan's `arn`, or a hop naming it)."""
    out = {}
    for r in inputs.roles:
        known = _str(r.args.get("arn"))
        if known and parse_arn(known):
            out[id(r)] = known
    for arn, r in matched.items():
        out.setdefault(id(r), arn)
    return out


def _account(arn: str) -> str | None:
    a = parse_arn(arn)
    return a.account if a else None


def provider_account(prov) -> str | None:
    """The account a provider configuration works in, when its configuration says."""
    hops = [hop_arn(h) for h in prov.assume_role]
    if hops and hops[-1]:
        return _account(hops[-1])
    if prov.web_identity is not None:
        w = _str(prov.web_identity.role_arn)
        if w and parse_arn(w):
            return _account(w)
    ids = literal(prov.args.get("allowed_account_ids"))
    if isinstance(ids, list) and len(ids) == 1 and is_account_id(str(ids[0])):
        return str(ids[0])
    return None


def role_accounts(inputs: Inputs, unit_of: dict[str, int], arns: dict[int, str],
                  fallback: str | None) -> dict[int, str | None]:
    """id(RoleResource) -> the account the role lives in: its ARN, else the provider that creates it
    (`provider = aws.ALIAS`, else the default one; same module first), else `fallback` (--account)."""
    out: dict[int, str | None] = {}
    for r in inputs.roles:
        if id(r) in arns:
            out[id(r)] = _account(arns[id(r)])
            continue
        meta = r.args.get("provider")
        alias = meta.expr.split(".", 1)[1].strip() if meta is not None and "." in meta.expr else None
        cands = [p for p in inputs.providers if _str(p.alias) == alias]
        local = [p for p in cands if unit_of.get(p.input) == unit_of.get(r.input)]
        accounts = {a for a in (provider_account(p) for p in (local or cands)) if a}
        out[id(r)] = accounts.pop() if len(accounts) == 1 else fallback
    return out


def _substitute(policy, role_refs: dict[str, str]):
    """The trust with `${aws_iam_role.X.arn}` principals replaced by X's known ARN; -> (policy, unresolved?)."""
    unresolved = False

    def fix(values):
        nonlocal unresolved
        out = []
        for v in values:
            m = _ROLE_REF.fullmatch(v)
            if m and m.group(1) in role_refs:
                v = role_refs[m.group(1)]
            if "${" in v:
                unresolved = True
            out.append(v)
        return out

    statements = []
    for s in policy.statements:
        principal = {k: fix(v) for k, v in s.principal.items()} if s.principal else s.principal
        conditions = [dataclasses.replace(c, values=fix(c.values)) for c in s.conditions]
        statements.append(dataclasses.replace(s, principal=principal, conditions=conditions))
    return dataclasses.replace(policy, statements=statements), unresolved


def _synthetic_caller(trust, role_arn: str) -> str | None:
    """An identity the trust names, to evaluate what does not depend on the caller."""
    ra = parse_arn(role_arn)
    if ra is None:
        return None
    acct, part = ra.account, ra.partition
    for s in trust.statements:
        if s.effect != "Allow" or not s.principal:
            continue
        for v in s.principal.get("AWS", []) + s.principal.get("*", []):
            a = parse_arn(v)
            if v == "*":
                return f"arn:{part}:iam::{acct}:role/{_SYNTHETIC_NAME}"
            if is_account_id(v):
                return f"arn:{part}:iam::{v}:role/{_SYNTHETIC_NAME}"
            if a is not None and a.kind == "root":
                return f"arn:{a.partition}:iam::{a.account}:role/{_SYNTHETIC_NAME}"
            if a is not None and a.kind in ("role", "user"):
                return v
    return None


def plan_variables(inputs: Inputs) -> dict[str, dict]:
    """input name -> {var: value} from each plan's `variables` section (values Terraform planned with)."""
    import json
    out = {}
    for r in inputs.recognised:
        if r.kind != "plan":
            continue
        try:
            doc = json.loads(inputs.texts.get(r.input) or "")
        except ValueError:
            continue
        vs = doc.get("variables") if isinstance(doc, dict) else None
        if isinstance(vs, dict):
            out[r.input] = {k: v["value"] for k, v in vs.items() if isinstance(v, dict) and "value" in v}
    return out


def _with_plan_values(hops: list, variables: dict) -> list:
    """Hops whose `var.X` arguments take the plan's value of X (for evaluation only)."""
    out = []
    for h in hops:
        changes = {}
        for name, a in h.args.items():
            if a.symbolic and len(a.refs) == 1 and a.refs[0].startswith("var.") and a.refs[0][4:] in variables:
                changes[name] = dataclasses.replace(a, value=variables[a.refs[0][4:]], symbolic=False)
        if changes:
            h = dataclasses.replace(h, args=dict(h.args, **changes), **{k: v for k, v in changes.items()
                                                                          if hasattr(h, k)})
        out.append(h)
    return out


def _has_placeholder(obj) -> bool:
    if isinstance(obj, str):
        return "${" in obj
    if isinstance(obj, dict):
        return any(_has_placeholder(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_has_placeholder(v) for v in obj)
    return False


def cross_checks(inputs: Inputs, unit_of: dict[str, int], caller: str | None = None,
                 matched: dict[str, RoleResource] | None = None, arns: dict[int, str] | None = None) -> list[Issue]:
    matched = match_roles(inputs) if matched is None else matched
    arns = role_arn_map(inputs, matched) if arns is None else arns
    refs: dict[tuple[int | None, str], str] = {}
    for r in inputs.roles:
        if id(r) in arns:
            refs[(unit_of.get(r.input), r.address)] = arns[id(r)]
    planned = plan_variables(inputs)
    out: list[Issue] = []
    for owner, index, _hop, arn in _hops_of(inputs):
        role = matched.get(arn)
        if role is None or role.trust is None:
            continue
        local = {addr: a for (u, addr), a in refs.items() if u == unit_of.get(role.input)}
        trust, unresolved = _substitute(role.trust, local)
        role2 = dataclasses.replace(role, trust=trust)
        sub = Inputs(texts=inputs.texts, roles=[role2])
        if isinstance(owner, ProviderConfig):
            # only hops up to this one, so the case builder targets it
            hops = owner.assume_role[:index + 1]
            if owner.input in planned:
                hops = _with_plan_values(hops, planned[owner.input])
            sub.providers = [dataclasses.replace(owner, assume_role=hops)]
        else:
            sub.backends = [owner]
        prep = Prepared(raw=dict(inputs.texts), slots={}, inputs=sub, origin={})
        case = build_case(prep, caller if index == 0 else None)
        assumed = False
        if case.request is None and case.caller is None and index == 0:
            fake = _synthetic_caller(trust, arn)
            if fake is None:
                continue
            case, assumed = build_case(prep, fake), True
        if case.request is None or case.policies is None or case.target != index:
            continue
        ev = evaluate(case.request, case.policies)
        allowed_codes = CALLER_INDEPENDENT if (assumed or unresolved) else TRUST_SIDE
        for issue in blockers(case, ev):
            if issue.code not in allowed_codes or issue.uncertain or _has_placeholder(issue.details):
                continue
            issue.repairs = []
            issue.details = dict(issue.details, role=arn, role_resource=role.address, hop=index + 1,
                                 caller=None if assumed else (case.caller.arn if case.caller else None))
            out.append(issue)
    return out
