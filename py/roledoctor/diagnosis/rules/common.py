"""What the blocker rules share: where a statement is, the ARN a trust should name."""

from __future__ import annotations

from roledoctor.diagnosis.facts import Case
from roledoctor.diagnosis.model import Source, Where
from roledoctor.evaluation.model import ROLE, USER, StatementTrace


def principal_value(case: Case) -> str | None:
    """The ARN a trust should name for this caller (role ARN with path, never a session)."""
    c = case.caller
    if c is None or case.caller_from == "any caller":  # a representative caller (diagnosis/any_caller.py)
        return None
    if c.type == ROLE:
        return c.role_arn
    if c.type == USER:
        return c.arn
    return None


def stmt_where(src: Source, path) -> Where:
    return Where(src.input, src.policy.span_at(path))


def error_where(case: Case) -> list[Where]:
    e = case.error
    return [Where(e.input, e.span)] if e is not None else []


def text_of(case: Case, src: Source, path) -> str:
    span = src.policy.span_at(path)
    text = case.inputs.texts.get(src.input, "")
    return text[span.start:span.end] if span is not None else ""


def source_of(sources, st: StatementTrace | None) -> Source | None:
    if not sources:
        return None
    if st is None:
        return sources[0]
    for s in sources:
        if st.policy.endswith("/" + (s.policy.id or s.policy.source)) or st.policy == s.policy.source:
            return s
    return sources[0]


def hop_where(case: Case, arg: str | None = None) -> list[Where]:
    hop = case.hop
    if hop is None or case.provider is None:
        return []
    a = hop.args.get(arg) if arg else None
    if a is not None and a.span is not None:
        return [Where(case.provider.input, a.span)]
    return [Where(case.provider.input, hop.span)] if hop.span is not None else []


def score(s: StatementTrace):
    p = s.principal.matched if s.principal else True
    failing = sum(1 for c in s.conditions if c.result is False)
    return (not s.action_matched, p is False, failing, s.index)


class _NoArn:
    kind = ""


NOARN = _NoArn()
