"""Repairs of a provider `assume_role` block or a `backend "s3"` block -> minimal
TextEdits in HCL (the provider's schema:
https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume-role-configuration-block;
the backend's: https://developer.hashicorp.com/terraform/language/backend/s3#assume-role-configuration).
"""

from __future__ import annotations

from typing import Any

from roledoctor.fixes.edits import Raw, TextEdit, _indent_at, insert_element, quote_string, replace_string
from roledoctor.fixes.errors import FixError
from roledoctor.fixes.model import Repair
from roledoctor.inputs.model import S3Backend


def _hop(config: Any, index: int | None) -> Any:
    if isinstance(config, S3Backend):
        return config.assume_role
    return config.assume_role[index or 0]


def provider_edits(r: Repair, text: str) -> list[TextEdit]:
    cfg = r.source
    if r.op == "s3_attribute_syntax":
        hop = cfg.assume_role
        start = hop.span.start
        name_end = start + len("assume_role")
        if text[start:name_end] != "assume_role":
            raise FixError("assume_role block not found")
        brace = text.find("{", name_end)
        return [TextEdit(name_end, brace, " = ")]
    hop = _hop(cfg, r.hop)
    if r.op == "set_arg":
        a = hop.args[r.key]
        lit = text[a.span.start:a.span.end]
        if lit.startswith('"') and lit.endswith('"'):
            return [replace_string(text, a.span.start, a.span.end, r.value, "hcl")]
        return [TextEdit(a.span.start, a.span.end, quote_string(r.value, "hcl"))]
    if r.op == "add_arg":
        if r.key in hop.args:
            return provider_edits(Repair(r.target, "set_arg", cfg, key=r.key, value=r.value, hop=r.hop), text)
        brace = text.find("{", hop.span.start)
        if brace < 0 or brace >= hop.span.end:
            raise FixError("assume_role block has no body")
        return [insert_element(text, brace, r.value, "hcl", key=r.key)]
    if r.op == "rename_arg":
        a = hop.args[r.key]
        new_name, new_value = r.value
        return [TextEdit(a.name_span.start, a.name_span.end, new_name),
                TextEdit(a.span.start, a.span.end, quote_string(new_value, "hcl"))]
    raise FixError(f"unknown op {r.op}")


# backend "s3" arguments removed with the nested assume_role attribute (Terraform 1.6,
# https://developer.hashicorp.com/terraform/language/backend/s3#assume-role-configuration): old -> key in assume_role
S3_MOVED = {"role_arn": "role_arn", "session_name": "session_name", "external_id": "external_id",
            "assume_role_duration_seconds": "duration", "assume_role_policy": "policy",
            "assume_role_policy_arns": "policy_arns", "assume_role_tags": "tags",
            "assume_role_transitive_tag_keys": "transitive_tag_keys"}


def _line(text: str, a: Any) -> tuple[int, int]:
    """(start, end) of the whole line(s) of attribute `a`, its newline included; the attribute must be alone there."""
    start = text.rfind("\n", 0, (a.name_span or a.span).start) + 1
    end = text.find("\n", a.span.end)
    end = len(text) if end < 0 else end + 1
    if text[start:(a.name_span or a.span).start].strip() or text[a.span.end:end].split("#")[0].split("//")[0].strip():
        raise FixError("the argument shares its line with others")
    return start, end


def _moved_value(text: str, old: str, a: Any) -> str:
    """The value as the user wrote it (with its end-of-line comment); seconds of
    `assume_role_duration_seconds` become a Go duration."""
    eol = text.find("\n", a.span.end)
    rest = text[a.span.end:len(text) if eol < 0 else eol].rstrip("\r").strip()
    comment = f"  {rest}" if rest.startswith(("#", "//")) else ""
    if old == "assume_role_duration_seconds":
        from roledoctor.fixes.sts_values import go_duration
        if not isinstance(a.value, int) or isinstance(a.value, bool):
            raise FixError("assume_role_duration_seconds is not a number")
        return quote_string(go_duration(a.value), "hcl") + comment
    return text[a.span.start:a.span.end] + comment


def nest_s3_assume_role(r: Repair, text: str) -> list[TextEdit]:
    """Move `role_arn` and the removed `assume_role_*` / `session_name` / `external_id` arguments of
    `backend "s3"` into `assume_role = { … }` (a new one in place of the first, or the existing one)."""
    b = r.source
    if not isinstance(b, S3Backend):
        raise FixError("not a backend \"s3\" block")
    moved = [(old, new, b.args[old]) for old, new in S3_MOVED.items() if old in b.args and b.args[old].span]
    if not moved:
        raise FixError("nothing to move")
    lines = sorted(_line(text, a) for _, _, a in moved)
    moved.sort(key=lambda m: _line(text, m[2]))
    indent = _indent_at(text, lines[0][0])
    unit = "  " if not indent.startswith("\t") else "\t"
    nl = "\r\n" if "\r\n" in text else "\n"
    width = max(len(new) for _, new, _ in moved)
    edits = []
    if b.assume_role is not None and b.assume_role_form == "attribute":
        hop = b.assume_role
        if hop.span is None:
            raise FixError("assume_role has no place in the text")
        close = text.rfind("}", hop.span.start, hop.span.end)
        inner = _indent_at(text, close) + unit
        have = [k for k in moved if k[1] not in hop.args]
        if not have:
            raise FixError("assume_role already holds these arguments")
        body = "".join(f"{inner}{new.ljust(width)} = {_moved_value(text, old, a)}{nl}" for old, new, a in have)
        line_start = text.rfind("\n", 0, close) + 1
        if text[line_start:close].strip():
            raise FixError("assume_role = { … } is on one line")
        edits.append(TextEdit(line_start, line_start, body))
        edits += [TextEdit(s, e, "") for s, e in lines]
        return edits
    body = "".join(f"{indent}{unit}{new.ljust(width)} = {_moved_value(text, old, a)}{nl}" for old, new, a in moved)
    block = f"{indent}assume_role = {{{nl}{body}{indent}}}{nl}"
    edits.append(TextEdit(lines[0][0], lines[0][1], block))
    edits += [TextEdit(s, e, "") for s, e in lines[1:]]
    return edits


def role_attribute(r: Repair, text: str) -> list[TextEdit]:
    """Set a number attribute of a pasted `resource "aws_iam_role"` (e.g. `max_session_duration`),
    adding it to the block when it is absent."""
    role = r.source
    a = role.args.get(r.key) if r.key else None
    if a is not None and a.span is not None:
        return [TextEdit(a.span.start, a.span.end, str(int(r.value)))]
    if role.span is None:
        raise FixError("the role resource has no place in the text")
    brace = text.find("{", role.span.start, role.span.end)
    if brace < 0:
        raise FixError("the role resource has no body")
    return [insert_element(text, brace, Raw(str(int(r.value))), "hcl", key=r.key)]
