"""The engine's trace + the error facts -> blocker Issues (docs/findings.md
"Why the handshake fails"), each with the Repairs that would lift it.

Reading the trust gate
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
the Allow statement that comes closest to applying is the one the user meant; whatever part of it
fails (action, principal, each condition) is a blocker of its own, so two
faults in one statement (the seed example: stale principal and ExternalId
typo) are both reported.
"""

from __future__ import annotations

from roledoctor.diagnosis import evidence_rules
from roledoctor.diagnosis.facts import DEFAULT_AUDIENCE, Case
from roledoctor.diagnosis.model import Issue, Repair, Source, Where
from roledoctor.evaluation import (
    ALLOW, DENY, IMPLICIT_DENY, NOT_EVALUATED, SET_SOURCE_IDENTITY, TAG_SESSION, Evaluation,
)
from roledoctor.evaluation.arns import is_unique_id, parse_arn, role_name_and_path
from roledoctor.evaluation.matching import match_action
from roledoctor.evaluation.model import ROLE, USER, StatementTrace

# Error kinds that decide on their own, whatever the policies say (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors).
ERROR_BLOCKERS = {
    "region-disabled": "STS_REGION_DISABLED",
    "expired-token": "BASE_CREDENTIALS_INVALID",
    "invalid-client-token": "BASE_CREDENTIALS_INVALID",
    "no-credentials": "BASE_CREDENTIALS_INVALID",
    "duration-chain-limit": "DURATION_EXCEEDS_CHAIN_LIMIT",
    "duration-exceeds-max": "DURATION_EXCEEDS_MAX_SESSION",
    "oidc-provider-missing": "OIDC_PROVIDER_NOT_REGISTERED",
}
# Causes the error text states that decide on their own (errortext.CAUSES).
STATED_BLOCKERS = ("CALLER_IS_ROOT", "MFA_CODE_REJECTED", "MFA_NOT_PRESENT", "CLOCK_SKEW", "WEB_IDENTITY_TOKEN_INVALID",
                   "OIDC_PROVIDER_NOT_REGISTERED", "OIDC_AUDIENCE_NOT_REGISTERED", "OIDC_TOKEN_NOT_ISSUED",
                   "BASE_CREDENTIALS_INVALID", "STS_REGION_DISABLED")
_GATE_CODES = {"scp": "SCP_BLOCKS", "rcp": "RCP_BLOCKS", "boundary": "BOUNDARY_BLOCKS",
               "session": "SESSION_POLICY_BLOCKS"}


def principal_value(case: Case) -> str | None:
    """The ARN a trust should name for this caller (role ARN with path, never a session)."""
    c = case.caller
    if c is None:
        return None
    if c.type == ROLE:
        return c.role_arn
    if c.type == USER:
        return c.arn
    return None


def _stmt_where(src: Source, path) -> Where:
    return Where(src.input, src.policy.span_at(path))


def _error_where(case: Case) -> list[Where]:
    e = case.error
    return [Where(e.input, e.span)] if e is not None else []


def _is_list(src: Source, path: tuple) -> bool:
    return (tuple(path) + (0,)) in src.policy.spans


def _set_or_add(target: str, src: Source, path: tuple, value: str, replace: bool = True) -> Repair:
    """Replace a single string (or a one-item list's item); add to a longer list."""
    if _is_list(src, path):
        if (tuple(path) + (1,)) not in src.policy.spans and replace:
            return Repair(target, "set_string", src, tuple(path) + (0,), value)
        return Repair(target, "add_item", src, tuple(path), value)
    return Repair(target, "set_string" if replace else "add_item", src, tuple(path), value)


def blockers(case: Case, ev: Evaluation | None) -> list[Issue]:
    out: list[Issue] = []
    out += _error_only(case)
    out += evidence_rules.blockers(case, ev)  # what only AWS output shows
    if any(i.code in evidence_rules.DECISIVE for i in out):
        return [i for i in out if i.code in evidence_rules.DECISIVE or i.code in STATED_BLOCKERS]
    if ev is None or any(i.code in STATED_BLOCKERS and i.code != "BASE_CREDENTIALS_INVALID" for i in out):
        return out  # the error states why; no policy pasted can say otherwise
    trust = ev.gate("trust")
    if trust is not None and trust.result in (DENY, IMPLICIT_DENY) and case.trust is not None:
        out += _trust(case, ev)
    elif trust is not None and trust.result in (DENY, IMPLICIT_DENY):
        out.append(Issue("TRUST_EXPLICIT_DENY" if trust.result == DENY else "TRUST_PRINCIPAL_MISSING",
                         f"The error says the role trust policy refused the request; {trust.reason}.",
                         _error_where(case), uncertain=True))
    out += _identity(case, ev)
    for gate, code in _GATE_CODES.items():
        out += _org_gate(case, ev, gate, code)
    out += _sub_gates(case, ev)
    out += _duration(case, ev)
    return out


