"""Static rules over the pasted configuration (docs/findings.md, input).

Callable on Inputs alone (the `roledoctor check` command reuses them). Value
rules follow the provider's schema and STS (https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume-role-configuration-block):
role_arn a valid IAM role ARN; session_name `[\\w+=,.@-]{2,64}`; external_id
`[\\w+=,.@:/-]{2,1224}`; duration a Go duration within 15m..12h; v5.0.0
removed `duration_seconds`; the S3 backend takes `assume_role = { … }` since
Terraform 1.6 (#33625). The fixes of these findings are planned in fixes/provider.py.
"""

from __future__ import annotations

from roledoctor.diagnosis.model import Issue, Where
from roledoctor.diagnosis.rolearn import PARTITIONS, role_arn_problem  # noqa: F401
from roledoctor.findings.prevention import go_duration_seconds
from roledoctor.fixes.sts_values import (  # noqa: F401  (sanitise: the value a fix writes)
    EXTERNAL_BAD as _EXTERNAL_BAD, EXTERNAL_ID as _EXTERNAL_ID, MAX_DURATION, MIN_DURATION, SESSION_BAD as _SESSION_BAD,
    SESSION_NAME as _SESSION_NAME, sanitise,
)
from roledoctor.inputs import Inputs
from roledoctor.inputs.model import AssumeRoleHop, POLICY_INVALID

# backend "s3" arguments removed with the nested assume_role attribute (Terraform 1.6, https://developer.hashicorp.com/terraform/language/backend/s3#assume-role-configuration)
_S3_REMOVED = {"session_name": "assume_role.session_name", "external_id": "assume_role.external_id",
               "assume_role_duration_seconds": "assume_role.duration",
               "assume_role_policy": "assume_role.policy", "assume_role_policy_arns": "assume_role.policy_arns",
               "assume_role_tags": "assume_role.tags", "assume_role_transitive_tag_keys":
               "assume_role.transitive_tag_keys"}


def input_checks(inputs: Inputs, slot_of=lambda name: "auto", display=lambda name: name) -> list[Issue]:
    out: list[Issue] = []
    for p in inputs.problems:
        out.append(Issue(p.code, f"{display(p.input)}: {p.message}", [Where(p.input, p.span)],
                         {"input": display(p.input)}))
    for d in inputs.documents:
        slot = slot_of(d.input)
        pol = d.policy
        if pol is None:
            continue
        with_principal = [s for s in pol.statements if s.principal is not None or s.not_principal is not None]
        if slot in ("caller_policy", "boundary", "session_policy", "scp") and with_principal:
            s = with_principal[0]
            out.append(Issue(POLICY_INVALID, f"Statement {s.index} has a `Principal`, which an identity-based "
                             f"policy (or {slot.replace('_', ' ')}) must not have; is this the role's trust policy?",
                             [Where(d.input, pol.span_at(s.path + ("Principal",)))]))
        if slot == "trust_policy" and len(with_principal) < len(pol.statements):
            s = next(s for s in pol.statements if s.principal is None and s.not_principal is None)
            out.append(Issue(POLICY_INVALID, f"Statement {s.index} of the trust policy has no `Principal`; a "
                             "role trust policy must name who may assume the role.", [Where(d.input, pol.span_at(s.path))]))
    for prov in inputs.providers:
        for hop in prov.assume_role:
            out += hop_checks(prov, hop, len(prov.assume_role))
        if prov.web_identity is not None:
            w = prov.web_identity
            fake = AssumeRoleHop(0, role_arn=w.role_arn, session_name=w.session_name, duration=w.duration,
                                 args=w.args, span=w.span)
            out += hop_checks(prov, fake, 1, web=True)
    for b in inputs.backends:
        out += backend_checks(b)
    return out


