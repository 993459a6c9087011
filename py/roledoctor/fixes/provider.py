"""Planners for the provider's `assume_role` block and the `backend "s3"` block:
a value STS or the provider refuses is replaced by the nearest valid one, a removed
argument by its successor, the block form of the backend's `assume_role` by the
attribute form (https://developer.hashicorp.com/terraform/language/backend/s3#assume-role-configuration).
The finding points at the argument (its span); the planner finds it again in the
inputs, so the rule that reports it needs to know nothing about edits.
"""

from __future__ import annotations

from typing import Any

from roledoctor.fixes.model import Repair
from roledoctor.fixes.places import facts_of
from roledoctor.fixes.plan import Finding, planner
from roledoctor.fixes.provider_edits import S3_MOVED
from roledoctor.fixes.sts_values import (
    EXTERNAL_BAD, MAX_DURATION, MIN_DURATION, go_duration, sanitise,
)
from roledoctor.inputs.model import AssumeRoleHop, RoleResource, S3Backend


def _hop_at(case: Any, where: Any) -> tuple[Any, AssumeRoleHop, str] | None:
    """(provider or backend, hop, argument name) whose argument (or name) is at `where`; web identity
    blocks excluded."""
    for prov in case.inputs.providers:
        if prov.input != where.input:
            continue
        for hop in prov.assume_role:
            for name, a in hop.args.items():
                if where.span is not None and where.span in (a.span, a.name_span):
                    return prov, hop, name
    for b in case.inputs.backends:  # backend "s3" { assume_role = { … } }: the same arguments
        hop = b.assume_role
        if b.input != where.input or hop is None or b.assume_role_form != "attribute":
            continue
        for name, a in hop.args.items():
            if where.span is not None and where.span in (a.span, a.name_span):
                return b, hop, name
    return None


def _first(f: Finding) -> Any:
    return f.where[0] if f.where else None


