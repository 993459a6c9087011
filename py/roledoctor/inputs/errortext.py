"""Terraform / STS error output -> ErrorFacts.

Templates: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html,
hashicorp/aws-sdk-go-base errors.go, terraform-provider-aws issues, and the
pastes of tests/fixtures/errors (S3 backend, terragrunt, Pulumi,
configure-aws-credentials, AWS CLI, Go/JS/.NET/Java/PHP/Ruby SDKs, Kubernetes
controllers; account IDs masked as posted). ErrorFacts.cause is the finding
code of the cause the text states (CAUSES, then the AccessDenied sentence
itself: another action, the gate it names, a role assuming itself). The text
is cleaned first (ANSI colours, CRLF, Terraform's │ box, wrapped lines joined
with one space), then each Terraform diagnostic ("Error: ...") is matched
against the templates. All regexes are single-pass: character classes with one
quantifier each, no nested repetition, so they stay linear on hostile input.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
import re

from roledoctor.inputs.model import INPUT_UNPARSEABLE, Denial, ErrorFacts, Problem, Recognised, problem_record
from roledoctor.source import LineIndex

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b")
_BOX = re.compile(r"^[ \t]*[\u2502\u2577\u2575\u250c\u2514|][ ]?")  # │ ╷ ╵ ┌ └
_SPACES = re.compile(r"[ \t\u00a0]+")

# The account part as pasted: digits, or the mask a poster put there (OMITTED, ***, xxx,
# XXXXXXXXXXXX, REDACTED, 1234xxxxxxxx, <redacted>, <aws acct>, {account}, [ACCOUNT_ID],
# "111222333444"). Masks inside the resource (`AWSReservedSSO_Admin_<redacted-id>/jane`) are
# kept by allowing `<` and `>` there; _trim_arn cuts an XML closing tag (`</Message>`) off.
_ACCOUNT = r'(?:<[^<>:\n]{1,40}>|\{[^{}:\s]{1,40}\}|\[[^\[\]:\s]{1,40}\]|"[^":\s]{1,40}"|[A-Za-z0-9*_.-]{0,40})'
_ARN = r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:" + _ACCOUNT + r":[A-Za-z0-9_+=,.@/:*<>-]+"
_ACTION = r"[A-Za-z0-9-]+:[A-Za-z0-9*]+"
_POLICY_TYPES = ("identity-based|resource-based|permissions boundary|sessions?|VPC endpoint|"
                 "service control|resource control|role trust")

P = {
    # The resource may be a name, not an ARN ("on resource: ChimeChannelID because ...").
    "perform": re.compile(r"(?:User: (" + _ARN + r") )?is not authorized to perform: (" + _ACTION +
                          r")(?: on resource: (" + _ARN + r"|[^\s,]{1,300}))?", re.I),
    # "Not authorized to perform sts:AssumeRole" (no caller, no colon): STS's short form.
    "not_authorized": re.compile(r"\bNot authorized to perform:? (" + _ACTION + r")"),
    "no_allow": re.compile(r"^ ?because no (" + _POLICY_TYPES + r")(?: polic(?:y|ies))? allows? the (" + _ACTION + r")"),
    "explicit": re.compile(r"^ ?with an explicit deny in (?:an?|the) (" + _POLICY_TYPES + r")(?: policy)?(?:: (" + _ARN + r"))?"),
    "trust_allows": re.compile(r"^ ?because the role trust policy allows"),
    "article": re.compile(r"User: (" + _ARN + r") is not authorized to assume role: (" + _ARN + r")", re.I),
    "web_denied": re.compile(r"Not authorized to perform sts:AssumeRoleWithWebIdentity"),
    "oidc_missing": re.compile(r"No OpenIDConnect provider found in your account for ([^ ,]+)"),
    "invalid_identity_token": re.compile(r"InvalidIdentityToken: ?([^\n]{0,200})"),
    "idp_rejected": re.compile(r"IDPRejectedClaim"),
    "expired": re.compile(r"\bExpiredToken(?:Exception)?\b|The security token included in the request is expired"),
    "invalid_token": re.compile(r"\bInvalidClientTokenId\b|The security token included in the request is invalid"),
    "signature": re.compile(r"\bSignatureDoesNotMatch\b"),
    "no_creds": re.compile(r"[Nn]o valid credential sources (?:found|for)"),
    "region_disabled": re.compile(r"RegionDisabledException|STS is not activated in this region"),
    "region_account": re.compile(r"for account: ?([0-9]{12})"),
    "chain_limit": re.compile(r"exceeds the 1 hour session limit for roles assumed by role chaining"),
    "max_duration": re.compile(r"exceeds the MaxSessionDuration set for this role"),
    "duration_range": re.compile(r'duration "([^"]{0,100})" must be between 15 minutes \(15m\) and 12 hours \(12h\)'),
    "duration_validation": re.compile(r"Value '([0-9]{1,12})' at 'durationSeconds' failed to satisfy constraint: "
                                      r"Member must have value (less|greater) than or equal to ([0-9]{1,12})"),
    "field_validation": re.compile(r"Value '([^']{0,2000})' at '(roleSessionName|externalId|sourceIdentity|roleArn)' "
                                   r"failed to satisfy constraint"),
    "arn_not_set": re.compile(r"IAM Role ARN not set in assume role ([0-9]+) of ([0-9]+)"),
    "s3_block": re.compile(r'Blocks of type "assume_role" are not expected here'),
    "missing_arg": re.compile(r'The argument "(assume_role(?:\.[0-9]+)?\.role_arn|role_arn)" is required'),
    "malformed": re.compile(r"\bMalformedPolicyDocument\b"),
    "packed": re.compile(r"\bPackedPolicyTooLarge\b"),
    # wrappers
    "code": re.compile(r"(AccessDenied|AccessDeniedException|ExpiredToken|ExpiredTokenException|InvalidClientTokenId|"
                       r"RegionDisabledException|ValidationError|InvalidIdentityToken|IDPRejectedClaim|"
                       r"IDPCommunicationError|MalformedPolicyDocument|PackedPolicyTooLarge|SignatureDoesNotMatch|"
                       r"NoCredentialProviders|RequestTimeTooSkewed|MissingAuthenticationToken|UnauthorizedException|"
                       r"AssumeRoleTokenProviderNotSetError)\b"),
    # botocore / AWS CLI: "An error occurred (AccessDenied) when calling the AssumeRole operation: ..."
    # (older CLIs: "A client error (X) occurred when calling ...")
    "when_calling": re.compile(r"\(([A-Za-z]{2,60})\) (?:occurred )?when calling the ([A-Za-z]{2,60}) operation"),
    "php_exec": re.compile(r'Error executing "([A-Za-z]{2,60})" on "https://sts'),
    "ruby_op": re.compile(r"\] (assume_role_with_web_identity|assume_role_with_saml|assume_role|get_session_token|"
                          r"get_caller_identity)\("),
    "calling_sts": re.compile(r"error calling (sts:[A-Za-z]{2,60})"),
    "oidc_action": re.compile(r"Could not assume role with OIDC|cannot be assumed with web identity token|"
                              r"Cannot assume IAM Role with web identity"),
    "cannot_assume": re.compile(r"cannot be assumed"),
    "caller_json": re.compile(r'"Arn": ?"(' + _ARN + r')"'),
    "v2_op": re.compile(r"operation error (STS|EKS Auth): (\w+)"),
    "v2_status": re.compile(r"StatusCode: ([0-9]{3})"),
    "v2_request": re.compile(r"RequestID: ([0-9A-Za-z-]+)"),
    "v1_status": re.compile(r"status code: ([0-9]{3}), request id: ([0-9A-Za-z-]+)"),
    "tf_v5_web": re.compile(r"Cannot assume IAM Role with web identity|cannot be assumed with web identity token"),
    "tf_v5": re.compile(r"Error: Cannot assume IAM Role"),
    "tf_config": re.compile(r"(error )?configuring Terraform AWS Provider"),
    "tf_iam_role": re.compile(r"IAM Role \((" + _ARN + r")\) cannot be assumed"),
    "tf_v2": re.compile(r'The role "(' + _ARN + r')" cannot be assumed'),
    "aws_error": re.compile(r"AWS Error: "),
    "failed_assume": re.compile(r"failed to assume role", re.I),
    "caller_identity": re.compile(r"retrieving caller identity from STS"),
    "provider": re.compile(r'with (provider\["[^"\]]{1,200}"\](?:\.([A-Za-z0-9_-]+))?)'),
    "location": re.compile(r"on ([^ ,]{1,300}) line ([0-9]{1,9})(?:, in [^:]{0,200})?:"),
}

# Markers that say "this text is error output" (the classifier uses them).
MARKERS = re.compile(
    r"[Ii]s not authorized to|[Cc]annot assume IAM Role|cannot be assumed|AccessDenied|ExpiredToken|"
    r"InvalidClientTokenId|[Nn]o valid credential sources|RegionDisabledException|STS is not activated|"
    r"[Dd]urationSeconds|MaxSessionDuration|No OpenIDConnect provider|InvalidIdentityToken|IAM Role ARN not set|"
    r'Blocks of type "assume_role"|operation error STS|status code: [0-9]|[Cc]onfiguring Terraform AWS Provider|'
    r"[Ff]ailed to assume role|must be between 15 minutes|SignatureDoesNotMatch|MalformedPolicyDocument|"
    r"PackedPolicyTooLarge|IDPRejectedClaim|The argument \"assume_role")
# The other wordings people paste. Both lists are case-sensitive: a long alternation under re.I
# is ten times slower on 100 KB inputs.
MORE_MARKERS = re.compile(
    r"Not authorized to perform|when calling the [A-Za-z]{2,60} operation|Could not assume role|NoCredentialProviders|"
    r"Could not load credentials|Unable to load AWS credentials|Credentials could not be loaded|"
    r"MultiFactorAuthentication|Signature expired|RequestTimeTooSkewed|Roles may not be assumed|"
    r"Incorrect token audience|roleSessionName|error calling sts:|no EC2 IMDS role|AssumeRoleTokenProvider|"
    r"Token has expired and refresh failed|SSO session associated|Missing credentials in config|"
    r"unable to sign request without credentials|unable to validate AWS|ACTIONS_ID_TOKEN_REQUEST_URL|"
    r"Service account token cannot be parsed|operation error EKS Auth|Error executing \"AssumeRole|"
    r"not expected for the selected backend type|MissingAuthenticationToken|Cannot read credentials|Token too old|"
    r"Session token not found|Error calling AssumeRole")


def looks_like_error(text: str) -> bool:
    """Whether `text` holds AWS/Terraform error output (the classifier uses this)."""
    return MARKERS.search(text) is not None or MORE_MARKERS.search(text) is not None

GATES = {"identity-based": "identity", "resource-based": "trust", "permissions boundary": "boundary",
         "session": "session", "sessions": "session", "service control": "scp", "resource control": "rcp",
         "vpc endpoint": "vpce", "role trust": "trust"}

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
# Operations of `when calling the X operation` / `operation error STS: X` that name an STS action.
STS_OPERATIONS = ("AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetSessionToken",
                  "GetCallerIdentity", "GetFederationToken")
V2_PREFIX = {"STS": "sts", "EKS Auth": "eks-auth"}
RUBY_OPS = {"assume_role": "AssumeRole", "assume_role_with_web_identity": "AssumeRoleWithWebIdentity",
            "assume_role_with_saml": "AssumeRoleWithSAML", "get_session_token": "GetSessionToken",
            "get_caller_identity": "GetCallerIdentity"}
# The denials that are part of role assumption itself (the rest come after, or instead of, it).
ASSUME_ACTIONS = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml", "sts:tagsession",
                  "sts:setsourceidentity")

# The role named outside the STS sentence: Terraform's wrappers, the .NET SDK, CLI flags, log fields.
ROLE_HINTS = (
    re.compile(r"IAM Role \((" + _ARN + r")\) cannot be assumed"),
    re.compile(r'The role "(' + _ARN + r')" cannot be assumed'),
    re.compile(r"Error calling AssumeRole[A-Za-z]{0,30} for role (" + _ARN + r")"),
    re.compile(r"--role-arn[ =](" + _ARN + r")"),
    re.compile(r"\bRole: (" + _ARN + r")"),
    re.compile(r"\b(?:assume_)?role_arn ?[=:] ?[\"']?(" + _ARN + r")"),
    re.compile(r"Failed to assume role (" + _ARN + r")"),
)

# Causes the text states: (pattern, finding code, action the message implies, unless-pattern).
# Messages: IAM troubleshoot_roles.md, STS API_AssumeRole*.html errors, aws-sdk-go-base errors.go,
# aws-actions/configure-aws-credentials src/index.ts; first match wins.
_WEB_TOKEN_STS = (r"Couldn't retrieve verification key|Token too old|IDPRejectedClaim|"
                  r"The web identity token that was passed is expired")
_BASE_CREDENTIALS = (r"NoCredentialProviders|[Nn]o valid credential sources|no EC2 IMDS role found|"
                     r"Could not load credentials from any providers|Unable to load AWS credentials from any provider|"
                     r"unable to sign request without credentials|Missing credentials in config|"
                     r"unable to validate AWS AccessKeyID|Token has expired and refresh failed|"
                     r"SSO session associated with this profile has expired|Session token not found or invalid|"
                     r"InvalidClientTokenId|ExpiredToken|MissingAuthenticationToken|"
                     r"Cannot read credentials from|The security token included in the request is (?:expired|invalid)")
CAUSES = (
    (re.compile(r"Roles may not be assumed by root accounts"), "CALLER_IS_ROOT", "sts:AssumeRole", None),
    (re.compile(r"MultiFactorAuthentication failed"), "MFA_CODE_REJECTED", None, None),
    (re.compile(r"assume role with MFA enabled, but AssumeRoleTokenProvider session option not set"),
     "MFA_NOT_PRESENT", None, None),
    (re.compile(r"Signature expired: |RequestTimeTooSkewed"), "CLOCK_SKEW", None, None),
    (re.compile(r"No OpenIDConnect provider found in your account"), "OIDC_PROVIDER_NOT_REGISTERED", WEB_IDENTITY, None),
    (re.compile(r"Incorrect token audience|Missing a required claim: aud\b"), "OIDC_AUDIENCE_NOT_REGISTERED",
     WEB_IDENTITY, None),
    (re.compile(_WEB_TOKEN_STS), "WEB_IDENTITY_TOKEN_INVALID", WEB_IDENTITY, None),
    # EKS Pod Identity agent, and InvalidIdentityToken with a reason not matched above
    (re.compile(r"Service account token cannot be parsed|InvalidIdentityToken"), "WEB_IDENTITY_TOKEN_INVALID",
     None, None),
    (re.compile(r"at 'roleSessionName' failed to satisfy constraint"), "SESSION_NAME_INVALID", None, None),
    (re.compile(r'argument "(?:assume_role\.)?role_arn" given on the command line is\s?not expected|'
                r'Blocks of type "assume_role" are not expected here'), "S3_BACKEND_ASSUME_ROLE_SYNTAX", None, None),
    (re.compile(r"RegionDisabledException|STS is not activated in this region|"
                r"please check whether STS is enabled for this region"), "STS_REGION_DISABLED", None, None),
    # configure-aws-credentials without an OIDC token (no `permissions: id-token: write`)
    (re.compile(r"ACTIONS_ID_TOKEN_REQUEST_URL|Did you mean to set the `id-token` permission|"
                r"please check your action inputs: Could not load credentials"), "OIDC_TOKEN_NOT_ISSUED", None,
     re.compile(r"Assuming role with OIDC")),
    (re.compile(r"exceeds the 1 hour session limit for roles assumed by role chaining"),
     "DURATION_EXCEEDS_CHAIN_LIMIT", None, None),
    (re.compile(r"exceeds the MaxSessionDuration set for this role"), "DURATION_EXCEEDS_MAX_SESSION", None, None),
    (re.compile(_BASE_CREDENTIALS), "BASE_CREDENTIALS_INVALID", None, None),
)
# The gate an enhanced AccessDenied names, as a cause of an assume-role denial.
GATE_CAUSES = {("no-allow", "identity"): "CALLER_POLICY_NO_ALLOW", ("explicit-deny", "identity"): "CALLER_EXPLICIT_DENY",
               ("no-allow", "trust"): "TRUST_PRINCIPAL_MISSING", ("explicit-deny", "trust"): "TRUST_EXPLICIT_DENY",
               "scp": "SCP_BLOCKS", "rcp": "RCP_BLOCKS", "boundary": "BOUNDARY_BLOCKS",
               "session": "SESSION_POLICY_BLOCKS"}
# The kind of a failure known only by its stated cause.
CAUSE_KINDS = {"CALLER_IS_ROOT": "root-caller", "MFA_CODE_REJECTED": "mfa-rejected", "MFA_NOT_PRESENT": "mfa-not-present",
               "CLOCK_SKEW": "clock-skew", "OIDC_PROVIDER_NOT_REGISTERED": "oidc-provider-missing",
               "OIDC_AUDIENCE_NOT_REGISTERED": "oidc-audience-not-registered",
               "WEB_IDENTITY_TOKEN_INVALID": "oidc-invalid-token", "SESSION_NAME_INVALID": "field-validation",
               "S3_BACKEND_ASSUME_ROLE_SYNTAX": "s3-backend-argument", "STS_REGION_DISABLED": "region-disabled",
               "OIDC_TOKEN_NOT_ISSUED": "oidc-token-not-issued", "BASE_CREDENTIALS_INVALID": "no-credentials"}

_ERROR_LINE = re.compile(r"^Error: ")


class Cleaned:
    """The error text without colours, boxes and line wraps, with a map back to lines."""

    def __init__(self, text: str):
        text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        self.lines = [_BOX.sub("", ln).strip() for ln in text.split("\n")]
        self.flat_parts: list[str] = []
        self.starts: list[int] = []  # flat offset where each line starts
        pos = 0
        for ln in self.lines:
            self.starts.append(pos)
            ln = _SPACES.sub(" ", ln)
            self.flat_parts.append(ln)
            pos += len(ln) + 1
        self.flat = " ".join(self.flat_parts)

    def line_of(self, flat_offset: int) -> int:
        return bisect.bisect_right(self.starts, flat_offset)  # 1-based

    def chunks(self) -> list[tuple[int, int]]:
        """Flat ranges of each Terraform diagnostic ("Error: ..." line onwards)."""
        heads = [self.starts[i] for i, ln in enumerate(self.lines) if _ERROR_LINE.match(ln)]
        if not heads or heads[0] != 0:
            heads = [0] + heads
        ends = heads[1:] + [len(self.flat)]
        return list(zip(heads, ends, strict=False))


def _trim_arn(a: str | None) -> str | None:
    if not a:
        return a
    return a.split("</", 1)[0].rstrip(".,:;")


def caller_kind(arn: str | None) -> str | None:
    if not arn:
        return None
    rest = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    if rest == "root":
        return "root"
    for prefix, kind in (("user/", "user"), ("role/", "role"), ("assumed-role/", "assumed-role"),
                         ("federated-user/", "federated-user"), ("oidc-provider/", "web-identity"),
                         ("saml-provider/", "saml")):
        if rest.startswith(prefix):
            return kind
    return None


def _account(arn: str | None) -> str | None:
    if not arn:
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


# Fixes are verified by reading every input again, and the page re-diagnoses
# when another box changes: a long log that did not change is not parsed
# again. The facts are never modified after parsing.
_PARSED: dict[tuple[str, str], list[ErrorFacts]] = {}


def parse(name: str, text: str) -> list[ErrorFacts]:
    """Every failure found in `text`; [] when none of the templates match."""
    key = (name, text)
    if key in _PARSED:
        return list(_PARSED[key])
    found = _parse(name, text)
    if len(text) > 2000:  # short texts parse in microseconds
        _PARSED[key] = found
        while len(_PARSED) > 8:
            _PARSED.pop(next(iter(_PARSED)))
    return list(found)


def _parse(name: str, text: str) -> list[ErrorFacts]:
    c = Cleaned(text)
    lines = LineIndex(text)
    out = []
    found = []
    # Terraform's detail text holds its own "Error: <sdk error>" line, so a
    # diagnostic spans several "Error:" chunks: a chunk with only wrapper text
    # (kind "unknown") is merged into the next one.
    pending = None
    for a, b in c.chunks():
        start = pending if pending is not None else a
        facts = _parse_chunk(name, c, c.flat[start:b], start)
        if facts is None:
            continue
        if facts.kind == "unknown":
            pending = start
            continue
        pending = None
        found.append(facts)
    if pending is not None:
        facts = _parse_chunk(name, c, c.flat[pending:], pending)
        if facts is not None:
            found.append(facts)
    found = _absorb(found)
    for facts in found:
        if facts.line and facts.line <= len(lines.starts):
            start = lines.starts[facts.line - 1]
            end = lines.starts[facts.line] - 1 if facts.line < len(lines.starts) else len(text)
            facts.span = lines.span(start, end)
        out.append(facts)
    return out


def _absorb(found: list[ErrorFacts]) -> list[ErrorFacts]:
    """Terraform v3/v4 print the SDK error of a diagnostic as a second "Error:" line
    ("Error: NoCredentialProviders: ..."): a diagnostic naming no caller or role, with the
    same cause (or none) and no other action, only completes the one before it."""
    out: list[ErrorFacts] = []
    for e in found:
        prev = out[-1] if out else None
        if (prev is not None and e.caller is None and e.role is None and e.kind != "access-denied"
                and e.cause in (None, prev.cause) and e.action in (None, prev.action)):
            for key in ("error_code", "action", "operation", "sdk", "status_code", "request_id"):
                if getattr(prev, key) is None:
                    setattr(prev, key, getattr(e, key))
            continue
        out.append(e)
    return out


def _parse_chunk(name: str, c: Cleaned, f: str, base: int) -> ErrorFacts | None:
    """One "Error:" chunk in steps: the core message (an AccessDenied sentence or a known
    kind), the cause the text states, then the SDK and Terraform wrappers around it."""
    e = ErrorFacts(input=name, kind="")
    where = _access_denied(e, f)  # flat offset of the core message
    if not e.kind:
        where = _known_kind(e, f)
    implied, where = _stated_cause(e, c, f, where)
    if not e.kind:
        if e.cause:
            e.kind = CAUSE_KINDS.get(e.cause, "stated-cause")
        elif not looks_like_error(f):
            return None
        else:
            e.kind = "unknown"
            e.message = f.strip()[:500]
    _sdk_wrapper(e, f, implied)
    _terraform_wrapper(e, f)
    _named_parts(e, f)
    if e.cause is None and e.kind == "access-denied":
        e.cause = _denial_cause(e)
    if e.cause is None and e.role and role_arn_invalid(e.role):
        e.cause = "PROVIDER_ROLE_ARN_INVALID"
    if where is not None:
        e.line = c.line_of(base + where)
    return e


def _access_denied(e: ErrorFacts, f: str) -> int | None:
    """An "is not authorized to perform" sentence (or the seed article's phrasing): caller,
    action, role or resource and the denial form. Returns where it starts."""
    m = P["perform"].search(f)
    if m:
        e.kind = "access-denied"
        e.caller, e.action = _trim_arn(m.group(1)), m.group(2)
        resource = _trim_arn(m.group(3))
        if resource and not resource.startswith("arn:"):
            e.resource = resource
        elif e.action.lower() in ASSUME_ACTIONS:
            e.role = resource
        else:  # another action's resource is never "the role"
            e.resource = resource
        if e.action.lower() == "sts:assumerolewithwebidentity" and not e.caller:
            e.caller_kind = "web-identity"
        e.denial = _denial(f[m.end():])
        e.message = _sentence(f, m.start())
        return m.start()
    m = P["article"].search(f)
    if m:
        # Non-standard phrasing (seed article): read as sts:AssumeRole, plain denial.
        e.kind, e.caller, e.role, e.action = "access-denied", _trim_arn(m.group(1)), _trim_arn(m.group(2)), "sts:AssumeRole"
        e.denial = Denial("plain")
        e.message = _sentence(f, m.start())
        e.details["phrasing"] = "non-standard 'is not authorized to assume role:'"
        return m.start()
    return None


def _denial(tail: str) -> Denial:
    """The denial form after the resource ARN (which swallowed a "." or "," that ended the
    sentence: the tail starts after it)."""
    d = P["no_allow"].match(tail)
    if d:
        return Denial("no-allow", d.group(1), GATES.get(d.group(1).lower()))
    d2 = P["explicit"].match(tail)
    if d2:
        return Denial("explicit-deny", d2.group(1), GATES.get(d2.group(1).lower()), _trim_arn(d2.group(2)))
    return Denial("trust-allows", "role trust", "trust") if P["trust_allows"].match(tail) else Denial("plain")


# Known error kinds, first match wins: (pattern key in P, kind).
KNOWN_KINDS: tuple[tuple[str, str], ...] = (
    ("web_denied", "web-identity-denied"), ("oidc_missing", "oidc-provider-missing"),
    ("invalid_identity_token", "oidc-invalid-token"), ("idp_rejected", "oidc-invalid-token"),
    ("region_disabled", "region-disabled"), ("chain_limit", "duration-chain-limit"),
    ("max_duration", "duration-exceeds-max"), ("duration_range", "duration-out-of-range"),
    ("duration_validation", "duration-validation"), ("field_validation", "field-validation"),
    ("arn_not_set", "role-arn-not-set"), ("s3_block", "s3-backend-block-syntax"),
    ("missing_arg", "role-arn-missing"), ("expired", "expired-token"),
    ("invalid_token", "invalid-client-token"), ("signature", "invalid-client-token"),
    ("no_creds", "no-credentials"), ("malformed", "malformed-policy"),
    ("packed", "packed-policy-too-large"), ("not_authorized", "access-denied"),
)


def _web_denied(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.action, e.caller_kind = "sts:AssumeRoleWithWebIdentity", "web-identity"


def _not_authorized(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.action, e.denial = m.group(1), Denial("plain")


def _oidc_missing(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.oidc_provider_url = m.group(1).rstrip(".,")
    e.caller_kind = "web-identity"


def _invalid_identity_token(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.caller_kind = "web-identity"
    e.details["reason"] = m.group(1).split(" status code")[0].strip()


def _region_disabled(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    ra = P["region_account"].search(f)
    e.account = ra.group(1) if ra else None


def _duration_range(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.duration = m.group(1)


def _duration_validation(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.duration = m.group(1)
    e.details["constraint"] = f"{m.group(2)} than or equal to {m.group(3)}"


def _field_validation(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.details["field"], e.details["value"] = m.group(2), m.group(1)


def _arn_not_set(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.hop, e.hops = int(m.group(1)), int(m.group(2))


def _missing_arg(e: ErrorFacts, m: re.Match[str], f: str) -> None:
    e.details["argument"] = m.group(1)


# What a known kind's match adds to the facts, by pattern key.
KIND_DETAILS: dict[str, Callable[[ErrorFacts, re.Match[str], str], None]] = {
    "web_denied": _web_denied, "not_authorized": _not_authorized, "oidc_missing": _oidc_missing,
    "invalid_identity_token": _invalid_identity_token, "region_disabled": _region_disabled,
    "duration_range": _duration_range, "duration_validation": _duration_validation,
    "field_validation": _field_validation, "arn_not_set": _arn_not_set, "missing_arg": _missing_arg,
}


def _known_kind(e: ErrorFacts, f: str) -> int | None:
    """The first known error kind in the chunk, with what its match names. Returns where it starts."""
    for key, kind in KNOWN_KINDS:
        m = P[key].search(f)
        if not m:
            continue
        e.kind = kind
        e.message = _sentence(f, m.start())
        detail = KIND_DETAILS.get(key)
        if detail is not None:
            detail(e, m, f)
        return m.start()
    return None


def _stated_cause(e: ErrorFacts, c: Cleaned, f: str, where: int | None) -> tuple[str | None, int | None]:
    """The cause the text states (first match of CAUSES) and the action its message implies;
    the cause's sentence is the message when nothing else was."""
    for rx, cause, action, unless in CAUSES:
        cm = rx.search(f)
        if cm and not (unless is not None and unless.search(c.flat)):  # anywhere in the paste
            e.cause = cause
            if where is None:
                where = cm.start()
                e.message = _sentence(f, cm.start())
            return action, where
    return None, where


def _sdk_wrapper(e: ErrorFacts, f: str, implied: str | None) -> None:
    """The AWS SDK's wrapper: error code, operation, status code, request id, and the action."""
    wc = P["when_calling"].search(f)
    code = P["code"].search(f)
    e.error_code = wc.group(1) if wc else code.group(1) if code else None
    v2 = P["v2_op"].search(f)
    v1 = P["v1_status"].search(f)
    if v2:
        e.sdk, e.operation = "go-v2", v2.group(2)
        st, rq = P["v2_status"].search(f), P["v2_request"].search(f)
        e.status_code = int(st.group(1)) if st else None
        e.request_id = rq.group(1) if rq else None
    elif v1:
        e.sdk = "go-v1"
        e.status_code, e.request_id = int(v1.group(1)), v1.group(2)
    if wc and e.operation is None:
        e.operation = wc.group(2)
    if e.operation is None and e.action and e.action.lower().startswith("sts:"):
        e.operation = e.action.split(":", 1)[1]
    if e.action is None:
        e.action = _action_of(f, e, v2, wc, implied)


def _terraform_wrapper(e: ErrorFacts, f: str) -> None:
    """Which Terraform (provider) generation wrote the message."""
    if P["tf_v5_web"].search(f):
        e.wrapper = "terraform-v5+"
        e.operation = e.operation or "AssumeRoleWithWebIdentity"
        e.caller_kind = e.caller_kind or "web-identity"
    elif P["tf_v5"].search(f):
        e.wrapper = "terraform-v5+"
    elif (cfg := P["tf_config"].search(f)):
        e.wrapper = "terraform-v3/v4" if cfg.group(1) else "terraform-v4/v5"
    elif P["tf_v2"].search(f):
        e.wrapper = "terraform-v2"
    elif P["aws_error"].search(f):
        e.wrapper = "aws-sdk-go-base-beta"
    elif P["failed_assume"].search(f):
        e.wrapper = "non-standard ('failed to assume role')"


def _named_parts(e: ErrorFacts, f: str) -> None:
    """The role, caller, provider and configuration location the text names elsewhere."""
    role = P["tf_iam_role"].search(f)
    if role and e.role and e.role != _trim_arn(role.group(1)):
        e.details["terraform_role"] = _trim_arn(role.group(1)) or ""  # the failing hop, per aws-sdk-go-base
    if e.role is None and (e.action is None or e.action.lower() in ASSUME_ACTIONS):
        for rx in ROLE_HINTS:
            rm = rx.search(f)
            if rm:
                e.role = _trim_arn(rm.group(1))
                break
    if e.caller is None and (cj := P["caller_json"].search(f)):
        e.caller = _trim_arn(cj.group(1))  # `aws sts get-caller-identity` output pasted with the error
    if P["caller_identity"].search(f):
        e.details["stage"] = "validating provider credentials (GetCallerIdentity)"
    pm = P["provider"].search(f)
    if pm:
        e.provider, e.provider_alias = pm.group(1), pm.group(2)
    loc = P["location"].search(f)
    if loc:
        e.config_file, e.config_line = loc.group(1), int(loc.group(2))
    if e.caller:
        e.caller_kind = e.caller_kind or caller_kind(e.caller)
        e.caller_account = _account(e.caller)
    e.role_account = _account(e.role)


def _action_of(f: str, e: ErrorFacts, v2, wc, implied: str | None) -> str | None:
    """The failed action when no "not authorized to perform X" names it: from the operation
    the SDK or Terraform names, else from the message."""
    if wc and wc.group(2) in STS_OPERATIONS:
        return "sts:" + wc.group(2)
    if v2:
        return f"{V2_PREFIX[v2.group(1)]}:{v2.group(2)}"
    for key in ("calling_sts", "ruby_op", "php_exec"):
        m = P[key].search(f)
        if m:
            op = m.group(1)
            return op if key == "calling_sts" else "sts:" + RUBY_OPS.get(op, op)
    if P["oidc_action"].search(f):
        return WEB_IDENTITY
    if P["cannot_assume"].search(f):
        return "sts:AssumeRole"
    return implied


def _denial_cause(e: ErrorFacts) -> str | None:
    """The cause an AccessDenied sentence itself shows: another action than the assumption, the
    session-tag and source-identity steps, a role ARN that is not a role's, the gate it names,
    a role assuming itself."""
    act = (e.action or "").lower()
    if act and not act.startswith("sts:"):
        return "NOT_AN_ASSUME_ROLE_FAILURE"
    if act == "sts:tagsession":
        return "TAG_SESSION_NOT_ALLOWED"
    if act == "sts:setsourceidentity":
        return "SOURCE_IDENTITY_NOT_ALLOWED"
    if act not in ASSUME_ACTIONS:
        return None
    if e.role and role_arn_invalid(e.role):
        return "PROVIDER_ROLE_ARN_INVALID"
    d = e.denial
    if d is not None and d.gate in ("scp", "rcp", "boundary", "session"):
        return GATE_CAUSES[d.gate]
    if d is not None and d.gate == "identity":
        return GATE_CAUSES.get((d.form, "identity"))
    if self_assumed(e.caller, e.role):
        return "SELF_ASSUME_NOT_TRUSTED"
    if d is not None and d.gate == "trust" and d.form in ("no-allow", "explicit-deny"):
        return GATE_CAUSES[(d.form, "trust")]
    return None


def role_arn_invalid(arn: str) -> bool:
    """A role ARN as pasted that no role has: no account, a quoted account, a user ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return True
    return parts[4] == "" or parts[4].startswith('"') or not parts[5].startswith("role/")


def self_assumed(caller: str | None, role: str | None) -> bool:
    """A role session assuming its own role: the same account (or the same mask) and role name."""
    if not caller or not role or caller_kind(caller) != "assumed-role":
        return False
    c, r = caller.split(":", 5), role.split(":", 5)
    if len(c) < 6 or len(r) < 6 or c[4] != r[4]:
        return False
    return c[5].split("/")[1:2] == r[5].rsplit("/", 1)[-1:]


def _sentence(f: str, start: int) -> str:
    """The message from `start` up to the SDK's status suffix or the next diagnostic."""
    end = len(f)
    for stop in (" status code:", ", request id", " Error: ", " ╵"):
        i = f.find(stop, start)
        if i != -1:
            end = min(end, i)
    return f[start:end].strip()[:1000]


# ---- the kinds table's tests (roledoctor.inputs.kinds) ---------------------

# A logfmt log line (logrus, kiam, kube controllers): `time="..." level=error msg="..."`.
_LOGFMT = re.compile(r"^[ \t]*(?:time|ts|level|lvl|msg|timestamp)=", re.M)


def recognise(text: str) -> bool:
    return looks_like_error(text)


def recognise_log(text: str) -> bool:
    return bool(_LOGFMT.search(text)) and looks_like_error(text)


def recognise_json(text: str, parsed) -> bool:
    """A JSON log line (or object) quoting an error: neither a plan, a policy nor caller identity."""
    from roledoctor.inputs.identity import caller_identity
    from roledoctor.inputs.plan import is_plan
    from roledoctor.inputs.policyjson import policy_in
    value = parsed()
    return (not is_plan(value) and policy_in(value) is None and caller_identity(value) is None
            and looks_like_error(text))


def records(name: str, text: str) -> list[Recognised]:
    """Each failure the text states, as a record; [] when no template matches."""
    return [Recognised(name, "error", e, e.span) for e in parse(name, text)]


def no_template(name: str, text: str, lines: LineIndex) -> Recognised:
    return problem_record(name, Problem(INPUT_UNPARSEABLE, "looks like error output, but no known AWS/Terraform "
                                        "error template matched", name, lines.span(0, min(1, len(text))),
                                        lines.line_text(1)[:200]))


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    """The failures of an error text (a log line, JSON quoting an error); error output that also
    quotes JSON documents or HCL blocks is cut into them by reader.py, which reads each piece."""
    return records(name, text) or [no_template(name, text, lines)]
