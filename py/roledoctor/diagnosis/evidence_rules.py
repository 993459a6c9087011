"""Blockers only AWS output can show: the role does not exist (NoSuchEntity, or the
account's authorization details lack it), the role was created moments before the
failed call (IAM is eventually consistent,
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency),
and the IAM OIDC provider (get-open-id-connect-provider, list-open-id-connect-providers)
lacks the token's issuer or audience
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html).
"""

from __future__ import annotations

from datetime import datetime, timezone

from roledoctor.diagnosis.model import Issue, Where
from roledoctor.evaluation import ALLOWED
from roledoctor.findings.catalogue import message

DECISIVE = ("ROLE_NOT_FOUND", "OIDC_PROVIDER_NOT_REGISTERED", "OIDC_AUDIENCE_NOT_REGISTERED")
# IAM changes reach STS "within seconds" usually; a call this soon after creation may not see the role.
PROPAGATION_SECONDS = 120


def parse_time(text: str) -> datetime | None:
    """ISO 8601 as AWS prints it: 2019-11-18T05:01:58Z, 2013-04-18 05:01:58+00:00, …+00:00."""
    if not text or len(text) > 40:
        return None
    t = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        d = datetime.fromisoformat(t)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def blockers(case, ev) -> list[Issue]:
    k = case.aws
    if k is None:
        return []
    out: list[Issue] = []
    if k.role_not_found:
        nf = k.role_not_found
        out.append(Issue("ROLE_NOT_FOUND", message("ROLE_NOT_FOUND", role=case.role_arn, why=nf["why"]),
                         [Where(nf["input"], nf["span"])], {"role": case.role_arn}))
        return out
    out += _oidc(case, k)
    t, role = k.trail, k.role
    if t is not None and role is not None and t.error_code and ev is not None and ev.verdict == ALLOWED:
        when, created = parse_time(t.event_time), parse_time(role.create_date)
        if when is not None and created is not None:
            delta = (when - created).total_seconds()
            if 0 <= delta <= PROPAGATION_SECONDS:
                values = {"event_time": t.event_time, "role_created": role.create_date, "seconds": int(delta)}
                out.append(Issue("ROLE_NOT_YET_PROPAGATED", message("ROLE_NOT_YET_PROPAGATED", **values),
                                 [Where(k.trail_input, t.span), Where(k.role_input, role.span)], values))
    return out


def _issuer(case) -> str:
    c = case.caller
    prov = (c.provider if c is not None else None) or ""
    return prov.split("oidc-provider/", 1)[-1] if "oidc-provider/" in prov else ""


def _oidc(case, k) -> list[Issue]:
    if not case.web:
        return []
    host = _issuer(case)
    arn = case.caller.provider if case.caller is not None else ""
    if not host:
        return []
    nf = k.oidc_not_found
    if nf is not None and (not nf.get("arn") or nf["arn"] == arn):
        return [Issue("OIDC_PROVIDER_NOT_REGISTERED", message("OIDC_PROVIDER_NOT_REGISTERED", "not_found", arn=arn,
                                                             why=nf["message"][:200], host=host),
                      [Where(nf["input"], nf["span"])])]
    if k.oidc_listed is not None and arn not in k.oidc_listed:
        ev = next(e for e in k.evidence if e.oidc_listed is not None)
        return [Issue("OIDC_PROVIDER_NOT_REGISTERED", message("OIDC_PROVIDER_NOT_REGISTERED", "not_listed",
                                                             listed=list(k.oidc_listed), arn=arn, host=host),
                      [Where(ev.input, ev.span)])]
    prov = next((p for p in k.oidc if p["url"].split("://", 1)[-1].rstrip("/") == host
                 or (p["arn"] and p["arn"] == arn)), None)
    if prov is None:
        return []
    aud = case.request.context.get(f"{host}:aud") if case.request is not None else None
    auds = [aud] if isinstance(aud, str) else list(aud or [])
    missing = [a for a in auds if a not in prov["client_ids"]]
    if missing:
        ev = next(e for e in k.evidence if prov in e.oidc_providers)
        return [Issue("OIDC_AUDIENCE_NOT_REGISTERED",
                      message("OIDC_AUDIENCE_NOT_REGISTERED", "client_ids", audience=missing[0], url=prov["url"],
                              client_ids=list(prov["client_ids"]), arn=arn),
                      [Where(ev.input, prov.get("span") or ev.span)],
                      {"audience": missing[0], "client_ids": prov["client_ids"]})]
    return []