# ---- error text alone ----------------------------------------------------------------

def _error_only(case: Case) -> list[Issue]:
    out = []
    for e in case.inputs.errors:
        code = ERROR_BLOCKERS.get(e.kind)
        if e.cause in STATED_BLOCKERS:
            code = e.cause
        where = [Where(e.input, e.span)]
        if code == "STS_REGION_DISABLED":
            out.append(Issue(code, f"STS is not activated in the region used{f' for account {e.account}' if e.account else ''}. "
                             "An administrator activates it in IAM > Account settings, or set the provider's "
                             "`sts_region` to an activated region (id_credentials_temp_enable-regions.md).", where,
                             details={"account": e.account} if e.account else {}))
        elif code == "BASE_CREDENTIALS_INVALID":
            why = {"expired-token": "the session token has expired", "no-credentials": "no credential source was found",
                   }.get(e.kind, "the access key is not valid (InvalidClientTokenId)")
            out.append(Issue(code, f"The credentials used to call STS are unusable: {why}. Refresh them before "
                             "looking at any policy.", where))
        elif code == "OIDC_PROVIDER_NOT_REGISTERED":
            url = e.oidc_provider_url or "the token's issuer"
            out.append(Issue(code, f"The role's account has no IAM OIDC provider for {url}: create it "
                             "(aws_iam_openid_connect_provider) and name it in the trust's `Federated` principal.", where))
        elif code in STATED_BLOCKERS:
            out.append(Issue(code, f"The error says: {e.message[:300]}" if e.message else None, where))
        elif code:
            out.append(Issue(code, None, where))
        elif e.cause == "SELF_ASSUME_NOT_TRUSTED":
            out.append(Issue(e.cause, f"`{e.caller}` is a session of the role it tries to assume, `{e.role}`: a role "
                             "assuming itself needs its own ARN in its trust policy.", where, uncertain=True))
        elif e.kind == "access-denied" and e.action and e.action.lower() in (TAG_SESSION.lower(), SET_SOURCE_IDENTITY.lower()):
            c = "TAG_SESSION_NOT_ALLOWED" if e.action.lower() == TAG_SESSION.lower() else "SOURCE_IDENTITY_NOT_ALLOWED"
            out.append(Issue(c, f"STS refused `{e.action}`, which the request needs.", where))
    return out


# ---- trust ----------------------------------------------------------------------------

def _score(s: StatementTrace):
    p = s.principal.matched if s.principal else True
    failing = sum(1 for c in s.conditions if c.result is False)
    return (not s.action_matched, p is False, failing, s.index)


