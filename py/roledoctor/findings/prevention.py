"""Prevention artifacts: a CI pre-flight script, a conftest/OPA policy, and the
Checkov checks that apply.

The pre-flight script performs exactly the STS calls Terraform's AWS provider
will make (same role, session name, duration, tags, source identity, region,
chain of hops), so a CI job fails fast with the real STS error before `plan`.
Secrets never enter the script: the external ID is read from an environment
variable. Every value is shell-quoted with shlex.quote.

Plain string building (no template engine): the page's first answer shows
these, and its memory image need not hold jinja2.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field

from roledoctor.findings import catalogue

_ENV_NAME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_ENV_NAME_REST = _ENV_NAME_FIRST | frozenset("0123456789")


@dataclass
class Hop:
    """One `assume_role` block of the provider (several blocks = a chain, assumed in order)."""

    role_arn: str
    session_name: str | None = None
    external_id: bool = False  # the block sets external_id (its value is never copied)
    external_id_env: str | None = None  # env var holding it; default TF_VAR_external_id[_N]
    duration: str | None = None  # Go duration as written, e.g. "1h", "45m"
    tags: dict[str, str] = field(default_factory=dict)
    transitive_tag_keys: list[str] = field(default_factory=list)
    source_identity: str | None = None
    policy: str | None = None  # session policy JSON
    policy_arns: list[str] = field(default_factory=list)


@dataclass
class AssumeRoleSettings:
    hops: list[Hop]
    region: str | None = None
    sts_region: str | None = None  # the provider calls STS here when set
    sts_endpoint: str | None = None  # endpoints { sts = ... }
    profile: str | None = None  # source credentials of the first hop


# ---- Go durations (time.ParseDuration) ------------------------------------------

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration_seconds(text: str) -> int:
    """Seconds in a Go duration ("1h", "1h30m", "90m", "3600s", "1.5h"), truncated like the provider.

    A hand-written scanner (linear time); raises ValueError on anything
    time.ParseDuration would reject.
    """
    s = text.strip()
    sign = 1
    if s[:1] in ("+", "-"):
        sign, s = (-1 if s[0] == "-" else 1), s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"invalid duration {text!r}")
    total, i, n = 0.0, 0, len(s)
    while i < n:
        j = i
        while j < n and (s[j].isdigit() or s[j] == "."):
            j += 1
        number = s[i:j]
        if not number or number == "." or number.count(".") > 1 or not number.isascii():
            raise ValueError(f"invalid duration {text!r}")
        k = j
        while k < n and not (s[k].isdigit() or s[k] == "."):
            k += 1
        unit = s[j:k]
        if unit not in _UNITS:
            raise ValueError(f"invalid duration {text!r}: unknown unit {unit!r}")
        total += float(number) * _UNITS[unit]
        i = k
    return int(sign * total)


# ---- the pre-flight script -------------------------------------------------------------


def _env_name(name: str) -> str:
    if not name or name[0] not in _ENV_NAME_FIRST or any(c not in _ENV_NAME_REST for c in name):
        raise ValueError(f"not a shell variable name: {name!r}")
    return name


def _no_controls(value: str, what: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError(f"{what} contains control characters")
    return value


def _q(value: str, what: str) -> str:
    return shlex.quote(_no_controls(value, what))


def hop_arguments(hop: Hop, index: int, settings: AssumeRoleSettings, default_env: str = "TF_VAR_external_id") -> list[str]:
    """The `aws sts assume-role` arguments for one hop, each already shell-quoted."""
    args = ["--role-arn " + _q(hop.role_arn, "role_arn")]
    args.append("--role-session-name " + _q(hop.session_name or "roledoctor-preflight", "session_name"))
    if hop.external_id:
        var = _env_name(hop.external_id_env or default_env)
        # Double quotes around ${VAR}: expanded at run time, never word-split; :? names what is missing.
        args.append(f'--external-id "${{{var}:?set {var} to the external ID of hop {index + 1}}}"')
    if hop.duration:
        args.append(f"--duration-seconds {go_duration_seconds(hop.duration)}")
    if hop.policy:
        args.append("--policy " + _q(hop.policy, "policy"))
    if hop.policy_arns:
        args.append("--policy-arns " + _q(json.dumps([{"arn": a} for a in hop.policy_arns]), "policy_arns"))
    if hop.tags:
        tags = [{"Key": k, "Value": v} for k, v in hop.tags.items()]
        args.append("--tags " + _q(json.dumps(tags, ensure_ascii=False), "tags"))
    if hop.transitive_tag_keys:
        args.append("--transitive-tag-keys " + " ".join(_q(k, "transitive_tag_keys") for k in hop.transitive_tag_keys))
    if hop.source_identity:
        args.append("--source-identity " + _q(hop.source_identity, "source_identity"))
    return args + common_arguments(settings, first=index == 0)


def common_arguments(settings: AssumeRoleSettings, first: bool) -> list[str]:
    args = []
    region = settings.sts_region or settings.region
    if region:
        args.append("--region " + _q(region, "region"))
    if settings.sts_endpoint:
        args.append("--endpoint-url " + _q(settings.sts_endpoint, "sts endpoint"))
    if first and settings.profile:  # later hops use the previous hop's exported keys
        args.append("--profile " + _q(settings.profile, "profile"))
    return args


def preflight_script(settings: AssumeRoleSettings) -> str:
    if not settings.hops:
        raise ValueError("no assume_role hop to check")
    # Default env names: TF_VAR_external_id for the first hop with an external ID,
    # TF_VAR_external_id_N (N = hop number) for any later one.
    hops, seen = [], 0
    for i, h in enumerate(settings.hops):
        env = "TF_VAR_external_id" if seen == 0 else f"TF_VAR_external_id_{i + 1}"
        seen += bool(h.external_id)
        hops.append(hop_arguments(h, i, settings, env))
    return _script(hops, common_arguments(settings, first=True))


def _script(hops: list[list[str]], identity_args: list[str]) -> str:
    """The script around the arguments (already shell-quoted by hop_arguments).
    Every argument still goes through clean_controls, the text reports'
    last line of defence against control characters (C1, bidi)."""
    from roledoctor.render.inline import clean_controls  # stdlib only

    identity = "".join(clean_controls(a) + " " for a in identity_args)
    out = [_PREFLIGHT_HEAD.format(version=_version()),
           f"aws sts get-caller-identity {identity}--query Arn --output text\n"]
    for number, args in enumerate(hops, 1):
        last = number == len(hops)
        out.append(f'\necho "Assuming role {number} of {len(hops)}" >&2\n')
        if not last:
            out.append(f"# Hop {number}: the next hop is assumed with these credentials, as the provider does.\n"
                       "creds=$(aws sts assume-role \\\n")
        else:
            out.append("aws sts assume-role \\\n")
        out.extend(f"  {clean_controls(a)} \\\n" for a in args)
        out.append(_LAST_HOP_TAIL if last else _CHAINED_HOP_TAIL)
    out.append('\necho "Role assumption verified: terraform plan can proceed." >&2\n')
    return "".join(out)


def _version() -> str:
    from roledoctor import __version__

    return __version__


_PREFLIGHT_HEAD = """#!/usr/bin/env bash
# CI pre-flight generated by roledoctor {version}: assume the role exactly as
# Terraform's AWS provider will, and fail fast with the real STS error before plan.
# Needs the AWS CLI. Secrets are read from environment variables, never written here.
set -euo pipefail