@planner("PROVIDER_ROLE_ARN_INVALID", "DURATION_OUT_OF_RANGE", "SESSION_NAME_INVALID")
def valid_value(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The valid value the finding names (details["valid"])."""
    got = _hop_at(case, _first(f)) if _first(f) else None
    fixed = f.details.get("valid")
    if got is None or not fixed:
        return []
    prov, hop, name = got
    return [Repair("provider", "set_arg", prov, key=name, value=fixed, hop=hop.index)]


@planner("EXTERNAL_ID_INVALID")
def external_id(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The sanitised external ID (never shown in the finding: it is a shared secret of sorts)."""
    got = _hop_at(case, _first(f)) if _first(f) else None
    if got is None:
        return []
    prov, hop, name = got
    value = hop.args[name].value
    if not isinstance(value, str):
        return []
    return [Repair("provider", "set_arg", prov, key=name, value=sanitise(value, EXTERNAL_BAD, 2, 1224),
                   hop=hop.index)]


@planner("DEPRECATED_ARGUMENT")
def deprecated(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """`duration_seconds = N` (removed in provider v5.0.0) -> `duration = "<Go duration>"`; a removed
    argument of `backend "s3"` moves into its `assume_role = { … }`."""
    got = _hop_at(case, _first(f)) if _first(f) else None
    if got is None:
        b = _backend_arg_at(case, _first(f)) if _first(f) else None
        return [Repair("provider", "s3_nest_assume_role", b)] if b is not None else []
    prov, hop, name = got
    if name != "duration_seconds" or hop.duration is not None:
        return []
    secs = hop.args[name].value
    if not isinstance(secs, int) or isinstance(secs, bool) or not secs:
        return []
    repl = go_duration(max(MIN_DURATION, min(MAX_DURATION, secs)))
    return [Repair("provider", "rename_arg", prov, key=name, value=("duration", repl), hop=hop.index)]


@planner("S3_BACKEND_ASSUME_ROLE_SYNTAX")
def backend_syntax(case: Any, ev: Any, f: Finding) -> list[Repair]:
    where = _first(f)
    for b in case.inputs.backends:
        if where is None or b.input != where.input or not isinstance(b, S3Backend):
            continue
        if b.assume_role_form == "block" and b.assume_role is not None and b.assume_role.span == where.span:
            return [Repair("provider", "s3_attribute_syntax", b)]
        if b.assume_role_form == "top-level" and b.role_arn is not None and where.span == b.role_arn.name_span:
            return [Repair("provider", "s3_nest_assume_role", b)]
    return []


def _backend_arg_at(case: Any, where: Any) -> Any:
    """The backend "s3" one of whose top-level removed arguments is at `where`."""
    for b in case.inputs.backends:
        if b.input == where.input and any(where.span in (a.span, a.name_span) for n, a in b.args.items()
                                          if n in S3_MOVED):
            return b
    return None





# What the user must replace: roledoctor never invents an external ID (a shared value only the
# role's owner and the caller know, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html).
EXTERNAL_ID_PLACEHOLDER = "REPLACE-WITH-YOUR-EXTERNAL-ID"


@planner("EXTERNAL_ID_MISSING")
def external_id_missing(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The provider's `assume_role` block sends the trust's value (facts `trust_value`), or, when the
    trust matches a pattern, the pattern with a placeholder."""
    pattern = external_id_pattern(case, ev, f)
    if pattern:
        return pattern
    return [Repair("provider", "add_arg", case.provider, key="external_id", value=facts["trust_value"],
                   hop=case.target)
            for facts in facts_of(f)
            if case.hop is not None and facts["trust_value"] is not None and case.provider is not None]


def external_id_pattern(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """The trust matches the external ID with a pattern (`StringLike` "acme-*"): the provider gets
    the pattern with a placeholder for its wildcards, and the finding says to replace it."""
    values = f.details.get("expected") or []
    pattern = next((v for v in values if isinstance(v, str) and ("*" in v or "?" in v)), None)
    if pattern is None or case.provider is None or not case.hops or not str(f.details.get("operator", "")).startswith(
            "StringLike"):
        return []
    f.repairs[:] = [r for r in f.repairs if r.key != "external_id"]
    value = pattern.replace("*", EXTERNAL_ID_PLACEHOLDER).replace("?", "X")
    f.details["placeholder"] = EXTERNAL_ID_PLACEHOLDER
    f.fix = (f"Add `external_id` to the provider's `assume_role` block: the fix writes `{value}`; replace "
             f"`{EXTERNAL_ID_PLACEHOLDER}` by the external ID the role's owner gave you (it must match `{pattern}`). "
             "roledoctor does not invent it; feed it from a variable.")
    return [Repair("provider", "add_arg", case.provider, key="external_id", value=value, hop=case.target)]


@planner("DURATION_EXCEEDS_CHAIN_LIMIT")
def chain_duration(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """`duration` lowered to role chaining's one hour (facts `duration`, in seconds)."""
    return _set_duration(case, f)


@planner("DURATION_EXCEEDS_MAX_SESSION")
def max_session(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """`duration` lowered to the role's maximum; beside it, the role's maximum raised."""
    return _set_duration(case, f) + raise_max_session(case, ev, f)


def _set_duration(case: Any, f: Finding) -> list[Repair]:
    return [Repair("provider", "set_arg", case.provider, key="duration", value=go_duration(facts["duration"]),
                   hop=case.target) for facts in facts_of(f) if case.hop is not None and case.provider is not None]


def raise_max_session(case: Any, ev: Any, f: Finding) -> list[Repair]:
    """Beside lowering `duration`: raise the role's `max_session_duration` in the pasted
    `aws_iam_role` (up to 12 h, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html)."""
    role = case.role_resource
    want = f.details.get("requested")
    if not isinstance(role, RoleResource) or not isinstance(want, int) or not MIN_DURATION <= want <= MAX_DURATION:
        return []
    return [Repair("role", "set_role_attr", role, key="max_session_duration", value=want, alternative=True)]
