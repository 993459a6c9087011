"""Inputs -> the facts of one AssumeRole request: who calls, which role, which
hop of a chain, and every policy that decides it (engine Request + Policies).

Sources of each fact:
- the failing role and caller: the error text (the AccessDenied sentence,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html),
  else the provider block;
- the hop: `assume_role` blocks are assumed in order (provider v5.67.0+,
  https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume-role-configuration-block),
  so hop N is called by hop N-1's role session (role chaining,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html#iam-term-role-chaining);
- GitHub OIDC callers: the Federated principal is the role account's
  `oidc-provider/token.actions.githubusercontent.com`
  (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from roledoctor.diagnosis import callerside
from roledoctor.diagnosis import aws_evidence, joined
from roledoctor.inputs.evidence.authdetails import recognise_text as authorization_details
from roledoctor.diagnosis.model import Source
from roledoctor.diagnosis.rolearn import role_arn_problem
from roledoctor.evaluation import ASSUME_ROLE, WEB_IDENTITY, Caller, Policies, PolicyLevel, Request
from roledoctor.evaluation.arns import normalise_caller, parse_arn, role_name_and_path
from roledoctor.evaluation.model import ROLE, WEB_IDENTITY_CALLER
from roledoctor.findings.prevention import go_duration_seconds
from roledoctor.inputs import Inputs, read_all
from roledoctor.inputs.documents import blank_outside, split_documents
from roledoctor.inputs.kinds import split_files
from roledoctor.inputs.model import AssumeRoleHop, ErrorFacts, ProviderConfig, S3Backend

# Where a text came from: the page's boxes and the CLI's options.
SLOTS = ("error", "provider", "trust_policy", "caller_policy", "scp", "rcp", "boundary", "session_policy",
         "org_policies", "aws_evidence", "auto")
_MULTI_DOC_SLOTS = ("org_policies", "scp", "rcp", "auto")

GITHUB_ISSUER = "token.actions.githubusercontent.com"
DEFAULT_AUDIENCE = "sts.amazonaws.com"  # id_roles_create_for-idp_oidc.md (GitHub's default audience)
# A GitHub OIDC subject (repo:ORG/REPO:...) quoted in pasted text; one bounded class per part.
_SUBJECT = re.compile(r"\brepo:[A-Za-z0-9_.@-]{1,100}/[A-Za-z0-9_.@-]{1,100}:[A-Za-z0-9_./:@*-]{1,300}")

FULL_AWS_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass
class Prepared:
    raw: dict[str, str]  # as given: box or file name -> text
    slots: dict[str, str]  # raw name -> slot
    inputs: Inputs
    origin: dict[str, str]  # read_all input name -> raw name


def prepare(raw: dict[str, str], slots: dict[str, str] | None = None) -> Prepared:
    slots = dict(slots or {})
    pieces: dict[str, str] = {}
    origin: dict[str, str] = {}
    for name, text in raw.items():
        slot = slots.setdefault(name, "auto")
        parts = split_documents(text) if slot in _MULTI_DOC_SLOTS and isinstance(text, str) and \
            not authorization_details(text) else []
        if not parts and name == "caller_files":  # the page's box of caller files, joined (inputs/kinds.py)
            parts = split_files(text)
        if not parts:
            pieces[name], origin[name] = text, name
            continue
        for k, (a, b) in enumerate(parts):
            piece = name if k == 0 else f"{name}#{k + 1}"
            pieces[piece], origin[piece] = blank_outside(text, a, b), name
    return Prepared(dict(raw), slots, read_all(pieces), origin)


# ---- the case --------------------------------------------------------------------

@dataclass
class Case:
    prepared: Prepared
    error: ErrorFacts | None = None
    provider: ProviderConfig | None = None
    backend: S3Backend | None = None
    hops: list[AssumeRoleHop] = field(default_factory=list)
    target: int | None = None  # index of the evaluated hop (None: no provider hop)
    web: bool = False  # assume_role_with_web_identity
    action: str = ASSUME_ROLE
    role_arn: str | None = None
    caller: Caller | None = None
    caller_from: str = ""  # "--caller" | "error" | "hop N"
    trust: Source | None = None
    role_resource: object = None  # RoleResource of the target role, when pasted
    identity: list[Source] | None = None
    scps: list[Source] | None = None
    rcps: list[Source] | None = None
    boundary: Source | None = None
    session: Source | None = None
    request: Request | None = None
    policies: Policies | None = None
    assumptions: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (what, why) for INPUT_MISSING
    oidc_subject: str | None = None
    # where the caller comes from (diagnosis/callerside.py): CI files, tokens, profiles
    oidc_issuer: str | None = None  # host/path of the token's issuer, when a token or CI file says
    oidc_audience: str | None = None  # the audience the token carries, when known
    oidc_platform: str | None = None  # an id of roledoctor.inputs.platforms
    caller_issues: list = field(default_factory=list)
    external_id_assumed: bool = False
    aws: object = None  # aws_evidence.Known: what AWS output told (None: no AWS output pasted)
    _trusts: list = field(default_factory=list, repr=False)  # (Source, RoleResource|None) candidates

    @property
    def inputs(self) -> Inputs:
        return self.prepared.inputs

    def slot(self, input_name: str) -> str:
        p = self.prepared
        return p.slots.get(p.origin.get(input_name, input_name), "auto")

    def raw_name(self, input_name: str) -> str:
        return self.prepared.origin.get(input_name, input_name)

    @property
    def hop(self) -> AssumeRoleHop | None:
        return self.hops[self.target] if self.target is not None and self.target < len(self.hops) else None

    @property
    def role_account(self) -> str | None:
        a = parse_arn(self.role_arn)
        return a.account if a else None


def literal(arg) -> object:
    """An Arg's value when it is a literal (not symbolic), else None."""
    if arg is None or arg.symbolic:
        return None
    return arg.value


