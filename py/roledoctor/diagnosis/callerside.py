"""Where the caller comes from: AWS shared config profiles (+ environment variables),
CI files (GitHub Actions, GitLab CI, Kubernetes ServiceAccount), HCP Terraform
dynamic credentials and OIDC tokens -> the request STS receives and who sends it.

Profile resolution follows the AWS SDKs and Tools reference guide:
- assume role settings (role_arn needs exactly one of source_profile,
  credential_source, web_identity_token_file; mfa_serial; external_id;
  duration_seconds; role_session_name):
  https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
- IAM Identity Center (sso_session / sso_account_id / sso_role_name; the caller is a role
  under `aws-reserved/sso.amazonaws.com/`):
  https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html,
  https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html
- which profile: the provider's `profile`, else AWS_PROFILE, else `default`
  (https://registry.terraform.io/providers/hashicorp/aws/latest/docs#shared-configuration-and-credentials-files).
  Terraform cannot prompt for an MFA code (the SDK needs a token provider the provider does
  not set): https://github.com/hashicorp/terraform-provider-aws/issues/2420
HCP Terraform dynamic credentials (TFC_AWS_PROVIDER_AUTH, TFC_AWS_RUN_ROLE_ARN,
TFC_AWS_PLAN_ROLE_ARN / TFC_AWS_APPLY_ROLE_ARN, TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE):
  https://developer.hashicorp.com/terraform/cloud-docs/dynamic-provider-credentials/aws-configuration
"""

from __future__ import annotations

import time
from typing import Any

from roledoctor.diagnosis.model import Issue, Where
from roledoctor.evaluation import WEB_IDENTITY, Caller
from roledoctor.evaluation.model import ROLE, SERVICE
from roledoctor.inputs import platforms
from roledoctor.inputs.model import Arg, AssumeRoleHop

SSO_PATH = "aws-reserved/sso.amazonaws.com/"
UNVERIFIED = ("the OIDC token was decoded, not verified: its signature was not checked (no keys fetched); "
              "its claims are taken as written")


def _recs(case, kind):
    return [r.facts for r in case.inputs.recognised if r.kind == kind]


def _merged_config(case):
    """Profiles of every pasted config/credentials file (a credentials file's keys win for keys),
    sso-sessions, and the environment variables."""
    profiles, sso, env, inputs = {}, {}, {}, {}
    for cfg in _recs(case, "aws-config"):
        for name, sec in cfg.profiles.items():
            cur = profiles.setdefault(name, {})
            for k, a in sec.keys.items():
                if cfg.form == "credentials" or k not in cur:
                    cur[k] = (a, cfg.input)
            inputs.setdefault(name, (cfg.input, sec.span))
        for name, sec in cfg.sso_sessions.items():
            sso[name] = (sec, cfg.input)
        for k, a in cfg.env.items():
            env[k] = (a, cfg.input)
    return profiles, sso, env, inputs


def _v(entry):
    return entry[0].value if entry and isinstance(entry[0].value, str) and entry[0].value else None


def _where(entry):
    return [Where(entry[1], entry[0].span)] if entry else []


# ---- the case ------------------------------------------------------------------------------------

def apply(case) -> None:
    """Before the policies are chosen: the action, hops and role the caller's files imply."""
    case.caller_issues = []
    if case.hops or (case.provider is not None and case.provider.web_identity is not None):
        _profile(case, only_caller=True)
        return
    src = next(iter(_recs(case, "caller-source")), None)
    token = next(iter(_recs(case, "oidc-token")), None)
    if src is not None:
        _from_source(case, src)
    elif _hcp(case):
        pass
    elif _env_web_identity(case):
        pass
    else:
        _profile(case, only_caller=False)
    if token is not None:
        _from_token(case, token)


def _set_web(case, role: Arg | None, platform: str | None, audience: str | None, source: str) -> None:
    case.web, case.action = True, WEB_IDENTITY
    if role is not None and isinstance(role.value, str):
        case.role_arn = role.value
    case.oidc_platform = platform or case.oidc_platform
    if audience:
        case.oidc_audience = audience
    case.caller_from = source


