"""Static hardening rules (docs/findings.md, hardening).

Callable on Inputs alone (`roledoctor check` reuses them); with a `Target`
(the caller and role the diagnosis found) they also propose least-privilege
repairs, which diagnose.py keeps only when the re-evaluation stays allowed.

Rules mirror Checkov where one exists
(https://github.com/bridgecrewio/checkov/tree/main/checkov/terraform/checks/resource/aws:
bridgecrewio/checkov IAMRoleAllowsPublicAssume = CKV_AWS_60,
IAMRoleAllowAssumeFromAccount = CKV_AWS_61, GithubActionsOIDCTrustPolicy =
CKV_AWS_358 / CKV_AWS_393 and common/util/oidc_utils.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from roledoctor.diagnosis.facts import DEFAULT_AUDIENCE, GITHUB_ISSUER, classify_sources, literal
from roledoctor.diagnosis.model import Issue, Repair, Source, Where
from roledoctor.evaluation.arns import is_account_id, parse_arn
from roledoctor.inputs import Inputs, platforms

# Condition keys that narrow who may use a trust (reference_policies_condition-keys.md).
NARROWING = {"aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
             "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:userid"}
CONFUSED_DEPUTY = {"sts:externalid", "aws:principalarn", "aws:principalorgid"}  # the catalogue's wording
# checkov common/util/oidc_utils.py, plus GitHub's immutable `OWNER@ID` form
# (https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens/)
_GH_REPO = re.compile(r"(\$\{)?[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*(\})?(@[0-9]{1,20})?/[^/]+")
_GH_ABUSABLE = ("workflow", "environment", "ref", "context", "head_ref", "base_ref")
_GH_SUB_KEY = re.compile(r"token\.actions\.githubusercontent\.com(?:/[a-zA-Z0-9_-]+)?:sub", re.I)


@dataclass
class Target:
    """What the diagnosis knows, so hardening can propose exact values."""

    trust: Source | None = None  # only this trust is repaired
    identity: list[Source] = field(default_factory=list)  # only these caller policies are repaired
    principal: str | None = None  # caller role/user ARN
    role_arn: str | None = None
    subject: str | None = None  # GitHub OIDC sub
    actions: list[str] = field(default_factory=lambda: ["sts:AssumeRole"])  # what the caller needs


def unsafe_subject(value: str) -> bool:
    """CKV_AWS_358's test of one `sub` value (checkov GithubActionsOIDCTrustPolicy)."""
    if value == "*":
        return True
    parts = value.split(":")
    if len(parts) == 1 or parts[1] == "*":
        return True
    if any(parts[0].startswith(c) for c in _GH_ABUSABLE):
        return True
    return parts[0] == "repo" and not _GH_REPO.match(parts[1])


def _is_github(st) -> bool:
    return any(("oidc-provider/" + GITHUB_ISSUER) in v for v in (st.principal or {}).get("Federated", []))


def _is_root(v: str) -> bool:
    a = parse_arn(v)
    return is_account_id(v) or (a is not None and a.service == "iam" and a.resource == "root")


def _account_of(v: str) -> str | None:
    if is_account_id(v):
        return v
    a = parse_arn(v)
    return a.account if a else None


# `ATTR = data.aws_iam_policy_document.NAME` (also NAME[0] / NAME[count.index]): where a document goes.
# Also inside an expression on the same line: `policy = coalesce(var.policy, data.aws_iam_policy_document.this[0].json)`.
_DOC_USE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=[^\n=]{0,300}?data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)")
_NEUTRAL_USES = ("source_policy_documents", "override_policy_documents", "for_each", "count", "depends_on", "value")


def _folder(name: str) -> str:
    name = name.replace("\\", "/")
    return name.rsplit("/", 1)[0] if "/" in name else ""


def resource_policy_documents(inputs: Inputs) -> set[tuple[str, str]]:
    """(folder, data.aws_iam_policy_document address) of documents that reach
    resource policies only (a KMS key policy, a bucket policy): set as another
    argument than assume_role_policy somewhere in their module, never as a role's
    trust (https://developer.hashicorp.com/terraform/language/modules: a module is
    the .tf files of one folder). Their Principal is not a trust: no trust rules."""
    uses: dict[tuple[str, str], set[str]] = {}
    for name, text in (inputs.texts or {}).items():
        if "aws_iam_policy_document" not in text:
            continue
        for m in _DOC_USE.finditer(text):
            uses.setdefault((_folder(name), "data.aws_iam_policy_document." + m.group(2)), set()).add(m.group(1))
    merged_only = {"source_policy_documents", "override_policy_documents"}
    # A document used only as another's source/override is judged as part of the merged document
    # (where a same-sid statement may replace its statement), not on its own.
    return {k for k, attrs in uses.items()
            if "assume_role_policy" not in attrs and (attrs - set(_NEUTRAL_USES) or attrs <= merged_only)}