def _str(arg) -> str | None:
    v = literal(arg)
    return v if isinstance(v, str) else None


def _seconds(arg) -> int | None:
    """A literal Go duration ("1h", "3600s") in seconds; None when absent or not one."""
    d = _str(arg)
    try:
        return go_duration_seconds(d) if d else None
    except ValueError:
        return None


def _policy_forms(inputs: Inputs) -> dict[int, str]:
    forms: dict[int, str] = {}
    for d in inputs.documents:
        if d.policy is not None:
            forms[id(d.policy)] = "json"
    for p in inputs.policies:
        if p.policy is not None and p.policy_source is not None:
            forms.setdefault(id(p.policy), p.policy_source.form)
    for r in inputs.roles:
        if r.trust is not None and r.trust_source is not None and id(r.trust) not in forms:
            forms[id(r.trust)] = r.trust_source.form
    return forms


def _kind_in_org_box(kind: str, policy, error: ErrorFacts | None) -> str:
    """An identity-shaped document among organization policies: a boundary, unless
    its Id/Sid or the error text says it is an SCP (policydoc.classify cannot tell)."""
    names = " ".join([policy.id or ""] + [s.sid or "" for s in policy.statements]).lower()
    for hint, k in (("boundary", "boundary"), ("scp", "scp"), ("servicecontrol", "scp"), ("rcp", "rcp"),
                    ("session", "session")):
        if hint in names:
            return k
    gate = error.denial.gate if error and error.denial else None
    if kind == "identity":
        return "scp" if gate == "scp" else "session" if gate == "session" else "boundary"
    return kind


_SLOT_KIND = {"trust_policy": "trust", "caller_policy": "identity", "scp": "scp", "rcp": "rcp",
              "boundary": "boundary", "session_policy": "session"}


def _pick_error(inputs: Inputs) -> ErrorFacts | None:
    rank = {"access-denied": 0, "web-identity-denied": 0}
    errs = sorted(inputs.errors, key=lambda e: rank.get(e.kind, 1 if e.kind != "unknown" else 2))
    return errs[0] if errs else None


def _pick_provider(inputs: Inputs, error: ErrorFacts | None) -> ProviderConfig | None:
    provs = inputs.providers
    if error and error.provider_alias:
        for p in provs:
            if _str(p.alias) == error.provider_alias:
                return p
    with_role = [p for p in provs if p.assume_role or p.web_identity]
    return (with_role or provs)[0] if (with_role or provs) else None