def _trust(case: Case, ev: Evaluation) -> list[Issue]:
    g = ev.gate("trust")
    src = case.trust
    if g.result == DENY:
        st = g.matched[0] if g.matched else None
        return [Issue("TRUST_EXPLICIT_DENY",
                      f"Statement {st.index}{f' ({st.sid})' if st and st.sid else ''} of the trust policy denies "
                      "this caller; a Deny overrides every Allow." if st else None,
                      [_stmt_where(src, st.path)] if st else _error_where(case),
                      details={"statement": _text(case, src, st.path)} if st else {})]
    if case.caller is not None and case.caller.type == ROLE and case.caller.role_arn == case.role_arn:
        return [_self_assume(case, ev)]
    allows = [s for pt in g.policies for s in pt.statements if s.effect == "Allow"]
    statements = src.policy.statements
    kinds = {k for s in statements if s.effect == "Allow" for k in (s.principal or {})}
    out: list[Issue] = []
    if case.web and "Federated" not in kinds and kinds:
        return [Issue("TRUST_ACTION_MISMATCH",
                      "The provider uses `assume_role_with_web_identity` (`sts:AssumeRoleWithWebIdentity`), but the "
                      "trust only names AWS principals for `sts:AssumeRole`: it needs a `Federated` OIDC provider "
                      "principal with `aud` and `sub` conditions.", [Where(src.input, src.policy.span)])]
    if not case.web and kinds == {"Federated"}:
        return [Issue("TRUST_ACTION_MISMATCH",
                      "The provider's `assume_role` block calls `sts:AssumeRole`, but the trust only trusts an OIDC "
                      "provider (`sts:AssumeRoleWithWebIdentity`): use `assume_role_with_web_identity`, or trust "
                      "the caller's role for `sts:AssumeRole`.", [Where(src.input, src.policy.span)])]
    if not allows:
        return [Issue("TRUST_PRINCIPAL_MISSING", "The trust policy has no Allow statement.",
                      [Where(src.input, src.policy.span)])]
    best = sorted(allows, key=_score)[0]
    st = statements[best.index]
    if not best.action_matched:
        out.append(_action_mismatch(case, src, best, st))
    if best.principal is not None and best.principal.matched is not True:
        out.append(_principal(case, src, best, st))
    for c in best.conditions:
        if c.result is False:
            out.append(_condition(case, src, best, c))
    if not out and not any(c.result is None for c in best.conditions):
        out.append(Issue("TRUST_PRINCIPAL_MISSING", f"No Allow statement of the trust matches: {g.reason}.",
                         [_stmt_where(src, best.path)], uncertain=True))
    return out  # a condition on an unknown key: INPUT_MISSING says which


def _text(case: Case, src: Source, path) -> str:
    span = src.policy.span_at(path)
    text = case.inputs.texts.get(src.input, "")
    return text[span.start:span.end] if span is not None else ""


def _action_mismatch(case: Case, src: Source, t: StatementTrace, st) -> Issue:
    want = case.action
    path = t.path + (("Action",) if st.action is not None else ("NotAction",))
    repairs = []
    if st.action is not None and not st.not_action:
        # Swap an STS assume action for the right one; keep anything else and add.
        wrong = [a for a in st.action if a.lower().startswith("sts:assumerole")]
        if len(st.action) == 1 and wrong:
            repairs.append(_set_or_add("trust_policy", src, path, want))
        else:
            repairs.append(_set_or_add("trust_policy", src, path, want, replace=False))
    return Issue("TRUST_ACTION_MISMATCH",
                 f"Statement {t.index} allows {', '.join(f'`{a}`' for a in st.action or st.not_action or [])}, "
                 f"but the provider performs `{want}`.", [_stmt_where(src, path)],
                 details={"expected": want, "actual": list(st.action or [])}, repairs=repairs)


def _aws_path(src: Source, t: StatementTrace, st) -> tuple | None:
    if st.principal is None or "AWS" not in st.principal:
        return None
    return t.path + ("Principal", "AWS")


def _principal(case: Case, src: Source, t: StatementTrace, st) -> Issue:
    want = principal_value(case)
    p = t.principal
    where = [_stmt_where(src, p.path or t.path)]
    if case.web:
        fed = (st.principal or {}).get("Federated") or []
        path = t.path + ("Principal", "Federated")
        expected = case.caller.provider if case.caller else None
        return Issue("OIDC_PROVIDER_MISMATCH",
                     f"The trust's `Federated` principal is {', '.join(f'`{v}`' for v in fed) or 'missing'}; the "
                     f"token maps to `{expected}` (the OIDC provider of the role's own account).", where,
                     details={"expected": expected, "actual": fed},
                     repairs=[_set_or_add("trust_policy", src, path, expected)] if fed and expected else [])
    if p.matched is None:
        return Issue("TRUST_PRINCIPAL_PATH_MISMATCH",
                     f"The trust names `{p.value}`; the caller's role path is not known (the error gives a session "
                     "ARN, which has no path), so it may or may not be the same role. Give the caller's role ARN "
                     "with --caller to be sure.", where, uncertain=True)
    aws = (st.principal or {}).get("AWS") or []
    path = _aws_path(src, t, st)
    repair = []
    if want and path is not None:
        # replace the one entry that is evidently the caller's stale form; else the single one; else add
        idx = next((i for i, v in enumerate(aws) if _stale_form(v, case)), None)
        if idx is not None and _is_list(src, path):
            repair = [Repair("trust_policy", "set_string", src, path + (idx,), want)]
        else:
            repair = [_set_or_add("trust_policy", src, path, want)]
    elif want and st.principal is not None and "AWS" not in st.principal and src.form != "policy_document":
        repair = [Repair("trust_policy", "add_key", src, t.path + ("Principal",), want, key="AWS")]
    uid = next((v for v in aws if is_unique_id(v)), None)
    sess = next((v for v in aws if (parse_arn(v) or _NOARN).kind == "assumed-role"), None)
    moved = next((v for v in aws if _same_role_other_path(v, want)), None)
    details = {"caller": want, "trusted": aws}
    if case.target and case.target > 0:
        return Issue("CHAIN_HOP_NOT_TRUSTED",
                     f"Hop {case.target + 1} of the provider's `assume_role` chain is called by hop {case.target}'s "
                     f"role `{want}`, but its trust names {_names(aws)}.", where, details, repair)
    if uid:
        return Issue("TRUST_PRINCIPAL_UNIQUE_ID",
                     f"The trust names `{uid}`, the unique ID IAM kept after the trusted principal was deleted; "
                     f"no identity matches it any more, not even a recreated `{want}`.", where, details, repair)
    if sess:
        return Issue("TRUST_PRINCIPAL_SESSION_ARN",
                     f"The trust names the session `{sess}`, which matches that one session name only.",
                     where, details, repair)
    if moved:
        return Issue("TRUST_PRINCIPAL_PATH_MISMATCH",
                     f"The trust names `{moved}`, but the caller's role is `{want}`: the paths differ.",
                     where, details, repair)
    return Issue("TRUST_PRINCIPAL_MISSING",
                 f"The trust names {_names(aws) or 'no AWS principal'}; the caller is `{want or case.caller and case.caller.arn}`.",
                 where, details, repair)


