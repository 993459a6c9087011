"""AWS evidence: what the AWS CLI and CloudTrail print, recognised by content.

One module per family of outputs; each output is a row of the input kinds table
(roledoctor.inputs.kinds, stage "aws-output": its recognise(value) and read(ctx, ev)
functions). This package asks those rows (json_readers) and turns an Evidence into
the Recognised records of the input layer:

    iam          get-role, get-*-policy, list-*-policies, get-policy[-version], get-user, list-groups-for-user
    authdetails  get-account-authorization-details (large: read lazily)
    orgs         describe-policy, list-policies-for-target, list-parents, list-roots, describe-organization
    oidc         get-open-id-connect-provider, list-open-id-connect-providers
    cloudtrail   one record, {"Records": [...]}, lookup-events
    textual      `$ aws …` lines above outputs, NoSuchEntity errors, the caller's bare ARN
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from roledoctor.inputs import jsonspan
from roledoctor.inputs.documents import blank_outside
from roledoctor.inputs.evidence import authdetails, textual
from roledoctor.inputs.evidence.common import Ctx
from roledoctor.inputs.evidence.model import Evidence
from roledoctor.inputs.model import Arg, CallerIdentity, PolicySource, Recognised, RoleResource

KIND = "aws-evidence"


def json_readers() -> list[tuple[str, Callable[..., Any], Callable[..., Any]]]:
    """(output kind, recognise(value), read(ctx, ev)) of every AWS output, in table order."""
    from roledoctor.inputs import kinds
    return [(k.name, k.recogniser(), k.reader()) for k in kinds.rows("aws-output")]


def recognise_json(text: str, parsed) -> bool:
    """The kinds table's test (stage json): AWS output, the large authorization details by a
    look at the text before any parse; `parsed()` gives the parsed value."""
    from roledoctor.inputs.plan import is_plan
    if authdetails.recognise_text(text):
        return True
    value = parsed()
    return not is_plan(value) and recognise(value) is not None


def read(name: str, text: str, lines) -> list[Recognised]:
    """AWS output read on its own (reader.py reads mixed pastes around it)."""
    fast = read_fast(name, text, lines)
    if fast is not None:
        return fast
    try:
        got = read_json(name, text, lines, jsonspan.parse(text))
    except jsonspan.JSONSyntaxError:
        got = None
    return got if got is not None else read_text(name, text, lines)[0]


def recognise(value) -> str | None:
    """The kind of AWS output a parsed JSON value is, or None."""
    if authdetails.recognise(value):
        return "auth-details"
    for kind, test, _ in json_readers():
        try:
            if test(value):
                return kind
        except (TypeError, AttributeError):
            continue
    return None


def recognise_text(text: str) -> bool:
    """A text (not starting with JSON) that holds AWS evidence."""
    return bool(textual.COMMAND.search(text)) or textual.not_found(text) is not None or \
        _only_caller_arn(text) is not None


def _only_caller_arn(text: str):
    found = textual.caller_arns(text)
    return found[0] if len(found) == 1 and text.strip() == found[0][0] else None


def _records(ev: Evidence, problems: list) -> list[Recognised]:
    out = [Recognised(ev.input, KIND, ev, ev.span)]
    out += [Recognised(ev.input, "error", e, e.span) for e in ev.errors]
    for p in ev.principals:
        if p.type == "role" and ev.kind == "get-role" and p.trust is not None:
            r = RoleResource(ev.input, p.arn or p.name, name=Arg("RoleName", p.name, p.name), trust=p.trust.policy,
                             trust_source=PolicySource(p.trust.form, ref="Role/AssumeRolePolicyDocument",
                                                       input=ev.input), span=p.span)
            if p.max_session is not None:
                r.max_session_duration = Arg("MaxSessionDuration", p.max_session, str(p.max_session))
            r.path = Arg("Path", p.path, p.path)
            out.append(Recognised(ev.input, "role", r, p.trust.span))
    out += [Recognised(ev.input, "problem", p, p.span) for p in problems]
    return out


def read_json(name: str, text: str, lines, doc: jsonspan.JSONDoc, command: dict | None = None):
    """Recognised records for AWS output already parsed with spans; None when it is not AWS output."""
    kind = recognise(doc.value)
    if kind is None:
        return None
    ev = Evidence(name, kind, kind, command=dict(command or {}), span=lines.span(doc.start, doc.end))
    if kind == "auth-details":
        problems = authdetails.read_text(name, text if doc.start == 0 and doc.end == len(text.rstrip()) else blank_outside(text, doc.start, doc.end),
                                         lines, ev)
        return _records(ev, problems)
    ctx = Ctx(name, text, lines, doc)
    reader = next(r for k, _, r in json_readers() if k == kind)
    reader(ctx, ev)
    return _records(ev, ctx.problems)


def read_fast(name: str, text: str, lines):
    """get-account-authorization-details, without a positional parse of the whole text (tens of MB)."""
    if not authdetails.recognise_text(text):
        return None
    ev = Evidence(name, "auth-details", "authorization details")
    problems = authdetails.read_text(name, text, lines, ev)
    return _records(ev, problems)


def read_text(name: str, text: str, lines) -> tuple[list[Recognised], bool]:
    """Evidence in a text that does not start with JSON -> (records, whole): whole is True when
    the text is nothing but evidence (command lines with outputs, an ARN, a NoSuchEntity error)."""
    out: list[Recognised] = []
    # outputs below `$ aws …` lines, or bare JSON outputs one after another (reader.py: several_objects)
    several = text.lstrip(" \t\r\n\ufeff").startswith("{")
    found, covered = textual.objects(text) if several or textual.COMMAND.search(text) else ([], [])
    for cmd, a, b in found:
        try:
            doc = jsonspan.parse(text, a, b)
        except jsonspan.JSONSyntaxError:
            continue
        got = read_json(name, text, lines, doc, cmd)
        if got is None and isinstance(doc.value, dict) and set(doc.value) <= {"UserId", "Account", "Arn"} and \
                isinstance(doc.value.get("Arn"), str):
            ci = CallerIdentity(name, doc.value["Arn"], doc.value.get("Account"), doc.value.get("UserId"),
                                lines.span(doc.start, doc.end))
            got = [Recognised(name, "caller-identity", ci, ci.span)]
        if got is None:  # a policy or other JSON among the outputs: the other readers take the text
            covered.remove((a, b))
        out += got or []
    nf = textual.not_found(text)
    if nf is not None:
        ev = Evidence(name, "not-found", f"NoSuchEntity from {nf['operation'] or 'IAM'}",
                      [nf["message"][:200]], lines.span(nf["start"], nf["end"]), not_found=nf)
        if nf.get("name"):
            ev.title = f"NoSuchEntity: role {nf['name']} not found"
        out.append(Recognised(name, KIND, ev, ev.span))
        covered.append((nf["start"], nf["end"]))
    for arn, a, b in textual.caller_arns(text):
        if not any(r.kind == "caller-identity" and r.facts.arn == arn for r in out):
            ci = CallerIdentity(name, arn, arn.split(":")[4], None, lines.span(a, b))
            out.append(Recognised(name, "caller-identity", ci, ci.span))
            covered.append((a, b))
    return out, bool(out) and _only_blanks_outside(text, covered)


def several_objects(text: str) -> bool:
    """More than one top-level JSON value (outputs pasted one after another)."""
    i = len(text) - len(text.lstrip(" \t\r\n\ufeff"))
    try:
        _, end = textual._DECODER.raw_decode(text, i)
    except (ValueError, RecursionError):  # the positional parser says where, with line and column
        return False
    return bool(text[end:].strip())


def _only_blanks_outside(text: str, covered: list[tuple[int, int]]) -> bool:
    """Nothing but blanks (and the CLI's `An error occurred` prefix) outside the ranges read."""
    pos = 0
    for a, b in sorted(covered):
        if a > pos and text[pos:a].strip() and not text[pos:a].strip().endswith("An error occurred"):
            return False
        pos = max(pos, b)
    return not text[pos:].strip()