def _from_source(case, src) -> None:
    case.caller_source = src
    if src.token_missing:
        case.caller_issues.append(Issue("OIDC_TOKEN_NOT_ISSUED", f"{src.input}: {src.token_missing}, so the job gets "
                                        "no OIDC token and cannot call sts:AssumeRoleWithWebIdentity.",
                                        [Where(src.input, src.token_span or src.span)]))
    if src.web_identity:
        _set_web(case, src.role_arn, src.platform, src.audience.value if src.audience else None, src.kind)
        return
    # sts:AssumeRole by the CI tool (access keys, role chaining): one hop, with the tool's session tags
    hop = AssumeRoleHop(0, role_arn=src.role_arn, session_name=src.session_name,
                        duration=Arg("duration", f"{src.duration_seconds.value}s", src.duration_seconds.expr,
                                     src.duration_seconds.span)
                        if src.duration_seconds is not None and isinstance(src.duration_seconds.value, int) else None,
                        external_id=src.external_id,
                        tags=Arg("tags", dict(src.tags), "(session tags of the CI tool)", src.tags_span)
                        if src.tags else None)
    hop.args = {k: a for k, a in (("role_arn", hop.role_arn), ("session_name", hop.session_name),
                                  ("tags", hop.tags)) if a is not None}
    case.hops, case.provider = [hop], None
    if src.chained_from:
        case.caller_hint = Caller(arn=src.chained_from, type=ROLE, role_arn=src.chained_from,
                                  session_name="GitHubActions")
        case.caller_hint_from = f"{src.input} (role-chaining: the previous configure-aws-credentials step's role)"
    elif src.service_caller:
        case.caller_hint = Caller(arn=src.service_caller, type=SERVICE)
        case.caller_hint_from = f"{src.input} (the service {src.service_caller})"
    if src.tags:
        case.assumptions.append(f"{src.input}: {src.tags_note}")


def _env_web_identity(case) -> bool:
    _, _, env, _ = _merged_config(case)
    if env.get("AWS_ROLE_SESSION_NAME"):
        case.env_session_name = _v(env["AWS_ROLE_SESSION_NAME"])
    role = env.get("AWS_ROLE_ARN")
    if not role:
        return False
    case.caller_source_env = env
    token_file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE")
    if token_file is not None and not _v(token_file):
        case.caller_issues.append(Issue("OIDC_TOKEN_NOT_ISSUED", "`AWS_WEB_IDENTITY_TOKEN_FILE` is empty: the SDK "
                                        "finds no token to pass to sts:AssumeRoleWithWebIdentity.",
                                        _where(token_file)))
    if token_file is None:  # AWS_ROLE_ARN alone: the SDK's web identity provider needs both
        return False
    _set_web(case, role[0], None, None, "environment (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)")
    return True


def _hcp(case) -> bool:
    _, _, env, _ = _merged_config(case)
    run = env.get("TFC_AWS_RUN_ROLE_ARN") or env.get("TFC_AWS_APPLY_ROLE_ARN") or env.get("TFC_AWS_PLAN_ROLE_ARN")
    auth = env.get("TFC_AWS_PROVIDER_AUTH")
    if run is None and auth is None:
        return False
    if auth is None or (_v(auth) or "").lower() != "true":
        case.caller_issues.append(Issue(
            "OIDC_TOKEN_NOT_ISSUED", "HCP Terraform issues a workload identity token only with "
            "`TFC_AWS_PROVIDER_AUTH=true`" + (f" (it is `{_v(auth)}`)" if auth and _v(auth) else " (it is not set)")
            + ".", _where(auth) or _where(run)))
    aud = _v(env.get("TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE")) or "aws.workload.identity"
    phase = "apply" if env.get("TFC_AWS_APPLY_ROLE_ARN") and not env.get("TFC_AWS_RUN_ROLE_ARN") else \
        "plan" if env.get("TFC_AWS_PLAN_ROLE_ARN") and not env.get("TFC_AWS_RUN_ROLE_ARN") else None
    _set_web(case, run[0] if run else None, "hcp-terraform", aud, "HCP Terraform dynamic credentials")
    case.hcp_phase = phase
    return True


