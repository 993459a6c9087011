"""A web identity (OIDC) token: a raw JWT, or its decoded claims as JSON.

A JWT is decoded, never verified: its signature is not checked (no keys are
fetched, nothing leaves the machine), and the outputs say so. The token itself is
a secret: only its claims are kept, never its text (the redactor's `jwt` rule
masks it in every output). Claims: RFC 7519 section 4.1 (https://www.rfc-editor.org/rfc/rfc7519#section-4.1).

    recognise(text) -> bool
    read(name, text, lines) -> list[Recognised]   kind "oidc-token" (TokenClaims)
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field

from roledoctor.inputs import jsonspan
from roledoctor.inputs.model import INPUT_UNPARSEABLE, Problem, Recognised
from roledoctor.source import LineIndex, Span

# header.payload[.signature], base64url; the header of a JWT always starts with {" = "eyJ"
# (possessive runs after a word boundary, as the redactor's jwt rule: linear time)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,8000}+\.(eyJ[A-Za-z0-9_-]{5,40000}+)(?:\.[A-Za-z0-9_-]{0,8000}+)?")
_CLAIM_KEYS = ("iss", "sub", "aud")


@dataclass
class TokenClaims:
    input: str
    form: str  # "jwt" | "claims"
    claims: dict = field(default_factory=dict)
    issuer: str | None = None
    subject: str | None = None
    audiences: list[str] = field(default_factory=list)
    exp: int | None = None
    nbf: int | None = None
    iat: int | None = None
    span: Span | None = None
    spans: dict[str, Span] = field(default_factory=dict)  # claim -> span of its value (claims JSON)
    verified: bool = False  # never: the signature is not checked


def _find_jwt(text: str):
    s = text.strip()
    for prefix in ("Bearer ", "bearer "):
        if s.startswith(prefix):
            s = s[len(prefix):].strip()
    if "=" in s[:200] and "\n" not in s:  # NAME=eyJ…
        s = s.split("=", 1)[1].strip().strip("\"'")
    return _JWT.fullmatch(s)


def _is_claims(value) -> bool:
    return isinstance(value, dict) and "iss" in value and ("sub" in value or "aud" in value) and \
        "Statement" not in value


def recognise(text: str) -> bool:
    if not isinstance(text, str) or len(text) > 100_000:
        return False
    if _find_jwt(text):
        return True
    if text.lstrip("\ufeff \t\r\n")[:1] != "{" or '"iss"' not in text:
        return False
    try:
        return _is_claims(jsonspan.parse(text, positions=False).value)
    except jsonspan.JSONSyntaxError:
        return False


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _int(v) -> int | None:
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _fill(t: TokenClaims, claims: dict) -> TokenClaims:
    t.claims = {k: v for k, v in claims.items() if isinstance(k, str)}
    t.issuer = claims.get("iss") if isinstance(claims.get("iss"), str) else None
    t.subject = claims.get("sub") if isinstance(claims.get("sub"), str) else None
    aud = claims.get("aud")
    t.audiences = [aud] if isinstance(aud, str) else [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []
    t.exp, t.nbf, t.iat = _int(claims.get("exp")), _int(claims.get("nbf")), _int(claims.get("iat"))
    return t


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    m = _find_jwt(text)
    whole = lines.span(0, len(text))
    if m:
        try:
            claims = json.loads(_b64(m.group(1)).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            p = Problem(INPUT_UNPARSEABLE, "looks like a JWT, but its payload is not base64url-encoded JSON",
                        name, whole)
            return [Recognised(name, "problem", p, p.span)]
        if not isinstance(claims, dict):
            p = Problem(INPUT_UNPARSEABLE, "the JWT's payload is not a JSON object", name, whole)
            return [Recognised(name, "problem", p, p.span)]
        t = _fill(TokenClaims(name, "jwt", span=whole), claims)
        return [Recognised(name, "oidc-token", t, whole)]
    try:
        doc = jsonspan.parse(text)
    except jsonspan.JSONSyntaxError as err:
        line, col = lines.position(err.offset)
        p = Problem(INPUT_UNPARSEABLE, f"invalid JSON at line {line}, column {col}: {err.message}", name,
                    lines.span(err.offset, err.offset + 1))
        return [Recognised(name, "problem", p, p.span)]
    t = _fill(TokenClaims(name, "claims", span=lines.span(doc.start, doc.end)), doc.value)
    for k in ("iss", "sub", "aud", "exp", "nbf"):
        if (k,) in doc.spans:
            t.spans[k] = lines.span(*doc.spans[(k,)])
    return [Recognised(name, "oidc-token", t, t.span)]
