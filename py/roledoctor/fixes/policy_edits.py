"""Repairs of a policy -> minimal TextEdits in the form the user pasted: JSON stays
JSON with its indentation and key order, `jsonencode` stays HCL, a heredoc keeps
its JSON, `aws_iam_policy_document` stays a data block, comments are kept.

Offsets are those of the raw text (facts.prepare keeps them when it splits a box
into documents), so edits apply to what the user pasted.
"""

from __future__ import annotations

from typing import Any, Callable

from roledoctor.fixes.edits import TextEdit, _indent_at, detect_style, insert_element, quote_string, replace_string
from roledoctor.fixes.errors import FixError
from roledoctor.fixes.model import Repair

SYNTAX = {"json": "json", "jsonencode": "hcl", "heredoc": "json_in_hcl", "policy_document": "hcl"}


def _span(src: Any, path: tuple) -> Any:
    span = src.policy.spans.get(tuple(path))
    if span is None:
        raise FixError(f"no element at {path}")
    return span


def policy_edits(r: Repair, text: str) -> list[TextEdit]:
    src = r.source
    if src.form in ("string", "urlencoded"):  # describe-policy Content, get-role via the API: edit it decoded
        from roledoctor.fixes.string_policy import edit_in_string
        return edit_in_string(r, text, policy_edits)
    syntax = SYNTAX.get(src.form)
    if syntax is None:
        raise FixError(f"cannot edit a policy written as {src.form}")
    edit = _OPS.get(r.op)
    if edit is None:
        raise FixError(f"unknown op {r.op}")
    return [edit(r, src, text, syntax, src.form == "policy_document")]


def _set_string(r: Repair, src: Any, text: str, syntax: str, doc: bool) -> TextEdit:
    span = _span(src, r.path)
    lit = text[span.start:span.end]
    if not (lit.startswith('"') and lit.endswith('"')):
        if doc and (tuple(r.path) + (0,)) in src.policy.spans:
            span = _span(src, tuple(r.path) + (0,))
        else:
            raise FixError("not a string literal")
    return replace_string(text, span.start, span.end, r.value, syntax)


def _set_value(r: Repair, src: Any, text: str, syntax: str, doc: bool) -> TextEdit:
    span = _span(src, r.path)
    value = r.value
    if doc and isinstance(value, str):
        value = [value]  # actions = [...], resources = [...]
    st = detect_style(text, syntax)
    indent = _indent_at(text, span.start)
    multiline = isinstance(value, dict) and "\n" in text[span.start:span.end]
    return TextEdit(span.start, span.end, st.value(value, indent, multiline))


def _add_item(r: Repair, src: Any, text: str, syntax: str, doc: bool) -> TextEdit:
    path = tuple(r.path)
    span = _span(src, path)
    if doc and text[span.start] != "[" and (path + ("values",)) in src.policy.spans:
        span = _span(src, path + ("values",))
    lit = text[span.start:span.end]
    if lit.startswith("["):
        return insert_element(text, span.start, r.value, syntax)
    if lit.startswith('"'):
        old = src.policy_value(path) if hasattr(src, "policy_value") else _decoded(src, path)
        st = detect_style(text, syntax)
        return TextEdit(span.start, span.end, st.value([old, r.value], "", False))
    raise FixError("neither a list nor a string")


def _add_key(r: Repair, src: Any, text: str, syntax: str, doc: bool) -> TextEdit:
    if doc:
        return _doc_conditions(src, text, r)
    span = _span(src, r.path)
    if text[span.start] != "{":
        raise FixError("not an object")
    return insert_element(text, span.start, r.value, syntax, key=r.key)


def _add_statement(r: Repair, src: Any, text: str, syntax: str, doc: bool) -> TextEdit:
    if doc:
        return _doc_statement(src, text, r.value)
    span = src.policy.spans.get(("Statement",))
    if span is None or text[span.start] != "[":
        raise FixError("Statement is not a list")
    return insert_element(text, span.start, r.value, syntax)