def _from_token(case, t) -> None:
    case.oidc_token = t
    if t.issuer:
        case.oidc_issuer = t.issuer.split("://", 1)[-1].rstrip("/")
        p = platforms.match(t.issuer)
        case.oidc_platform = p.id if p else case.oidc_platform
    if t.subject:
        case.oidc_subject = t.subject
    if t.audiences:
        case.oidc_audience = t.audiences[0]
    if not case.web and not case.hops:
        case.web, case.action = True, WEB_IDENTITY
    case.assumptions.append(UNVERIFIED)
    now = int(time.time())
    # a raw JWT is a secret: evidence never quotes it (no span: no text); decoded claims are pointed at
    whole = t.span if t.form == "claims" else None
    where = [Where(t.input, t.spans.get("exp") or whole)]
    if t.exp is not None and t.exp <= now:
        case.caller_issues.append(Issue("WEB_IDENTITY_TOKEN_INVALID", f"The token expired at "
                                        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(t.exp))} (`exp` = "
                                        f"{t.exp}); STS refuses an expired token. Request a fresh one "
                                        "(decoded, not verified).", where, {"exp": t.exp}))
    elif t.nbf is not None and t.nbf > now + 300:
        case.caller_issues.append(Issue("WEB_IDENTITY_TOKEN_INVALID", f"The token is not valid before "
                                        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(t.nbf))} (`nbf`).",
                                        [Where(t.input, t.spans.get("nbf") or whole)], {"nbf": t.nbf}))


# ---- profiles ---------------------------------------------------------------------------------------

def _chosen_profile(case, env) -> tuple[str, list]:
    prov = case.provider
    if prov is not None and prov.profile is not None and isinstance(prov.profile.value, str) and not prov.profile.symbolic:
        return prov.profile.value, [Where(prov.input, prov.profile.span)]
    if case.backend is not None and case.backend.profile is not None and isinstance(case.backend.profile.value, str):
        return case.backend.profile.value, [Where(case.backend.input, case.backend.profile.span)]
    if env.get("AWS_PROFILE"):
        return _v(env["AWS_PROFILE"]) or "default", _where(env["AWS_PROFILE"])
    return "default", []


def _walk_chain(profiles: dict, sso: dict, inputs: dict, name: str, chosen_where: list
                ) -> tuple[list[tuple[str, dict]], list[str], Any, tuple[str, list] | None]:
    """From the chosen profile along `source_profile` to the profile that holds the
    credentials: (the role hops, the profiles seen, the base credentials, what breaks the chain)."""
    chain: list[tuple[str, dict]] = []
    seen: list[str] = []
    current = name
    base: Any = None  # Caller of the first hop, or None (unknown)
    broken: tuple[str, list] | None = None
    while True:
        if current not in profiles:
            where = chosen_where if not chain else _where(chain[-1][1].get("source_profile"))
            known = ", ".join(f"`{p}`" for p in sorted(profiles)) or "none"
            broken = (f"profile `{current}` is not in the pasted config or credentials files (profiles: {known})",
                      where)
            break
        p = profiles[current]
        seen.append(current)
        has_role = _v(p.get("role_arn"))
        src, cred = _v(p.get("source_profile")), _v(p.get("credential_source"))
        wif = _v(p.get("web_identity_token_file"))
        if has_role:
            if src and cred:
                broken = (f"profile `{current}` sets both `source_profile` and `credential_source`; the SDK "
                          "accepts exactly one", _where(p.get("credential_source")))
                break
            chain.append((current, p))
            if wif:
                base = "web"
                break
            if cred:
                base = f"credential_source {cred}"
                break
            if not src:
                extra = " (`credential_process` in the same profile is not a source for `role_arn`)" \
                    if p.get("credential_process") else ""
                broken = (f"profile `{current}` has `role_arn` but no `source_profile`, `credential_source` or "
                          f"`web_identity_token_file`{extra}", _where(p.get("role_arn")))
                break
            if src in seen and not (src == current and p.get("aws_access_key_id")):
                broken = (f"profile `{current}`'s `source_profile` `{src}` loops back "
                          f"({' -> '.join(seen + [src])})", _where(p.get("source_profile")))
                break
            if src == current:
                base = "static"
                break
            current = src
            continue
        base, broken = _source_base(current, p, sso, inputs)
        break
    return chain, seen, base, broken


