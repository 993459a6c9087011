"""Shared by the evidence readers: where a value is, and the policy documents AWS prints
as an object (the CLI decodes them), as JSON inside a string (Organizations' Content,
CloudTrail's CloudTrailEvent), or URL-encoded (RFC 3986) as the IAM API returns them
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from roledoctor.inputs import jsonspan, policydoc
from roledoctor.inputs.evidence.model import DocRef
from roledoctor.source import LineIndex

_ENCODED = re.compile(r"[ \t\r\n]*%7[Bb]")


class Ctx:
    """One pasted AWS output: its text, parsed JSON (with spans) and name."""

    def __init__(self, name: str, text: str, lines: LineIndex, doc: jsonspan.JSONDoc):
        self.name, self.text, self.lines, self.doc = name, text, lines, doc
        self.problems: list = []

    def span(self, path: tuple = ()):
        if self.doc is None:
            return None
        r = self.doc.spans.get(tuple(path))
        if r is None:
            return self.lines.span(self.doc.start, self.doc.end) if not path else None
        return self.lines.span(*r)


def get(obj, *path):
    for p in path:
        if isinstance(obj, dict):
            obj = obj.get(p)
        elif isinstance(obj, list) and isinstance(p, int) and 0 <= p < len(obj):
            obj = obj[p]
        else:
            return None
    return obj


def text_of(obj, *path) -> str:
    v = get(obj, *path)
    return v if isinstance(v, str) else ""


def strings(obj, *path) -> list[str]:
    v = get(obj, *path)
    return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []


def document(ctx: Ctx, path: tuple, role: str, **kw) -> DocRef | None:
    """The policy at `path` of ctx.doc (an object, a JSON string or a URL-encoded string).
    A document that is not a valid policy adds a Problem to ctx.problems."""
    node = get(ctx.doc.value, *path)
    start_end = ctx.doc.spans.get(tuple(path))
    if start_end is None:
        return None
    if isinstance(node, dict):
        try:
            sub = jsonspan.parse(ctx.text, start_end[0], start_end[1])
        except jsonspan.JSONSyntaxError:
            return None
        spans = {k: ctx.lines.span(*v) for k, v in sub.spans.items()}
        keys = {k: ctx.lines.span(*v) for k, v in sub.key_spans.items()}
        pol, probs = policydoc.build(sub.value, spans, keys, ctx.lines, ctx.name)
        form = "json"
    elif isinstance(node, str):
        if _ENCODED.match(node):
            decoded = unquote(node)
            offsets = [start_end[0]] * (len(decoded) + 1)  # the whole string: no exact place inside
            form = "urlencoded"
        else:
            mapped = jsonspan.string_offsets(ctx.text, start_end[0])
            if mapped is None:
                return None
            decoded, offsets = mapped
            form = "string"
        pol, probs, _ = policydoc.from_json_text(decoded, ctx.lines, ctx.name, offsets=offsets)
    else:
        return None
    if probs or pol is None:  # the readers give a policy or its problems
        ctx.problems.extend(probs)
        return None
    if pol.span is None:
        pol.span = ctx.lines.span(*start_end)
    return DocRef(role, pol, form=form, span=ctx.lines.span(*start_end), **kw)