# op -> the edit that makes it (fixes/apply.py sends these ops here)
_OPS: dict[str, Callable[[Repair, Any, str, str, bool], TextEdit]] = {
    "set_string": _set_string, "set_value": _set_value, "set_object": _set_value, "add_item": _add_item,
    "add_key": _add_key, "add_statement": _add_statement,
}


def _decoded(src: Any, path: tuple) -> str:
    """The current string value at a JSON path of the policy."""
    pol = src.policy
    st = next(s for s in pol.statements if tuple(path[:len(s.path)]) == tuple(s.path))
    rest = tuple(path[len(st.path):])
    if rest[0] == "Condition":
        c = next(c for c in st.conditions if c.operator == rest[1] and c.key == rest[2])
        return c.values[0]
    if rest[0] == "Principal":
        return st.principal[rest[1]][0]
    if rest[0] in ("Action", "NotAction", "Resource", "NotResource"):
        attr = {"Action": "action", "NotAction": "not_action", "Resource": "resource", "NotResource": "not_resource"}
        return getattr(st, attr[rest[0]])[0]
    raise FixError(f"cannot read {path}")


def _doc_statement(src: Any, text: str, stmt: dict) -> TextEdit:
    """A new `statement { … }` at the end of a data "aws_iam_policy_document" block."""
    block = src.policy.spans[()]
    close = text.rfind("}", block.start, block.end)
    first = src.policy.spans.get(("Statement", 0))
    indent = _indent_at(text, first.start) if first else "  "
    inner = indent + (indent[: len(indent)] if indent.strip() == "" and indent else "  ")
    acts = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
    res = stmt["Resource"] if isinstance(stmt["Resource"], list) else [stmt["Resource"]]
    q = lambda v: quote_string(v, "hcl")  # noqa: E731
    lines = [f"{indent}statement {{",
             f'{inner}effect    = {q(stmt["Effect"])}',
             f"{inner}actions   = [{', '.join(q(a) for a in acts)}]",
             f"{inner}resources = [{', '.join(q(a) for a in res)}]",
             f"{indent}}}"]
    line_start = text.rfind("\n", 0, close) + 1
    if text[line_start:close].strip() == "":
        return TextEdit(line_start, line_start, "\n" + "\n".join(lines) + "\n")
    return TextEdit(close, close, "\n" + "\n".join(lines) + "\n")


def _doc_conditions(src: Any, text: str, r: Repair) -> TextEdit:
    """Conditions added to a `statement { … }` of aws_iam_policy_document: one
    `condition { test, variable, values }` block each, at the end of the statement
    (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document#condition)."""
    path = tuple(r.path)
    if len(path) < 2 or path[0] != "Statement" or (len(path) > 2 and path[2] != "Condition"):
        raise FixError("aws_iam_policy_document: only conditions can be added to a statement")
    rest = path[2:]
    if rest == () and r.key == "Condition":
        triples = [(op, k, v) for op, kv in r.value.items() for k, v in kv.items()]
    elif rest == ("Condition",):
        triples = [(r.key, k, v) for k, v in r.value.items()]
    elif len(rest) == 2:
        triples = [(rest[1], r.key, r.value)]
    else:
        raise FixError("aws_iam_policy_document: unknown condition path")
    block = _span(src, path[:2])
    close = text.rfind("}", block.start, block.end)
    if close < 0:
        raise FixError("statement block not found")
    indent = _indent_at(text, block.start)
    inner = indent + ("\t" if indent.startswith("\t") else "  ")
    q = lambda v: quote_string(v, "hcl")  # noqa: E731
    lines = []
    for op, key, value in triples:
        values = value if isinstance(value, list) else [value]
        lines += [f"{inner}condition {{", f"{inner}  test     = {q(op)}", f"{inner}  variable = {q(key)}",
                  f"{inner}  values   = [{', '.join(q(str(v)) for v in values)}]", f"{inner}}}"]
    line_start = text.rfind("\n", 0, close) + 1
    if text[line_start:close].strip() == "":
        return TextEdit(line_start, line_start, "\n".join(lines) + "\n")
    return TextEdit(close, close, "\n" + "\n".join(lines) + "\n" + indent)