def hop_checks(prov, hop: AssumeRoleHop, count: int, web: bool = False) -> list[Issue]:
    out: list[Issue] = []
    block = "assume_role_with_web_identity" if web else "assume_role"
    where_block = [Where(prov.input, hop.span)] if hop.span is not None else []
    label = f"{block} block {hop.index + 1} of {count}" if count > 1 else f"the {block} block"
    a = hop.role_arn
    # An empty role_arn that is a variable's default (`default = null`) waits for a caller or a
    # tfvars file to set it: not decided by the code, so not reported.
    if a is None or (not a.symbolic and not a.defaulted and (a.value is None or str(a.value).strip() == "")):
        out.append(Issue("PROVIDER_ROLE_ARN_MISSING", f"{label[0].upper() + label[1:]} has "
                         f"{'no' if a is None else 'an empty'} `role_arn`.",
                         [Where(prov.input, a.span)] if a is not None else where_block, {"hop": hop.index + 1}))
    elif not a.symbolic and isinstance(a.value, str):
        problem = role_arn_problem(a.value)
        if problem:
            why, fixed = problem
            out.append(Issue("PROVIDER_ROLE_ARN_INVALID", f"`role_arn` `{a.value}` is not a valid IAM role ARN: {why}."
                             + (f" Valid form: `{fixed}`." if fixed else " Valid form: `arn:aws:iam::ACCOUNT:role/NAME`."),
                             [Where(prov.input, a.span)], {"value": a.value, "valid": fixed}))
    d = hop.duration
    if d is not None and not d.symbolic and d.value is not None:
        try:
            secs = go_duration_seconds(str(d.value))
            fixed = None if MIN_DURATION <= secs <= MAX_DURATION else ("15m" if secs < MIN_DURATION else "12h")
            why = f"{secs} s is outside 15m..12h"
        except ValueError:
            fixed, why = "1h", "it is not a Go duration (e.g. `1h`, `45m`)"
        if fixed:
            out.append(Issue("DURATION_OUT_OF_RANGE", f"`duration = \"{d.value}\"`: {why}.",
                             [Where(prov.input, d.span)], {"value": d.value, "valid": fixed}))
    for name, rx, bad, low, high, code in (
            ("session_name", _SESSION_NAME, _SESSION_BAD, 2, 64, "SESSION_NAME_INVALID"),
            ("external_id", _EXTERNAL_ID, _EXTERNAL_BAD, 2, 1224, "EXTERNAL_ID_INVALID")):
        arg = hop.args.get(name)
        if arg is None or arg.symbolic or not isinstance(arg.value, str) or rx.fullmatch(arg.value):
            continue
        fixed = sanitise(arg.value, bad, low, high)
        shown = arg.value if name == "session_name" else "…"
        out.append(Issue(code, f"`{name}` {f'`{shown}` ' if name == 'session_name' else ''}breaks the STS pattern "
                         f"`{rx.pattern}` (the provider's unanchored check lets it through to STS)."
                         + (f" Sanitised: `{fixed}`." if name == "session_name" else ""),
                         [Where(prov.input, arg.span)], {"valid": fixed} if name == "session_name" else {}))
    ds = hop.duration_seconds
    if ds is not None:
        out.append(Issue("DEPRECATED_ARGUMENT", "`duration_seconds` was removed from `assume_role` in provider "
                         "v5.0.0; use `duration` (a Go duration string).",
                         [Where(prov.input, ds.name_span or ds.span)], {"argument": "duration_seconds",
                                                                         "replacement": "duration"}))
    return out


def backend_checks(b) -> list[Issue]:
    out: list[Issue] = []
    if b.assume_role_form == "block":
        out.append(Issue("S3_BACKEND_ASSUME_ROLE_SYNTAX", "`backend \"s3\"` takes `assume_role` as an attribute "
                         "since Terraform 1.6: write `assume_role = { … }`, not a block.",
                         [Where(b.input, b.assume_role.span)], {"form": "block"}))
    elif b.assume_role_form == "top-level":
        out.append(Issue("S3_BACKEND_ASSUME_ROLE_SYNTAX", "`role_arn` at the top of `backend \"s3\"` was removed; "
                         "write `assume_role = { role_arn = \"…\" }`.", [Where(b.input, b.role_arn.name_span)],
                         {"form": "top-level"}))
    for name, new in _S3_REMOVED.items():
        a = b.args.get(name)
        if a is not None:
            out.append(Issue("DEPRECATED_ARGUMENT", f"`{name}` in `backend \"s3\"` was removed; use `{new}`.",
                             [Where(b.input, a.name_span or a.span)], {"argument": name, "replacement": new}))
    if b.assume_role is not None:
        class _P:  # the backend stands in for the provider in hop messages
            input = b.input
        out += [i for i in hop_checks(_P, b.assume_role, 1) if i.code != "DEPRECATED_ARGUMENT"]
    return out
