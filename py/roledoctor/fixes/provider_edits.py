"""Repairs of a provider `assume_role` block or a `backend "s3"` block -> minimal
TextEdits in HCL (the provider's schema:
https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume-role-configuration-block;
the backend's: https://developer.hashicorp.com/terraform/language/backend/s3#assume-role-configuration).
"""

from __future__ import annotations

from typing import Any

from roledoctor.fixes.edits import TextEdit, insert_element, quote_string, replace_string
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