def build_case(prep: Prepared, caller_arn: str | None = None, verify: bool = False) -> Case:
    inputs = prep.inputs
    case = Case(prep)
    if caller_arn and caller_arn.strip().startswith("repo:"):  # --caller names a GitHub OIDC subject
        case.oidc_subject, caller_arn = caller_arn.strip(), None
    case.error = _pick_error(inputs)
    err = case.error
    case.provider = _pick_provider(inputs, err)
    case.backend = inputs.backends[0] if inputs.backends else None
    if case.provider is not None:
        case.hops = list(case.provider.assume_role)
        case.web = case.provider.web_identity is not None and not case.hops
    elif case.backend is not None and case.backend.assume_role is not None:
        case.hops = [case.backend.assume_role]
    if err and err.caller_kind == "web-identity" and not case.hops:
        case.web = True
    callerside.apply(case)
    case.action = WEB_IDENTITY if case.web else ASSUME_ROLE

    _collect_policies(case)
    _choose_target(case)
    callerside.subject_for(case)
    callerside.hcp_subject(case)
    callerside.sso_role_from_trust(case)
    _choose_caller(case, caller_arn)
    _mask_assumptions(case)
    if case.caller is not None:
        case.caller = normalise_caller(case.caller)
    aws_evidence.apply(case)
    joined.join_caller_role(case)  # the path a session ARN hides, from the caller role's pasted definition
    _build_request(case, verify)
    callerside.after_request(case)
    aws_evidence.apply_request(case)
    return case


def classify_sources(inputs: Inputs, slot_of=lambda name: "auto", error: ErrorFacts | None = None,
                     raw_of=lambda name: name) -> dict[str, list]:
    """Every pasted policy by the part it plays: trust (with its RoleResource or None),
    identity, scp, rcp, boundary, session. The box or option it came in decides
    first, then its shape (policydoc.classify)."""
    forms = _policy_forms(inputs)
    out: dict[str, list] = {"trust": [], "identity": [], "scp": [], "rcp": [], "boundary": [], "session": []}
    for d in inputs.documents:
        if d.policy is None:
            continue
        slot = slot_of(d.input)
        kind: str | None = _SLOT_KIND.get(slot) or d.kind
        if slot == "org_policies":
            kind = _kind_in_org_box(d.kind, d.policy, error)
        src = Source(d.input, d.policy, "json", raw_of(d.input))
        if kind == "trust":
            out["trust"].append((src, None))
        elif kind in out:
            out[kind].append(src)
    trust_ids = set()
    for r in inputs.roles:
        if r.trust is not None:
            trust_ids.add(id(r.trust))
            out["trust"].append((Source(r.trust.source or r.input, r.trust, forms.get(id(r.trust), "json"),
                                        r.address), r))
    for p in inputs.policies:
        if p.policy is None or id(p.policy) in trust_ids:
            continue
        slot = slot_of(p.input)
        src = Source(p.policy.source or p.input, p.policy, forms.get(id(p.policy), "json"), p.address)
        kind = _SLOT_KIND.get(slot)
        if kind is None:
            if any(s.principal is not None for s in p.policy.statements):
                kind = "trust"
            elif any(a.lower().startswith("sts:") or a == "*" for s in p.policy.statements for a in (s.action or [])):
                kind = "identity"
        if kind == "trust":
            out["trust"].append((src, None))
        elif kind in out:
            out[kind].append(src)
    return out


def _collect_policies(case: Case) -> None:
    found = classify_sources(case.inputs, case.slot, case.error, case.raw_name)
    case._trusts = found["trust"]
    case.identity = found["identity"] or None
    case.scps = found["scp"] or None
    case.rcps = found["rcp"] or None
    case.boundary = found["boundary"][0] if found["boundary"] else None
    case.session = found["session"][0] if found["session"] else None
    if len(found["boundary"]) > 1:
        case.assumptions.append("several permissions boundaries pasted: only the first is used")


def masked_account(account: str | None) -> bool:
    """An account ID a poster masked (OMITTED, ***, <redacted>, 1234xxxxxxxx …): not twelve digits."""
    return account is not None and account != "" and not (len(account) == 12 and account.isdigit()) \
        and not account.startswith('"')


def same_arn(pasted: str | None, other: str | None) -> bool:
    """The same ARN, a masked account standing for any account."""
    if not pasted or not other:
        return False
    if pasted == other:
        return True
    a, b = pasted.split(":", 5), other.split(":", 5)
    if len(a) != 6 or len(b) != 6 or a[:4] != b[:4] or a[5] != b[5]:
        return False
    return masked_account(a[4]) or masked_account(b[4])


