"""Edit a policy held inside a string: JSON in a JSON string (Organizations
describe-policy's Content, https://docs.aws.amazon.com/organizations/latest/APIReference/API_Policy.html),
or URL-encoded JSON (the IAM API returns AssumeRolePolicyDocument and policy
versions URL-encoded, https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html):
decode the string, make the edit on the decoded document as on any JSON policy, and
write the string back encoded the same way, keeping the rest of the output as it was."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Callable
from urllib.parse import quote, unquote

from roledoctor.fixes.edits import TextEdit, apply_edits
from roledoctor.fixes.model import Repair, Source
from roledoctor.inputs import jsonspan, policydoc
from roledoctor.source import LineIndex

# RFC 3986 unreserved characters stay as they are, like the IAM API's encoding
_SAFE = "-_.~"


def edit_in_string(r: Repair, text: str, edit_policy: Callable[[Repair, str], list[TextEdit]]) -> list[TextEdit]:
    src = r.source
    span = src.policy.span
    if span is None:
        raise ValueError("no span for the policy string")
    start = span.start - 1 if span.start > 0 and text[span.start - 1] == '"' else span.start
    mapped = jsonspan.string_offsets(text, start)
    if mapped is None:
        raise ValueError("not a JSON string literal")
    decoded, offsets = mapped
    end = offsets[-1] + 1  # past the closing quote
    encoded = src.form == "urlencoded"
    if encoded:
        decoded = unquote(decoded)
    policy, problems, _ = policydoc.from_json_text(decoded, LineIndex(decoded), src.input)
    if policy is None or problems:
        raise ValueError("the string is not a policy")
    inner = replace(r, source=Source(src.input, policy, "json", src.label))
    new = apply_edits(decoded, edit_policy(inner, decoded))
    return [TextEdit(start, end, json.dumps(quote(new, safe=_SAFE) if encoded else new))]


def decode(raw: str, form: str) -> str:
    """The policy text a string holds ("string": JSON in JSON; "urlencoded": URL-encoded JSON)."""
    value = json.JSONDecoder().raw_decode(raw)[0]
    if not isinstance(value, str):
        raise ValueError("not a string")
    return unquote(value) if form == "urlencoded" else value