def _source_base(current: str, p: dict, sso: dict, inputs: dict) -> tuple[Any, tuple[str, list] | None]:
    """A source profile's credentials: static keys, IAM Identity Center, a process; or why it has none."""
    if _v(p.get("sso_session")) or _v(p.get("sso_start_url")):
        sname = _v(p.get("sso_session"))
        if sname and sname not in sso:
            return None, (f"profile `{current}` names `sso_session = {sname}`, but there is no "
                          f"`[sso-session {sname}]` section", _where(p.get("sso_session")))
        acct, role = _v(p.get("sso_account_id")), _v(p.get("sso_role_name"))
        if not acct or not role:
            return None, (f"profile `{current}` uses IAM Identity Center but lacks "
                          f"{'`sso_account_id`' if not acct else '`sso_role_name`'}", _where(p.get("sso_session")))
        return ("sso", acct, role), None
    if p.get("credential_process"):
        return "process", None
    if p.get("aws_access_key_id"):
        return "static", None
    return None, (f"profile `{current}` has no credentials (no keys, `sso_session`, `credential_process` or "
                  "`role_arn`)", [Where(inputs[current][0], inputs[current][1])])


def _profile(case, only_caller: bool) -> None:
    profiles, sso, env, inputs = _merged_config(case)
    if not profiles:
        return
    name, chosen_where = _chosen_profile(case, env)
    _shared_files_note(case, inputs)
    chain, seen, base, broken = _walk_chain(profiles, sso, inputs, name, chosen_where)
    case.profile_name = name
    if broken:
        case.caller_issues.append(Issue("PROFILE_CHAIN_BROKEN", f"The AWS profile `{name}` cannot give credentials: "
                                        f"{broken[0]}.", broken[1] or chosen_where,
                                        {"profile": name, "chain": seen}))
        return
    for pname, p in chain:
        if _v(p.get("mfa_serial")):
            case.profile_mfa = True
            case.caller_issues.append(Issue(
                "PROFILE_FEATURE_UNSUPPORTED", f"Profile `{pname}` sets `mfa_serial`: the AWS SDK would prompt for "
                "an MFA code, which Terraform cannot do (\"AssumeRoleTokenProvider session option not set\"). Get "
                "an MFA session first with a credential helper (`credential_process`, aws-vault) and point "
                "`source_profile` at it.", _where(p.get("mfa_serial")), {"profile": pname}))
    case.caller_from_profile = name
    # the base caller
    hint = None
    if isinstance(base, tuple) and base[0] == "sso":
        _, acct, role = base
        arn = f"arn:aws:iam::{acct}:role/{SSO_PATH}AWSReservedSSO_{role}_HASH"
        hint = Caller(arn=arn, type=ROLE, role_arn=arn, session_name="SSO-USER")
        case.assumptions.append(f"profile `{name}`: the caller is the IAM Identity Center role of permission set "
                                f"`{role}` in {acct} (`role/{SSO_PATH}AWSReservedSSO_{role}_…`; its suffix is "
                                "not known)")
    elif base == "web":
        pass
    elif base is not None:
        case.assumptions.append(f"profile `{name}`: the base credentials ({base}) belong to an identity the files "
                                "do not name")
    if only_caller:
        # the provider's own assume_role: the profile gives hop 0's caller (its last role, else the base)
        if chain:
            last = _v(chain[-1][1].get("role_arn"))
            case.caller_hint = Caller(arn=last, type=ROLE, role_arn=last)
        elif hint is not None:
            case.caller_hint = hint
        case.caller_hint_from = f"profile `{name}`"
        return
    if not chain:
        case.caller_hint, case.caller_hint_from = hint, f"profile `{name}`"
        return
    hops = []
    for i, (_pname, p) in enumerate(reversed(chain)):
        role = p.get("role_arn")
        dur = _v(p.get("duration_seconds"))
        hop = AssumeRoleHop(i, role_arn=role[0], session_name=p["role_session_name"][0] if p.get("role_session_name")
                            else None, external_id=p["external_id"][0] if p.get("external_id") else None,
                            duration=Arg("duration", f"{dur}s", dur, p["duration_seconds"][0].span)
                            if dur and dur.isdigit() else None)
        hop.args = {k: a for k, a in (("role_arn", hop.role_arn), ("session_name", hop.session_name),
                                      ("external_id", hop.external_id), ("duration", hop.duration)) if a is not None}
        hops.append(hop)
    if base == "web":
        case.web, case.action = True, WEB_IDENTITY
        case.role_arn = hops[0].role_arn.value if hops[0].role_arn is not None else None
        return
    case.hops, case.provider = hops, None
    case.caller_hint, case.caller_hint_from = hint, f"profile `{name}`"