echo "Caller identity:" >&2
"""
_CHAINED_HOP_TAIL = """  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"${creds}"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
unset AWS_PROFILE creds
"""
_LAST_HOP_TAIL = "  --query 'AssumedRoleUser.Arn' --output text\n"


# ---- the conftest / OPA policy ---------------------------------------------------------


def role_account(arn: str | None) -> str:
    parts = (arn or "").split(":")
    return parts[4] if len(parts) >= 6 and parts[4].isdigit() and len(parts[4]) == 12 else ""


def trust_rego_policy(default_account: str = "") -> str:
    """Rego (v1 syntax) denying cross-account aws_iam_role trusts with no narrowing condition.

    `default_account` is where new roles are created when the plan does not say
    (the account of the role the provider assumes); "" treats every AWS
    principal account as foreign.
    """
    if default_account and not (default_account.isdigit() and len(default_account) == 12):
        raise ValueError("default_account must be a 12-digit account ID")
    from roledoctor.findings.rego_trust import REGO

    return REGO.replace("{version}", _version()).replace("{default_account}", default_account)


# ---- Checkov --------------------------------------------------------------------------


def checkov_checks(codes=None) -> list[catalogue.CheckovCheck]:
    """The Checkov checks that flag the given finding codes (all known ones when None)."""
    cat = catalogue.load()
    wanted = cat.checkov.keys() if codes is None else \
        [cid for code in codes if code in cat for cid in cat[code].checkov]
    return [cat.checkov[cid] for cid in dict.fromkeys(wanted)]


@dataclass
class Prevention:
    preflight_script: str
    rego_policy: str
    checkov: list[catalogue.CheckovCheck]


def prevention(settings: AssumeRoleSettings, codes=None) -> Prevention:
    account = role_account(settings.hops[-1].role_arn) if settings.hops else ""
    return Prevention(preflight_script(settings), trust_rego_policy(account), checkov_checks(codes))
