"""The trust gate: the role's trust policy against the caller and the request.

Reading the trust gate
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
the Allow statement that comes closest to applying is the one the user meant; whatever part of it
fails (action, principal, each condition) is a blocker of its own, so two
faults in one statement (a stale principal and an ExternalId typo) are both reported.
"""

from __future__ import annotations

from roledoctor.diagnosis.facts import DEFAULT_AUDIENCE, Case
from roledoctor.diagnosis.model import Issue, Repair, Source, Where
from roledoctor.diagnosis.rules.common import (
    NOARN, error_where, hop_where, is_list, names, principal_value, score, set_or_add, stmt_where, text_of,
)
from roledoctor.evaluation import DENY, IMPLICIT_DENY, Evaluation
from roledoctor.evaluation.arns import is_unique_id, parse_arn, role_name_and_path
from roledoctor.evaluation.matching import match_action
from roledoctor.evaluation.model import ROLE, GateTrace, StatementTrace
from roledoctor.findings.catalogue import message


def rule(case: Case, ev: Evaluation | None) -> list[Issue]:
    trust = ev.gate("trust") if ev is not None else None
    if trust is None or trust.result not in (DENY, IMPLICIT_DENY):
        return []
    if case.trust is not None:
        return _trust(case, trust, case.trust)
    return [Issue("TRUST_EXPLICIT_DENY" if trust.result == DENY else "TRUST_PRINCIPAL_MISSING",
                  f"The error says the role trust policy refused the request; {trust.reason}.",
                  error_where(case), uncertain=True)]


def _trust(case: Case, g: GateTrace, src: Source) -> list[Issue]:
    if g.result == DENY:
        st = g.matched[0] if g.matched else None
        return [Issue("TRUST_EXPLICIT_DENY",
                      message("TRUST_EXPLICIT_DENY", index=st.index, sid=f" ({st.sid})" if st.sid else "")
                      if st else None,
                      [stmt_where(src, st.path)] if st else error_where(case),
                      details={"statement": text_of(case, src, st.path)} if st else {})]
    if case.caller is not None and case.caller.type == ROLE and case.caller.role_arn == case.role_arn:
        return [_self_assume(case, src)]
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
    best = sorted(allows, key=score)[0]
    stmt = statements[best.index]
    if not best.action_matched:
        out.append(_action_mismatch(case, src, best, stmt))
    if best.principal is not None and best.principal.matched is not True:
        out.append(_principal(case, src, best, stmt))
    for c in best.conditions:
        if c.result is False:
            out.append(_condition(case, src, best, c))
    if not out and not any(c.result is None for c in best.conditions):
        out.append(Issue("TRUST_PRINCIPAL_MISSING", f"No Allow statement of the trust matches: {g.reason}.",
                         [stmt_where(src, best.path)], uncertain=True))
    return out  # a condition on an unknown key: INPUT_MISSING says which


def _action_mismatch(case: Case, src: Source, t: StatementTrace, st) -> Issue:
    want = case.action
    path = t.path + (("Action",) if st.action is not None else ("NotAction",))
    repairs = []
    if st.action is not None and not st.not_action:
        # Swap an STS assume action for the right one; keep anything else and add.
        wrong = [a for a in st.action if a.lower().startswith("sts:assumerole")]
        if len(st.action) == 1 and wrong:
            repairs.append(set_or_add("trust_policy", src, path, want))
        else:
            repairs.append(set_or_add("trust_policy", src, path, want, replace=False))
    return Issue("TRUST_ACTION_MISMATCH",
                 f"Statement {t.index} allows {', '.join(f'`{a}`' for a in st.action or st.not_action or [])}, "
                 f"but the provider performs `{want}`.", [stmt_where(src, path)],
                 details={"expected": want, "actual": list(st.action or [])}, repairs=repairs)


def _aws_path(src: Source, t: StatementTrace, st) -> tuple | None:
    if st.principal is None or "AWS" not in st.principal:
        return None
    return t.path + ("Principal", "AWS")