def _shared_files_note(case, inputs) -> None:
    """The provider's shared_config_files / shared_credentials_files: say which pasted files stand for them."""
    prov = case.provider
    if prov is None:
        return
    pasted = sorted({i for i, _ in inputs.values()})
    for arg in ("shared_config_files", "shared_credentials_files"):
        a = prov.args.get(arg)
        if a is None or a.symbolic or not isinstance(a.value, list):
            continue
        files = [str(v) for v in a.value]
        case.assumptions.append(f"the provider reads `{arg}` = {', '.join(f'`{f}`' for f in files)}: the pasted "
                                f"AWS files ({', '.join(f'`{p}`' for p in pasted)}) are taken as those")


# ---- after the trust is known ----------------------------------------------------------------------

def subject_for(case) -> None:
    """The subject the job's token carries: the CI file's context, the repository/project from the trust."""
    src = getattr(case, "caller_source", None)
    if case.oidc_subject or src is None or not src.web_identity:
        return
    parts = src.subject_parts
    if "subject" in parts:
        case.oidc_subject = parts["subject"]
        case.assumptions.append(f"the OIDC subject is `{case.oidc_subject}` ({src.subject_note})")
        return
    ctx = parts.get("context")
    if not ctx:
        return
    prefix = None
    trust_subs = _trust_subjects(case)
    if src.platform == "github" and trust_subs and not any(v.startswith("repo:") for v in trust_subs):
        # a customised subject (e.g. repository_owner_id:…:repository_id:…:environment:…): its IDs are not in
        # the workflow (https://docs.github.com/en/actions/reference/security/oidc#customizing-the-token-claims)
        case.assumptions.append(f"the trust expects a customised GitHub subject (`{trust_subs[0]}`); the workflow "
                                f"gives only `{ctx}`: paste the token's decoded claims to check `sub`")
        return
    for v in trust_subs:
        if src.platform == "github" and v.startswith("repo:") and v.count(":") >= 2:
            prefix = ":".join(v.split(":", 2)[:2])
            break
        if src.platform == "gitlab" and v.startswith("project_path:"):
            prefix = ":".join(v.split(":", 2)[:2])
            break
    if prefix is None:
        prefix = "repo:OWNER/REPO" if src.platform == "github" else "project_path:GROUP/PROJECT"
        case.assumptions.append("the repository is not in the CI file: the trust names none either, "
                                f"`{prefix}` stands for it")
    case.oidc_subject = f"{prefix}:{ctx}"
    case.assumptions.append(f"the OIDC subject is `{case.oidc_subject}` ({src.subject_note}; the repository as "
                            "the trust names it)")


def _trust_subjects(case) -> list[str]:
    if case.trust is None:
        return []
    return [v for s in case.trust.policy.statements for c in s.conditions if c.key.lower().endswith(":sub")
            for v in c.values]


def sso_role_from_trust(case) -> None:
    """An IAM Identity Center caller's role name ends in a suffix the config does not give
    (AWSReservedSSO_PERMISSIONSET_SUFFIX): take the one the trust names for that permission set."""
    hint = getattr(case, "caller_hint", None)
    if hint is None or not (hint.arn or "").endswith("_HASH") or case.trust is None:
        return
    head = hint.arn[:-len("HASH")]  # arn:aws:iam::ACCT:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_NAME_
    acct_prefix, name = head.split(SSO_PATH, 1)
    values = [v for s in case.trust.policy.statements for v in (s.principal or {}).get("AWS", [])]
    values += [v for s in case.trust.policy.statements for c in s.conditions for v in c.values]
    for v in values:
        if isinstance(v, str) and v.startswith(acct_prefix + SSO_PATH) and v.rsplit("/", 1)[-1].startswith(name) \
                and "*" not in v and "?" not in v:
            case.caller_hint = Caller(arn=v, type=ROLE, role_arn=v, session_name=hint.session_name)
            case.assumptions.append(f"the IAM Identity Center role's suffix is taken from the trust: `{v}`")
            return


def hcp_subject(case) -> None:
    if case.oidc_platform != "hcp-terraform" or case.oidc_subject:
        return
    phase = getattr(case, "hcp_phase", None)
    for v in _trust_subjects(case):
        if v.startswith("organization:") and ":run_phase:" in v:
            head = v.rsplit(":run_phase:", 1)[0]
            if "*" not in head and "?" not in head:
                case.oidc_subject = f"{head}:run_phase:{phase or 'apply'}"
                case.assumptions.append(f"the HCP Terraform subject is taken as `{case.oidc_subject}` (the "
                                        f"workspace the trust names; run phase {phase or 'apply'})")
                return