def _mask_assumptions(case: Case) -> None:
    """Say what the diagnosis took masked account IDs of the error to be."""
    err = case.error
    if err is None:
        return
    caller_acct = err.caller_account if masked_account(err.caller_account) else None
    role_acct = err.role_account if masked_account(err.role_account) else None
    if not caller_acct and not role_acct:
        return
    ra = parse_arn(case.role_arn) if case.role_arn else None
    role_real = case.role_arn and not masked_account(ra.account if ra else None)
    if role_acct and role_real:
        case.assumptions.append(f"the error masks the role's account (`{role_acct}`): the role is taken to be "
                                f"`{case.role_arn}`, as pasted elsewhere")
    elif caller_acct and role_acct and caller_acct == role_acct:
        case.assumptions.append(f"the error masks the account IDs (`{caller_acct}`): the same mask for the caller "
                                "and the role is taken as the same account")
    elif caller_acct and role_acct:
        case.assumptions.append(f"the error masks the account IDs (`{caller_acct}`, `{role_acct}`): different masks "
                                "are taken as different accounts")
    else:
        case.assumptions.append(f"the error masks an account ID (`{caller_acct or role_acct}`): it is taken as "
                                "another account than the one shown")


def _hop_role(h: AssumeRoleHop) -> str | None:
    """The hop's role ARN; an invalid one is read as its evident valid form (PROVIDER_ROLE_ARN_INVALID says so)."""
    v = _str(h.role_arn)
    if not v or not v.strip():
        return None
    bad = role_arn_problem(v)
    return bad[1] if bad and bad[1] else v.strip()


def _choose_target(case: Case) -> None:
    err = case.error
    roles = [_hop_role(h) for h in case.hops]
    if case.web and case.provider is not None and case.provider.web_identity is not None:
        case.role_arn = _str(case.provider.web_identity.role_arn)
    if case.hops:
        idx = None
        same = [i for i, r in enumerate(roles) if err and same_arn(err.role, r)]
        if same:
            idx = same[0]
        elif err and err.hop and err.hop <= len(case.hops):
            idx = err.hop - 1
        if idx is None:
            idx = _hop_of_trust(case, roles)
        case.target = idx
        case.role_arn = roles[idx]
        if case.role_arn is None and err and err.role and len(case.hops) == 1:
            case.role_arn = err.role
    if case.role_arn is None and err and err.role:
        case.role_arn = err.role
    # the target role's trust: the role resource named like the role, else the only one
    trusts = case._trusts
    if case.role_arn and len(trusts) > 1:
        ra = parse_arn(case.role_arn)
        name = role_name_and_path(ra.resource)[0] if ra else ""
        named = [t for t in trusts if t[1] is not None and _str(t[1].name) == name]
        pasted = [t for t in trusts if case.slot(t[0].input) == "trust_policy"]
        trusts = named or pasted or trusts
    if trusts:
        case.trust, case.role_resource = trusts[0]
        if len(case._trusts) > 1 and len(trusts) > 1:
            case.assumptions.append(f"several trust policies pasted: {trusts[0][0].label} taken as the role's")
    if case.role_arn is None and case.role_resource is not None:
        arn = _str(case.role_resource.args.get("arn")) if hasattr(case.role_resource, "args") else None
        case.role_arn = arn


def _hop_of_trust(case: Case, roles: list[str | None]) -> int:
    names = {_str(r.name) for _, r in case._trusts if r is not None}
    for i, arn in enumerate(roles):
        a = parse_arn(arn)
        if a and role_name_and_path(a.resource)[0] in names:
            return i
    return len(roles) - 1


def _choose_caller(case: Case, caller_arn: str | None) -> None:
    err = case.error
    if case.web:
        _web_caller(case)
        return
    t = case.target or 0
    if case.hops and t > 0:
        prev = _hop_role(case.hops[t - 1])
        if prev:
            session = None
            if err and err.caller and err.caller_kind == "assumed-role":
                session = err.caller.rsplit("/", 1)[-1]
            case.caller = Caller(arn=prev, type=ROLE, role_arn=prev, session_name=session or _str(case.hops[t - 1].session_name))
            case.caller_from = f"hop {t}"
            return
    if caller_arn:
        case.caller, case.caller_from = Caller(arn=caller_arn.strip()), "--caller"
    elif err and err.caller:
        case.caller, case.caller_from = Caller(arn=err.caller), "error"
    if case.caller is not None:
        _other_identities(case)
        return
    if case.prepared.inputs.identities:
        who = case.prepared.inputs.identities[0]
        unique = (who.user_id or "").split(":", 1)[0] or None
        case.caller = Caller(arn=who.arn, account=who.account, unique_id=unique)
        case.caller_from = "get-caller-identity"
    elif callerside.caller_hint(case)[0] is not None:
        case.caller, case.caller_from = callerside.caller_hint(case)
    elif err is not None:  # never ask for what was pasted
        case.missing.append(("the identity that runs Terraform",
                             "the error pasted does not name it: paste the output of `aws sts get-caller-identity`, "
                             "or give --caller ARN"))
    else:
        case.missing.append(("the identity that runs Terraform",
                             "paste the error output (it names the caller), the output of "
                             "`aws sts get-caller-identity`, or give --caller ARN"))