class _NoArn:
    kind = ""


_NOARN = _NoArn()


def _names(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _stale_form(value: str, case: Case) -> bool:
    want = principal_value(case)
    a = parse_arn(value)
    return is_unique_id(value) or (a is not None and a.kind == "assumed-role") or _same_role_other_path(value, want)


def _same_role_other_path(value: str, want: str | None) -> bool:
    a, b = parse_arn(value), parse_arn(want)
    if a is None or b is None or a.kind != "role" or b.kind != "role" or a.account != b.account:
        return False
    (na, pa), (nb, pb) = role_name_and_path(a.resource), role_name_and_path(b.resource)
    return na == nb and pa != pb


def _condition(case: Case, src: Source, t: StatementTrace, c) -> Issue:
    key = c.key.lower()
    where = [Where(src.input, c.span or src.policy.span_at(c.path))]
    hop = case.hop
    details = {"key": c.key, "operator": c.operator, "expected": c.policy_values, "actual": c.context_values}
    if key == "sts:externalid":
        trust_value = c.policy_values[0] if c.policy_values else None
        if c.key_status == "absent" or not c.context_values:
            repairs = []
            if hop is not None and trust_value is not None and case.provider is not None:
                repairs.append(Repair("provider", "add_arg", case.provider, key="external_id", value=trust_value,
                                      hop=case.target))
            return Issue("EXTERNAL_ID_MISSING",
                         f"The trust requires `sts:ExternalId` ({c.operator}); the provider's `assume_role` "
                         "block sends none.", where + _hop_where(case), details, repairs)
        sent = c.context_values[0]
        details["provider_value"], details["trust_value"] = sent, trust_value
        details["difference"] = _difference(sent, trust_value or "")
        repairs = []
        if hop is not None and hop.external_id is not None and not hop.external_id.symbolic and trust_value is not None:
            repairs.append(Repair("provider", "set_arg", case.provider, key="external_id", value=trust_value,
                                  hop=case.target))
            alt = _set_or_add("trust_policy", src, c.path, sent)
            alt.alternative = True
            repairs.append(alt)
        details["options"] = [
            {"change": "provider", "set": "external_id", "to": trust_value},
            {"change": "trust_policy", "set": "sts:ExternalId", "to": sent},
        ]
        return Issue("EXTERNAL_ID_MISMATCH",
                     f"The provider sends external_id `{sent}`, the trust expects `{trust_value}` "
                     f"({details['difference']}). One side is wrong: either set the provider's `external_id` to "
                     f"`{trust_value}` (proposed: the trust is what AWS checks), or, if the provider's value is the "
                     f"agreed one, set the trust's `sts:ExternalId` to `{sent}`.",
                     where + _hop_where(case, "external_id"), details, repairs)
    if key.endswith(":aud"):
        aud = case.oidc_audience or DEFAULT_AUDIENCE
        return Issue("OIDC_AUDIENCE_MISMATCH",
                     f"The trust's `{c.key}` condition expects {_names(c.policy_values)}; the token's audience is "
                     f"`{aud}`.", where, details,
                     [_set_or_add("trust_policy", src, c.path, aud)],
                     fix=f"Set the trust's `{c.key}` to `{aud}`, the audience the token carries"
                         f"{'' if case.oidc_audience else ' (the default of the platform)'}.")
    if key.endswith(":sub"):
        subject = case.oidc_subject
        return Issue("OIDC_SUBJECT_MISMATCH",
                     f"The trust's `{c.key}` condition ({c.operator}) allows {_names(c.policy_values)}; the "
                     f"token's subject is `{subject}`. Add that exact subject, no wider pattern.", where, details,
                     [_set_or_add("trust_policy", src, c.path, subject, replace=False)] if subject else [])
    if key == "aws:principalarn":
        want = principal_value(case)
        moved = next((v for v in c.policy_values if _same_role_other_path(v, want)), None)
        sess = next((v for v in c.policy_values if (parse_arn(v) or _NOARN).kind == "assumed-role"), None)
        repairs = [_set_or_add("trust_policy", src, c.path, want)] if want else []
        if moved:
            return Issue("TRUST_PRINCIPAL_PATH_MISMATCH",
                         f"The `aws:PrincipalArn` condition names `{moved}`; the caller's role is `{want}` (another "
                         "path). Use the full ARN, or `ArnLike` with `role/*NAME`.", where, details, repairs)
        if sess:
            return Issue("TRUST_PRINCIPAL_SESSION_ARN",
                         f"The `aws:PrincipalArn` condition names the session `{sess}`; aws:PrincipalArn holds the "
                         "role ARN, never a session ARN (reference_policies_condition-keys.md).", where, details, repairs)
        return Issue("TRUST_CONDITION_UNMET",
                     f"The `aws:PrincipalArn` condition ({c.operator} {_names(c.policy_values)}) does not match the "
                     f"caller `{want}`.", where, details, repairs)
    msg = f"The trust's condition {c.operator} `{c.key}` = {_names(c.policy_values)} is not met: {c.reason}."
    if key == "aws:multifactorauthpresent" or key == "aws:multifactorauthage":
        msg += (" Terraform's provider cannot pass MFA for `assume_role`; trust a CI role without MFA, or use "
                "an MFA-authenticated profile session as the caller.")
    return Issue("TRUST_CONDITION_UNMET", msg, where, details)


def _hop_where(case: Case, arg: str | None = None) -> list[Where]:
    hop = case.hop
    if hop is None or case.provider is None:
        return []
    a = hop.args.get(arg) if arg else None
    if a is not None and a.span is not None:
        return [Where(case.provider.input, a.span)]
    return [Where(case.provider.input, hop.span)] if hop.span is not None else []


def _difference(a: str, b: str) -> str:
    if a.lower() == b.lower():
        return "they differ in letter case"
    if a.strip() == b.strip():
        return "they differ in surrounding whitespace"
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
        if len(diff) == 1:
            return f"they differ in one character, at position {diff[0] + 1}"
    return "they differ"


def _self_assume(case: Case, ev: Evaluation) -> Issue:
    src = case.trust
    arn = case.role_arn
    target = None
    for s in src.policy.statements:
        if s.effect == "Allow" and s.principal and "AWS" in s.principal and (
                match_action(s, case.action)[0]):
            target = s
            break
    repairs = []
    if target is not None:
        repairs = [_set_or_add("trust_policy", src, target.path + ("Principal", "AWS"), arn, replace=False)]
    return Issue("SELF_ASSUME_NOT_TRUSTED",
                 f"The role `{arn}` assumes itself; since 2023 its trust must name its own ARN explicitly "
                 "(https://aws.amazon.com/blogs/security/announcing-an-update-to-iam-role-trust-policy-behavior/).",
                 [Where(src.input, src.policy.span_at(target.path) if target else src.policy.span)],
                 {"role": arn}, repairs)


# ---- the caller's side ------------------------------------------------------------------

def _identity(case: Case, ev: Evaluation) -> list[Issue]:
    g = ev.gate("identity")
    if g is None or g.result == ALLOW or g.result == NOT_EVALUATED or not g.required and g.result != DENY:
        return []
    role = case.role_arn
    if g.result == DENY:
        st = g.matched[0] if g.matched else None
        src = _source_of(case.identity, st)
        return [Issue("CALLER_EXPLICIT_DENY",
                      f"A Deny in the caller's identity policy matches `{case.action}` on `{role}`: narrow the "
                      "Deny or exempt this role." if st else None,
                      [_stmt_where(src, st.path)] if st and src else _error_where(case),
                      details={"statement": _text(case, src, st.path)} if st and src else {})]
    if not case.identity:  # the error says so; no policy text to edit
        return [Issue("CALLER_POLICY_NO_ALLOW",
                      "The error says no identity-based policy of the caller allows it. Add the statement shown.",
                      _error_where(case), details={"statement": _assume_statement(case)})]
    allows = [s for pt in g.policies for s in pt.statements if s.effect == "Allow" and s.action_matched]
    wrong = next((s for s in allows if s.resource_matched is False), None)
    if wrong is not None:
        src = _source_of(case.identity, wrong)
        st = src.policy.statements[wrong.index]
        res = st.resource or []
        path = wrong.path + ("Resource",)
        idx = _closest(res, role)
        repairs = []
        if role and res:
            repairs = [Repair("caller_policy", "set_string", src, path + (idx,) if _is_list(src, path) else path, role)]
        return [Issue("CALLER_POLICY_WRONG_RESOURCE",
                      f"The caller's statement {wrong.index} allows `{case.action}` on {_names(res)}, which does "
                      f"not match the role `{role}`.", [_stmt_where(src, path)],
                      {"expected": role, "actual": res}, repairs)]
    src = case.identity[0]
    repairs = []
    if role and src.form in ("json", "jsonencode", "heredoc", "policy_document"):
        repairs = [Repair("caller_policy", "add_statement", src, value=_assume_statement(case))]
    return [Issue("CALLER_POLICY_NO_ALLOW",
                  f"No statement of the caller's identity policies allows `{case.action}` on `{role}`"
                  f"{' (cross-account: both sides must allow)' if ev.same_account is False else ''}.",
                  [Where(src.input, src.policy.span)], {"statement": _assume_statement(case)}, repairs)]


def _assume_statement(case: Case) -> dict:
    actions = [case.action]
    req = case.request
    if req is not None and (req.tags or req.transitive_tag_keys) and case.policies is not None:
        actions.append(TAG_SESSION)
    if req is not None and req.source_identity:
        actions.append(SET_SOURCE_IDENTITY)
    return {"Effect": "Allow", "Action": actions[0] if len(actions) == 1 else actions, "Resource": case.role_arn}


def _closest(values: list[str], want: str | None) -> int:
    if not values or not want:
        return 0
    def common(v):
        n = 0
        for x, y in zip(v, want, strict=False):
            if x != y:
                break
            n += 1
        return n
    return max(range(len(values)), key=lambda i: common(values[i]))


def _source_of(sources, st: StatementTrace | None) -> Source | None:
    if not sources:
        return None
    if st is None:
        return sources[0]
    for s in sources:
        if st.policy.endswith("/" + (s.policy.id or s.policy.source)) or st.policy == s.policy.source:
            return s
    return sources[0]


def _org_gate(case: Case, ev: Evaluation, gate: str, code: str) -> list[Issue]:
    g = ev.gate(gate)
    if g is None or g.result not in (DENY, IMPLICIT_DENY) or not g.required:
        return []
    sources = {"scp": case.scps, "rcp": case.rcps, "boundary": [case.boundary] if case.boundary else None,
               "session": [case.session] if case.session else None}[gate]
    st = g.matched[0] if g.matched else None
    src = _source_of(sources, st) if sources else None
    role = case.role_arn
    if st is not None and src is not None:
        where = [_stmt_where(src, st.path)]
        text = _text(case, src, st.path)
        suggestion = _exemption(case, gate)
        msg = (f"Statement {st.index}{f' ({st.sid})' if st.sid else ''} of the {_GATE_NAMES[gate]} denies "
               f"`{case.action}` on `{role}`. Change that statement: {suggestion}")
        return [Issue(code, msg, where, {"statement": text, "suggestion": suggestion},
                      evidence_rules.org_repairs(case, gate, sources, st), uncertain=g.uncertain)]
    where = [Where(src.input, src.policy.span)] if src else _error_where(case)
    add = {"Effect": "Allow", "Action": case.action, "Resource": role}
    repairs = []
    if gate == "boundary" and src is not None and role and src.form in ("json", "jsonencode", "heredoc", "policy_document"):
        repairs = [Repair("boundary", "add_statement", src, value=add)]
    repairs = repairs or evidence_rules.org_repairs(case, gate, sources, None)
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
                  repairs, uncertain=g.uncertain)]


