"""The report's `prevention` section: the CI pre-flight script with exactly the
provider's arguments (after the proposed fixes), the conftest/OPA policy and
the Checkov checks that apply (findings/prevention.py renders them).

The usual advice, corrected (Checkov's check list, https://www.checkov.io/5.Policy%20Index/terraform.html): CKV_AWS_49/110/111 do not look
at trust policies; CKV_AWS_60/61 do, and CKV_AWS_358/393 for GitHub OIDC.
"""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case, literal
from roledoctor.findings import prevention as prev

ALWAYS = ("TRUST_WILDCARD_PRINCIPAL", "TRUST_ACCOUNT_ROOT_PRINCIPAL")  # CKV_AWS_60, CKV_AWS_61
OIDC = ("OIDC_SUBJECT_WILDCARD",)  # CKV_AWS_358, CKV_AWS_393


def _hop(h, fallback_role: str | None) -> prev.Hop | None:
    role = literal(h.role_arn)
    role = role.strip() if isinstance(role, str) and role.strip() else fallback_role
    if not role:
        return None
    tags = literal(h.tags)
    keys = literal(h.transitive_tag_keys)
    arns = literal(h.policy_arns)
    pol = literal(h.policy)
    dur = literal(h.duration)
    si = literal(h.source_identity)
    sn = literal(h.session_name)
    return prev.Hop(role_arn=role, session_name=sn if isinstance(sn, str) else None,
                    external_id=h.external_id is not None, duration=dur if isinstance(dur, str) else None,
                    tags={str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {},
                    transitive_tag_keys=[str(k) for k in keys] if isinstance(keys, list) else [],
                    source_identity=si if isinstance(si, str) else None,
                    policy=pol if isinstance(pol, str) else None,
                    policy_arns=[str(a) for a in arns] if isinstance(arns, list) else [])


def settings(case: Case) -> prev.AssumeRoleSettings | None:
    if case.web:
        return None  # the pre-flight covers sts:AssumeRole; web identity runs in the workflow itself
    hops = [x for x in (_hop(h, case.role_arn if i == case.target else None) for i, h in enumerate(case.hops)) if x]
    if not hops and case.role_arn:
        hops = [prev.Hop(role_arn=case.role_arn)]
    if not hops:
        return None
    p = case.provider
    def s(a):
        v = literal(a)
        return v if isinstance(v, str) else None
    endpoint = None
    return prev.AssumeRoleSettings(hops=hops, region=s(p.region) if p else None,
                                   sts_region=s(p.sts_region) if p else None, sts_endpoint=endpoint,
                                   profile=s(p.profile) if p else None)


def prevention_section(case: Case, fixes, issues) -> dict:
    after = next((f.case_after for f in fixes if not f.alternative and f.case_after is not None), None) or case
    out: dict = {}
    st = settings(after)
    if st is not None:
        try:
            out["preflight"] = {"filename": "ci-preflight.sh", "language": "sh", "text": prev.preflight_script(st)}
        except ValueError:
            pass
    account = prev.role_account(case.role_arn)
    try:
        out["rego"] = {"filename": "iam_trust.rego", "language": "rego", "text": prev.trust_rego_policy(account)}
    except ValueError:
        pass
    codes = [i.code for i in issues] + list(ALWAYS) + (list(OIDC) if case.web or _github(case) else [])
    out["checkov"] = [{"id": c.id, "title": c.title, "checks": c.checks} for c in prev.checkov_checks(codes)]
    return out


def _github(case: Case) -> bool:
    t = case.trust
    return t is not None and any("token.actions.githubusercontent.com" in v for s in t.policy.statements
                                 for v in (s.principal or {}).get("Federated", []))
