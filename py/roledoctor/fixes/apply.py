"""Repairs -> TextEdits per raw input: each op has its edit function (a table),
a repair whose edit fails or overlaps an earlier one is skipped. The edits are then
proven by a second engine run (diagnosis/diagnose.py)."""

from __future__ import annotations

from typing import Callable

from roledoctor.fixes.ci import grant_edits
from roledoctor.fixes.edits import EditError, TextEdit
from roledoctor.fixes.errors import FixError
from roledoctor.fixes.model import Repair
from roledoctor.fixes.policy_edits import policy_edits
from roledoctor.fixes.provider_edits import nest_s3_assume_role, provider_edits, role_attribute

__all__ = ["OPS", "FixError", "apply_repairs", "edits_for", "input_of"]

# op -> the function that edits the text for it
OPS: dict[str, Callable[[Repair, str], list[TextEdit]]] = {
    **{op: policy_edits for op in ("set_string", "set_value", "set_object", "add_item", "add_key", "add_statement")},
    **{op: provider_edits for op in ("set_arg", "add_arg", "rename_arg", "s3_attribute_syntax")},
    "s3_nest_assume_role": nest_s3_assume_role,
    "ci_grant_token": grant_edits,
    "set_role_attr": role_attribute,
}


def input_of(repair: Repair) -> str:
    return str(repair.source.input)


def edits_for(repair: Repair, text: str) -> list[TextEdit]:
    """The edits for one repair on `text` (the text of its input). Raises FixError."""
    edit = OPS.get(repair.op)
    if edit is None:
        raise FixError(f"unknown op {repair.op}")
    try:
        return edit(repair, text)
    except (EditError, KeyError, IndexError, TypeError, ValueError) as err:
        raise FixError(f"{repair.op}: {err}") from None


def apply_repairs(texts: dict[str, str], repairs: list[Repair],
                  raw_of: Callable[[str], str]) -> tuple[dict[str, list[TextEdit]], list[Repair]]:
    """Edits per raw input for the repairs that can be made; conflicting or failing ones are skipped."""
    per: dict[str, list[TextEdit]] = {}
    done: list[Repair] = []
    for r in repairs:
        raw = raw_of(input_of(r))
        text = texts.get(raw)
        if text is None:
            continue
        try:
            new = edits_for(r, text)
        except FixError:
            continue
        have = per.setdefault(raw, [])
        if all(e in have for e in new):
            done.append(r)
            continue
        if any(_overlap(e, h) for e in new for h in have):
            continue
        have.extend(new)
        done.append(r)
    return per, done


def _overlap(a: TextEdit, b: TextEdit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True
    return a.start < b.end and b.start < a.end