def trusts(inputs: Inputs, found: list) -> list:
    """classify_sources' trusts without the documents that go to resource policies only."""
    not_trust = resource_policy_documents(inputs)
    return [(src, role) for src, role in found
            if role is not None or (_folder(src.input), src.label) not in not_trust]


def hardening(inputs: Inputs, slot_of=lambda name: "auto", target: Target | None = None,
              role_account: str | None = None) -> list[Issue]:
    found = classify_sources(inputs, slot_of)
    out: list[Issue] = []
    for src, _role in trusts(inputs, found["trust"]):
        repairable = target is not None and target.trust is not None and target.trust.policy is src.policy
        out += trust_rules(src, role_account, target if repairable else None)
    for src in found["identity"]:
        repairable = target is not None and any(s.policy is src.policy for s in target.identity)
        out += identity_rules(src, target if repairable else None)
    for prov in inputs.providers:
        out += provider_rules(prov)
    for b in inputs.backends:
        out += provider_rules(b)
    return out


# The elements a rule's verdict rests on. A value that comes from a Terraform variable's default is
# not decided by the code (a caller, a tfvars file or -var may set another one: "unknown is not
# wrong"), so a hardening finding is not made from it; a module call that leaves the variable out
# decides it (inputs.gather.ModuleValues). The blockers of `check`'s cross-check (a provider's role
# against the role in the code) do use defaults: they predict the run as configured.
TRUST_ELEMENTS = ("Effect", "Principal", "Condition")
IDENTITY_ELEMENTS = ("Effect", "Action", "Resource", "NotResource")


def decided(pol, st, elements: tuple[str, ...]) -> bool:
    """Whether none of the statement's `elements` comes from a variable default."""
    return not any(pol.from_default(st.path + (e,)) for e in elements)


def trust_rules(src: Source, role_account: str | None, target: Target | None) -> list[Issue]:
    out: list[Issue] = []
    pol = src.policy
    want = target.principal if target else None
    for st in pol.statements:
        if st.effect != "Allow" or st.principal is None or not decided(pol, st, TRUST_ELEMENTS):
            continue
        keys = {c.key.lower() for c in st.conditions}
        base = st.path + ("Principal",)
        aws = st.principal.get("AWS", [])
        star = st.principal.get("*") is not None or "*" in aws
        if star and not keys & NARROWING:
            repairs = []
            if want and "*" in aws:
                i = aws.index("*")
                path = base + ("AWS", i) if (base + ("AWS", 0)) in pol.spans else base + ("AWS",)
                repairs = [Repair("trust_policy", "set_string", src, path, want)]
            elif want and src.form != "policy_document":
                repairs = [Repair("trust_policy", "set_object", src, base, {"AWS": want})]
            out.append(Issue("TRUST_WILDCARD_PRINCIPAL", f"Statement {st.index} lets any AWS identity assume the "
                             "role (Principal `*` with no narrowing condition).", [Where(src.input, pol.span_at(base))],
                             {"checkov": "CKV_AWS_60"}, repairs))
        for i, v in enumerate(aws):
            path = base + ("AWS", i) if (base + ("AWS", 0)) in pol.spans else base + ("AWS",)
            if _is_root(v) and not keys & CONFUSED_DEPUTY:  # narrowed to a principal, an org or an external ID
                repairs = []
                # Only the caller's own account root is narrowed to the caller (same account: no one else lost
                # who was not already meant by "the caller"); another account's root is left to the blockers.
                if want and _account_of(want) == _account_of(v):
                    repairs = [Repair("trust_policy", "set_string", src, path, want)]
                out.append(Issue("TRUST_ACCOUNT_ROOT_PRINCIPAL", f"Statement {st.index} trusts the whole account "
                                 f"`{_account_of(v)}` (`{v}`): any identity there allowed `sts:AssumeRole` can assume "
                                 "the role." + (f" Proposed: name `{want}` only (add any other identity that must "
                                                "keep access)." if repairs else ""),
                                 [Where(src.input, pol.span_at(path))], {"principal": v, "checkov": "CKV_AWS_61"},
                                 repairs))
            acct = _account_of(v)
            if role_account and acct and acct != role_account and v != "*" and not keys & CONFUSED_DEPUTY:
                out.append(Issue("TRUST_CROSS_ACCOUNT_NO_CONDITION", f"Statement {st.index} trusts `{v}` in another "
                                 f"account ({acct}) with no `sts:ExternalId`, `aws:PrincipalArn` or "
                                 "`aws:PrincipalOrgID` condition.", [Where(src.input, pol.span_at(path))],
                                 {"principal": v}))
        if _is_github(st):
            out += _github_rules(src, st, target)
        else:
            plat = _oidc_platform(st)
            if plat is not None:
                out += _github_rules(src, st, target, plat)
    return out


