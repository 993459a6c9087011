"""AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials) and
the environment variables that override them (`export AWS_PROFILE=…` lines, a `.env`).

Format: https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
(`[profile NAME]` in config, `[NAME]` in credentials, `[sso-session NAME]`, `#`/`;`
comments, indented lines are sub-settings of the key above). Settings:
https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html;
environment variables: https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html.

Secrets (aws_secret_access_key, aws_session_token, their variables) are read as
present / absent only: their values are never kept.

    recognise(text) -> bool
    read(name, text, lines) -> list[Recognised]   kind "aws-config" (AwsConfig facts)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from roledoctor.inputs.model import Arg, Recognised
from roledoctor.source import LineIndex, Span

SECRET_KEYS = {"aws_secret_access_key", "aws_session_token", "aws_security_token"}
SECRET_VARS = {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "TF_AWS_WEB_IDENTITY_TOKEN"}
KNOWN_KEYS = {"aws_access_key_id", "role_arn", "source_profile", "credential_source", "credential_process",
              "sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name", "mfa_serial",
              "external_id", "duration_seconds", "role_session_name", "web_identity_token_file", "region",
              "output", "sso_registration_scopes"} | SECRET_KEYS

# applied to a stripped line; the name is stripped in Python (no leading or nested blank runs: linear time)
_SECTION = re.compile(r"\[([A-Za-z0-9_. @+=,:/-]{1,200})\](?:[ \t]{0,100}[#;][^\n]{0,1000})?")
_KEYLINE = re.compile(r"([A-Za-z0-9_.-]{1,100})[ \t]{0,100}=[ \t]{0,100}([^\n]{0,4000})")
# `export NAME=value`, `NAME=value`, `set NAME=value` (cmd), `$env:NAME = "value"` (PowerShell)
_ENVLINE = re.compile(r"(?:export[ \t]{1,10}|set[ \t]{1,10}|\$env:)?([A-Z][A-Z0-9_]{1,100})[ \t]{0,100}=[ \t]{0,100}([^\n]{0,4000})")
_ENV_NAME = re.compile(r"(?:AWS|TFC_AWS|TF_AWS)_[A-Z0-9_]{1,80}")


@dataclass
class Section:
    kind: str  # "profile" | "sso-session" | "services" | "other"
    name: str
    keys: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


@dataclass
class AwsConfig:
    input: str
    form: str  # "config" | "credentials" | "env"
    profiles: dict[str, Section] = field(default_factory=dict)
    sso_sessions: dict[str, Section] = field(default_factory=dict)
    env: dict[str, Arg] = field(default_factory=dict)
    span: Span | None = None


def _lines(text: str):
    pos = 0
    for raw in text.split("\n"):
        yield pos, raw
        pos += len(raw) + 1


def _is_comment(s: str) -> bool:
    t = s.strip()
    return not t or t[0] in "#;"


def recognise(text: str) -> bool:
    """A config/credentials file (a [section] line and a known key) or env assignments only."""
    if not isinstance(text, str) or len(text) > 2_000_000:
        return False
    sections = keys = envs = other = 0
    for _, raw in _lines(text[:200_000]):
        if _is_comment(raw):
            continue
        if _SECTION.fullmatch(raw.strip()):
            sections += 1
            continue
        m = _KEYLINE.fullmatch(raw.strip())
        if m and m.group(1).lower() in KNOWN_KEYS:
            keys += 1
            continue
        e = _ENVLINE.fullmatch(raw.strip())
        if e and _ENV_NAME.fullmatch(e.group(1)):
            envs += 1
            continue
        if raw[:1] in " \t" and _KEYLINE.fullmatch(raw.strip()):
            continue  # a sub-setting (s3 =\n  max_concurrent_requests = 20)
        other += 1
    if sections and keys and other <= sections + keys:
        return True
    return envs > 0 and other == 0


def _unquote(v: str) -> str:
    v = v.strip().rstrip("\r").strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def _value_span(lines: LineIndex, start: int, raw: str, value: str) -> Span:
    i = raw.find(value) if value else -1
    a = start + (i if i >= 0 else 0)
    return lines.span(a, a + len(value) if i >= 0 else a + len(raw))


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    form = "env"
    cfg = AwsConfig(name, form, span=lines.span(0, len(text)))
    current: Section | None = None
    saw_profile_prefix = False
    for start, raw in _lines(text):
        line = raw.rstrip("\r")
        if _is_comment(line):
            continue
        s = _SECTION.fullmatch(line.strip())
        if s:
            head = " ".join(s.group(1).split())
            kind, nm = "profile", head
            if head.startswith("profile "):
                nm, saw_profile_prefix = head[8:].strip(), True
            elif head.startswith("sso-session "):
                kind, nm = "sso-session", head[12:].strip()
            elif head.startswith("services "):
                kind, nm = "services", head[9:].strip()
            current = Section(kind, nm, span=lines.span(start, start + len(line)))
            (cfg.sso_sessions if kind == "sso-session" else cfg.profiles if kind == "profile" else {})[nm] = current
            continue
        e = _ENVLINE.fullmatch(line.strip())
        if current is None or (e and _ENV_NAME.fullmatch(e.group(1))):  # env lines, also after a section
            if e and _ENV_NAME.fullmatch(e.group(1)):
                var, value = e.group(1), _unquote(e.group(2).split(" #", 1)[0])
                span = _value_span(lines, start, line, value)
                if var in SECRET_VARS:
                    cfg.env[var] = Arg(var, bool(value), "(secret)", span)
                else:
                    cfg.env[var] = Arg(var, value, value, span)
            continue
        if line[:1] in " \t":
            continue  # sub-setting of the key above
        m = _KEYLINE.fullmatch(line.strip())
        if not m:
            continue
        key = m.group(1).lower()
        value = _unquote(m.group(2).split(" #", 1)[0].split(" ;", 1)[0])
        span = _value_span(lines, start, line, value)
        if key in SECRET_KEYS:
            current.keys[key] = Arg(key, bool(value), "(secret)", span)
        else:
            current.keys[key] = Arg(key, value, value, span)
    if cfg.profiles or cfg.sso_sessions:
        has_keys = any("aws_access_key_id" in p.keys or "aws_secret_access_key" in p.keys for p in cfg.profiles.values())
        cfg.form = "config" if saw_profile_prefix or cfg.sso_sessions or not has_keys else "credentials"
        if "credentials" in name.lower():
            cfg.form = "credentials"
        elif name.lower().endswith("config"):
            cfg.form = "config"
    return [Recognised(name, "aws-config", cfg, cfg.span)]


def profile_value(section: Section | None, key: str) -> str | None:
    if section is None:
        return None
    a = section.keys.get(key)
    return a.value if a is not None and isinstance(a.value, str) and a.value else None
