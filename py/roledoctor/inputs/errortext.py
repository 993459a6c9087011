"""Terraform / STS error output -> ErrorFacts.

Templates: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html,
hashicorp/aws-sdk-go-base errors.go and terraform-provider-aws issues. The text
is cleaned first (ANSI colours, CRLF, Terraform's │ box, wrapped lines joined
with one space), then each Terraform diagnostic ("Error: ...") is matched
against the templates. All regexes are single-pass: character classes with one
quantifier each, no nested repetition, so they stay linear on hostile input.
"""

from __future__ import annotations

import bisect
import re

from roledoctor.inputs.model import Denial, ErrorFacts
from roledoctor.source import LineIndex

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b")
_BOX = re.compile(r"^[ \t]*[\u2502\u2577\u2575\u250c\u2514|][ ]?")  # │ ╷ ╵ ┌ └
_SPACES = re.compile(r"[ \t\u00a0]+")

_ARN = r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[A-Za-z0-9_+=,.@/:*-]+"
_ACTION = r"[A-Za-z0-9-]+:[A-Za-z0-9*]+"
_POLICY_TYPES = ("identity-based|resource-based|permissions boundary|sessions?|VPC endpoint|"
                 "service control|resource control|role trust")

P = {
    "perform": re.compile(r"(?:User: (" + _ARN + r") )?is not authorized to perform: (" + _ACTION +
                          r")(?: on resource: (" + _ARN + r"))?", re.I),
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
    "code": re.compile(r"\b(AccessDenied|AccessDeniedException|ExpiredToken|ExpiredTokenException|InvalidClientTokenId|"
                       r"RegionDisabledException|ValidationError|InvalidIdentityToken|IDPRejectedClaim|"
                       r"IDPCommunicationError|MalformedPolicyDocument|PackedPolicyTooLarge|SignatureDoesNotMatch)\b"),
    "v2_op": re.compile(r"operation error STS: (\w+)"),
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
    r"is not authorized to|Cannot assume IAM Role|cannot be assumed|AccessDenied|ExpiredToken|InvalidClientTokenId|"
    r"No valid credential sources|RegionDisabledException|STS is not activated|DurationSeconds|durationSeconds|"
    r"MaxSessionDuration|No OpenIDConnect provider|InvalidIdentityToken|IAM Role ARN not set|"
    r'Blocks of type "assume_role"|operation error STS|status code: [0-9]|configuring Terraform AWS Provider|'
    r"failed to assume role|must be between 15 minutes|SignatureDoesNotMatch|MalformedPolicyDocument|"
    r"PackedPolicyTooLarge|IDPRejectedClaim|The argument \"assume_role", re.I)

GATES = {"identity-based": "identity", "resource-based": "trust", "permissions boundary": "boundary",
         "session": "session", "sessions": "session", "service control": "scp", "resource control": "rcp",
         "vpc endpoint": "vpce", "role trust": "trust"}

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
        return list(zip(heads, ends))


def _trim_arn(a: str | None) -> str | None:
    return a.rstrip(".,:;") if a else a


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
    for facts in found:
        if facts.line and facts.line <= len(lines.starts):
            start = lines.starts[facts.line - 1]
            end = lines.starts[facts.line] - 1 if facts.line < len(lines.starts) else len(text)
            facts.span = lines.span(start, end)
        out.append(facts)
    return out


