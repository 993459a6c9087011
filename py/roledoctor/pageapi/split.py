"""A pasted or dropped main.tf, split into the boxes its top-level blocks belong to."""

from __future__ import annotations

import re

from roledoctor.pageapi.boxes import BOXES

_BLOCK_START = re.compile(r'^[ \t]*(provider|resource|data|terraform|variable|locals|output|module|backend)\b([^\n{]*)\{',
                          re.M)
_LABELS = re.compile(r'"([^"]*)"')
_CALLER_RESOURCES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy",
                     "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
                     "aws_iam_group_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role_policies_exclusive")


def blocks(text: str) -> list[tuple[int, int, str, list[str]]] | None:
    """Top-level HCL blocks as (start, end, keyword, labels), each with its
    leading comments; None when the text does not split cleanly (then nothing
    is split). The reader's own splitter finds the blocks."""
    from roledoctor.inputs.hcl import top_level_blocks

    spans = top_level_blocks(text.replace("\r", " "))  # same offsets
    if spans is None:
        return None
    out = []
    for start, end, _ in spans:
        m = _BLOCK_START.search(text, start, end)
        if not m:
            continue  # a block kind we do not route (moved, import, check…): stays where it is
        if end < len(text) and text[end] == "\n":
            end += 1
        out.append((start, end, m.group(1), _LABELS.findall(m.group(2))))
    return out


def box_for_block(keyword: str, labels: list[str], body: str) -> str:
    rtype = labels[0] if labels else ""
    if keyword == "resource" and rtype == "aws_iam_role":
        return "trust_policy"
    if keyword == "data" and rtype == "aws_iam_policy_document":
        principals = re.search(r"\bprincipals\s*\{", body)
        if principals and not re.search(r"sts:AssumeRole", body):
            return "provider"  # a resource policy (queue, topic, key): read by its content, as the CLI does
        return "trust_policy" if principals else "caller_policy"
    if keyword == "resource" and rtype in _CALLER_RESOURCES:
        return "caller_policy"
    if keyword == "resource" and rtype in ("aws_organizations_policy", "aws_organizations_policy_attachment"):
        return "org_policies"
    return "provider"


def _what(keyword: str, labels: list[str]) -> str:
    return " ".join([keyword] + [f'"{lab}"' for lab in labels])


def split_hcl(text: str) -> list[dict]:
    found = blocks(text)
    if not found:
        return []
    parts: dict[str, list[str]] = {}
    whats: dict[str, list[str]] = {}
    covered = 0
    for start, end, keyword, labels in found:
        box = box_for_block(keyword, labels, text[start:end])
        parts.setdefault(box, []).append(text[start:end].strip("\n"))
        whats.setdefault(box, []).append(_what(keyword, labels))
        covered += end - start
    rest = text
    for start, end, *_ in reversed(found):
        rest = rest[:start] + rest[end:]
    rest = "\n".join(ln for ln in rest.splitlines() if not re.match(r"\s*(#|//)", ln))
    if rest.strip():  # top-level attributes (a .tfvars file) go with the provider
        parts.setdefault("provider", []).insert(0, rest.strip("\n"))
        whats.setdefault("provider", []).insert(0, "variable values")
    return [{"input": box, "text": "\n\n".join(parts[box]) + "\n", "what": ", ".join(whats[box])}
            for box in BOXES if box in parts]


def split(args: dict) -> dict:
    """Method `split` {text, input} -> {parts: [{input, text, what}]} (one part: nothing to split)."""
    from roledoctor.inputs import classify

    text = str(args.get("text", ""))
    here = str(args.get("input", "provider"))
    kinds = classify(text)
    if "hcl" not in kinds:
        return {"parts": [{"input": here, "text": text, "what": ""}]}
    parts = split_hcl(text)
    if len(parts) <= 1:
        return {"parts": [{"input": here, "text": text, "what": ""}]}
    return {"parts": parts}