def _principal(case: Case, src: Source, t: StatementTrace, st) -> Issue:
    want = principal_value(case)
    p = t.principal
    assert p is not None  # _trust calls this for a statement whose principal did not match
    where = [stmt_where(src, p.path or t.path)]
    if case.web:
        fed = (st.principal or {}).get("Federated") or []
        fed_path = t.path + ("Principal", "Federated")
        expected = case.caller.provider if case.caller else None
        return Issue("OIDC_PROVIDER_MISMATCH",
                     f"The trust's `Federated` principal is {', '.join(f'`{v}`' for v in fed) or 'missing'}; the "
                     f"token maps to `{expected}` (the OIDC provider of the role's own account).", where,
                     details={"expected": expected, "actual": fed},
                     repairs=[set_or_add("trust_policy", src, fed_path, expected)] if fed and expected else [])
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
        if idx is not None and is_list(src, path):
            repair = [Repair("trust_policy", "set_string", src, path + (idx,), want)]
        else:
            repair = [set_or_add("trust_policy", src, path, want)]
    elif want and st.principal is not None and "AWS" not in st.principal and src.form != "policy_document":
        repair = [Repair("trust_policy", "add_key", src, t.path + ("Principal",), want, key="AWS")]
    uid = next((v for v in aws if is_unique_id(v)), None)
    sess = next((v for v in aws if (parse_arn(v) or NOARN).kind == "assumed-role"), None)
    moved = next((v for v in aws if _same_role_other_path(v, want)), None)
    details = {"caller": want, "trusted": aws}
    if case.target and case.target > 0:
        return Issue("CHAIN_HOP_NOT_TRUSTED",
                     f"Hop {case.target + 1} of the provider's `assume_role` chain is called by hop {case.target}'s "
                     f"role `{want}`, but its trust names {names(aws)}.", where, details, repair)
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
                 f"The trust names {names(aws) or 'no AWS principal'}; the caller is `{want or case.caller and case.caller.arn}`.",
                 where, details, repair)


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
                         "block sends none.", where + hop_where(case), details, repairs)
        sent = c.context_values[0]
        details["provider_value"], details["trust_value"] = sent, trust_value
        details["difference"] = _difference(sent, trust_value or "")
        repairs = []
        if hop is not None and hop.external_id is not None and not hop.external_id.symbolic and trust_value is not None:
            repairs.append(Repair("provider", "set_arg", case.provider, key="external_id", value=trust_value,
                                  hop=case.target))
            alt = set_or_add("trust_policy", src, c.path, sent)
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
                     where + hop_where(case, "external_id"), details, repairs)
    if key.endswith(":aud"):
        aud = case.oidc_audience or DEFAULT_AUDIENCE
        return Issue("OIDC_AUDIENCE_MISMATCH",
                     f"The trust's `{c.key}` condition expects {names(c.policy_values)}; the token's audience is "
                     f"`{aud}`.", where, details,
                     [set_or_add("trust_policy", src, c.path, aud)],
                     fix=f"Set the trust's `{c.key}` to `{aud}`, the audience the token carries"
                         f"{'' if case.oidc_audience else ' (the default of the platform)'}.")
    if key.endswith(":sub"):
        subject = case.oidc_subject
        return Issue("OIDC_SUBJECT_MISMATCH",
                     f"The trust's `{c.key}` condition ({c.operator}) allows {names(c.policy_values)}; the "
                     f"token's subject is `{subject}`. Add that exact subject, no wider pattern.", where, details,
                     [set_or_add("trust_policy", src, c.path, subject, replace=False)] if subject else [])
    if key == "aws:principalarn":
        want = principal_value(case)
        moved = next((v for v in c.policy_values if _same_role_other_path(v, want)), None)
        sess = next((v for v in c.policy_values if (parse_arn(v) or NOARN).kind == "assumed-role"), None)
        repairs = [set_or_add("trust_policy", src, c.path, want)] if want else []
        if moved:
            return Issue("TRUST_PRINCIPAL_PATH_MISMATCH",
                         f"The `aws:PrincipalArn` condition names `{moved}`; the caller's role is `{want}` (another "
                         "path). Use the full ARN, or `ArnLike` with `role/*NAME`.", where, details, repairs)
        if sess:
            return Issue("TRUST_PRINCIPAL_SESSION_ARN",
                         f"The `aws:PrincipalArn` condition names the session `{sess}`; aws:PrincipalArn holds the "
                         "role ARN, never a session ARN (reference_policies_condition-keys.md).", where, details, repairs)
        return Issue("TRUST_CONDITION_UNMET",
                     f"The `aws:PrincipalArn` condition ({c.operator} {names(c.policy_values)}) does not match the "
                     f"caller `{want}`.", where, details, repairs)
    msg = f"The trust's condition {c.operator} `{c.key}` = {names(c.policy_values)} is not met: {c.reason}."
    if key == "aws:multifactorauthpresent" or key == "aws:multifactorauthage":
        msg += (" Terraform's provider cannot pass MFA for `assume_role`; trust a CI role without MFA, or use "
                "an MFA-authenticated profile session as the caller.")
    return Issue("TRUST_CONDITION_UNMET", msg, where, details)


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


def _self_assume(case: Case, src: Source) -> Issue:
    arn = case.role_arn or ""
    target = None
    for s in src.policy.statements:
        if s.effect == "Allow" and s.principal and "AWS" in s.principal and (
                match_action(s, case.action)[0]):
            target = s
            break
    repairs = []
    if target is not None:
        repairs = [set_or_add("trust_policy", src, target.path + ("Principal", "AWS"), arn, replace=False)]
    return Issue("SELF_ASSUME_NOT_TRUSTED",
                 f"The role `{arn}` assumes itself; since 2023 its trust must name its own ARN explicitly "
                 "(https://aws.amazon.com/blogs/security/announcing-an-update-to-iam-role-trust-policy-behavior/).",
                 [Where(src.input, src.policy.span_at(target.path) if target else src.policy.span)],
                 {"role": arn}, repairs)
