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


def _line_kind(raw: str) -> str:
    """What one line that is no comment counts as: section, key (a known key), env, sub or other."""
    t = raw.strip()
    if _SECTION.fullmatch(t):
        return "section"
    m = _KEYLINE.fullmatch(t)
    if m and m.group(1).lower() in KNOWN_KEYS:
        return "key"
    e = _ENVLINE.fullmatch(t)
    if e and _ENV_NAME.fullmatch(e.group(1)):
        return "env"
    if raw[:1] in " \t" and m:
        return "sub"  # a sub-setting (s3 =\n  max_concurrent_requests = 20)
    return "other"


# A line whose first non-blank is `[`: a section line, if the text has one.
_SECTION_START = re.compile(r"^[^\S\n]*\[", re.M)


def _may_be(text: str) -> bool:
    """A cheap necessary condition of recognise: a section line, or a first line (not a
    comment) that env assignments could follow. A Terraform file starts with a block
    or a comment `//` line, and has no line that opens with `[` outside nested lists."""
    if _SECTION_START.search(text):
        return True
    i, n = 0, len(text)
    while i < n:
        j = text.find("\n", i)
        j = n if j == -1 else j
        raw = text[i:j]
        if not _is_comment(raw):
            return _line_kind(raw) != "other"
        i = j + 1
    return False


def recognise(text: str) -> bool:
    """A config/credentials file (a [section] line and a known key) or env assignments only."""
    if not isinstance(text, str) or len(text) > 2_000_000:
        return False
    head = text[:200_000]
    if not _may_be(head):
        return False
    counts = {"section": 0, "key": 0, "env": 0, "sub": 0, "other": 0}
    for _, raw in _lines(head):
        if not _is_comment(raw):
            counts[_line_kind(raw)] += 1
    sections, keys, other = counts["section"], counts["key"], counts["other"]
    if sections and keys and other <= sections + keys:
        return True
    return counts["env"] > 0 and other == 0


def _unquote(v: str) -> str:
    v = v.strip().rstrip("\r").strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def _value_span(lines: LineIndex, start: int, raw: str, value: str) -> Span:
    i = raw.find(value) if value else -1
    a = start + (i if i >= 0 else 0)
    return lines.span(a, a + len(value) if i >= 0 else a + len(raw))


def _section(s: re.Match, line: str, start: int, lines: LineIndex) -> tuple[Section, bool]:
    """The section a `[...]` line opens, and whether it was written `[profile NAME]`."""
    head = " ".join(s.group(1).split())
    for prefix, kind in (("profile ", "profile"), ("sso-session ", "sso-session"), ("services ", "services")):
        if head.startswith(prefix):
            return Section(kind, head[len(prefix):].strip(), span=lines.span(start, start + len(line))), kind == "profile"
    return Section("profile", head, span=lines.span(start, start + len(line))), False


def _setting(name: str, value: str, span: Span, secret: bool) -> Arg:
    return Arg(name, bool(value), "(secret)", span) if secret else Arg(name, value, value, span)


def _env_line(line: str):
    e = _ENVLINE.fullmatch(line.strip())
    return e if e and _ENV_NAME.fullmatch(e.group(1)) else None


def _form(name: str, cfg: AwsConfig, saw_profile_prefix: bool) -> str:
    if not (cfg.profiles or cfg.sso_sessions):
        return cfg.form
    if "credentials" in name.lower():
        return "credentials"
    if name.lower().endswith("config"):
        return "config"
    has_keys = any("aws_access_key_id" in p.keys or "aws_secret_access_key" in p.keys for p in cfg.profiles.values())
    return "config" if saw_profile_prefix or cfg.sso_sessions or not has_keys else "credentials"


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    cfg = AwsConfig(name, "env", span=lines.span(0, len(text)))
    current: Section | None = None
    saw_profile_prefix = False
    for start, raw in _lines(text):
        line = raw.rstrip("\r")
        if _is_comment(line):
            continue
        s = _SECTION.fullmatch(line.strip())
        if s:
            current, prefixed = _section(s, line, start, lines)
            saw_profile_prefix |= prefixed
            (cfg.sso_sessions if current.kind == "sso-session" else cfg.profiles if current.kind == "profile"
             else {})[current.name] = current
            continue
        e = _env_line(line)
        if e:  # env lines, also after a section
            var, value = e.group(1), _unquote(e.group(2).split(" #", 1)[0])
            cfg.env[var] = _setting(var, value, _value_span(lines, start, line, value), var in SECRET_VARS)
            continue
        m = _KEYLINE.fullmatch(line.strip())
        if current is None or line[:1] in " \t" or not m:
            continue  # a sub-setting of the key above, or no setting
        key = m.group(1).lower()
        value = _unquote(m.group(2).split(" #", 1)[0].split(" ;", 1)[0])
        current.keys[key] = _setting(key, value, _value_span(lines, start, line, value), key in SECRET_KEYS)
    cfg.form = _form(name, cfg, saw_profile_prefix)
    return [Recognised(name, "aws-config", cfg, cfg.span)]


def profile_value(section: Section | None, key: str) -> str | None:
    if section is None:
        return None
    a = section.keys.get(key)
    return a.value if a is not None and isinstance(a.value, str) and a.value else None