def caller_hint(case):
    return getattr(case, "caller_hint", None), getattr(case, "caller_hint_from", "")


def issues(case, ev_issues: list[Issue]) -> list[Issue]:
    """The caller-side issues, and MFA conditions the profile's caller cannot meet as MFA_NOT_PRESENT."""
    out = list(getattr(case, "caller_issues", []))
    from roledoctor.diagnosis.conditions import key_fix
    for i in ev_issues:
        fixed = key_fix(str(i.details.get("key", "")))
        if i.code in ("OIDC_SUBJECT_MISMATCH", "OIDC_AUDIENCE_MISMATCH") and fixed:
            i.code, i.repairs, i.facts = "TRUST_CONDITION_UNMET", [], []
            i.message = (f"The trust's condition on `{i.details.get('key')}` is never met: IAM sets no such key "
                         f"(it is `{fixed}`), see POLICY_CONDITION_NEVER_MATCHES.")
    subject = case.oidc_subject or ""
    if subject.startswith("repo:") and "@" in subject.split(":", 2)[1]:
        for i in ev_issues:
            if i.code == "OIDC_SUBJECT_MISMATCH" and not any("@" in str(v) for v in i.details.get("expected") or []):
                i.message = (i.message or "") + (" The subject carries GitHub's immutable owner and repository IDs "
                                                 "(`OWNER@ID/REPO@ID`), the default for repositories created or "
                                                 "renamed from July 2026 (https://github.blog/changelog/"
                                                 "2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens/).")
    if getattr(case, "caller_from_profile", None) or getattr(case, "profile_mfa", False):
        for i in ev_issues:
            key = str(i.details.get("key", "")).lower()
            if i.code == "TRUST_CONDITION_UNMET" and key in ("aws:multifactorauthpresent", "aws:multifactorauthage"):
                i.code = "MFA_NOT_PRESENT"
                i.message = (f"The trust requires MFA (`{i.details.get('key')}`), and the credentials of profile "
                             f"`{case.caller_from_profile}` carry none: Terraform cannot prompt for a code. Get an "
                             "MFA session first (a credential helper behind `credential_process`), or narrow the "
                             "condition to humans.")
                i.repairs, i.facts = [], []
    return out


def audience(case, issuer: str) -> tuple[str | None, str]:
    """The token's audience and the assumption to state (empty when a file or token says it)."""
    from roledoctor.diagnosis.facts import DEFAULT_AUDIENCE
    if case.oidc_audience:
        return case.oidc_audience, ""
    p = platforms.BY_ID.get(case.oidc_platform or "") or platforms.match(issuer)
    if p is None or p.id == "github":
        return DEFAULT_AUDIENCE, (f"the OIDC token's audience is assumed to be {DEFAULT_AUDIENCE} "
                                  "(the default of aws-actions/configure-aws-credentials)")
    if p.audience:
        return p.audience, f"the OIDC token's audience is assumed to be {p.audience} ({p.audience_note})"
    return None, f"the OIDC token's audience is not known: {p.audience_note}"


def after_request(case) -> None:
    """Condition keys IAM never sets (written with a URL or ARN prefix) are absent, not unknown."""
    from roledoctor.diagnosis.conditions import key_fix
    if case.request is None:
        return
    if getattr(case, "env_session_name", None) and case.web and case.request.session_name is None:
        case.request.session_name = case.env_session_name  # AWS_ROLE_SESSION_NAME
    src = getattr(case, "caller_source", None)
    if src is not None and src.web_identity and case.web:  # the CI tool's session name and duration
        if case.request.session_name is None and src.session_name is not None and isinstance(src.session_name.value, str):
            case.request.session_name = src.session_name.value
        d = src.duration_seconds
        if case.request.duration_seconds is None and d is not None and isinstance(d.value, int):
            case.request.duration_seconds = d.value
    if case.trust is None:
        return
    for st in case.trust.policy.statements:
        for c in st.conditions:
            if key_fix(c.key) and c.key not in case.request.context:
                case.request.context[c.key] = None