def _oidc_platform(st):
    """The OIDC platform (roledoctor.inputs.platforms) of a statement's Federated principal, if known."""
    for v in (st.principal or {}).get("Federated", []):
        if "oidc-provider/" in v:
            p = platforms.match(v.split("oidc-provider/", 1)[1])
            if p is not None:
                return p, v.split("oidc-provider/", 1)[1]
    return None


def _unsafe_for(plat, value: str) -> bool:
    return value == "*" or plat.subject_re is None or not plat.subject_re.fullmatch(value)


def _github_rules(src: Source, st, target: Target | None, plat=None) -> list[Issue]:
    """OIDC_SUBJECT_WILDCARD / OIDC_AUDIENCE_MISSING; GitHub by CKV_AWS_358's logic, the other
    platforms by the subject format of their row in roledoctor.inputs.platforms."""
    if plat is not None:
        return _platform_rules(src, st, target, *plat)
    out = []
    pol = src.policy
    subs = [c for c in st.conditions if _GH_SUB_KEY.fullmatch(c.key)]
    auds = [c for c in st.conditions if c.key.lower().endswith(":aud") and GITHUB_ISSUER in c.key.lower()]
    subject = target.subject if target else None
    # A subject with a part the code does not decide ("${local.x[each.key]}") could be any
    # value, safe or not: judged only when every value would be unsafe.
    bad = [(c, v) for c in subs for v in c.values if unsafe_subject(v) and "${" not in v]
    if not subs or bad:
        repairs = _subject_repairs(src, st, subs, bad, subject, unsafe_subject, "StringLike", f"{GITHUB_ISSUER}:sub")
        where = [Where(src.input, bad[0][0].span)] if bad else [Where(src.input, pol.span_at(st.path))]
        what = f"`{bad[0][1]}` pins no repository and ref" if bad else "there is no `sub` condition"
        out.append(Issue("OIDC_SUBJECT_WILDCARD", f"Statement {st.index} trusts GitHub Actions OIDC, but {what}: "
                         "workflows of other repositories or branches could assume the role."
                         + (f" Proposed: `{subject}`." if repairs else ""), where,
                         {"checkov": "CKV_AWS_358"}, [r for r in repairs if r]))
    if not auds:
        repairs = []
        if target is not None and src.form != "policy_document":
            r = _add_condition(src, st, "StringEquals", f"{GITHUB_ISSUER}:aud", DEFAULT_AUDIENCE)
            repairs = [r] if r else []
        out.append(Issue("OIDC_AUDIENCE_MISSING", f"Statement {st.index} trusts GitHub Actions OIDC without an "
                         "`aud` condition.", [Where(src.input, pol.span_at(st.path))], {}, repairs))
    return out


def _subject_repairs(src: Source, st, subs, bad, subject, is_unsafe, operator: str, key: str) -> list:
    """The subject the job's token carries, in place of the one unsafe value, or as a new
    condition when there is none (GitHub and the other platforms alike)."""
    if not subject or is_unsafe(subject) or src.form == "policy_document":
        return []
    if bad and len(bad[0][0].values) == 1:
        return [Repair("trust_policy", "set_string", src, bad[0][0].path, subject)]
    return [_add_condition(src, st, operator, key, subject)] if not subs else []


def _platform_rules(src: Source, st, target: Target | None, plat, host: str) -> list[Issue]:
    out = []
    pol = src.policy
    subs = [c for c in st.conditions if c.key.lower() == f"{host.lower()}:sub"]
    auds = [c for c in st.conditions if c.key.lower() == f"{host.lower()}:aud"]
    subject = target.subject if target else None
    bad = [(c, v) for c in subs for v in c.values if _unsafe_for(plat, v)]
    if not subs or bad:
        repairs = _subject_repairs(src, st, subs, bad, subject, lambda v: _unsafe_for(plat, v),
                                   "StringEquals", f"{host}:sub")
        where = [Where(src.input, bad[0][0].span)] if bad else [Where(src.input, pol.span_at(st.path))]
        what = f"`{bad[0][1]}` does not pin {plat.pin}" if bad else "there is no `sub` condition"
        out.append(Issue("OIDC_SUBJECT_WILDCARD", f"Statement {st.index} trusts {plat.name} OIDC, but {what}: "
                         f"other jobs of the issuer could assume the role. Its subject reads `{plat.subject}` "
                         f"({plat.source})." + (f" Proposed: `{subject}`." if repairs else ""), where,
                         {"platform": plat.id}, [r for r in repairs if r],
                         fix=f"Pin {plat.pin} in the `{host}:sub` condition ({plat.subject})."))
    if not auds:
        repairs = []
        if target is not None and plat.audience and src.form != "policy_document":
            r = _add_condition(src, st, "StringEquals", f"{host}:aud", plat.audience)
            repairs = [r] if r else []
        out.append(Issue("OIDC_AUDIENCE_MISSING", f"Statement {st.index} trusts {plat.name} OIDC without an "
                         f"`aud` condition ({plat.audience_note}).", [Where(src.input, pol.span_at(st.path))],
                         {"platform": plat.id}, repairs,
                         fix=f"Add `\"StringEquals\": {{\"{host}:aud\": \"{plat.audience}\"}}`." if plat.audience
                         else f"Add a `{host}:aud` condition with the audience the job requests ({plat.audience_note})."))
    return out