_GATE_NAMES = {"scp": "service control policy", "rcp": "resource control policy",
               "boundary": "permissions boundary", "session": "session policy"}


def _exemption(case: Case, gate: str) -> str:
    who = principal_value(case) or "the caller's role ARN"
    if gate == "rcp":
        return ("exempt the caller with a condition on the Deny, e.g. `\"StringNotEqualsIfExists\": "
                "{\"aws:PrincipalOrgID\": \"o-yourorg\"}` or `\"aws:PrincipalAccount\"` for this account.")
    return (f"exempt the caller on the Deny with `\"ArnNotLike\": {{\"aws:PrincipalArn\": \"{who}\"}}`, or move the "
            "account to an OU whose SCPs allow it.")


def _sub_gates(case: Case, ev: Evaluation) -> list[Issue]:
    out = []
    for gate, action, code, arg in (("tag-session", TAG_SESSION, "TAG_SESSION_NOT_ALLOWED", "tags"),
                                    ("source-identity", SET_SOURCE_IDENTITY, "SOURCE_IDENTITY_NOT_ALLOWED",
                                     "source_identity")):
        g = ev.gate(gate)
        if g is None or g.result == ALLOW or g.sub is None:
            continue
        sub = g.sub
        repairs, where = [], _hop_where(case, arg if case.hop and case.hop.args.get(arg) else "transitive_tag_keys")
        side = sub.deciding_gate
        if side == "trust" and case.trust is not None:
            st = _allowing_trust_statement(case, ev)
            if st is None or match_action(st, action)[0]:
                continue  # the trust fails for another reason, reported above
            path = st.path + ("Action",)
            repairs.append(_set_or_add("trust_policy", case.trust, path, action, replace=False))
            where = [_stmt_where(case.trust, path)] + where
        elif side == "identity" and case.identity:
            ig = sub.gate("identity")
            allows = [s for pt in ig.policies for s in pt.statements if s.effect == "Allow" and s.resource_matched]
            if allows:
                src = _source_of(case.identity, allows[0])
                stmt = src.policy.statements[allows[0].index]
                if stmt.action is not None:
                    repairs.append(_set_or_add("caller_policy", src, allows[0].path + ("Action",), action, replace=False))
                    where = [_stmt_where(src, allows[0].path)] + where
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
    return case.trust.policy.statements[sorted(allows, key=_score)[0].index]