def _other_identities(case: Case) -> None:
    """Another identity printed elsewhere (get-caller-identity in a CI log): said, never chosen silently.
    It may be the base credentials before a profile's own role, so it is not taken as an error."""
    caller = case.caller
    if caller is None:
        return
    mine = _session_role(caller.arn)
    err = case.error
    if case.caller_from == "--caller" and err is not None and err.caller and _session_role(err.caller) != mine:
        case.assumptions.append(f"the caller is taken from --caller: `{caller.arn}`; the error names "
                                f"`{err.caller}`")
    for who in case.prepared.inputs.identities:
        if who.arn and _session_role(who.arn) != mine:
            case.assumptions.append(f"the caller is taken from the {case.caller_from}: `{caller.arn}`; "
                                    f"{case.raw_name(who.input)} also prints the identity `{who.arn}` (e.g. the "
                                    "credentials before a profile's role), which is not the one STS refused")
            return


def _session_role(arn: str | None) -> str:
    """A role session and its role compare equal: assumed-role/NAME/… and role/…/NAME."""
    a = parse_arn(arn)
    if a is None:
        return arn or ""
    if a.kind == "assumed-role":
        return f"{a.account}:role:{(a.resource.split('/') + [''])[1]}"
    if a.kind == "role":
        return f"{a.account}:role:{role_name_and_path(a.resource)[0]}"
    return f"{a.account}:{a.resource}"


def _web_caller(case: Case) -> None:
    """GitHub OIDC: the provider ARN the token maps to, and the token's claims."""
    host = case.oidc_issuer or GITHUB_ISSUER
    fed = []
    if case.trust is not None:
        fed = [v for s in case.trust.policy.statements for v in (s.principal or {}).get("Federated", [])]
    if fed and not case.oidc_issuer and not any(v.endswith("/" + GITHUB_ISSUER) for v in fed):
        host = fed[0].split("oidc-provider/", 1)[-1] if "oidc-provider/" in fed[0] else host
    err = case.error
    if err and err.oidc_provider_url:
        host = err.oidc_provider_url.split("://", 1)[-1].rstrip("/")
    acct = case.role_account
    ra = parse_arn(case.role_arn) if case.role_arn else None
    part = ra.partition if ra else "aws"
    provider = f"arn:{part}:iam::{acct}:oidc-provider/{host}" if acct else None
    if provider is None:
        case.missing.append(("the role ARN", "needed to know which OIDC provider the token maps to"))
        return
    case.caller = Caller(arn=provider, type=WEB_IDENTITY_CALLER, provider=provider)
    case.caller_from = "web identity"
    if case.oidc_subject is None:
        # quoted in the error box (e.g. a configure-aws-credentials log), never taken from a policy
        names = [e.input for e in case.inputs.errors] + [n for n in case.inputs.texts if case.slot(n) == "error"]
        for name in names:  # (the error box may hold the subject alone)
            text = case.inputs.texts.get(name)
            m = _SUBJECT.search(text) if isinstance(text, str) else None
            if m:
                case.oidc_subject = m.group(0)
                break


def _tags(arg) -> dict[str, str]:
    v = literal(arg)
    return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else {}


def build_request(case: Case, verify: bool = False) -> None:
    """The engine's Request and Policies for the case's caller, role and hop."""
    _build_request(case, verify)