def _add_condition(src: Source, st, operator: str, key: str, value: str) -> Repair | None:
    """Add `operator: {key: value}` to the statement's Condition (creating what is missing)."""
    if (st.path + ("Condition",)) not in src.policy.spans:
        return Repair("trust_policy", "add_key", src, st.path, {operator: {key: value}}, key="Condition")
    ops = {c.operator for c in st.conditions}
    if operator in ops:
        return Repair("trust_policy", "add_key", src, st.path + ("Condition", operator), value, key=key)
    return Repair("trust_policy", "add_key", src, st.path + ("Condition",), {key: value}, key=operator)


def _any_role(resource: str) -> bool:
    """`*`, or a role ARN with a wildcard account or name (arn:aws:iam::*:role/*,
    arn:aws:iam::111122223333:role/*): it matches roles nobody listed
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)."""
    if resource == "*":
        return True
    a = parse_arn(resource)
    if a is None or a.service not in ("iam", "*"):
        return False
    return "*" in a.account or a.resource in ("*", "role/*") or a.resource.startswith("role/*")


def identity_rules(src: Source, target: Target | None) -> list[Issue]:
    out = []
    pol = src.policy
    for st in pol.statements:
        if st.effect != "Allow" or st.action is None or not decided(pol, st, IDENTITY_ELEMENTS):
            continue
        acts = [a for a in st.action if a == "*" or a.lower().startswith("sts:")]
        wild_sts = [a for a in acts if "*" in a or "?" in a]
        assume = [a for a in acts if a.lower().startswith("sts:assumerole")]
        star_res = st.resource is not None and any(_any_role(r) for r in st.resource)
        if not wild_sts and not (assume and star_res):
            continue
        repairs = []
        role = target.role_arn if target else None
        only_sts = all(a.lower().startswith("sts:") for a in st.action)
        if role and target is not None and only_sts and st.resource is not None and len(st.resource) == 1 \
                and not st.conditions:
            need = target.actions
            ap = st.path + ("Action",)
            value = need[0] if len(need) == 1 else need
            repairs = [Repair("caller_policy", "set_value", src, ap, value),
                       Repair("caller_policy", "set_string", src,
                              st.path + ("Resource", 0) if (st.path + ("Resource", 0)) in pol.spans
                              else st.path + ("Resource",), role)]
        what = ", ".join(f"`{a}`" for a in (wild_sts or assume))
        out.append(Issue("CALLER_POLICY_WILDCARD_STS", f"Statement {st.index} of the caller's policy allows {what} on "
                         f"{', '.join(f'`{r}`' for r in st.resource or ['(NotResource)'])}: it can assume any role that "
                         "trusts it." + (f" Proposed: `{'`, `'.join(target.actions if target else [])}` on `{role}` only (if the caller "
                                         "assumes other roles too, list them)." if repairs else ""),
                         [Where(src.input, pol.span_at(st.path + ("Action",)))], {}, repairs))
    return out


def provider_rules(prov) -> list[Issue]:
    out = []
    hops = list(getattr(prov, "assume_role", None) or []) if isinstance(getattr(prov, "assume_role", None), list) \
        else ([prov.assume_role] if getattr(prov, "assume_role", None) is not None else [])
    for hop in hops:
        a = hop.external_id
        if a is not None and not a.symbolic and isinstance(a.value, str):
            out.append(Issue("EXTERNAL_ID_HARDCODED", "`external_id` is a literal in the configuration; anyone who "
                             "reads the repository knows it. Use `var.external_id` fed from a secret store "
                             "(`TF_VAR_external_id`).", [Where(prov.input, a.span)]))
    for name in ("access_key", "secret_key", "token"):
        a = prov.args.get(name)
        if a is not None and literal(a) and isinstance(a.value, str):
            out.append(Issue("STATIC_CREDENTIALS_IN_CONFIG", f"`{name}` is written into the configuration. Remove "
                             "it, use a profile, environment variables or OIDC, and rotate the key.",
                             [Where(prov.input, a.span)], {"argument": name}))
    return out