def _duration(case: Case, ev: Evaluation) -> list[Issue]:
    g = ev.gate("duration")
    if g is None or g.result != DENY:
        return []
    hop = case.hop
    where = _hop_where(case, "duration")
    req = case.request
    if "role chaining" in g.reason:
        return [Issue("DURATION_EXCEEDS_CHAIN_LIMIT",
                      f"The caller is itself a role session (role chaining), which caps the new session at 1 h; "
                      f"the provider asks for {req.duration_seconds} s.", where,
                      {"requested": req.duration_seconds, "limit": 3600},
                      [Repair("provider", "set_arg", case.provider, key="duration", value="1h", hop=case.target)]
                      if hop is not None and case.provider is not None else [])]
    if "MaxSessionDuration" in g.reason:
        mx = case.policies.max_session_duration
        where += [Where(case.role_resource.input, case.role_resource.max_session_duration.span)] \
            if case.role_resource is not None and getattr(case.role_resource, "max_session_duration", None) is not None \
            and case.role_resource.max_session_duration.span is not None else []
        return [Issue("DURATION_EXCEEDS_MAX_SESSION",
                      f"The provider asks for {req.duration_seconds} s; the role's max_session_duration is {mx} s.",
                      where, {"requested": req.duration_seconds, "max_session_duration": mx},
                      [Repair("provider", "set_arg", case.provider, key="duration", value=go_duration(mx),
                              hop=case.target)] if hop is not None and case.provider is not None else [])]
    return []  # below 900 s: DURATION_OUT_OF_RANGE comes from input_checks


def go_duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"