def _parse_chunk(name: str, c: Cleaned, f: str, base: int) -> ErrorFacts | None:
    e = ErrorFacts(input=name, kind="")
    where = None  # flat offset of the core message

    m = P["perform"].search(f)
    if m:
        e.kind = "access-denied"
        e.caller, e.action, e.role = _trim_arn(m.group(1)), m.group(2), _trim_arn(m.group(3))
        if e.action.lower() == "sts:assumerolewithwebidentity" and not e.caller:
            e.caller_kind = "web-identity"
        where = m.start()
        tail = f[m.end():]
        # The resource ARN swallowed a "." or "," that ended the sentence: the tail starts after it.
        d = P["no_allow"].match(tail)
        if d:
            e.denial = Denial("no-allow", d.group(1), GATES.get(d.group(1).lower()))
        d2 = None if d else P["explicit"].match(tail)
        if d2:
            e.denial = Denial("explicit-deny", d2.group(1), GATES.get(d2.group(1).lower()), _trim_arn(d2.group(2)))
        if not d and not d2:
            e.denial = Denial("trust-allows", "role trust", "trust") if P["trust_allows"].match(tail) else Denial("plain")
        e.message = _sentence(f, m.start())
    else:
        m = P["article"].search(f)
        if m:
            # Non-standard phrasing (seed article): read as sts:AssumeRole, plain denial.
            e.kind, e.caller, e.role, e.action = "access-denied", _trim_arn(m.group(1)), _trim_arn(m.group(2)), "sts:AssumeRole"
            e.denial = Denial("plain")
            where = m.start()
            e.message = _sentence(f, m.start())
            e.details["phrasing"] = "non-standard 'is not authorized to assume role:'"

    if not e.kind:
        for key, kind in (("web_denied", "web-identity-denied"), ("oidc_missing", "oidc-provider-missing"),
                          ("invalid_identity_token", "oidc-invalid-token"), ("idp_rejected", "oidc-invalid-token"),
                          ("region_disabled", "region-disabled"), ("chain_limit", "duration-chain-limit"),
                          ("max_duration", "duration-exceeds-max"), ("duration_range", "duration-out-of-range"),
                          ("duration_validation", "duration-validation"), ("field_validation", "field-validation"),
                          ("arn_not_set", "role-arn-not-set"), ("s3_block", "s3-backend-block-syntax"),
                          ("missing_arg", "role-arn-missing"), ("expired", "expired-token"),
                          ("invalid_token", "invalid-client-token"), ("signature", "invalid-client-token"),
                          ("no_creds", "no-credentials"), ("malformed", "malformed-policy"),
                          ("packed", "packed-policy-too-large")):
            m = P[key].search(f)
            if not m:
                continue
            e.kind = kind
            where = m.start()
            e.message = _sentence(f, m.start())
            if key == "web_denied":
                e.action, e.caller_kind = "sts:AssumeRoleWithWebIdentity", "web-identity"
            elif key == "oidc_missing":
                e.oidc_provider_url = m.group(1).rstrip(".,")
                e.caller_kind = "web-identity"
            elif key == "invalid_identity_token":
                e.caller_kind = "web-identity"
                e.details["reason"] = m.group(1).split(" status code")[0].strip()
            elif key == "region_disabled":
                ra = P["region_account"].search(f)
                e.account = ra.group(1) if ra else None
            elif key == "duration_range":
                e.duration = m.group(1)
            elif key == "duration_validation":
                e.duration = m.group(1)
                e.details["constraint"] = f"{m.group(2)} than or equal to {m.group(3)}"
            elif key == "field_validation":
                e.details["field"], e.details["value"] = m.group(2), m.group(1)
            elif key == "arn_not_set":
                e.hop, e.hops = int(m.group(1)), int(m.group(2))
            elif key == "missing_arg":
                e.details["argument"] = m.group(1)
            break
    if not e.kind:
        if not MARKERS.search(f):
            return None
        e.kind = "unknown"
        e.message = f.strip()[:500]

    # Wrappers: SDK and Terraform generation.
    code = P["code"].search(f)
    e.error_code = code.group(1) if code else None
    v2 = P["v2_op"].search(f)
    v1 = P["v1_status"].search(f)
    if v2:
        e.sdk, e.operation = "go-v2", v2.group(1)
        st, rq = P["v2_status"].search(f), P["v2_request"].search(f)
        e.status_code = int(st.group(1)) if st else None
        e.request_id = rq.group(1) if rq else None
    elif v1:
        e.sdk = "go-v1"
        e.status_code, e.request_id = int(v1.group(1)), v1.group(2)
    if e.operation is None and e.action and e.action.lower().startswith("sts:"):
        e.operation = e.action.split(":", 1)[1]
    role = P["tf_iam_role"].search(f)
    if P["tf_v5_web"].search(f):
        e.wrapper = "terraform-v5+"
        e.operation = e.operation or "AssumeRoleWithWebIdentity"
        e.caller_kind = e.caller_kind or "web-identity"
    elif P["tf_v5"].search(f):
        e.wrapper = "terraform-v5+"
    elif (cfg := P["tf_config"].search(f)):
        e.wrapper = "terraform-v3/v4" if cfg.group(1) else "terraform-v4/v5"
    elif (v2role := P["tf_v2"].search(f)):
        e.wrapper = "terraform-v2"
        e.role = e.role or _trim_arn(v2role.group(1))
    elif P["aws_error"].search(f):
        e.wrapper = "aws-sdk-go-base-beta"
    elif P["failed_assume"].search(f):
        e.wrapper = "non-standard ('failed to assume role')"
    if role and not e.role:
        e.role = _trim_arn(role.group(1))
    elif role and e.role != _trim_arn(role.group(1)):
        e.details["terraform_role"] = _trim_arn(role.group(1))  # the failing hop, per aws-sdk-go-base
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
    if where is not None:
        e.line = c.line_of(base + where)
    return e


def _sentence(f: str, start: int) -> str:
    """The message from `start` up to the SDK's status suffix or the next diagnostic."""
    end = len(f)
    for stop in (" status code:", ", request id", " Error: ", " ╵"):
        i = f.find(stop, start)
        if i != -1:
            end = min(end, i)
    return f[start:end].strip()[:1000]
