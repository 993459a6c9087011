"""Blockers the error text states on its own, whatever the policies say
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors)."""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Issue, Where
from roledoctor.evaluation import SET_SOURCE_IDENTITY, TAG_SESSION, Evaluation
from roledoctor.findings.catalogue import message

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


def rule(case: Case, ev: Evaluation | None = None) -> list[Issue]:
    out = []
    for e in case.inputs.errors:
        code = ERROR_BLOCKERS.get(e.kind)
        if e.cause in STATED_BLOCKERS:
            code = e.cause
        where = [Where(e.input, e.span)]
        if code == "STS_REGION_DISABLED":
            out.append(Issue(code, message(code, account=e.account), where,
                             details={"account": e.account} if e.account else {}))
        elif code == "BASE_CREDENTIALS_INVALID":  # the catalogue words each kind of credential failure
            out.append(Issue(code, message(code, e.kind if e.kind in ("expired-token", "no-credentials") else None),
                             where))
        elif code == "OIDC_PROVIDER_NOT_REGISTERED":
            out.append(Issue(code, message(code, url=e.oidc_provider_url), where))
        elif code in STATED_BLOCKERS:
            out.append(Issue(code, message(code, quote=e.message[:300]) if e.message else None, where))
        elif code:
            out.append(Issue(code, None, where))
        elif e.cause == "SELF_ASSUME_NOT_TRUSTED":
            out.append(Issue(e.cause, message(e.cause, "error_text", caller=e.caller, role=e.role), where,
                             uncertain=True))
        elif e.kind == "access-denied" and e.action and e.action.lower() in (TAG_SESSION.lower(), SET_SOURCE_IDENTITY.lower()):
            c = "TAG_SESSION_NOT_ALLOWED" if e.action.lower() == TAG_SESSION.lower() else "SOURCE_IDENTITY_NOT_ALLOWED"
            out.append(Issue(c, message(c, "error_text", action=e.action), where))
    return out
