"""A fix of a document AWS printed (the trust in get-role output, an SCP from
describe-policy, a managed policy version, an inline policy): the corrected document
to save, and the AWS CLI command that applies it. The fix itself is built and proven
like any other (fixers.py, then a second engine run on the edited output); this only
names it. Commands (https://docs.aws.amazon.com/cli/latest/reference/):
iam update-assume-role-policy, iam create-policy-version --set-as-default,
iam put-{user,role,group}-policy, organizations update-policy.
"""

from __future__ import annotations

import json


def _document(after: str, name: str, ref) -> tuple[str | None, object]:
    """The corrected document in the fixed output (re-read), pretty-printed, and its evidence."""
    from roledoctor.inputs import read_all
    res = read_all({name: after})
    for ev in res.evidence:
        docs = [p.trust for p in ev.principals if p.trust is not None] + ev.documents + ev.org_policies + \
            [d for mp in ev.managed for d in mp.documents]
        for d in docs:
            if d.policy is None or d.span is None or d.role != ref.role:
                continue
            raw = after[d.span.start:d.span.end]
            try:
                value = json.loads(raw)
                if isinstance(value, str):  # describe-policy Content: JSON in a string
                    value = json.loads(value)
            except ValueError:
                continue
            return json.dumps(value, indent=4) + "\n", (ev, d)
    return None, None


def _command(ev, d) -> tuple[str, str] | None:
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


def annotate(case, fixes, report) -> None:
    evs = {case.raw_name(ev.input): ev for ev in case.inputs.evidence}
    if not evs:
        return
    for f in fixes:
        ev = evs.get(f.raw)
        if ev is None:
            continue
        refs = [p.trust for p in ev.principals if p.trust is not None] + ev.documents + ev.org_policies + \
            [d for mp in ev.managed for d in mp.documents]
        for ref in refs:
            text, found = _document(f.after, f.raw, ref)
            if text is None or found is None:
                continue
            got = _command(*found)
            if got is None:
                continue
            filename, command = got
            if text == _document(f.before, f.raw, ref)[0]:
                continue  # not the document this fix changed
            f.command, f.document, f.filename = command, text, filename
            for fx in report.fixes.values():
                if fx.after == f.after:
                    fx.command, fx.document, fx.filename = command, text, filename
            break