def _build_request(case: Case, verify: bool) -> None:
    if case.role_arn is None:
        case.missing.append(("the role ARN", "the error pasted does not name it: paste the provider block"
                             if case.error is not None else "paste the provider block or the error output"))
    if case.trust is None:
        case.missing.append(("the role's trust policy", "paste the trust policy (assume_role_policy of the role)"))
    if case.caller is None or case.role_arn is None:
        return
    hop = case.hop
    req = Request(role_arn=case.role_arn, caller=case.caller, action=case.action)
    if hop is not None:
        _hop_request(case, hop, req)
    elif case.web and case.provider is not None and case.provider.web_identity is not None:
        w = case.provider.web_identity
        req.session_name = _str(w.session_name)
        req.duration_seconds = _seconds(w.duration)
    if case.web:
        _web_context(case, req)
    _reported_denial(case, req, verify)
    case.request = req
    case.policies = _policies(case)


def _hop_request(case: Case, hop, req: Request) -> None:
    """What the provider's `assume_role` block sends: session name, tags, duration, external ID."""
    req.session_name = _str(hop.session_name)
    req.source_identity = _str(hop.source_identity)
    req.tags = _tags(hop.tags)
    keys = literal(hop.transitive_tag_keys)
    req.transitive_tag_keys = [str(k) for k in keys] if isinstance(keys, list) else []
    req.duration_seconds = _seconds(hop.duration)
    if hop.external_id is not None:
        ext = literal(hop.external_id)
        if isinstance(ext, str):
            req.external_id = ext
        else:
            trusted = trust_external_ids(case)
            if trusted:
                req.external_id = trusted[0]
                case.external_id_assumed = True
                case.assumptions.append(f"external_id is `{hop.external_id.expr}`, whose value is not given: "
                                        "assumed to equal the trust's sts:ExternalId")
    if case.target and case.target > 0:
        req.chained = True


def _web_context(case: Case, req: Request) -> None:
    """The token's audience and subject as the condition keys of its issuer."""
    assert case.caller is not None  # _build_request returns before without a caller
    issuer = (case.caller.provider or "").split("oidc-provider/", 1)[-1]
    aud, why = callerside.audience(case, issuer)
    if aud is not None:
        req.context[f"{issuer}:aud"] = aud
    if why:
        case.assumptions.append(why)
    if case.oidc_subject:
        req.context[f"{issuer}:sub"] = case.oidc_subject
    else:
        case.assumptions.append("the workflow's OIDC subject (sub claim) is not known: paste it "
                                "(e.g. repo:ORG/REPO:ref:refs/heads/main) to check the sub condition")


def _reported_denial(case: Case, req: Request, verify: bool) -> None:
    """The gate the error says denied, unless (when verifying a fix) that policy was given."""
    err = case.error
    if err and err.denial and err.denial.gate and err.role in (None, case.role_arn):
        gate = err.denial.gate
        given = {"scp": case.scps, "rcp": case.rcps, "identity": case.identity, "boundary": case.boundary,
                 "session": case.session, "trust": case.trust}.get(gate)
        if gate in ("scp", "rcp", "identity", "boundary", "session", "trust") and not (verify and given is not None):
            req.reported_denial = gate
            req.reported_explicit = err.denial.form == "explicit-deny"


def trust_external_ids(case: Case) -> list[str]:
    if case.trust is None:
        return []
    return [v for s in case.trust.policy.statements if s.effect == "Allow" for c in s.conditions
            if c.key.lower() == "sts:externalid" for v in c.values]


def _policies(case: Case) -> Policies:
    pol = Policies()
    if case.trust is not None:
        pol.trust = case.trust.policy
    if case.identity is not None:
        pol.identity = [s.policy for s in case.identity]
    if case.boundary is not None:
        pol.boundary = case.boundary.policy
    if case.session is not None:
        pol.session = case.session.policy
    if case.scps is not None:
        scps = [s.policy for s in case.scps]
        if not any(st.effect == "Allow" for p in scps for st in p.statements):
            from roledoctor.policy import policy_from_obj
            scps.append(policy_from_obj(FULL_AWS_ACCESS, source="FullAWSAccess (assumed)"))
            case.assumptions.append("the pasted SCPs only deny: FullAWSAccess assumed attached as well")
        pol.scps = [PolicyLevel("pasted", scps)]
    if case.rcps is not None:
        pol.rcps = [PolicyLevel("pasted", [s.policy for s in case.rcps])]
    r = case.role_resource
    mx = literal(getattr(r, "max_session_duration", None)) if r is not None else None
    if isinstance(mx, (int, float)) and not isinstance(mx, bool):
        pol.max_session_duration = int(mx)
    elif r is not None and getattr(r, "address", "").startswith("aws_iam_role."):
        pol.max_session_duration = 3600  # the aws_iam_role default (resource docs)
    return pol
