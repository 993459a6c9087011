"""A fix of a document AWS printed (the trust in get-role output, an SCP from
describe-policy, a managed policy version, an inline policy): the corrected document
to save, and the AWS CLI command that applies it. The fix itself is built and proven
like any other (fixes/apply.py, then a second engine run on the edited output); this only
names it. Commands (https://docs.aws.amazon.com/cli/latest/reference/):
iam update-assume-role-policy, iam create-policy-version --set-as-default,
iam put-{user,role,group}-policy, organizations update-policy.
"""

from __future__ import annotations

import json
from typing import Any

from roledoctor.fixes.edits import unified_diff
from roledoctor.fixes.string_policy import decode


def _sources(case: Any) -> list[Any]:
    out = [case.trust, case.boundary, case.session] + list(case.identity or []) + list(case.scps or []) + \
        list(case.rcps or [])
    return [x for x in out if x is not None]


def _text(after: str, src: Any) -> str | None:
    """The document as saved for the apply command: pretty JSON (a JSON or URL-encoded string is decoded)."""
    span = src.policy.span
    if span is None:
        return None
    raw = after[span.start:span.end]
    if src.form in ("string", "urlencoded"):  # the span is inside the string literal, or is the literal
        at = span.start - 1 if span.start > 0 and after[span.start - 1] == '"' and after[span.start] != '"' \
            else span.start
        try:
            raw = decode(after[at:], src.form)
        except ValueError:
            return None
    try:
        value = json.loads(raw)
        if isinstance(value, str):  # describe-policy Content: JSON in a string
            value = json.loads(value)
    except ValueError:
        return None
    return json.dumps(value, indent=4) + "\n"


def _command(d: Any) -> tuple[str, str] | None:
    """(file name, command) that applies the corrected document `d` (a DocRef)."""
    if d.role == "trust":
        name = d.owner.split("/", 1)[-1]
        return "trust-policy.json", (f"aws iam update-assume-role-policy --role-name {name} "
                                     "--policy-document file://trust-policy.json")
    if d.role in ("scp", "rcp") and d.version:
        return f"{d.role}.json", f"aws organizations update-policy --policy-id {d.version} --content file://{d.role}.json"
    if d.role == "managed" and d.arn:
        return "policy.json", (f"aws iam create-policy-version --policy-arn {d.arn} --policy-document "
                               "file://policy.json --set-as-default")
    if d.role == "inline" and "/" in d.owner:
        kind, who = d.owner.split("/", 1)
        return "policy.json", (f"aws iam put-{kind}-policy --{kind}-name {who} --policy-name {d.name} "
                               "--policy-document file://policy.json")
    return None


def annotate(case: Any, fixes: list[Any], report: Any) -> None:
    k = case.aws
    if k is None or not k.refs:
        return
    for f in fixes:
        after_case = f.case_after
        k2 = getattr(after_case, "aws", None)
        if after_case is None or k2 is None:
            continue
        before = {s.label: s for s in _sources(case) if case.raw_name(s.input) == f.raw and s.label in k.refs}
        for src in _sources(after_case):
            old = before.get(src.label)
            ref = k2.refs.get(src.label)
            if old is None or ref is None:
                continue
            text, was = _text(f.after, src), _text(f.before, old)
            if text is None or text == was:
                continue
            got = _command(ref)
            if got is None:
                continue
            f.filename, f.command = got
            f.document = text
            # shown and saved as the document itself (the output around it is AWS's, not the user's)
            diff = unified_diff(was or "", text, f.filename)
            for fx in report.fixes.values():
                if fx.after == f.after:
                    fx.command, fx.document, fx.filename = f.command, text, f.filename
                    fx.before, fx.after, fx.diff = was or "", text, diff
            f.before, f.after, f.diff = was or "", text, diff
            break
